// REST contract of the historian (GET /api/history/…): query parameters as zod schemas, and
// the shapes the edge answers with. Browser-safe: the twin's trend view imports it too.
import { z } from 'zod';
import type { ApiError } from './api-error.js';
import { DAY_MS, MAX_SPAN_MS, MAX_TREND_POINTS, sinceProblem, spanProblem } from './query-limits.js';

/** A window longer than this is refused: it would scan more than a year of data for one request (shared/query-limits.ts). */
export const MAX_WINDOW_MS = MAX_SPAN_MS;

/** Epoch milliseconds, or an ISO 8601 date-time ("2026-11-29T08:00:00Z", "2026-11-29T16:00+08:00"). */
export const TimeParamSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number' || /^\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  } else if (/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  ctx.addIssue({ code: 'custom', message: `"${v}" is not a time: use epoch milliseconds or ISO 8601, e.g. 2026-11-29T08:00:00Z` });
  return z.NEVER;
});

const windowFields = {
  from: TimeParamSchema.optional(),
  to: TimeParamSchema.optional(),
  format: z.enum(['json', 'csv']).default('json'),
};

function checkWindow(q: { from?: number; to?: number }, ctx: z.RefinementCtx): void {
  if (q.from !== undefined && q.to !== undefined) {
    if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
    else {
      const tooLong = spanProblem(q.from, q.to, { to: true });
      if (tooLong) ctx.addIssue({ code: 'custom', path: [tooLong.parameter], message: tooLong.message });
    }
  }
}

export const TagHistoryQuerySchema = z
  .strictObject({
    ...windowFields,
    /** Upper bound of points returned; raw samples when the window holds no more, else aggregates. */
    maxPoints: z.coerce.number().int().min(2).max(MAX_TREND_POINTS).default(1000),
  })
  .superRefine(checkWindow);
export type TagHistoryQuery = z.infer<typeof TagHistoryQuerySchema>;

export const WindowQuerySchema = z.strictObject(windowFields).superRefine(checkWindow);
export type WindowQuery = z.infer<typeof WindowQuerySchema>;

/** `<machineId>.<tagName>` */
export const TagPathSchema = z.strictObject({
  tag: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z][A-Za-z0-9_-]*$/, 'name a tag as <machineId>.<tagName>, e.g. mill.spindleSpeed'),
});
export const MachinePathSchema = z.strictObject({
  machineId: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'name a machine by its id, e.g. mill'),
});

/** Default windows when `from`/`to` are left out: the last hour of a trend or timeline, the last 30 days of KPI periods. */
export const DEFAULT_WINDOW_MS = { tag: 3_600_000, states: 3_600_000, kpi: 30 * DAY_MS } as const;

export type Quality = 'good' | 'uncertain' | 'bad';
export type TagKind = 'number' | 'boolean' | 'string';

export interface RawPoint {
  ts: number;
  value: number | boolean | string | null;
  quality: Quality;
}

export interface AggregatePoint {
  /** Start of the bucket, epoch ms. */
  ts: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  /** Samples received in the bucket. */
  count: number;
}

export type TagTrend =
  | { tag: string; kind: TagKind; from: number; to: number; resolution: 'raw'; bucketMs: null; truncated: boolean; points: RawPoint[] }
  | { tag: string; kind: TagKind; from: number; to: number; resolution: 'aggregate'; bucketMs: number; truncated: false; points: AggregatePoint[] };

export interface StateInterval {
  machineId: string;
  state: string;
  startTs: number;
  /** Null while the interval is still open. */
  endTs: number | null;
  reason: string | null;
}

export interface KpiPeriod {
  machineId: string;
  kind: 'shift';
  name: string;
  date: string;
  startTs: number;
  endTs: number;
  totalCount: number;
  goodCount: number;
  energyKWh: number;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  /** PeriodTotals (shared/kpi/period-totals.ts) the KPIs were computed from. */
  totals: unknown;
}

/** Body of every 400/404 answer: what is wrong and, for a bad parameter, which one. */
/** The API's one error shape (shared/api-error.ts): `field` names the bad parameter. */
export type HistoryError = ApiError;

// ---- replay (twin-ui/src/replay): counts and tag values of a machine at past moments ----

/** Part-count deltas in a window; `since` (before `from`) asks for the parts made in [since, from) as a base. */
export const CountsQuerySchema = z
  .strictObject({ ...windowFields, since: TimeParamSchema.optional() })
  .superRefine((q, ctx) => {
    checkWindow(q, ctx);
    if (q.since !== undefined && q.from !== undefined && q.since > q.from) ctx.addIssue({ code: 'custom', path: ['since'], message: 'must not be after "from" (it starts the count that "from" continues)' });
    const early = q.since !== undefined && q.from !== undefined ? sinceProblem(q.since, q.from) : null;
    if (early) ctx.addIssue({ code: 'custom', path: [early.parameter], message: early.message });
  });
export type CountsQuery = z.infer<typeof CountsQuerySchema>;

export interface CountDelta {
  ts: number;
  deltaTotal: number;
  deltaGood: number;
}

export interface CountsAnswer {
  machineId: string;
  from: number;
  to: number;
  /** Start of the count `base` sums from (null: no `since` asked, base is zero). */
  since: number | null;
  /** Parts made in [since, from). */
  base: { total: number; good: number };
  /** Deltas in [from, to), oldest first. */
  deltas: CountDelta[];
}

/** The moment whose values are asked: the last stored sample of each tag at or before it. */
export const ValuesAtQuerySchema = z.strictObject({ at: TimeParamSchema });
export type ValuesAtQuery = z.infer<typeof ValuesAtQuerySchema>;

export interface ValuesAtAnswer {
  machineId: string;
  at: number;
  /** By tag name (without the machine id); a tag with no sample at or before `at` is left out. */
  tags: Record<string, RawPoint>;
}
