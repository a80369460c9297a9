// REST contract of the energy centre (GET /api/energy/…): query parameters as zod schemas.
// Browser-safe: the twin's energy centre imports it too.
import { z } from 'zod';
import { TimeParamSchema } from './history-api.js';
import { DAY_MS } from './query-limits.js';

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
    format: z.enum(['json', 'csv']).default('json'),
  })
  .superRefine(checkWindow);
export type EnergyReportQuery = z.infer<typeof EnergyReportQuerySchema>;

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

export const MeterPathSchema = z.strictObject({ id });
