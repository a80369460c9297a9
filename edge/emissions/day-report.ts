// The daily emissions report (日报表) the plant files and the regulator reads: for one local
// calendar day, every outlet's 24 hour values of each factor (measured and converted averages,
// min, max, mass, HJ 212 flag, valid minutes) with exceedances marked, the day values, and each
// permitted pollutant's mass for the day and for the year up to that day. Pure: records in.
// The twin prints it (ui/environment/day-report-view.ts); csvLines() is the same as CSV.
import type { OutletConfig } from '../../shared/emission-schema.js';
import type { EmissionDayReport, ReportCell, ReportOutlet } from '../../shared/emission-api.js';
import { isValidFlag, massSoFarKg } from '../../shared/emissions/index.js';
import { formatInstant } from '../../shared/kpi/zoned-time.js';
import type { EmissionRecord, Period } from './emission-store.js';

export interface DayReportInput {
  date: string;
  timezone: string;
  /** Local midnight of the date and of the next day. */
  from: number;
  to: number;
  yearStart: number;
  now: number;
  outlets: readonly OutletConfig[];
  records: (period: Period, outlet: string, from: number, to: number) => EmissionRecord[];
}

function cell(r: EmissionRecord, limit: number | null, converted: boolean): ReportCell {
  const held = converted ? r.zsAvg : r.avg;
  return {
    avg: r.avg, min: r.min, max: r.max, zsAvg: r.zsAvg, cou: r.cou, flag: r.flag, validParts: r.validParts, expectedParts: r.expectedParts,
    over: limit !== null && isValidFlag(r.flag) && held !== null && held > limit,
  };
}

export function buildDayReport(input: DayReportInput): EmissionDayReport {
  const open = input.now < input.to;
  const outlets = input.outlets.map((o): ReportOutlet => {
    const converted = (code: string) => o.kind === 'flue-gas' && o.factors.find((f) => f.code === code)?.role === 'pollutant';
    const limitOf = (code: string, period: 'hour' | 'day') => o.factors.find((f) => f.code === code)?.limits?.[period] ?? null;
    const hours = new Map<number, Record<string, ReportCell>>();
    const hourRecords = input.records('hour', o.id, input.from, input.to);
    for (const r of hourRecords) {
      const cells = hours.get(r.start) ?? {};
      cells[r.code] = cell(r, limitOf(r.code, 'hour'), converted(r.code));
      hours.set(r.start, cells);
    }
    const dayRecords = input.records('day', o.id, input.from, input.to);
    const day: Record<string, ReportCell | null> = {};
    for (const f of o.factors) {
      const r = dayRecords.find((x) => x.code === f.code);
      day[f.code] = r ? cell(r, limitOf(f.code, 'day'), converted(f.code)) : null;
    }
    const earlierDays = input.records('day', o.id, input.yearStart, input.from);
    // Today: the open hour's valid minutes count too, as in GET /api/emissions totals.
    const openHour = Math.floor(input.now / 3_600_000) * 3_600_000;
    const openMinutes = open && input.now >= input.from ? input.records('minute', o.id, Math.max(openHour, input.from), input.now + 1) : [];
    const mass = o.factors.filter((f) => f.role === 'pollutant' && f.permit).map((f) => {
      const closed = dayRecords.find((x) => x.code === f.code);
      // An open day counts its valid closed hours, as its day record will, and the open hour's valid minutes.
      const dayKg = closed ? closed.cou ?? 0 : massSoFarKg({ days: [], hours: hourRecords.filter((h) => h.code === f.code), minutes: openMinutes.filter((m) => m.code === f.code) });
      const yearKg = massSoFarKg({ days: earlierDays.filter((d) => d.code === f.code), hours: [], minutes: [] }) + dayKg;
      return { code: f.code, dayKg, yearKg, permitDailyKg: f.permit!.dailyKg ?? null, permitAnnualKg: f.permit!.annualKg ?? null };
    });
    return {
      id: o.id, name: o.name, kind: o.kind, mn: o.mn, referenceO2: o.referenceO2 ?? null,
      factors: o.factors.map((f) => ({
        code: f.code, name: f.name ?? f.code, unit: f.unit ?? null, role: f.role, hourLimit: f.limits?.hour ?? null, dayLimit: f.limits?.day ?? null,
        permitDailyKg: f.permit?.dailyKg ?? null, permitAnnualKg: f.permit?.annualKg ?? null,
      })),
      hours: [...hours].sort(([a], [b]) => a - b).map(([start, cells]) => ({ start, cells })),
      day, mass,
    };
  });
  return { date: input.date, timezone: input.timezone, from: input.from, to: input.to, open, generatedAt: input.now, outlets };
}

const CSV_HEADER = 'date,outlet,mn,period,start,code,name,unit,avg,min,max,zsAvg,cou,flag,validParts,expectedParts,limit,over';

/** The report as CSV, one line per outlet, period and factor (long format: a spreadsheet pivots it). */
export function csvLines(report: EmissionDayReport): string[] {
  const text = (v: string | number | boolean | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [CSV_HEADER];
  for (const o of report.outlets) {
    const row = (period: string, start: number, code: string, c: ReportCell, limit: number | null) => {
      const f = o.factors.find((x) => x.code === code);
      return [report.date, o.id, o.mn, period, formatInstant(start, report.timezone), code, f?.name ?? code, f?.unit ?? null,
        c.avg, c.min, c.max, c.zsAvg, c.cou, c.flag, c.validParts, c.expectedParts, limit, c.over].map(text).join(',');
    };
    for (const h of o.hours) for (const f of o.factors) if (h.cells[f.code]) lines.push(row('hour', h.start, f.code, h.cells[f.code]!, f.hourLimit));
    for (const f of o.factors) if (o.day[f.code]) lines.push(row('day', report.from, f.code, o.day[f.code]!, f.dayLimit));
    for (const m of o.mass) {
      const f = o.factors.find((x) => x.code === m.code);
      lines.push([report.date, o.id, o.mn, 'year-to-date', formatInstant(report.from, report.timezone), m.code, f?.name ?? m.code, 'kg',
        '', '', '', '', m.yearKg, '', '', '', m.permitAnnualKg, m.permitAnnualKg !== null && m.yearKg > m.permitAnnualKg].map(text).join(','));
    }
  }
  return lines;
}
