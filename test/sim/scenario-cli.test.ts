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
import { CLI_OPTIONS, CliError, HELP, parseCli } from '../../plc-sim/cli-options.js';

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
  it('--help documents every option the parser accepts', () => {
    for (const option of Object.keys(CLI_OPTIONS)) expect(HELP, option).toContain(`--${option}`);
    expect(Object.keys(CLI_OPTIONS).length).toBeGreaterThan(15);
  });

  it('parses flags into options, with the documented defaults', () => {
    expect(parseCli([])).toMatchObject({ plant: 'config/demo-plant.yaml', opcuaPort: 4840, modbusPort: 5020, seed: 1, timeScale: 1, controlPort: 8091, pkiDir: 'data/pki/sim', rtu: undefined });
    const o = parseCli(['--opcua-port', '0', '--seed', '7', '--time-scale', '60', '--start', '2025-03-03T06:00:00+08:00', '--control-port', 'off', '--rtu', '--fault', 'latency:plc-modbus:300', '--fault', 'freeze:mill']);
    expect(o).toMatchObject({ opcuaPort: 0, seed: 7, timeScale: 60, startTime: Date.parse('2025-03-03T06:00:00+08:00'), controlPort: undefined, rtu: { path: undefined, baudRate: 19200 } });
    expect(o.faults).toEqual([{ kind: 'latency', device: 'plc-modbus', ms: 300 }, { kind: 'freeze', tag: 'mill' }]);
  });

  it.each([
    [['--seed', 'x'], /--seed x is not valid: a whole number/],
    [['--time-scale', '0'], /--time-scale 0 is not valid/],
    [['--modbus-port', '70000'], /--modbus-port 70000 is not valid: a port/],
    [['--start', 'yesterday'], /--start yesterday is not an ISO date-time/],
    [['--fault', 'wobble:mill'], /unknown kind "wobble"/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j naming the flag', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(CliError);
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('answers --help with exit 0 and a bad flag with exit 2 and one line, without loading the servers', async () => {
    const [help, bad] = await Promise.all([sim(['--help']), sim(['--plant', 'nope.yaml'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run sim -- [options]');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^plc-sim: cannot read plant file nope\.yaml: ENOENT/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
