// Batch booking of a closed period from state intervals: the report CLI and
// recompute() use it; the live engine's incremental ShiftAccumulator must agree with
// it (test/kpi/recompute-equivalence.test.ts). Pure and browser-safe.
//
// Rules (docs/kpi.md, "state → time"):
//   - the period is partitioned into runs: the given intervals, clipped to the period,
//     with gaps filled by `uncovered` (running for a recorded report, no-data for
//     history), and adjacent runs with the same state and reason merged;
//   - a planned stop wins over any run for the overlap;
//   - a down run is one stop; its unplanned time within the period decides whether
//     it is a micro-stop (< threshold) or a breakdown.
import type { MachineState } from '../plant-schema.js';
import { addReason, emptyPeriodTotals, type PeriodTotals } from './period-totals.js';
import { defaultReason } from './shift-accumulator.js';
import { mergePlannedStops, type PlannedStop } from './shift-calendar.js';
import { addToBucket, bucketOfState } from './time-model.js';

export interface StateInterval {
  start: number;
  end: number;
  state: MachineState;
  reason?: string;
}

export interface StateRun {
  start: number;
  end: number;
  state: MachineState;
  reason: string;
}

export interface TimelineInput {
  period: { start: number; end: number };
  plannedStops: readonly PlannedStop[];
  /** Non-overlapping state intervals (any order); parts outside the period are ignored. */
  states: readonly StateInterval[];
  /** State of period time covered by no interval. */
  uncovered: MachineState;
  microStopThresholdMs: number;
}

/** The period as consecutive runs, gaps filled, equal neighbours merged. Throws on overlaps. */
export function toRuns(period: { start: number; end: number }, states: readonly StateInterval[], uncovered: MachineState): StateRun[] {
  const clipped = states
    .map((s) => ({ start: Math.max(s.start, period.start), end: Math.min(s.end, period.end), state: s.state, reason: s.reason ?? defaultReason(s.state) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const runs: StateRun[] = [];
  const push = (run: StateRun): void => {
    const last = runs[runs.length - 1];
    if (last && last.end === run.start && last.state === run.state && last.reason === run.reason) last.end = run.end;
    else runs.push(run);
  };
  let cursor = period.start;
  for (const s of clipped) {
    if (s.start < cursor) throw new RangeError(`state intervals overlap at ${new Date(s.start).toISOString()}`);
    if (s.start > cursor) push({ start: cursor, end: s.start, state: uncovered, reason: defaultReason(uncovered) });
    push({ ...s });
    cursor = s.end;
  }
  if (cursor < period.end) push({ start: cursor, end: period.end, state: uncovered, reason: defaultReason(uncovered) });
  return runs;
}

/** The effective state of every slice of the period, planned stops applied (for energy apportioning). */
export function effectiveSegments(runs: readonly StateRun[], plannedStops: readonly PlannedStop[]): StateRun[] {
  const stops = mergePlannedStops(plannedStops);
  const out: StateRun[] = [];
  for (const run of runs) {
    let cursor = run.start;
    for (const stop of stops) {
      if (stop.end <= cursor || stop.start >= run.end) continue;
      if (stop.start > cursor) out.push({ ...run, start: cursor, end: stop.start });
      const e = Math.min(stop.end, run.end);
      out.push({ start: Math.max(stop.start, cursor), end: e, state: 'planned-stop', reason: stop.reason });
      cursor = e;
    }
    if (cursor < run.end) out.push({ ...run, start: cursor });
  }
  return out;
}

/** Books the period's time, stops and reasons into fresh PeriodTotals (counts and energy left at zero). */
export function bookTimeline(input: TimelineInput): PeriodTotals {
  const { period } = input;
  const totals = emptyPeriodTotals(period.start, period.end);
  totals.times.plannedOperationMs = period.end - period.start;
  const stops = mergePlannedStops(input.plannedStops)
    .map((s) => ({ ...s, start: Math.max(s.start, period.start), end: Math.min(s.end, period.end) }))
    .filter((s) => s.end > s.start);

  // Planned stops first: they win for their whole length.
  for (const stop of stops) {
    totals.times.plannedDownMs += stop.end - stop.start;
    addReason(totals, 'planned-down', stop.reason, stop.end - stop.start, 1);
  }

  for (const run of toRuns(period, input.states, input.uncovered)) {
    let covered = 0;
    for (const stop of stops) covered += Math.max(0, Math.min(stop.end, run.end) - Math.max(stop.start, run.start));
    const ms = run.end - run.start - covered;
    if (ms <= 0) continue;
    const bucket = bucketOfState(run.state);
    if (bucket === 'production') {
      totals.times.productionMs += ms;
    } else if (bucket === 'breakdown') {
      const micro = ms < input.microStopThresholdMs;
      addToBucket(totals.times, micro ? 'micro-stop' : 'breakdown', ms);
      addReason(totals, micro ? 'micro-stop' : 'breakdown', run.reason, ms, 1);
      if (micro) totals.stops.microStops += 1;
      else totals.stops.breakdowns += 1;
    } else {
      addToBucket(totals.times, bucket, ms);
      addReason(totals, bucket, run.reason, ms, 1);
      if (bucket === 'setup') totals.stops.setups += 1;
      if (bucket === 'idle') totals.stops.idles += 1;
    }
  }
  return totals;
}
