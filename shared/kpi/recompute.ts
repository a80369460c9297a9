// Recompute a closed period from stored history, independently of the live engine's
// incremental bookkeeping: state events become intervals (state-timeline.ts), counts
// and energy are summed by timestamp. For events delivered in time order the result
// equals what the live engine closed for that shift (tested). Pure and browser-safe.
import type { MachineState } from '../plant-schema.js';
import { addEnergy, type PeriodTotals } from './period-totals.js';
import type { ShiftInstance } from './shift-calendar.js';
import { bookTimeline, type StateInterval } from './state-timeline.js';

/** What the historian keeps per machine, in arrival order. */
export type KpiEvent =
  | { kind: 'state'; ts: number; state: MachineState; reason?: string }
  | { kind: 'counts'; ts: number; total: number; good: number }
  | { kind: 'energy'; ts: number; kWh: number };

export interface RecomputeOptions {
  idealCycleTimeSeconds: number;
  microStopThresholdMs: number;
  /** State before the first state event (default no-data: nothing is known). */
  initialState?: MachineState;
}

/**
 * Totals for one shift instance from a machine's event history. The history may start
 * before the shift (the last state before the shift carries in) and run past it.
 * Timestamps are taken as delivered, except that one earlier than an event before it
 * is moved up to that event's time (as the live engine books a late event).
 */
export function recomputeShift(history: readonly KpiEvent[], shift: ShiftInstance, options: RecomputeOptions): PeriodTotals {
  const intervals: StateInterval[] = [];
  let state: MachineState = options.initialState ?? 'no-data';
  let reason: string | undefined;
  let since = -Infinity;
  let clock = -Infinity;
  let counts = { total: 0, good: 0 };
  let idealOutputSeconds = 0;
  const energy: Array<{ ts: number; kWh: number; state: MachineState }> = [];

  const inStop = (ts: number): boolean => shift.plannedStops.some((s) => s.start <= ts && ts < s.end);

  for (const event of history) {
    clock = Math.max(clock, event.ts);
    const ts = clock;
    switch (event.kind) {
      case 'state':
        if (event.state === state && (event.reason ?? undefined) === reason) break;
        intervals.push({ start: since, end: ts, state, ...(reason !== undefined ? { reason } : {}) });
        state = event.state;
        reason = event.reason;
        since = ts;
        break;
      case 'counts':
        if (ts >= shift.start && ts < shift.end && event.total >= 0 && event.good >= 0) {
          counts = { total: counts.total + event.total, good: counts.good + event.good };
          idealOutputSeconds += event.total * options.idealCycleTimeSeconds;
        }
        break;
      case 'energy':
        if (ts >= shift.start && ts < shift.end && event.kWh >= 0) {
          energy.push({ ts, kWh: event.kWh, state: inStop(ts) ? 'planned-stop' : state });
        }
        break;
    }
  }
  intervals.push({ start: since, end: Infinity, state, ...(reason !== undefined ? { reason } : {}) });

  const totals = bookTimeline({
    period: { start: shift.start, end: shift.end },
    plannedStops: shift.plannedStops,
    states: intervals.filter((i) => i.end > i.start),
    uncovered: 'no-data',
    microStopThresholdMs: options.microStopThresholdMs,
  });
  totals.counts = counts;
  totals.idealOutputSeconds = idealOutputSeconds;
  for (const e of energy) addEnergy(totals, e.state, e.kWh, e.ts);
  return totals;
}
