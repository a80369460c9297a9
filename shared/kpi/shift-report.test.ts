import { describe, expect, it } from 'vitest';
import { computeShiftReport } from './shift-report.js';
import { ShiftReportInputSchema, type ShiftReportInput } from './shift-report-schema.js';

const report = (doc: unknown) => computeShiftReport(ShiftReportInputSchema.parse(doc) as ShiftReportInput);

// The example from issue 5 §8: one 15-min break, one 47-min spindle fault, the Vorne counts.
const issueExample = {
  timezone: 'Asia/Shanghai',
  shift: { start: '2026-11-02T08:00:00+08:00', end: '2026-11-02T16:00:00+08:00' },
  idealCycleTimeSeconds: 1.0,
  plannedStops: [{ start: '2026-11-02T10:00:00+08:00', end: '2026-11-02T10:15:00+08:00', reason: 'break' }],
  states: [{ start: '2026-11-02T11:02:00+08:00', end: '2026-11-02T11:49:00+08:00', state: 'down', reason: 'spindle-fault' }],
  counts: { total: 19271, good: 18848 },
  energy: [{ ts: '2026-11-02T08:00:00+08:00', kWh: 1520.0 }],
};

describe('one-shift report', () => {
  it('computes the issue 5 example: uncovered time is running, ISO times in seconds', () => {
    const r = report(issueExample);
    expect(r.times).toMatchObject({
      plannedOperationTime: 28800, plannedDownTime: 900, plannedBusyTime: 27900, actualProductionTime: 27900 - 2820, actualDownTime: 2820, noDataTime: 0,
    });
    expect(r.availability).toBeCloseTo(25080 / 27900, 12);
    expect(r.performance).toBeCloseTo(19271 / 25080, 12);
    expect(r.quality).toBeCloseTo(18848 / 19271, 12);
    expect(r.oee).toBeCloseTo(r.availability * r.performance * r.quality, 15);
    for (const k of ['availability', 'performance', 'quality', 'oee'] as const) {
      expect(r[k]).toBeGreaterThanOrEqual(0);
      expect(r[k]).toBeLessThanOrEqual(1);
    }
    expect(r.losses.byReason.find((l) => l.reason === 'spindle-fault')).toMatchObject({ category: 'equipment-failure', seconds: 2820 });
    // One meter reading is not enough for energy: reported as null with a warning.
    expect(r.energy).toBeNull();
    expect(r.warnings.join('\n')).toMatch(/fewer than two energy readings/);
    expect(r.settings).toEqual({ microStopThresholdSeconds: 300, microStopsAs: 'availability', co2eKgPerKWh: 0.5703 });
  });

  it('lets a planned stop win where a state overlaps it, and keeps no-data out of planned busy time', () => {
    const r = report({
      ...issueExample,
      energy: undefined,
      states: [
        // Down from 09:50 to 10:20: 10 min before the break, 15 min inside it, 5 min after → one 15-min breakdown.
        { start: '2026-11-02T09:50:00+08:00', end: '2026-11-02T10:20:00+08:00', state: 'down', reason: 'jam' },
        { start: '2026-11-02T13:00:00+08:00', end: '2026-11-02T14:00:00+08:00', state: 'no-data' },
        { start: '2026-11-02T15:00:00+08:00', end: '2026-11-02T15:02:00+08:00', state: 'down', reason: 'jam' },
        { start: '2026-11-02T15:10:00+08:00', end: '2026-11-02T15:40:00+08:00', state: 'setup', reason: 'changeover' },
        { start: '2026-11-02T15:40:00+08:00', end: '2026-11-02T15:50:00+08:00', state: 'idle', reason: 'starved' },
      ],
    });
    expect(r.times.plannedDownTime).toBe(900);
    expect(r.times.breakdownTime).toBe(900);
    expect(r.times.microStopTime).toBe(120);
    expect(r.times.noDataTime).toBe(3600);
    expect(r.times.actualSetupTime).toBe(1800);
    expect(r.times.idleTime).toBe(600);
    expect(r.times.plannedBusyTime).toBe(28800 - 900 - 3600);
    expect(r.times.actualProductionTime).toBe(28800 - 900 - 3600 - 900 - 120 - 1800 - 600);
    expect(r.kpis).toMatchObject({ breakdowns: 1, microStops: 1, setups: 1 });
    expect(r.losses.byReason.find((l) => l.reason === 'jam' && l.category === 'idling-minor-stops')).toMatchObject({ seconds: 120, events: 1 });
  });

  it('measures a shift across a DST change between instants: 9 h on the fall-back night', () => {
    const r = report({
      timezone: 'Europe/Berlin',
      shift: { start: '2026-10-24T22:00:00+02:00', end: '2026-10-25T06:00:00+01:00' },
      idealCycleTimeSeconds: 2,
      counts: { total: 10000, good: 9900 },
      energy: [{ ts: '2026-10-24T22:00:00+02:00', kWh: 100 }, { ts: '2026-10-25T06:00:00+01:00', kWh: 190 }],
    });
    expect(r.shift.durationSeconds).toBe(9 * 3600);
    expect(r.shift.end).toBe('2026-10-25T06:00:00+01:00');
    expect(r.times.plannedBusyTime).toBe(9 * 3600);
    expect(r.performance).toBeCloseTo(20000 / 32400, 12);
    expect(r.energy).toMatchObject({ kWh: expect.closeTo(90, 9), peakDemandKW: expect.closeTo(10, 9), coveredSeconds: 32400 });
    expect(r.energy!.kWhPerGoodPart).toBeCloseTo(90 / 9900, 12);
    expect(r.warnings).toEqual([]);
  });

  it('warns when an offset does not match the time zone and when intervals reach outside the shift', () => {
    const r = report({
      ...issueExample,
      energy: undefined,
      shift: { start: '2026-11-02T09:00:00+09:00', end: '2026-11-02T16:00:00+08:00' },
      plannedStops: [{ start: '2026-11-02T07:00:00+08:00', end: '2026-11-02T08:30:00+08:00' }],
    });
    expect(r.warnings.join('\n')).toMatch(/shift.start .* has offset \+09:00, but Asia\/Shanghai is at \+08:00/);
    expect(r.warnings.join('\n')).toMatch(/plannedStops\[0\] reach outside the shift/);
    expect(r.times.plannedDownTime).toBe(1800);
    expect(r.losses.byReason.find((l) => l.category === 'planned')?.reason).toBe('planned-stop');
  });
});
