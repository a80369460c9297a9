// Samples → minute records → hour records → day records, per outlet and factor, by the HJ 75
// rules of shared/emissions. Pure and driven by the clock it is given: `add` books a sample,
// `closeUpTo(now)` returns every record whose period has ended (minutes without samples are
// recorded too, invalid and flagged B, so data loss shows instead of vanishing).
import type { OutletConfig } from '../../shared/emission-schema.js';
import { DAY_RULE, HOUR_RULE, minuteRule, periodValue, type FlaggedPart, type ValidityRule } from '../../shared/emissions/index.js';
import { isValidFlag } from '../../shared/emissions/index.js';
import { toLocal, fromLocal } from '../../shared/kpi/index.js';
import type { EmissionRecord, Period } from './emission-store.js';
import type { OutletSample } from './outlet-sample.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface FactorState {
  samples: FlaggedPart[];
  zs: FlaggedPart[];
  minutes: EmissionRecord[];
  hours: EmissionRecord[];
}

export interface PeriodBuilder {
  add(sample: OutletSample): void;
  /** Records of every period that ended at or before `now`, minutes first. */
  closeUpTo(now: number): EmissionRecord[];
  /** Seeds the open hour and day from stored records after a restart. */
  resume(records: readonly EmissionRecord[]): void;
}

export function createPeriodBuilder(outlets: readonly OutletConfig[], timeZone: string, startAt: number): PeriodBuilder {
  const state = new Map<string, FactorState>();
  for (const o of outlets) for (const f of o.factors) state.set(`${o.id}|${f.code}`, { samples: [], zs: [], minutes: [], hours: [] });
  let minuteStart = Math.floor(startAt / MINUTE) * MINUTE;
  let hourStart = Math.floor(startAt / HOUR) * HOUR;
  let dayStart = localDayStart(startAt, timeZone);

  const record = (period: Period, outlet: string, code: string, start: number, v: ReturnType<typeof periodValue>, zs: ReturnType<typeof periodValue> | null): EmissionRecord => ({
    period, outlet, code, start, avg: v.avg, min: v.min, max: v.max, zsAvg: zs?.avg ?? null, zsMin: zs?.min ?? null, zsMax: zs?.max ?? null,
    cou: v.cou, flag: v.flag, validParts: v.validParts, expectedParts: v.expectedParts,
  });
  const fromRecords = (records: readonly EmissionRecord[], zs: boolean): FlaggedPart[] => records.map((r) => ({
    value: zs ? r.zsAvg : r.avg, min: zs ? r.zsMin : r.min, max: zs ? r.zsMax : r.max, cou: zs ? null : r.cou,
    // A valid period without a converted value (no O2) cannot stand for a converted one.
    flag: zs && r.zsAvg === null && isValidFlag(r.flag) ? 'B' : r.flag,
  }));
  const hasZs = (records: readonly EmissionRecord[]) => records.some((r) => r.zsAvg !== null);

  function closeMinute(out: EmissionRecord[]) {
    for (const o of outlets) {
      const rule: ValidityRule = minuteRule(o.sampleSeconds);
      for (const f of o.factors) {
        const s = state.get(`${o.id}|${f.code}`)!;
        const v = periodValue(s.samples, rule);
        // Mass: the mean rate over the valid samples times one minute (kg/h → kg; m³/h → m³).
        const rates = s.samples.filter((p) => isValidFlag(p.flag) && p.cou !== null && p.cou !== undefined).map((p) => p.cou!);
        v.cou = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length / 60 : null;
        const zs = s.zs.some((p) => p.value !== null) ? periodValue(s.zs, rule) : null;
        const r = record('minute', o.id, f.code, minuteStart, v, zs);
        s.minutes.push(r);
        out.push(r);
        s.samples = [];
        s.zs = [];
      }
    }
  }

  function closeHour(out: EmissionRecord[]) {
    for (const [key, s] of state) {
      const [outlet, code] = key.split('|') as [string, string];
      const mine = s.minutes.filter((m) => m.start >= hourStart && m.start < hourStart + HOUR);
      const v = periodValue(fromRecords(mine, false), HOUR_RULE);
      const r = record('hour', outlet, code, hourStart, v, hasZs(mine) ? periodValue(fromRecords(mine, true), HOUR_RULE) : null);
      s.hours.push(r);
      s.minutes = [];
      out.push(r);
    }
  }

  function closeDay(out: EmissionRecord[]) {
    for (const [key, s] of state) {
      const [outlet, code] = key.split('|') as [string, string];
      const mine = s.hours.filter((h) => h.start >= dayStart);
      const v = periodValue(fromRecords(mine, false), DAY_RULE);
      out.push(record('day', outlet, code, dayStart, v, hasZs(mine) ? periodValue(fromRecords(mine, true), DAY_RULE) : null));
      s.hours = [];
    }
  }

  return {
    add(sample) {
      if (sample.ts < minuteStart) return;
      for (const f of sample.factors) {
        const s = state.get(`${sample.outlet}|${f.code}`);
        if (!s) continue;
        s.samples.push({ value: f.value, flag: f.flag, cou: f.rate });
        s.zs.push({ value: f.zs, flag: f.zs === null && isValidFlag(f.flag) ? 'B' : f.flag });
      }
    },
    closeUpTo(now) {
      const out: EmissionRecord[] = [];
      while (minuteStart + MINUTE <= now) {
        closeMinute(out);
        minuteStart += MINUTE;
        if (minuteStart >= hourStart + HOUR) {
          closeHour(out);
          hourStart += HOUR;
          const nextDay = localDayStart(hourStart, timeZone);
          if (nextDay !== dayStart) {
            closeDay(out);
            dayStart = nextDay;
          }
        }
      }
      return out;
    },
    resume(records) {
      for (const r of records) {
        const s = state.get(`${r.outlet}|${r.code}`);
        if (!s) continue;
        if (r.period === 'minute' && r.start >= hourStart && r.start < minuteStart) s.minutes.push(r);
        if (r.period === 'hour' && r.start >= dayStart && r.start < hourStart) s.hours.push(r);
      }
    },
  };
}

/** Midnight of the local day `ts` falls in (HJ 212 days are the station's calendar days). */
export function localDayStart(ts: number, timeZone: string): number {
  const l = toLocal(ts, timeZone);
  return fromLocal({ year: l.year, month: l.month, day: l.day }, 0, 0, timeZone);
}
