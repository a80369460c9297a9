// REST contract of the energy centre (GET /api/energy/…): query parameters as zod schemas.
// Browser-safe: the twin's energy centre imports it too.
import { z } from 'zod';
import { TimeParamSchema } from './history-api.js';
import { DAY_MS } from './query-limits.js';
import type { CounterEvent } from './energy/index.js';

/** Longest report window: a month and a few days (a calendar month in any zone, with DST). */
export const MAX_ENERGY_WINDOW_MS = 32 * DAY_MS;

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'an id from the plant file: letters, digits, "-" or "_"').max(64);

function checkWindow(q: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
  else if (q.to - q.from > MAX_ENERGY_WINDOW_MS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: `the window may be at most ${MAX_ENERGY_WINDOW_MS / DAY_MS} days; ask month by month` });
  }
}

export const EnergyReportQuerySchema = z
  .strictObject({
    from: TimeParamSchema,
    to: TimeParamSchema,
    meter: id.optional(),
    medium: z.string().min(1).max(64).optional(),
    area: z.string().min(1).max(64).optional(),
    /** Good output of the period: the EnPI (kgce per good part) and, with a baseline in the plant file, expected energy, savings and SEnPI. */
    good: z.coerce.number().min(0).max(1e12).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine(checkWindow);
export type EnergyReportQuery = z.infer<typeof EnergyReportQuerySchema>;

/** GET /api/energy/lines on the plant host: every line's energy for [from, to] and the plant's sums. */
export const PlantEnergyQuerySchema = z
  .strictObject({ from: TimeParamSchema, to: TimeParamSchema })
  .superRefine(checkWindow);

export const EnergyBlocksQuerySchema = z
  .strictObject({ from: TimeParamSchema, to: TimeParamSchema, format: z.enum(['json', 'csv']).default('json') })
  .superRefine(checkWindow);

export const EnergyConsumptionQuerySchema = z
  .strictObject({
    from: TimeParamSchema,
    to: TimeParamSchema,
    /** Plant-local hours, shifts of the shift calendar, days or months. */
    bucket: z.enum(['hour', 'shift', 'day', 'month']).default('hour'),
    meter: id.optional(),
    medium: z.string().min(1).max(64).optional(),
    area: z.string().min(1).max(64).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine(checkWindow);
export type EnergyConsumptionQuery = z.infer<typeof EnergyConsumptionQuerySchema>;

/**
 * The live protocol's `energy` message (shared/live-protocol.ts): every meter's latest total,
 * power or flow, and the running 15-minute block; sent every 15 s and at once when the demand
 * alarm is raised or cleared.
 */
export const EnergyLiveSchema = z.object({
  ts: z.number(),
  meters: z.array(z.object({
    id: z.string(),
    total: z.number().nullable(),
    powerKW: z.number().nullable(),
    ratePerHour: z.number().nullable(),
    suspectStuck: z.boolean(),
  })),
  demand: z.object({
    meter: z.string().nullable(),
    contractDemandKW: z.number().nullable(),
    blockStart: z.number().nullable(),
    kWhSoFar: z.number(),
    forecastKW: z.number().nullable(),
    headroomKW: z.number().nullable(),
    alarm: z.boolean(),
  }),
  /** Set on the message sent because the demand alarm changed. */
  alarm: z.object({ kind: z.enum(['raised', 'cleared']), blockStart: z.number(), forecastKW: z.number(), contractDemandKW: z.number() }).optional(),
});
export type EnergyLive = z.infer<typeof EnergyLiveSchema>;

export const MeterPathSchema = z.strictObject({ id });

/** GET /api/energy/demand: the running 15-minute block of the tariff meter against the contract. */
export interface DemandStatus {
  meter: string | null;
  contractDemandKW: number | null;
  blockStart: number | null;
  kWhSoFar: number;
  forecastKW: number | null;
  headroomKW: number | null;
  /** The forecast has reached demandAlarmAt × contract in this block. */
  alarm: boolean;
}

/** GET /api/energy/meters: each plant-file meter with its latest reading. */
export interface MeterLive {
  id: string;
  name: string;
  medium: string;
  unit: string;
  parent: string | null;
  area: string | null;
  total: number | null;
  ts: number | null;
  ratePerHour: number | null;
  powerKW: number | null;
  lastEvent: { ts: number; kind: CounterEvent['kind'] } | null;
  /** The total has not moved for 5 minutes while the meter should have been counting (see MeterFeed). */
  suspectStuck: boolean;
}

