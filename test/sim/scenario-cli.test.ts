// The scenario file and the command line: validated input, errors that name the file and
// the field, and --help that documents every option.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { loadScenarioFile, resolveScenario, ScenarioError } from '../../plc-sim/scenario.js';

const run = promisify(execFile);
const plant = loadPlantFile('config/demo-plant.yaml');
const tsx = ['--import', 'tsx', 'plc-sim/main.ts'];

async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...tsx, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('scenario file', () => {
  it('the demo scenario is valid and matches the demo plant', async () => {
    const scenario = resolveScenario(plant, await loadScenarioFile('plc-sim/scenarios/demo.yaml'), 'plc-sim/scenarios/demo.yaml');
    expect([...scenario.machines.keys()]).toEqual(plant.machines.map((m) => m.id));
    expect(scenario.machines.get('mill')!.wear).toMatchObject({ code: 903 });
    expect(scenario.machines.get('mill')!.signals.vibration).toMatchObject({ wearGain: 5 });
    expect(scenario.line.products.map((p) => p.id)).toEqual(['HSG-100', 'HSG-200']);
  });

  it('names the file and the field of a bad value, and unknown machines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-scn-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'machines:\n  mill:\n    scrapRate: 2\n');
      await expect(loadScenarioFile(bad)).rejects.toThrow(`${bad}: machines.mill.scrapRate`);
      writeFileSync(bad, 'machines:\n  drill:\n    scrapRate: 0.1\n');
      const err = await loadScenarioFile(bad).then((s) => resolveScenario(plant, s, bad)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as Error).message).toMatch(/machines\.drill: no machine "drill" in the plant \(known: loader, mill/);
      writeFileSync(bad, 'machines:\n  mill:\n    signals:\n      coolantFlow: { base: 0, running: 5 }\n');
      expect(() => resolveScenario(plant, undefined)).not.toThrow();
      await expect(loadScenarioFile(bad).then((s) => resolveScenario(plant, s, bad))).rejects.toThrow(/signals\.coolantFlow: machine "mill" has no tag "coolantFlow"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run sim (CLI)', () => {
  it('--help documents every option the parser accepts', async () => {
    const { code, stdout } = await sim(['--help']);
    expect(code).toBe(0);
    const source = readFileSync('plc-sim/main.ts', 'utf8');
    const options = [...source.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(10);
    for (const option of options) expect(stdout, option).toContain(`--${option}`);
  });

  it('rejects bad flags with a message and exit code 2, without a stack trace', async () => {
    const cases = [['--seed', 'x'], ['--fault', 'wobble:mill'], ['--plant', 'nope.yaml']];
    const results = await Promise.all(cases.map(sim));
    for (const [i, args] of cases.entries()) {
      const { code, stderr } = results[i]!;
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toMatch(/^plc-sim: /);
      expect(stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
