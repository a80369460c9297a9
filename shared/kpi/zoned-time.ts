// Wall-clock ↔ instant conversion in an IANA time zone with nothing but Intl.
// Pure and browser-safe. All instants are epoch milliseconds; all durations are
// differences between instants, so a day across a DST change is 23 or 25 hours long.

/** A plant-local calendar date. */
export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The plant-local wall-clock time of an instant. */
export function toLocal(ts: number, timeZone: string): LocalDateTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(ts));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    // Some engines print midnight as 24 even with h23; normalise.
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
    millisecond: ((ts % 1000) + 1000) % 1000,
  };
}

/** Offset of the zone from UTC at an instant, in ms (Asia/Shanghai → +8 h). */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  const l = toLocal(ts, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond) - ts;
}

/**
 * The instant of a plant-local wall time. Disambiguation follows Temporal's
 * "compatible" rule: a wall time repeated by a DST fall-back means its first
 * occurrence; a wall time skipped by a spring-forward means the same clock reading
 * under the offset before the change (02:30 that does not exist → 03:30).
 */
export function fromLocal(date: LocalDate, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // Offsets a day either side bracket any single transition near this wall time.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((ts) => ts + zoneOffsetMs(ts, timeZone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before; // in a gap
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const day = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return day === 0 ? 7 : day;
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function localDateOf(ts: number, timeZone: string): LocalDate {
  const { year, month, day } = toLocal(ts, timeZone);
  return { year, month, day };
}

/** "HH:MM" → minutes after local midnight. */
export function parseClockTime(text: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a HH:MM clock time: "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

export function minutesToClock(minutes: number): { hour: number; minute: number } {
  return { hour: Math.floor(minutes / 60), minute: minutes % 60 };
}

export { MINUTE_MS, DAY_MS };

/** ISO 8601 with the zone's offset at that instant: 2026-11-02T08:00:00+08:00 (milliseconds only when present). */
export function formatInstant(ts: number, timeZone: string): string {
  const l = toLocal(ts, timeZone);
  const offsetMin = Math.round(zoneOffsetMs(ts, timeZone) / MINUTE_MS);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const ms = l.millisecond ? `.${p(l.millisecond, 3)}` : '';
  return `${p(l.year, 4)}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}:${p(l.second)}${ms}${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}
