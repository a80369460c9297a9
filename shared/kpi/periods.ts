// Days and weeks in the plant's time zone, and KPI totals over them from shift totals.
// Pure and browser-safe.
import { sumPeriodTotals, emptyPeriodTotals, type PeriodTotals } from './period-totals.js';
import { addDays, fromLocal, isoWeekday, localDateOf } from './zoned-time.js';

export type PeriodKind = 'day' | 'week';

/** The plant-local day or ISO week (Monday 00:00 to Monday 00:00) containing `ts`. */
export function periodBounds(kind: PeriodKind, ts: number, timeZone: string): { start: number; end: number } {
  let date = localDateOf(ts, timeZone);
  if (kind === 'week') date = addDays(date, 1 - isoWeekday(date));
  const start = fromLocal(date, 0, 0, timeZone);
  const end = fromLocal(addDays(date, kind === 'week' ? 7 : 1), 0, 0, timeZone);
  return { start, end };
}

/**
 * Totals of the shifts that start inside the bounds (a night shift counts for the day
 * it starts on, like the calendar's working days). Calendar time is the wall period,
 * so TEEP shows the hours no shift was planned.
 */
export function totalsForPeriod(shifts: readonly PeriodTotals[], bounds: { start: number; end: number }): PeriodTotals {
  const inside = shifts.filter((s) => s.start >= bounds.start && s.start < bounds.end);
  if (inside.length === 0) return emptyPeriodTotals(bounds.start, bounds.end);
  return sumPeriodTotals(inside, bounds);
}
