// REST contract of the KPI API (GET /api/kpi/…): "how was this made" for every KPI.
// Path and query parameters are zod schemas; the answers are the KPI engine's own
// explained results (shared/kpi), so the twin can show each figure with the times and
// counts it came from. Browser-safe: the twin's KPI dashboard imports it too.
import { z } from 'zod';
import type { ApiError } from './api-error.js';
import type { KpiReport } from './kpi/index.js';
import type { LineKpis } from './kpi/index.js';
import type { PeriodTotals } from './kpi/index.js';
import { DAY_MS, MAX_SHIFTS_PER_ANSWER, MAX_SPAN_MS, spanProblem } from './query-limits.js';

/** Closed shifts are looked up at most this far back in one request (shared/query-limits.ts). */
export const MAX_SHIFT_WINDOW_MS = MAX_SPAN_MS;
/** Default look-back for closed shifts when `from` is left out. */
export const DEFAULT_SHIFT_WINDOW_MS = 7 * DAY_MS;

/** Epoch milliseconds, or an ISO 8601 date-time with an offset ("2026-11-29T08:00:00+08:00"). */
export const KpiTimeParamSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number' || /^\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  } else if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  ctx.addIssue({ code: 'custom', message: `"${v}" is not a time: use epoch milliseconds or ISO 8601 with an offset, e.g. 2026-11-29T08:00:00+08:00` });
  return z.NEVER;
});

export const KpiMachinePathSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'name a machine by its id from the plant file, e.g. mill'),
});

export const KpiPeriodPathSchema = KpiMachinePathSchema.extend({
  kind: z.enum(['day', 'week'], { message: 'use "day" (the plant-local day) or "week" (the ISO week)' }),
});

/** Closed shifts that start in [from, to), most recent `limit` of them. */
export const ClosedShiftsQuerySchema = z
  .strictObject({
    from: KpiTimeParamSchema.optional(),
    to: KpiTimeParamSchema.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_SHIFTS_PER_ANSWER).default(100),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined) {
      const tooLong = spanProblem(q.from, q.to, { to: true }, MAX_SHIFT_WINDOW_MS);
      if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
      else if (tooLong) ctx.addIssue({ code: 'custom', path: [tooLong.parameter], message: tooLong.message });
    }
  });
export type ClosedShiftsQuery = z.infer<typeof ClosedShiftsQuerySchema>;

export interface KpiShiftRef {
  name: string;
  /** Plant-local date on which the shift starts, YYYY-MM-DD. */
  date: string;
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
}

/** GET /api/kpi/machines/:id — the current shift so far; `shift: null` between shifts. */
export interface MachineKpiAnswer {
  machineId: string;
  /** Edge-clock time the figures were computed at (epoch ms). */
  at: number;
  shift: KpiShiftRef | null;
  /** Explained KPIs (each with formula and inputs), the loss waterfall and energy. */
  report: KpiReport | null;
  /** The raw, additive totals every KPI above was computed from. */
  totals: PeriodTotals | null;
}

/** GET /api/kpi/machines — one line per machine, the current shift so far. */
export interface MachinesKpiAnswer {
  at: number;
  machines: {
    machineId: string;
    shift: KpiShiftRef | null;
    availability: number;
    performance: number;
    quality: number;
    oee: number;
    counts: { total: number; good: number; scrap: number };
    energyKWh: number;
  }[];
}

export interface ClosedShiftReport {
  shift: KpiShiftRef;
  /** `memory`: closed during this run of the edge; `historian`: read back from the store. */
  source: 'memory' | 'historian';
  report: KpiReport;
  totals: PeriodTotals;
}

/** GET /api/kpi/machines/:id/shifts — closed shifts, oldest first. */
export interface ClosedShiftsAnswer {
  machineId: string;
  from: number;
  to: number;
  shifts: ClosedShiftReport[];
}

/** GET /api/kpi/machines/:id/periods/:kind — the plant-local day or ISO week so far. */
export interface PeriodKpiAnswer {
  machineId: string;
  kind: 'day' | 'week';
  at: number;
  report: KpiReport;
}

/** GET /api/kpi/line — the line's KPIs (bottleneck method, docs/kpi.md §4) for the current shift so far. */
export interface LineKpiAnswer {
  line: { id: string; name: string };
  at: number;
  shift: KpiShiftRef | null;
  kpis: LineKpis | null;
}

/** GET /api/kpi/line/shifts — line KPIs of closed shifts (machines that have the shift), oldest first. */
export interface LineClosedShiftsAnswer {
  line: { id: string; name: string };
  from: number;
  to: number;
  shifts: { shift: KpiShiftRef; machines: string[]; kpis: LineKpis }[];
}

/** Body of every 400/404 answer: what is wrong and, for a bad parameter, which one. */
/** The API's one error shape (shared/api-error.ts): `field` names the bad parameter. */
export type KpiApiError = ApiError;
