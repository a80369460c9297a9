// Plant-local calendar buckets (hours, days, months) as windows of instants. Hours are
// the zone's real hours: a spring-forward day has 23 of them. Pure and browser-safe.
import { addDays, fromLocal, localDateOf, toLocal, type LocalDate } from '../kpi/zoned-time.js';
import type { TimeWindow } from './spread.js';

export type CalendarBucket = 'hour' | 'day' | 'month';

export interface LabelledWindow extends TimeWindow {
  /** Local label: "2026-03-29T02" (hour), "2026-03-29" (day), "2026-03" (month). */
  label: string;
}

const HOUR_MS = 3_600_000;
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Buckets that overlap [from, to), in order. */
export function calendarWindows(from: number, to: number, bucket: CalendarBucket, timeZone: string): LabelledWindow[] {
  const out: LabelledWindow[] = [];
  if (to <= from) return out;
  if (bucket === 'hour') {
    // Every zone in use is offset from UTC by whole quarter hours; local hours start where
    // the local minute is 0, so step instants by the hour from the local hour's start.
    const l = toLocal(from, timeZone);
    let start = from - (l.minute * 60_000 + l.second * 1000 + l.millisecond);
    while (start < to) {
      const end = start + HOUR_MS;
      const s = toLocal(start, timeZone);
      out.push({ start, end, label: `${s.year}-${p2(s.month)}-${p2(s.day)}T${p2(s.hour)}` });
      start = end;
    }
    return out;
  }
  let date: LocalDate = localDateOf(from, timeZone);
  if (bucket === 'month') date = { ...date, day: 1 };
  for (;;) {
    const next = bucket === 'day' ? addDays(date, 1) : { year: date.month === 12 ? date.year + 1 : date.year, month: (date.month % 12) + 1, day: 1 };
    const start = fromLocal(date, 0, 0, timeZone);
    if (start >= to) break;
    const end = fromLocal(next, 0, 0, timeZone);
    const label = bucket === 'day' ? `${date.year}-${p2(date.month)}-${p2(date.day)}` : `${date.year}-${p2(date.month)}`;
    out.push({ start, end, label });
    date = next;
  }
  return out;
}
