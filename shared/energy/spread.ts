// Books consumption intervals onto time windows (tariff periods, hours, days, 15-minute
// blocks) on the rule that a meter's consumption between two readings was used evenly
// over the time between them. Pure and browser-safe.
import type { ConsumptionInterval } from './meter-readings.js';

export interface TimeWindow {
  start: number;
  end: number;
}

export interface WindowShare {
  units: number;
  /** How much of the window the intervals cover, ms. */
  coveredMs: number;
}

/**
 * Units and coverage of each window. Windows and intervals are each sorted by start and
 * do not overlap among themselves, so one sweep over both is enough (O(n + m)), which
 * keeps a month of one-minute readings against three thousand 15-minute blocks cheap.
 */
export function spreadOver(intervals: readonly ConsumptionInterval[], windows: readonly TimeWindow[]): WindowShare[] {
  const out = windows.map(() => ({ units: 0, coveredMs: 0 }));
  let i = 0;
  for (let w = 0; w < windows.length; w++) {
    const win = windows[w]!;
    while (i < intervals.length && intervals[i]!.to <= win.start) i++;
    for (let j = i; j < intervals.length && intervals[j]!.from < win.end; j++) {
      const iv = intervals[j]!;
      const from = Math.max(iv.from, win.start);
      const to = Math.min(iv.to, win.end);
      if (to <= from) continue;
      out[w]!.units += (iv.units * (to - from)) / (iv.to - iv.from);
      out[w]!.coveredMs += to - from;
    }
  }
  return out;
}
