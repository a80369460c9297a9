// The ISO 22400-2 time model: where each millisecond of a period goes. Pure and browser-safe.
//
// Within a period (usually a shift) of planned operation time POT:
//   planned-stop state, or a calendar break     → PDOT  planned down time
//   no-data (comm loss, unknown)                → NDT   left out of planned busy time
//   running                                     → APT   actual production time
//   setup                                       → AUST  actual unit setup time
//   down  (unplanned, with a reason)            → ADOT  actual unit down time
//                                                 (split into breakdowns and micro-stops)
//   idle  (starved / blocked)                   → ADET  actual unit delay time
// A calendar break (or planned-stop state) wins over any other state for the overlap.
//   PBT  = POT − PDOT − NDT   = APT + AUST + ADOT + ADET
//   AUPT = APT + AUST          (actual unit processing time, ISO 22400-2 setup rate)
// See docs/kpi.md for the clause-by-clause mapping.
import type { MachineState } from '../plant-schema.js';

/** Where a slice of time is booked. `planned-down` covers calendar breaks and the planned-stop state. */
export type TimeBucket = 'production' | 'setup' | 'breakdown' | 'micro-stop' | 'idle' | 'planned-down' | 'no-data';

/** Milliseconds per bucket; integers when fed integer timestamps, so sums are exact. */
export interface TimeTotals {
  plannedOperationMs: number;
  plannedDownMs: number;
  noDataMs: number;
  productionMs: number;
  setupMs: number;
  breakdownMs: number;
  microStopMs: number;
  idleMs: number;
}

export function emptyTimeTotals(): TimeTotals {
  return { plannedOperationMs: 0, plannedDownMs: 0, noDataMs: 0, productionMs: 0, setupMs: 0, breakdownMs: 0, microStopMs: 0, idleMs: 0 };
}

export function addTimeTotals(a: TimeTotals, b: TimeTotals): TimeTotals {
  return {
    plannedOperationMs: a.plannedOperationMs + b.plannedOperationMs,
    plannedDownMs: a.plannedDownMs + b.plannedDownMs,
    noDataMs: a.noDataMs + b.noDataMs,
    productionMs: a.productionMs + b.productionMs,
    setupMs: a.setupMs + b.setupMs,
    breakdownMs: a.breakdownMs + b.breakdownMs,
    microStopMs: a.microStopMs + b.microStopMs,
    idleMs: a.idleMs + b.idleMs,
  };
}

/** Bucket of a state outside planned stops. `down` is refined into breakdown/micro-stop by duration. */
export function bucketOfState(state: MachineState): Exclude<TimeBucket, 'micro-stop'> {
  switch (state) {
    case 'running': return 'production';
    case 'setup': return 'setup';
    case 'down': return 'breakdown';
    case 'idle': return 'idle';
    case 'planned-stop': return 'planned-down';
    case 'no-data': return 'no-data';
  }
}

export function addToBucket(times: TimeTotals, bucket: TimeBucket, ms: number): void {
  switch (bucket) {
    case 'production': times.productionMs += ms; break;
    case 'setup': times.setupMs += ms; break;
    case 'breakdown': times.breakdownMs += ms; break;
    case 'micro-stop': times.microStopMs += ms; break;
    case 'idle': times.idleMs += ms; break;
    case 'planned-down': times.plannedDownMs += ms; break;
    case 'no-data': times.noDataMs += ms; break;
  }
}

/** ISO 22400-2 times in seconds, with their standard abbreviations. */
export interface IsoTimes {
  /** POT — planned operation time (the period's length, between instants). */
  plannedOperationTime: number;
  /** PDOT — planned down time (breaks, planned stops). */
  plannedDownTime: number;
  /** Time with no data (comm loss); excluded from PBT, reported on its own. */
  noDataTime: number;
  /** PBT — planned busy time = POT − PDOT − no-data. */
  plannedBusyTime: number;
  /** APT — actual production time (running). */
  actualProductionTime: number;
  /** AUST — actual unit setup time. */
  actualSetupTime: number;
  /** ADOT — actual unit down time, unplanned (breakdowns + micro-stops). */
  actualDownTime: number;
  /** Part of ADOT from stops at or above the micro-stop threshold. */
  breakdownTime: number;
  /** Part of ADOT from stops shorter than the micro-stop threshold. */
  microStopTime: number;
  /** ADET — actual unit delay time (idle: starved or blocked). */
  idleTime: number;
  /** AUPT — actual unit processing time = APT + AUST. */
  actualProcessingTime: number;
}

export function isoTimes(t: TimeTotals): IsoTimes {
  const s = (ms: number): number => ms / 1000;
  const plannedBusyMs = t.plannedOperationMs - t.plannedDownMs - t.noDataMs;
  return {
    plannedOperationTime: s(t.plannedOperationMs),
    plannedDownTime: s(t.plannedDownMs),
    noDataTime: s(t.noDataMs),
    plannedBusyTime: s(plannedBusyMs),
    actualProductionTime: s(t.productionMs),
    actualSetupTime: s(t.setupMs),
    actualDownTime: s(t.breakdownMs + t.microStopMs),
    breakdownTime: s(t.breakdownMs),
    microStopTime: s(t.microStopMs),
    idleTime: s(t.idleMs),
    actualProcessingTime: s(t.productionMs + t.setupMs),
  };
}
