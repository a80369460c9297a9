// Time-of-use tariffs: named periods (peak, flat, valley, …) by plant-local clock time and
// day of the week, and the cost of a meter's consumption under them. Pure and browser-safe.
import { addDays, fromLocal, isoWeekday, localDateOf, parseClockTime, type LocalDate } from '../kpi/zoned-time.js';
import type { ConsumptionInterval } from './meter-readings.js';
import { spreadOver, type TimeWindow } from './spread.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TariffPeriod {
  name: string;
  /** Local clock "HH:MM"; `to` may be "24:00", or earlier than `from` to run past midnight. */
  from: string;
  to: string;
  /** Price per unit of the meter (e.g. CNY/kWh). */
  price: number;
  /** Day type: the weekdays the period applies on (the day it starts). Absent = every day. */
  days?: readonly Weekday[];
}

interface TariffWindow extends TimeWindow {
  period: number;
}

/**
 * The instants each tariff period covers in [from, to). Boundaries are local clock times
 * turned into instants day by day, so on a DST day "00:00–08:00" is 7 or 9 hours long.
 */
export function tariffWindows(periods: readonly TariffPeriod[], from: number, to: number, timeZone: string): TariffWindow[] {
  const out: TariffWindow[] = [];
  const last = localDateOf(to, timeZone);
  // Start a day early: a period past midnight that began the day before reaches in.
  for (let date: LocalDate = addDays(localDateOf(from, timeZone), -1); compare(date, last) <= 0; date = addDays(date, 1)) {
    const weekday = WEEKDAYS[isoWeekday(date) - 1]!;
    periods.forEach((p, period) => {
      if (p.days && !p.days.includes(weekday)) return;
      const a = parseClockTime(p.from);
      const b = parseClockTime(p.to);
      const start = fromLocal(date, Math.floor(a / 60), a % 60, timeZone);
      const endDate = b <= a ? addDays(date, 1) : date;
      const end = b === 24 * 60 ? fromLocal(addDays(date, 1), 0, 0, timeZone) : fromLocal(endDate, Math.floor(b / 60), b % 60, timeZone);
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (e > s) out.push({ start: s, end: e, period });
    });
  }
  return out.sort((x, y) => x.start - y.start);
}

function compare(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Overlapping periods as messages naming both; [] when none overlap. */
export function tariffOverlaps(periods: readonly TariffPeriod[]): string[] {
  const week = 7 * 1440;
  // Owner of each minute of the week, so a period past midnight meets the next day's.
  const owner = new Int16Array(week).fill(-1);
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i]!;
    const a = parseClockTime(p.from);
    const b = parseClockTime(p.to);
    const length = b <= a ? b + 1440 - a : b - a;
    for (let d = 0; d < 7; d++) {
      if (p.days && !p.days.includes(WEEKDAYS[d]!)) continue;
      for (let k = 0; k < length; k++) {
        const m = (d * 1440 + a + k) % week;
        const o = owner[m]!;
        if (o >= 0) {
          const day = WEEKDAYS[Math.floor(m / 1440)]!;
          const clock = `${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          return [`periods[${o}] "${periods[o]!.name}" and periods[${i}] "${p.name}" overlap on ${day} at ${clock}`];
        }
        owner[m] = i;
      }
    }
  }
  return [];
}

export interface TariffCost {
  total: number;
  byPeriod: Record<string, { units: number; cost: number }>;
  /** Consumption in no tariff period (a gap in the tariff's day), not priced. */
  unpricedUnits: number;
}

export function tariffCost(intervals: readonly ConsumptionInterval[], periods: readonly TariffPeriod[], timeZone: string): TariffCost {
  const byPeriod: Record<string, { units: number; cost: number }> = {};
  for (const p of periods) byPeriod[p.name] = { units: 0, cost: 0 };
  if (intervals.length === 0) return { total: 0, byPeriod, unpricedUnits: 0 };
  const windows = tariffWindows(periods, intervals[0]!.from, intervals[intervals.length - 1]!.to, timeZone);
  const shares = spreadOver(intervals, windows);
  let total = 0;
  let priced = 0;
  windows.forEach((w, i) => {
    const p = periods[w.period]!;
    const units = shares[i]!.units;
    byPeriod[p.name]!.units += units;
    byPeriod[p.name]!.cost += units * p.price;
    total += units * p.price;
    priced += units;
  });
  const all = intervals.reduce((s, iv) => s + iv.units, 0);
  return { total, byPeriod, unpricedUnits: Math.max(0, all - priced) };
}
