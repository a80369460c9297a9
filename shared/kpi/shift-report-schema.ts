// The input of the one-shift KPI report (`npm run kpi -- <file.json>`, docs/kpi.md):
// one recorded shift of one machine. Browser-safe so the twin can post the same body.
import { z } from 'zod';

/** ISO 8601 with an explicit offset (Z or ±HH:MM); without one the instant would be ambiguous. */
const instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/,
    'use ISO 8601 with an offset, e.g. "2026-11-02T08:00:00+08:00"',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real date and time');

function isIanaTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const interval = { start: instant, end: instant };

export const REPORT_STATES = ['running', 'idle', 'down', 'setup', 'no-data'] as const;

export const ShiftReportInputSchema = z
  .strictObject({
    timezone: z.string().refine(isIanaTimeZone, 'not an IANA time zone (e.g. "Asia/Shanghai")'),
    /** Optional label, echoed in the output. */
    machine: z.string().min(1).optional(),
    shift: z.strictObject({ ...interval, name: z.string().min(1).optional() }),
    idealCycleTimeSeconds: z.number().positive(),
    plannedStops: z.array(z.strictObject({ ...interval, reason: z.string().min(1).default('planned-stop') })).default([]),
    states: z
      .array(z.strictObject({ ...interval, state: z.enum(REPORT_STATES), reason: z.string().min(1).optional() }))
      .default([]),
    /**
     * How the machine counts (shared/count-roles.ts): `good` from a good counter, else total − `scrap`
     * (rejects and booked scrap); with neither, a part counter only and every part is good.
     */
    counts: z.strictObject({ total: z.number().int().min(0), good: z.number().int().min(0).optional(), scrap: z.number().int().min(0).optional() }),
    /** Energy meter totals (kWh) at instants; optional. */
    energy: z.array(z.strictObject({ ts: instant, kWh: z.number().min(0) })).optional(),
    co2eKgPerKWh: z.number().min(0).optional(),
    microStopThresholdSeconds: z.number().positive().optional(),
    microStopsAs: z.enum(['availability', 'performance']).optional(),
  })
  .superRefine((input, ctx) => {
    const shiftStart = Date.parse(input.shift.start);
    const shiftEnd = Date.parse(input.shift.end);
    if (!(shiftEnd > shiftStart)) ctx.addIssue({ code: 'custom', path: ['shift', 'end'], message: 'must be after shift.start' });
    input.plannedStops.forEach((s, i) => {
      if (!(Date.parse(s.end) > Date.parse(s.start))) ctx.addIssue({ code: 'custom', path: ['plannedStops', i, 'end'], message: 'must be after start' });
    });
    input.states.forEach((s, i) => {
      if (!(Date.parse(s.end) > Date.parse(s.start))) ctx.addIssue({ code: 'custom', path: ['states', i, 'end'], message: 'must be after start' });
    });
    // State intervals must not overlap each other (which state would the time be?).
    const order = input.states
      .map((s, i) => ({ i, start: Date.parse(s.start), end: Date.parse(s.end) }))
      .sort((a, b) => a.start - b.start);
    for (let k = 1; k < order.length; k++) {
      const prev = order[k - 1]!;
      const cur = order[k]!;
      if (cur.start < prev.end) {
        ctx.addIssue({ code: 'custom', path: ['states', cur.i, 'start'], message: `overlaps states[${prev.i}] (${input.states[prev.i]!.start} – ${input.states[prev.i]!.end}); state intervals must not overlap` });
      }
    }
    if (input.counts.good !== undefined && input.counts.scrap !== undefined) ctx.addIssue({ code: 'custom', path: ['counts', 'scrap'], message: 'give good or scrap, not both: the report derives one from the other (good = total − scrap)' });
    if ((input.counts.scrap ?? 0) > input.counts.total) ctx.addIssue({ code: 'custom', path: ['counts', 'scrap'], message: `is more than counts.total (${input.counts.total})` });
    if (input.counts.good !== undefined && input.counts.good > input.counts.total) ctx.addIssue({ code: 'custom', path: ['counts', 'good'], message: `is more than counts.total (${input.counts.total})` });
  });

export type ShiftReportInput = z.infer<typeof ShiftReportInputSchema>;
