// Today's and this year's mass of every pollutant with a permit, read from the stored records
// (shared/emissions/mass-totals.ts says what counts). From the store rather than from memory, so
// the totals survive a restart of the edge.
import type { OutletConfig } from '../../shared/emission-schema.js';
import { massSoFarKg, permitStatus, projectedYearKg, type PermitStatus } from '../../shared/emissions/index.js';
import { fromLocal, toLocal } from '../../shared/kpi/zoned-time.js';
import type { EmissionRecord, EmissionStore } from './emission-store.js';
import { localDayStart } from './period-builder.js';

export interface MassTotal {
  outlet: string;
  code: string;
  todayKg: number;
  yearKg: number;
  /** At the pace so far, the year's mass (null in the year's first day). */
  projectedYearKg: number | null;
  permitDailyKg: number | null;
  permitAnnualKg: number | null;
  daily: PermitStatus;
  annual: PermitStatus;
  yearStart: number;
  dayStart: number;
}

/** 1 January 00:00 local time of the year `ts` falls in, and of the next. */
export function localYear(ts: number, timeZone: string): { start: number; end: number } {
  const { year } = toLocal(ts, timeZone);
  return { start: fromLocal({ year, month: 1, day: 1 }, 0, 0, timeZone), end: fromLocal({ year: year + 1, month: 1, day: 1 }, 0, 0, timeZone) };
}

export function massTotals(store: Pick<EmissionStore, 'records'>, outlets: readonly OutletConfig[], now: number, timeZone: string): MassTotal[] {
  const year = localYear(now, timeZone);
  const dayStart = localDayStart(now, timeZone);
  const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
  const out: MassTotal[] = [];
  for (const o of outlets) {
    const permitted = o.factors.filter((f) => f.role === 'pollutant' && f.permit);
    if (!permitted.length) continue;
    const byCode = (records: EmissionRecord[]) => (code: string) => records.filter((r) => r.code === code);
    const days = byCode(store.records('day', o.id, year.start, dayStart));
    const hours = byCode(store.records('hour', o.id, dayStart, hourStart));
    const minutes = byCode(store.records('minute', o.id, hourStart, now + 1));
    for (const f of permitted) {
      const todayKg = massSoFarKg({ days: [], hours: hours(f.code), minutes: minutes(f.code) });
      const yearKg = massSoFarKg({ days: days(f.code), hours: [], minutes: [] }) + todayKg;
      const permit = f.permit!;
      out.push({
        outlet: o.id, code: f.code, todayKg, yearKg, projectedYearKg: projectedYearKg(yearKg, year.start, year.end, now),
        permitDailyKg: permit.dailyKg ?? null, permitAnnualKg: permit.annualKg ?? null,
        // Shown amber from the same share; only its excess is an alarm (the hourly limits warn earlier in the day).
        daily: permitStatus(todayKg, permit.dailyKg, permit.annualWarnShare),
        annual: permitStatus(yearKg, permit.annualKg, permit.annualWarnShare),
        yearStart: year.start, dayStart,
      });
    }
  }
  return out;
}
