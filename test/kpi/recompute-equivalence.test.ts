// Issue 5 §6: a closed period recomputed from stored history gives the same result
// as the live engine produced. The live engine books time incrementally per event;
// recomputeShift() rebuilds intervals and sweeps them — two independent paths.
import { describe, expect, it } from 'vitest';
import type { MachineState } from '../../shared/plant-schema.js';
import { computeKpis } from '../../shared/kpi/oee.js';
import { recomputeShift, type KpiEvent } from '../../shared/kpi/recompute.js';
import { shiftAt } from '../../shared/kpi/shift-calendar.js';
import { createLiveKpiEngine, type ClosedShift } from '../../edge/kpi/live-kpi-engine.js';
import { kpiTestPlant, manualClock } from './plant-fixture.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATES: MachineState[] = ['running', 'running', 'running', 'idle', 'down', 'setup', 'planned-stop', 'no-data'];
const REASONS = [undefined, 'spindle-fault', 'door-open', 'starved'];

function randomHistory(seed: number, start: number, hours: number): KpiEvent[] {
  const rnd = mulberry32(seed);
  const events: KpiEvent[] = [];
  let ts = start;
  const end = start + hours * 3_600_000;
  while (ts < end) {
    // Mostly short gaps (micro-stops happen), sometimes long ones (breakdowns, whole breaks).
    ts += rnd() < 0.9 ? Math.floor(rnd() * 90_000) : Math.floor(rnd() * 3_600_000);
    const r = rnd();
    if (r < 0.25) {
      const state = STATES[Math.floor(rnd() * STATES.length)]!;
      const reason = state === 'running' ? undefined : REASONS[Math.floor(rnd() * REASONS.length)];
      events.push({ kind: 'state', ts, state, ...(reason ? { reason } : {}) });
    } else if (r < 0.7) {
      const total = Math.floor(rnd() * 5);
      events.push({ kind: 'counts', ts, total, good: Math.floor(rnd() * (total + 1)) });
    } else {
      events.push({ kind: 'energy', ts, kWh: Math.round(rnd() * 1000) / 1000 });
    }
    // Now and then two events share a timestamp.
    if (rnd() < 0.05) events.push({ kind: 'counts', ts, total: 1, good: 1 });
  }
  return events;
}

const SHIFTS = [
  { name: 'Early', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:20', reason: 'break' }] },
  { name: 'Late', start: '14:00', end: '21:30' },
  // 21:30–22:00 has no shift; Night crosses midnight (a break across it, too) and the DST change.
  { name: 'Night', start: '22:00', end: '06:00', breaks: [{ start: '23:50', end: '00:20', reason: 'meal' }, { start: '02:15', end: '02:45', reason: 'break' }] },
];

function replay(seed: number, timezone: string, start: number, hours: number): { history: KpiEvent[]; closed: ClosedShift[] } {
  const plant = kpiTestPlant({ timezone, shifts: SHIFTS });
  const history = randomHistory(seed, start, hours);
  const clock = manualClock(start);
  const closed: ClosedShift[] = [];
  const engine = createLiveKpiEngine({ plant, now: clock.now, microStopThresholdMs: 120_000, onShiftClosed: (c) => closed.push(c) });
  for (const [i, e] of history.entries()) {
    clock.set(e.ts);
    if (e.kind === 'state') engine.onState('mill', e.state, e.ts, e.reason);
    else if (e.kind === 'counts') engine.onCounts('mill', e.total, e.good, e.ts);
    else engine.onEnergy('mill', e.kWh, e.ts);
    if (i % 50 === 0) engine.machine('mill'); // reads must not disturb the bookkeeping
  }
  clock.set(start + (hours + 24) * 3_600_000);
  engine.machine('mill'); // rolls over and closes every finished shift
  return { history, closed };
}

describe('recompute(history) equals the live engine', () => {
  it.each([
    [1, 'Asia/Shanghai', '2026-11-02T05:00:00+08:00'],
    [2, 'Europe/Berlin', '2026-03-28T12:00:00+01:00'], // spring-forward night (7 h)
    [3, 'Europe/Berlin', '2026-10-24T12:00:00+02:00'], // fall-back night (9 h)
    [4, 'America/New_York', '2026-10-31T20:00:00-04:00'],
  ])('seed %d in %s from %s', (seed, timezone, from) => {
    const { history, closed } = replay(seed, timezone, Date.parse(from), 60);
    expect(closed.length).toBeGreaterThanOrEqual(7);
    const cal = kpiTestPlant({ timezone, shifts: SHIFTS }).calendar;
    for (const c of closed) {
      const shift = shiftAt(cal, timezone, c.shift.start)!;
      expect(shift.end).toBe(c.shift.end);
      const again = recomputeShift(history, shift, { idealCycleTimeSeconds: 1, microStopThresholdMs: 120_000 });
      // Times, stops, reasons and counts are integers: exactly equal.
      expect(again.times).toEqual(c.totals.times);
      expect(again.stops).toEqual(c.totals.stops);
      expect(again.reasons).toEqual(c.totals.reasons);
      expect(again.counts).toEqual(c.totals.counts);
      expect(again.idealOutputSeconds).toBe(c.totals.idealOutputSeconds);
      expect(again.energy.kWh).toBeCloseTo(c.totals.energy.kWh, 9);
      for (const s of Object.keys(again.energy.byState) as MachineState[]) expect(again.energy.byState[s]).toBeCloseTo(c.totals.energy.byState[s], 9);
      expect(Object.keys(again.energy.blocks)).toEqual(Object.keys(c.totals.energy.blocks));
      expect(computeKpis(again).oee).toBeCloseTo(computeKpis(c.totals).oee, 12);
      // Every millisecond of the shift is booked exactly once.
      const t = again.times;
      expect(t.plannedDownMs + t.noDataMs + t.productionMs + t.setupMs + t.breakdownMs + t.microStopMs + t.idleMs).toBe(shift.end - shift.start);
    }
    // The DST nights really were 7 and 9 hours long.
    if (seed === 2) expect(closed.some((c) => c.shift.name === 'Night' && c.shift.end - c.shift.start === 7 * 3_600_000)).toBe(true);
    if (seed === 3) expect(closed.some((c) => c.shift.name === 'Night' && c.shift.end - c.shift.start === 9 * 3_600_000)).toBe(true);
  });
});
