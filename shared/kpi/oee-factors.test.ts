import { describe, expect, it } from 'vitest';
import { computeKpis, computeOeeFactors } from './oee.js';
import type { PeriodTotals } from './period-totals.js';

const MIN = 60_000;

/** Vorne / oee.com worked example (as in oee.test.ts): 480 min, 60 min planned stops, 47 min down, 19,271 parts at 1.0 s, 423 rejects. */
function vorne(over: Partial<PeriodTotals['times']> = {}): Pick<PeriodTotals, 'times' | 'counts' | 'idealOutputSeconds'> {
  return {
    times: { plannedOperationMs: 480 * MIN, plannedDownMs: 60 * MIN, noDataMs: 0, productionMs: 373 * MIN, setupMs: 0, breakdownMs: 47 * MIN, microStopMs: 0, idleMs: 0, ...over },
    counts: { total: 19271, good: 19271 - 423 },
    idealOutputSeconds: 19271,
  };
}

describe('computeOeeFactors (the OEE figures of computeKpis alone, for the plant queries)', () => {
  it('reproduces the Vorne worked example', () => {
    const f = computeOeeFactors(vorne());
    expect(f.plannedBusyTime).toBe(420 * 60);
    expect(f.availability * 100).toBeCloseTo(88.81, 2);
    expect(f.performance * 100).toBeCloseTo(86.11, 2);
    expect(f.quality * 100).toBeCloseTo(97.8, 2);
    expect(f.oee * 100).toBeCloseTo(74.79, 2);
  });

  it('books micro-stops, clamps and handles empty periods as computeKpis does', () => {
    const full = (t: ReturnType<typeof vorne>): PeriodTotals => ({ ...t, start: 0, end: 480 * MIN, calendarMs: 480 * MIN, stops: { breakdowns: 1, microStops: 0, setups: 0, idles: 0 }, reasons: {}, energy: { kWh: 0, byState: { running: 0, idle: 0, down: 0, setup: 0, 'planned-stop': 0, 'no-data': 0 }, blocks: {} } });
    const cases: Array<[ReturnType<typeof vorne>, 'availability' | 'performance']> = [
      [vorne({ microStopMs: 7 * MIN, breakdownMs: 40 * MIN }), 'performance'],
      [vorne({ microStopMs: 7 * MIN, breakdownMs: 40 * MIN }), 'availability'],
      [{ ...vorne(), idealOutputSeconds: 19271 * 2 }, 'availability'],
      [{ ...vorne(), counts: { total: 10, good: 12 } }, 'availability'],
      [{ times: { plannedOperationMs: 0, plannedDownMs: 0, noDataMs: 0, productionMs: 0, setupMs: 0, breakdownMs: 0, microStopMs: 0, idleMs: 0 }, counts: { total: 0, good: 0 }, idealOutputSeconds: 0 }, 'availability'],
    ];
    for (const [t, microStopsAs] of cases) {
      const k = computeKpis(full(t), { microStopsAs });
      expect(computeOeeFactors(t, { microStopsAs })).toEqual({ availability: k.availability, performance: k.performance, quality: k.quality, oee: k.oee, plannedBusyTime: k.times.plannedBusyTime });
    }
    // Performance over 1 is shown as 1; more good than made counts as all good.
    expect(computeOeeFactors(cases[2]![0]).performance).toBe(1);
    expect(computeOeeFactors(cases[3]![0]).quality).toBe(1);
  });
});
