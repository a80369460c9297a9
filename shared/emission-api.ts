// REST contract of the environment view (GET /api/emissions/…): query parameters as zod schemas.
// Browser-safe: the twin imports it too.
import { z } from 'zod';
import { TimeParamSchema } from './history-api.js';
import { DAY_MS } from './query-limits.js';

/** Longest window per period in one request: a day of minutes, a month of hours, a year of days. */
export const MAX_EMISSION_WINDOW_MS = { minute: DAY_MS, hour: 32 * DAY_MS, day: 366 * DAY_MS } as const;

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'an outlet id from the plant file').max(64);

export const OutletPathSchema = z.strictObject({ outlet: id });

export const EmissionRecordsQuerySchema = z
  .strictObject({
    period: z.enum(['minute', 'hour', 'day']).default('hour'),
    from: TimeParamSchema,
    to: TimeParamSchema,
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine((q, ctx) => {
    if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
    else if (q.to - q.from > MAX_EMISSION_WINDOW_MS[q.period]) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `${q.period} records: the window may be at most ${MAX_EMISSION_WINDOW_MS[q.period] / DAY_MS} days` });
    }
  });
export type EmissionRecordsQuery = z.infer<typeof EmissionRecordsQuerySchema>;

/** GET /api/emissions/report: the daily report of every outlet for one local calendar day of the site. */
export const EmissionReportQuerySchema = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date of the site, YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T12:00:00Z`)), 'not a calendar date'),
  format: z.enum(['json', 'csv']).default('json'),
});
export type EmissionReportQuery = z.infer<typeof EmissionReportQuerySchema>;

/** One factor's figures for one period of the report (null: none, e.g. an invalid period). */
export interface ReportCell {
  avg: number | null;
  min: number | null;
  max: number | null;
  /** Converted at the reference O2 (flue-gas pollutants). */
  zsAvg: number | null;
  /** Mass (kg) or volume (m³ for a flow). */
  cou: number | null;
  flag: string;
  validParts: number;
  expectedParts: number;
  /** The average (converted for flue gas) is over the period's limit. */
  over: boolean;
}

export interface ReportFactor {
  code: string;
  name: string;
  unit: string | null;
  role: string;
  hourLimit: number | null;
  dayLimit: number | null;
  permitDailyKg: number | null;
  permitAnnualKg: number | null;
}

export interface ReportOutlet {
  id: string;
  name: string;
  kind: 'flue-gas' | 'wastewater';
  mn: string;
  referenceO2: number | null;
  factors: ReportFactor[];
  /** 24 hours (23 or 25 on a daylight-saving day), each with a cell per factor code (absent: no record). */
  hours: Array<{ start: number; cells: Record<string, ReportCell> }>;
  /** The day record per factor: null while the day is still open. */
  day: Record<string, ReportCell | null>;
  /** Per pollutant with a permit: the day's mass and the year's up to the end of this day (kg). */
  mass: Array<{ code: string; dayKg: number; yearKg: number; permitDailyKg: number | null; permitAnnualKg: number | null }>;
}

export interface EmissionDayReport {
  date: string;
  timezone: string;
  from: number;
  to: number;
  /** The day has not ended: the day values are not final. */
  open: boolean;
  generatedAt: number;
  outlets: ReportOutlet[];
}
