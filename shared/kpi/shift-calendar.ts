// The plant's shift calendar as concrete instants. Pure and browser-safe.
//
// Shifts are configured as plant-local HH:MM in the site's IANA time zone. A shift
// "belongs" to the local date on which it starts (workingDays and nonWorkingDates
// are checked against that date); an end at or before the start means it ends on the
// next local date. Breaks are planned stops inside the shift. Instants are resolved
// with zoned-time.ts, so a night shift across a DST change is 7 or 9 hours long.
import type { ShiftCalendarConfig, ShiftConfig } from '../plant-schema.js';
import {
  addDays,
  formatLocalDate,
  fromLocal,
  isoWeekday,
  localDateOf,
  minutesToClock,
  parseClockTime,
  type LocalDate,
} from './zoned-time.js';

export interface PlannedStop {
  start: number;
  end: number;
  reason: string;
}

export interface ShiftInstance {
  name: string;
  /** Plant-local date on which the shift starts, YYYY-MM-DD. */
  date: string;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  /** Breaks from the calendar, clipped to the shift, sorted, non-overlapping. */
  plannedStops: PlannedStop[];
}

function at(date: LocalDate, minutes: number, timeZone: string): number {
  const { hour, minute } = minutesToClock(minutes);
  return fromLocal(date, hour, minute, timeZone);
}

/** True if shifts may start on this local date. */
export function isWorkingDate(calendar: ShiftCalendarConfig, date: LocalDate): boolean {
  return calendar.workingDays.includes(isoWeekday(date)) && !calendar.nonWorkingDates.includes(formatLocalDate(date));
}

/** The instance of one configured shift that starts on `date` (ignores working days). */
export function shiftInstance(shift: ShiftConfig, date: LocalDate, timeZone: string): ShiftInstance {
  const startMin = parseClockTime(shift.start);
  const endMin = parseClockTime(shift.end);
  const start = at(date, startMin, timeZone);
  const end = at(endMin <= startMin ? addDays(date, 1) : date, endMin, timeZone);
  const stops: PlannedStop[] = [];
  for (const b of shift.breaks) {
    const bStartMin = parseClockTime(b.start);
    const bEndMin = parseClockTime(b.end);
    // A break clock time earlier than the shift start lies after midnight.
    const bDate = bStartMin >= startMin ? date : addDays(date, 1);
    const bStart = at(bDate, bStartMin, timeZone);
    const bEnd = at(bEndMin <= bStartMin ? addDays(bDate, 1) : bDate, bEndMin, timeZone);
    const s = Math.max(bStart, start);
    const e = Math.min(bEnd, end);
    if (e > s) stops.push({ start: s, end: e, reason: b.reason });
  }
  return { name: shift.name, date: formatLocalDate(date), start, end, plannedStops: mergePlannedStops(stops) };
}

/** Sorts planned stops and merges overlaps (the earlier stop's reason wins the overlap). */
export function mergePlannedStops(stops: readonly PlannedStop[]): PlannedStop[] {
  const sorted = [...stops].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: PlannedStop[] = [];
  for (const stop of sorted) {
    const last = out[out.length - 1];
    if (last && stop.start < last.end) {
      if (stop.end > last.end) out.push({ start: last.end, end: stop.end, reason: stop.reason });
    } else {
      out.push({ ...stop });
    }
  }
  return out;
}

/** All shift instances overlapping [from, to), sorted by start. */
export function shiftsBetween(calendar: ShiftCalendarConfig, timeZone: string, from: number, to: number): ShiftInstance[] {
  const out: ShiftInstance[] = [];
  // A shift starting the local day before `from` may still be running at `from`.
  let date = addDays(localDateOf(from, timeZone), -1);
  const last = localDateOf(to, timeZone);
  for (;;) {
    if (isWorkingDate(calendar, date)) {
      for (const shift of calendar.shifts) {
        const instance = shiftInstance(shift, date, timeZone);
        if (instance.end > from && instance.start < to) out.push(instance);
      }
    }
    if (formatLocalDate(date) >= formatLocalDate(last)) break;
    date = addDays(date, 1);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The shift running at instant `ts`, or null between shifts and on non-working days.
 * If a misconfigured calendar lets shifts overlap, the later-starting one wins: the
 * crew that came in last is the one on the floor.
 */
export function shiftAt(calendar: ShiftCalendarConfig, timeZone: string, ts: number): ShiftInstance | null {
  let found: ShiftInstance | null = null;
  for (const instance of shiftsBetween(calendar, timeZone, ts, ts + 1)) {
    if (instance.start <= ts && ts < instance.end && (!found || instance.start >= found.start)) found = instance;
  }
  return found;
}

/** The first shift starting after `ts` within `horizonDays` (default 14), or null. */
export function nextShiftAfter(calendar: ShiftCalendarConfig, timeZone: string, ts: number, horizonDays = 14): ShiftInstance | null {
  const candidates = shiftsBetween(calendar, timeZone, ts, ts + horizonDays * 86_400_000).filter((s) => s.start > ts);
  return candidates[0] ?? null;
}
