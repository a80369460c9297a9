// The plant host's queries across lines (edge/host/pg/plant-queries.ts, PostgreSQL mode): OEE of
// lines and the plant by shift, day, ISO week or month, the top losses, energy and alarm
// statistics. Windows up to 400 days (a year and its edges); JSON or CSV.
import { z } from 'zod';
import { TimeParamSchema } from './history-api.js';

export const MAX_PLANT_QUERY_WINDOW_MS = 400 * 86_400_000;

/** Sparkplug group/edge node, as /api/lines names a line. */
const LineKeySchema = z.string().regex(/^[^+/#\s]{1,64}\/[^+/#\s]{1,64}$/, 'a line key "group/edge node", as GET /api/lines lists them');

const WINDOW = {
  from: TimeParamSchema,
  to: TimeParamSchema,
  /** One line only; absent = every line and the plant. */
  line: LineKeySchema.optional(),
  format: z.enum(['json', 'csv']).default('json'),
};

function checkWindow(q: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
  else if (q.to - q.from > MAX_PLANT_QUERY_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the window may be at most 400 days' });
}

export const PLANT_PERIODS = ['shift', 'day', 'week', 'month'] as const;
export type PlantPeriod = (typeof PLANT_PERIODS)[number];

export const PlantOeeQuerySchema = z.strictObject({ ...WINDOW, by: z.enum(PLANT_PERIODS).default('day') }).superRefine(checkWindow);
export const PlantLossesQuerySchema = z.strictObject({ ...WINDOW, limit: z.coerce.number().int().min(1).max(100).default(10) }).superRefine(checkWindow);
export const PlantEnergyByPeriodQuerySchema = z.strictObject({ ...WINDOW, by: z.enum(['day', 'week', 'month']).default('day') }).superRefine(checkWindow);
export const PlantAlarmStatsQuerySchema = z.strictObject({ ...WINDOW, limit: z.coerce.number().int().min(1).max(100).default(10) }).superRefine(checkWindow);

export type PlantOeeQuery = z.infer<typeof PlantOeeQuerySchema>;
export type PlantLossesQuery = z.infer<typeof PlantLossesQuerySchema>;
export type PlantEnergyByPeriodQuery = z.infer<typeof PlantEnergyByPeriodQuerySchema>;
export type PlantAlarmStatsQuery = z.infer<typeof PlantAlarmStatsQuerySchema>;

/** One line's (or, with line null, the plant's) OEE over one period, from the closed shifts of its machines. */
export interface PlantOeeRow {
  line: string | null;
  period: string;
  start: number;
  end: number;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  plannedBusyHours: number;
  totalCount: number;
  goodCount: number;
  energyKWh: number;
  shifts: number;
}

export interface PlantLossRow {
  line: string | null;
  bucket: string;
  reason: string;
  hours: number;
  events: number;
  lines: number;
}

export interface PlantEnergyRow {
  line: string | null;
  period: string;
  kWh: number;
  totalCount: number;
  goodCount: number;
  kWhPerGoodPart: number | null;
}

export interface PlantAlarmStatsRow {
  line: string | null;
  raised: number;
  byPriority: Record<string, number>;
  perHour: number;
  /** Most alarms raised in one 10-minute window (ISA-18.2: above 10 is a flood). */
  peakPer10Min: number;
  /** Share of the window's 10-minute intervals with more than 10 alarms raised. */
  floodShare: number;
  acked: number;
  meanAckSeconds: number | null;
  meanActiveSeconds: number | null;
}
