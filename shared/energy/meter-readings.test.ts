import { describe, expect, it } from 'vitest';
import { meterConsumption, totalIncrease } from './meter-readings.js';

const t0 = Date.parse('2026-11-02T08:00:00+08:00');
const min = (m: number): number => t0 + m * 60_000;

describe('totalIncrease', () => {
  it.each([
    { name: 'plain increase', prev: 100, next: 130, rollover: undefined, units: 30, event: undefined },
    { name: 'no change', prev: 100, next: 100, rollover: undefined, units: 0, event: undefined },
    { name: 'rollover at 1 000 000', prev: 999_990, next: 15, rollover: 1_000_000, units: 25, event: 'rollover' },
    { name: 'reset without rollover value', prev: 999_990, next: 15, rollover: undefined, units: 15, event: 'reset' },
    { name: 'exchanged meter starting at 0', prev: 4_321, next: 0, rollover: undefined, units: 0, event: 'reset' },
  ])('$name', ({ prev, next, rollover, units, event }) => {
    const r = totalIncrease(prev, next, rollover);
    expect(r.units).toBe(units);
    expect(r.event).toBe(event);
  });
});

describe('meterConsumption', () => {
  it('counts only readings inside the period, ends included', () => {
    const readings = [
      { ts: min(-10), total: 0 }, // before: ignored
      { ts: min(0), total: 10 },
      { ts: min(30), total: 25 },
      { ts: min(60), total: 40 },
      { ts: min(70), total: 1000 }, // after: ignored
    ];
    const c = meterConsumption(readings, { start: min(0), end: min(60) });
    expect(c.units).toBe(30);
    expect(c.covered).toEqual({ from: min(0), to: min(60) });
    expect(c.intervals).toEqual([
      { from: min(0), to: min(30), units: 15 },
      { from: min(30), to: min(60), units: 15 },
    ]);
  });

  it('sorts readings and reports rollovers and resets with their time', () => {
    const readings = [{ ts: min(20), total: 5 }, { ts: min(0), total: 65_530 }, { ts: min(40), total: 9 }];
    const wrapped = meterConsumption(readings, { start: min(0), end: min(60) }, 65_536);
    expect(wrapped.units).toBe(15); // 6 to the wrap, 5 after, then 4
    expect(wrapped.events).toEqual([{ ts: min(20), kind: 'rollover', previous: 65_530, total: 5 }]);
    const reset = meterConsumption(readings, { start: min(0), end: min(60) });
    expect(reset.units).toBe(9); // 5 since the reset, then 4
    expect(reset.events[0]?.kind).toBe('reset');
  });

  it('has no consumption and no coverage with one reading in the period', () => {
    const c = meterConsumption([{ ts: min(-5), total: 1 }, { ts: min(5), total: 2 }], { start: min(0), end: min(60) });
    expect(c).toEqual({ units: 0, intervals: [], events: [], covered: null });
  });
});
