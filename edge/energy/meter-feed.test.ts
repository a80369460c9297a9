import { describe, expect, it } from 'vitest';
import { MeterSchema } from '../../shared/energy-schema.js';
import { MeterFeed } from './meter-feed.js';

const t0 = Date.parse('2026-11-02T08:00:00+08:00');
const min = (m: number) => t0 + m * 60_000;
const meter = (extra: Record<string, unknown> = {}) =>
  MeterSchema.parse({ id: 'm', name: 'M', medium: 'electricity', unit: 'kWh', total: { tag: 'x.energy' }, ...extra });

describe('MeterFeed', () => {
  it('stores a total at most once per interval, carrying the consumption since the last stored row', () => {
    const f = new MeterFeed(meter(), 5 * 60_000);
    expect(f.total(min(0), 100).totals).toEqual([{ meterId: 'm', ts: min(0), total: 100, increase: 0, event: null }]);
    expect(f.total(min(2), 102).totals).toEqual([]);
    expect(f.unstored()).toEqual({ meterId: 'm', ts: min(2), total: 102, increase: 2, event: null });
    expect(f.total(min(5), 105).totals).toEqual([{ meterId: 'm', ts: min(5), total: 105, increase: 5, event: null }]);
    expect(f.unstored()).toBeNull();
  });

  it('splits each interval over the 15-minute blocks and keeps the running block', () => {
    const f = new MeterFeed(meter(), 60_000);
    f.total(min(10), 0);
    const r = f.total(min(20), 10); // 1 kWh/min: 5 in the 08:00 block, 5 in the 08:15 block
    expect(r.blocks.map((b) => [b.blockStart, Math.round(b.units * 1e9) / 1e9, b.coveredMs])).toEqual([[min(0), 5, 300_000], [min(15), 5, 300_000]]);
    expect(f.state.block).toEqual({ start: min(15), units: r.blocks[1]!.units, coveredMs: 300_000 });
    expect(f.state.ratePerHour).toBeCloseTo(60, 9);
  });

  it.each([
    { name: 'rollover from near the top', rollover: 1000, prev: 990, next: 5, increase: 15, event: 'rollover' },
    { name: 'reset from the lower half (rule 3a)', rollover: 1000, prev: 300, next: 5, increase: 5, event: 'reset' },
    { name: 'reset without rollover', rollover: undefined, prev: 990, next: 5, increase: 5, event: 'reset' },
  ])('$name', ({ rollover, prev, next, increase, event }) => {
    const f = new MeterFeed(meter(rollover ? { rollover } : {}), 60_000);
    f.total(min(0), prev);
    const r = f.total(min(1), next);
    expect(r.increase).toBe(increase);
    expect(r.event).toBe(event);
    expect(r.totals[0]?.event).toBe(event);
  });

  it('suspects a meter whose total stands still while it was counting, and clears when it moves', () => {
    const f = new MeterFeed(meter(), 60_000);
    f.total(min(0), 100);
    f.total(min(1), 101);
    for (let m = 2; m <= 7; m++) f.total(min(m), 101);
    expect(f.state.frozenSince).toBe(min(1));
    expect(f.suspectStuck(min(5))).toBe(false);
    expect(f.suspectStuck(min(6))).toBe(true);
    expect(f.state.ratePerHour).toBeCloseTo(60, 9); // the rate before it froze
    // Released: the catch-up counts in full, and it is no longer suspect.
    expect(f.total(min(8), 108).increase).toBe(7);
    expect(f.suspectStuck(min(8))).toBe(false);
    // A meter that was idle is not suspect for standing still.
    const idle = new MeterFeed(meter(), 60_000);
    for (let m = 0; m <= 10; m++) idle.total(min(m), 50);
    expect(idle.suspectStuck(min(10))).toBe(false);
  });

  it('integrates a rate that holds until the next reading, and resumes from a stored row', () => {
    const f = new MeterFeed(meter({ total: undefined, rate: { tag: 'x.flow' }, ratePer: 'minute', unit: 'm3', medium: 'compressed-air' }), 60_000);
    f.rate(min(0), 2); // 2 m³/min from 08:00
    f.rate(min(10), 3);
    expect(f.state.total).toBeCloseTo(20, 9);
    f.rate(min(20), 0);
    expect(f.state.total).toBeCloseTo(50, 9);
    const resumed = new MeterFeed(meter(), 60_000, { meterId: 'm', ts: min(0), total: 100, increase: 0, event: null });
    expect(resumed.total(min(30), 130).increase).toBe(30);
  });
});
