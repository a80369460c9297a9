import { describe, expect, it } from 'vitest';
import { demandBlocks, forecastBlock, peakDemand } from './demand.js';

const t0 = Date.parse('2026-11-02T08:00:00+08:00');
const min = (m: number): number => t0 + m * 60_000;

describe('15-minute demand', () => {
  it('counts only blocks the readings cover completely', () => {
    // 08:05–08:30 at 6 kWh/min: block 08:00 is partial (60 kWh in 10 min would be 240 kW,
    // the highest figure), block 08:15 is full (90 kWh → 360 kW); then 08:30–08:40 slower.
    const blocks = demandBlocks([
      { from: min(5), to: min(30), units: 150 },
      { from: min(30), to: min(40), units: 20 },
    ]);
    expect(blocks.map((b) => [b.start, b.complete])).toEqual([[min(0), false], [min(15), true], [min(30), false]]);
    expect(blocks[1]!.kWh).toBeCloseTo(90, 9);
    expect(peakDemand(blocks, 300)).toEqual({ kW: 360, blockStart: min(15), exceedsContract: true });
    expect(peakDemand(blocks.filter((b) => !b.complete))).toBeNull();
  });

  it.each([
    // At 08:05 with 50 kWh used and 400 kW drawn: 50 + 400 × 10/60 ≈ 116.7 kWh → 466.7 kW.
    { now: min(5), soFar: 50, kW: 400, contract: 500, forecast: (50 + 400 / 6) * 4, headroom: (125 - 50) / (10 / 60) },
    // At the block's last minute only the energy so far matters much.
    { now: min(14), soFar: 100, kW: 600, contract: 500, forecast: (100 + 10) * 4, headroom: (125 - 100) * 60 },
  ])('forecasts the running block at $now', ({ now, soFar, kW, contract, forecast, headroom }) => {
    const f = forecastBlock(now, soFar, kW, contract);
    expect(f.blockStart).toBe(min(0));
    expect(f.forecastKW).toBeCloseTo(forecast, 9);
    expect(f.headroomKW).toBeCloseTo(headroom, 9);
  });
});
