import { describe, expect, it } from 'vitest';
import { computeLineKpis } from './line-oee.js';
import { bookTimeline } from './state-timeline.js';

const MIN = 60_000;
const t0 = Date.parse('2026-11-02T08:00:00+08:00');

function machineShift(downMinutes: number, total: number, good: number, ideal: number) {
  const totals = bookTimeline({
    period: { start: t0, end: t0 + 100 * MIN },
    plannedStops: [],
    states: downMinutes > 0 ? [{ start: t0, end: t0 + downMinutes * MIN, state: 'down' }] : [],
    uncovered: 'running',
    microStopThresholdMs: MIN,
  });
  totals.counts = { total, good };
  totals.idealOutputSeconds = total * ideal;
  totals.energy.kWh = 10;
  return totals;
}

describe('line OEE', () => {
  it('is the OEE of the bottleneck (longest ideal cycle time) with the aggregate beside it', () => {
    const line = computeLineKpis([
      { machineId: 'loader', idealCycleTimeSeconds: 8, totals: machineShift(0, 600, 600, 8) },
      { machineId: 'mill', idealCycleTimeSeconds: 10, totals: machineShift(20, 400, 390, 10) },
      { machineId: 'packer', idealCycleTimeSeconds: 10, totals: machineShift(10, 390, 390, 6) },
    ]);
    // Tie at 10 s: the machine further downstream (packer) is the bottleneck.
    expect(line.bottleneck).toBe('packer');
    expect(line.availability).toBeCloseTo(0.9, 12);
    expect(line.oee).toBeCloseTo(line.bottleneckKpis.oee, 12);
    // Aggregate: Σ APT / Σ PBT = (100 + 80 + 90) / 300.
    expect(line.aggregate.availability).toBeCloseTo(270 / 300, 12);
    expect(line.aggregate.quality).toBeCloseTo(1380 / 1390, 12);
    expect(line.energyKWh).toBe(30);
    expect(() => computeLineKpis([])).toThrow(/at least one machine/);
  });
});
