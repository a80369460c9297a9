// The report CLI with the reason tree (`npm run kpi -- <file> --reasons=<machine type>`, docs/downtime.md):
// a worked example done by hand. An 8-hour shift, 1,000 parts (980 good) at 20 s ideal; down
// 09:00–09:10 with fault 301 (the CNC default: tool breakage), 09:10–09:30 a tool change, 11:00–11:20
// with no reason, 12:00–12:15 planned maintenance. By ISO 22400-2: PDOT = 900 s, PBT = 27,900 s,
// APT = 28,800 − 3,900 = 24,900 s, availability = 24,900 / 27,900.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportInputError, runReport } from '../../edge/kpi/report-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'twinline-kpi-reasons-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'shift.json');
writeFileSync(file, JSON.stringify({
  timezone: 'Asia/Shanghai', machine: 'mill',
  shift: { start: '2026-12-01T06:00:00+08:00', end: '2026-12-01T14:00:00+08:00' }, idealCycleTimeSeconds: 20,
  states: [
    { start: '2026-12-01T09:00:00+08:00', end: '2026-12-01T09:10:00+08:00', state: 'down', reason: 'fault 301' },
    { start: '2026-12-01T09:10:00+08:00', end: '2026-12-01T09:30:00+08:00', state: 'down', reason: 'tool-change' },
    { start: '2026-12-01T11:00:00+08:00', end: '2026-12-01T11:20:00+08:00', state: 'down' },
    { start: '2026-12-01T12:00:00+08:00', end: '2026-12-01T12:15:00+08:00', state: 'down', reason: 'planned-maintenance' },
  ],
  counts: { total: 1000, good: 980 },
}));

describe('npm run kpi -- --reasons', () => {
  it('books the reasons by their loss; unclassified time is its own bar and row', () => {
    const out = JSON.parse(runReport([file, '--reasons=cnc']));
    expect(out.availability).toBeCloseTo(24_900 / 27_900, 12);
    expect(out.times.plannedDownTime).toBe(900);
    expect(out.times.actualSetupTime).toBe(1200);
    expect(out.pareto.map((r: { reason: string; seconds: number }) => [r.reason, r.seconds])).toEqual([
      ['tool-change', 1200], ['unclassified', 1200], ['planned-maintenance', 900], ['tool-breakage', 600],
    ]);
    const bars = Object.fromEntries(out.losses.waterfall.map((s: { step: string; seconds: number }) => [s.step, s.seconds]));
    expect(bars['unclassified stops']).toBe(1200);
    expect(bars['breakdowns (classified)']).toBe(600);
    const table = runReport([file, '--table', '--reasons=cnc']);
    expect(table).toMatch(/unclassified stops\s+0:20:00/);
    expect(table).toMatch(/Tool change\s+setup-adjustment\s+1\s+20\.00\s+换刀/);
  });

  it('without --reasons the report is as before (the reason is free text)', () => {
    const out = JSON.parse(runReport([file]));
    expect(out.availability).toBeCloseTo(24_900 / 28_800, 12);
    expect(out.pareto).toBeUndefined();
  });

  it('refuses a malformed flag, naming the usage', () => {
    expect(() => runReport([file, '--reasons=CNC!'])).toThrow(ReportInputError);
  });
});
