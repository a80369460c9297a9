// End to end: the report CLI as a user runs it (`npm run kpi -- <file> [--table]`), spawned.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** Exactly what a user types; npm adds a second or so, so only the first test goes through it. */
function npmKpi(...args: string[]) {
  const r = spawnSync('npm', ['run', '-s', 'kpi', '--', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The script behind `npm run kpi` (package.json: tsx edge/kpi/report-cli.ts). */
function kpi(...args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), ['edge/kpi/report-cli.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run kpi', () => {
  it('prints JSON for the documented example (the oee.com worked example, 74.79 % OEE)', () => {
    const { code, stdout, stderr } = npmKpi('docs/examples/shift-mill.json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.availability).toBeCloseTo(373 / 420, 12);
    expect(out.performance).toBeCloseTo(19271 / 22380, 12);
    expect(out.quality).toBeCloseTo(18848 / 19271, 12);
    expect(out.oee * 100).toBeCloseTo(74.79, 2);
    expect(out.times).toMatchObject({ plannedOperationTime: 28800, plannedDownTime: 3600, plannedBusyTime: 25200, actualProductionTime: 22380, actualDownTime: 2820 });
    expect(out.losses.sixBigLosses['equipment-failure']).toBe(2820);
    expect(out.energy.kWh).toBeCloseTo(91.3, 9);
  });

  it('prints a table with --table', () => {
    const { code, stdout } = kpi('docs/examples/shift-mill.json', '--table');
    expect(code).toBe(0);
    expect(stdout).toMatch(/OEE\s+74\.79 %/);
    expect(stdout).toMatch(/PBT  planned busy time\s+7:00:00\s+25200\.0/);
    expect(stdout).toMatch(/spindle-fault\s+equipment-failure\s+1\s+47\.00/);
  });

  it('rejects bad input naming the file and the field, exits 2, prints no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-kpi-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({
      timezone: 'Asia/Shanghai',
      shift: { start: '2026-11-02T08:00:00+08:00', end: '2026-11-02T16:00:00' },
      idealCycleTimeSeconds: 1,
      states: [{ start: '2026-11-02T09:00:00+08:00', end: '2026-11-02T09:10:00+08:00', state: 'stopped' }],
      counts: { total: 10, good: 9 },
    }));
    const { code, stdout, stderr } = kpi(file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}: shift.end: use ISO 8601 with an offset`);
    expect(stderr).toContain(`${file}: states[0].state: Invalid option`);
    expect(stderr).not.toMatch(/\n\s+at /);
    const missing = kpi(join(dir, 'missing.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*missing\.json: ENOENT/);
  });
});
