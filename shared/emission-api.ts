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
