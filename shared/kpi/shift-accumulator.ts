// Incremental (O(1) per event) booking of one machine's state time, counts and energy
// into the PeriodTotals of one shift instance. Pure: the caller owns the clock.
// The live engine keeps one per machine; recompute() checks it against an
// independent interval sweep (state-timeline.ts).
import type { MachineState } from '../plant-schema.js';
import { addEnergy, addReason, clonePeriodTotals, emptyPeriodTotals, type PeriodTotals } from './period-totals.js';
import type { PlannedStop, ShiftInstance } from './shift-calendar.js';
import { addToBucket, bucketOfState } from './time-model.js';

export interface AccumulatorOptions {
  /** Unplanned stops shorter than this are micro-stops, longer ones breakdowns. */
  microStopThresholdMs: number;
}

/** The state interval the machine is in, as far as this shift is concerned. */
interface OpenRun {
  state: MachineState;
  reason: string;
  /** Unplanned ms of this run inside the shift (a down run is classified by it when it ends). */
  unplannedMs: number;
  /** Whether this run already counted as an event (setup, idle, …) in this shift. */
  counted: boolean;
}

/** Reason used when a state arrives without one. */
export function defaultReason(state: MachineState): string {
  return state === 'down' ? 'unspecified' : state;
}

export class ShiftAccumulator {
  readonly shift: ShiftInstance;
  private readonly totals: PeriodTotals;
  private run: OpenRun;
  /** Time is booked up to here (epoch ms), never backwards. */
  private bookedTo: number;
  private readonly stopSeen: boolean[];

  constructor(shift: ShiftInstance, state: MachineState, reason: string | undefined, private readonly options: AccumulatorOptions) {
    this.shift = shift;
    this.totals = emptyPeriodTotals(shift.start, shift.end);
    this.totals.calendarMs = 0;
    this.run = { state, reason: reason ?? defaultReason(state), unplannedMs: 0, counted: false };
    this.bookedTo = shift.start;
    this.stopSeen = shift.plannedStops.map(() => false);
  }

  get time(): number {
    return this.bookedTo;
  }

  /** Books the current state up to `ts` (clamped to the shift). */
  advance(ts: number): void {
    const to = Math.min(ts, this.shift.end);
    if (to <= this.bookedTo) return;
    book(this.shift.plannedStops, this.stopSeen, this.run, this.totals, this.bookedTo, to);
    this.bookedTo = to;
  }

  /** The machine entered `state` at `ts` (>= time, else booked at time). */
  setState(state: MachineState, ts: number, reason?: string): void {
    this.advance(ts);
    const r = reason ?? defaultReason(state);
    if (state === this.run.state && r === this.run.reason) return;
    closeRun(this.run, this.totals, this.options);
    this.run = { state, reason: r, unplannedMs: 0, counted: false };
  }

  addCounts(deltaTotal: number, deltaGood: number, idealCycleTimeSeconds: number): void {
    this.totals.counts.total += deltaTotal;
    this.totals.counts.good += deltaGood;
    this.totals.idealOutputSeconds += deltaTotal * idealCycleTimeSeconds;
  }

  /** Energy is booked to the effective state at `ts` (a calendar break counts as planned-stop). */
  addEnergy(kWh: number, ts: number): void {
    const at = Math.max(ts, this.bookedTo);
    const inStop = this.shift.plannedStops.some((s) => s.start <= at && at < s.end);
    addEnergy(this.totals, inStop ? 'planned-stop' : this.run.state, kWh, Math.min(at, this.shift.end - 1));
  }

  get state(): MachineState {
    return this.run.state;
  }

  get reason(): string {
    return this.run.reason;
  }

  /** Totals as if the period ended at `ts` (open run closed on a copy); does not mutate. */
  view(ts: number): PeriodTotals {
    const totals = clonePeriodTotals(this.totals);
    const run = { ...this.run };
    const to = Math.min(Math.max(ts, this.bookedTo), this.shift.end);
    if (to > this.bookedTo) book(this.shift.plannedStops, [...this.stopSeen], run, totals, this.bookedTo, to);
    closeRun(run, totals, this.options);
    totals.end = to;
    totals.calendarMs = totals.times.plannedOperationMs;
    return totals;
  }

  /** Books to the end of the shift and returns the closed totals. */
  close(): PeriodTotals {
    this.advance(this.shift.end);
    const totals = this.view(this.shift.end);
    totals.end = this.shift.end;
    return totals;
  }
}

/** Splits [from, to) at the planned stops; a planned stop wins over the state. */
function book(stops: readonly PlannedStop[], stopSeen: boolean[], run: OpenRun, totals: PeriodTotals, from: number, to: number): void {
  totals.times.plannedOperationMs += to - from;
  let cursor = from;
  for (let i = 0; i < stops.length && cursor < to; i++) {
    const stop = stops[i]!;
    if (stop.end <= cursor) continue;
    if (stop.start >= to) break;
    if (stop.start > cursor) bookState(run, totals, stop.start - cursor);
    const inStop = Math.min(stop.end, to) - Math.max(stop.start, cursor);
    totals.times.plannedDownMs += inStop;
    addReason(totals, 'planned-down', stop.reason, inStop, stopSeen[i] ? 0 : 1);
    stopSeen[i] = true;
    cursor = Math.min(stop.end, to);
  }
  if (cursor < to) bookState(run, totals, to - cursor);
}

function bookState(run: OpenRun, totals: PeriodTotals, ms: number): void {
  if (ms <= 0) return;
  const bucket = bucketOfState(run.state);
  if (bucket === 'breakdown') {
    // Booked when the stop ends: its length decides breakdown or micro-stop.
    run.unplannedMs += ms;
    return;
  }
  addToBucket(totals.times, bucket, ms);
  if (bucket === 'production') return;
  addReason(totals, bucket, run.reason, ms, run.counted ? 0 : 1);
  if (!run.counted) {
    if (bucket === 'setup') totals.stops.setups += 1;
    if (bucket === 'idle') totals.stops.idles += 1;
  }
  run.counted = true;
}

function closeRun(run: OpenRun, totals: PeriodTotals, options: AccumulatorOptions): void {
  if (bucketOfState(run.state) !== 'breakdown' || run.unplannedMs <= 0) return;
  const micro = run.unplannedMs < options.microStopThresholdMs;
  const bucket = micro ? 'micro-stop' : 'breakdown';
  addToBucket(totals.times, bucket, run.unplannedMs);
  addReason(totals, bucket, run.reason, run.unplannedMs, 1);
  if (micro) totals.stops.microStops += 1;
  else totals.stops.breakdowns += 1;
  run.unplannedMs = 0;
}
