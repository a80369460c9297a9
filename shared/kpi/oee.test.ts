import { describe, expect, it } from 'vitest';
import { computeLosses } from './losses.js';
import { computeKpis } from './oee.js';
import { bookTimeline } from './state-timeline.js';

const MIN = 60_000;
const t0 = Date.parse('2026-11-02T08:00:00+08:00');
const at = (minutes: number): number => t0 + minutes * MIN;

/**
 * Vorne Industries, "Calculate OEE" worked example (oee.com/calculating-oee and the
 * "Calculating OEE" worksheet): 8 h shift = 480 min, two 15-min breaks and a 30-min meal,
 * 47 min down time, ideal run rate 60 parts/min (ideal cycle time 1.0 s),
 * 19,271 total pieces, 423 rejects.
 * Published: planned production time 420 min, operating time 373 min, availability 88.81 %,
 * performance 86.11 %, quality 97.80 %, OEE 74.79 %.
 */
function vorneShift() {
  const totals = bookTimeline({
    period: { start: at(0), end: at(480) },
    plannedStops: [
      { start: at(120), end: at(135), reason: 'break' },
      { start: at(240), end: at(270), reason: 'meal' },
      { start: at(360), end: at(375), reason: 'break' },
    ],
    states: [{ start: at(182), end: at(229), state: 'down', reason: 'spindle-fault' }],
    uncovered: 'running',
    microStopThresholdMs: 5 * MIN,
  });
  totals.counts = { total: 19271, good: 19271 - 423 };
  totals.idealOutputSeconds = 19271 * 1.0;
  return totals;
}

describe('OEE formulas (ISO 22400-2)', () => {
  it('reproduces the Vorne / oee.com worked example', () => {
    const k = computeKpis(vorneShift());
    expect(k.times.plannedOperationTime).toBe(480 * 60);
    expect(k.times.plannedDownTime).toBe(60 * 60);
    expect(k.times.plannedBusyTime).toBe(420 * 60);
    expect(k.times.actualProductionTime).toBe(373 * 60);
    expect(k.times.actualDownTime).toBe(47 * 60);
    expect(k.availability * 100).toBeCloseTo(88.81, 2);
    expect(k.performance * 100).toBeCloseTo(86.11, 2);
    expect(k.quality * 100).toBeCloseTo(97.8, 2);
    expect(k.oee * 100).toBeCloseTo(74.79, 2);
    // One breakdown of 47 min in 373 min of production.
    expect(k.mtbf).toBe(373 * 60);
    expect(k.mttr).toBe(47 * 60);
    expect(k.scrapRatio).toBeCloseTo(423 / 19271, 12);
    // Explainable: the inputs are the published figures.
    expect(k.explain.availability.inputs).toMatchObject({ APT: 22380, PBT: 25200, POT: 28800, PDOT: 3600, noDataTime: 0 });
    expect(k.explain.performance.inputs).toMatchObject({ idealOutputSeconds: 19271, totalCount: 19271, APT: 22380 });
    expect(k.explain.quality.inputs).toEqual({ goodCount: 18848, totalCount: 19271 });
  });

  it('builds a loss waterfall that ends at OEE × planned busy time', () => {
    const totals = vorneShift();
    const { waterfall, sixBigLosses, byReason } = computeLosses(totals);
    const step = (name: string): number => waterfall.find((s) => s.step === name)!.seconds;
    expect(step('planned busy time')).toBe(25200);
    expect(step('breakdowns')).toBe(2820);
    expect(step('actual production time')).toBe(22380);
    expect(step('reduced speed')).toBe(22380 - 19271);
    expect(step('net production time')).toBe(19271);
    expect(step('process defects (scrap)')).toBeCloseTo(423, 9);
    expect(step('fully productive time')).toBeCloseTo(18848, 9);
    expect(step('fully productive time') / step('planned busy time')).toBeCloseTo(computeKpis(totals).oee, 12);
    expect(sixBigLosses['equipment-failure']).toBe(2820);
    // Largest first.
    expect(byReason[0]).toMatchObject({ category: 'equipment-failure', reason: 'spindle-fault', minutes: 47, events: 1 });
    expect(byReason.find((r) => r.reason === 'meal')).toMatchObject({ category: 'planned', minutes: 30, events: 1 });
    expect(byReason.find((r) => r.reason === 'break')).toMatchObject({ minutes: 30, events: 2 });
  });

  /**
   * Willmott & McCarthy, "TPM: A Route to World-Class Performance" (Butterworth-Heinemann,
   * 2001), ch. 6 example OEE calculation (Miller 201, Tuesday of week 17): planned
   * availability 910 min, unplanned stoppages 115 min + changeovers 12 min, uptime 783 min,
   * availability 86.0 %; standard cycle time 3 min, 203 completed cycles of 261 planned,
   * performance 77.7 % (203/261 = 77.78 %, the book truncates).
   * Changeovers lower availability, as ISO 22400-2 books setup time outside APT.
   */
  it('reproduces the Willmott & McCarthy example with changeovers as setup time', () => {
    const start = t0;
    const totals = bookTimeline({
      period: { start, end: start + 910 * MIN },
      plannedStops: [],
      states: [
        { start: start + 100 * MIN, end: start + 215 * MIN, state: 'down', reason: 'jam' },
        { start: start + 500 * MIN, end: start + 512 * MIN, state: 'setup', reason: 'changeover' },
      ],
      uncovered: 'running',
      microStopThresholdMs: 5 * MIN,
    });
    totals.counts = { total: 203, good: 203 };
    totals.idealOutputSeconds = 203 * 180;
    const k = computeKpis(totals);
    expect(k.times.actualProductionTime).toBe(783 * 60);
    expect(k.availability * 100).toBeCloseTo(86.04, 2);
    expect(k.performance * 100).toBeCloseTo(77.78, 2);
    expect(k.setupRatio).toBeCloseTo(12 / (783 + 12), 12);
    expect(k.stops).toEqual({ breakdowns: 1, microStops: 0, setups: 1, idles: 0 });
  });

  it('separates micro-stops from breakdowns by the threshold and can book them under performance', () => {
    const states = [
      { start: at(10), end: at(12), state: 'down' as const, reason: 'jam' }, // 2 min: micro-stop
      { start: at(20), end: at(23), state: 'down' as const, reason: 'jam' }, // 3 min: micro-stop
      { start: at(30), end: at(40), state: 'down' as const, reason: 'motor' }, // 10 min: breakdown
      { start: at(50), end: at(60), state: 'idle' as const, reason: 'starved' },
    ];
    const totals = bookTimeline({ period: { start: at(0), end: at(100) }, plannedStops: [], states, uncovered: 'running', microStopThresholdMs: 5 * MIN });
    totals.counts = { total: 60 * 60, good: 60 * 60 };
    totals.idealOutputSeconds = 3600;
    expect(totals.stops).toEqual({ breakdowns: 1, microStops: 2, setups: 0, idles: 1 });
    const iso = computeKpis(totals);
    expect(iso.times.microStopTime).toBe(300);
    expect(iso.times.breakdownTime).toBe(600);
    expect(iso.availability).toBeCloseTo(75 / 100, 12); // running 75 of 100 min
    expect(iso.performance).toBeCloseTo(60 / 75, 12);
    const vorne = computeKpis(totals, { microStopsAs: 'performance' });
    expect(vorne.availability).toBeCloseTo(80 / 100, 12);
    expect(vorne.performance).toBeCloseTo(60 / 80, 12);
    // The OEE is the same either way; only the factor that carries the loss differs.
    expect(vorne.oee).toBeCloseTo(iso.oee, 12);
    const losses = computeLosses(totals, { microStopsAs: 'performance' });
    expect(losses.waterfall.find((s) => s.step === 'micro-stops')).toMatchObject({ seconds: 300, factor: 'performance' });
    expect(losses.sixBigLosses['idling-minor-stops']).toBe(300 + 600);
  });

  it('leaves no-data time out of planned busy time and reports it on its own', () => {
    const totals = bookTimeline({
      period: { start: at(0), end: at(60) },
      plannedStops: [{ start: at(0), end: at(10), reason: 'break' }],
      // No data from minute 5 to 20: the first 5 minutes of it are inside the break.
      states: [{ start: at(5), end: at(20), state: 'no-data' }],
      uncovered: 'running',
      microStopThresholdMs: 5 * MIN,
    });
    const k = computeKpis(totals);
    expect(k.times.noDataTime).toBe(600);
    expect(k.times.plannedDownTime).toBe(600);
    expect(k.times.plannedBusyTime).toBe(2400);
    expect(k.availability).toBe(1);
  });

  it('gives neutral values when nothing is known and clamps an impossible performance with a note', () => {
    const empty = computeKpis(bookTimeline({ period: { start: at(0), end: at(0) }, plannedStops: [], states: [], uncovered: 'no-data', microStopThresholdMs: 1 }));
    expect([empty.availability, empty.performance, empty.quality, empty.oee]).toEqual([0, 0, 1, 0]);
    expect(empty.mtbf).toBeNull();
    const fast = bookTimeline({ period: { start: at(0), end: at(10) }, plannedStops: [], states: [], uncovered: 'running', microStopThresholdMs: 1 });
    fast.counts = { total: 700, good: 700 };
    fast.idealOutputSeconds = 700; // 700 s of ideal time in 600 s: the ideal cycle time is wrong
    const k = computeKpis(fast);
    expect(k.performance).toBe(1);
    expect(k.explain.performance.note).toMatch(/ideal cycle time/);
  });
});
