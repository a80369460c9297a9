// Parameters of the alarm, diagnosis, flight-recorder and service-case REST routes (bodies
// and answers are in alarm-wire.ts and alarm-service-cases.ts). Browser-safe.
import { z } from 'zod';
import { MachineTypeNameSchema } from './plant-schema.js';
import { FAULT_LANGS } from './alarm-fault-catalogue.js';
import { MAX_ALARM_HISTORY_ROWS, MAX_PAGE_ROWS, spanProblem } from './query-limits.js';

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const machineId = z.string().min(1).max(64);
/** Up to the last time a JavaScript Date can hold (year 275760). */
const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/** from/to given together: `to` after `from`, and no further apart than the span limit (shared/query-limits.ts). */
function checkSpan(q: { from?: number; to?: number }, ctx: z.RefinementCtx): void {
  if (q.from === undefined || q.to === undefined) return;
  if (q.to <= q.from) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    return;
  }
  const tooLong = spanProblem(q.from, q.to, { to: true });
  if (tooLong) ctx.addIssue({ code: 'custom', path: [tooLong.parameter], message: tooLong.message });
}

export const AlarmListQuerySchema = z.strictObject({
  /** Every alarm point, not only those that are not normal. */
  all: flag.optional(),
  machineId: machineId.optional(),
});

export const AlarmKeyPathSchema = z.strictObject({ key: z.string().min(3).max(200).regex(/^[^@]+@[^@]+$/, 'an alarm key is <ruleId>@<machineId>, e.g. fault@mill') });
export const IdPathSchema = z.strictObject({ id: z.coerce.number().int().positive() });
export const MachineIdPathSchema = z.strictObject({ id: machineId });

export const AlarmHistoryQuerySchema = z.strictObject({
  from: epochMs.optional(),
  to: epochMs.optional(),
  machineId: machineId.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_ALARM_HISTORY_ROWS).default(1000),
}).superRefine(checkSpan);

/** One of: shift=current|previous; date + name (a shift of the calendar); from + to (epoch ms). Default: the current shift. */
export const AlarmKpiQuerySchema = z.strictObject({
  shift: z.enum(['current', 'previous']).optional(),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD (plant-local date the shift starts on)').optional(),
  name: z.string().min(1).max(64).optional(),
  from: epochMs.optional(),
  to: epochMs.optional(),
}).superRefine((q, ctx) => {
  if ((q.date === undefined) !== (q.name === undefined)) ctx.addIssue({ code: 'custom', path: [q.date === undefined ? 'date' : 'name'], message: 'date and name go together (e.g. date=2025-03-03&name=Early)' });
  if ((q.from === undefined) !== (q.to === undefined)) ctx.addIssue({ code: 'custom', path: [q.from === undefined ? 'from' : 'to'], message: 'from and to go together (epoch ms)' });
  checkSpan(q, ctx);
});

export const AckAllBodySchema = z.strictObject({ machineId: machineId.optional() }).prefault({});

export const FaultCodePathSchema = z.strictObject({ type: MachineTypeNameSchema, code: z.coerce.number().int().positive() });
export const FaultCodeQuerySchema = z.strictObject({ lang: z.enum(FAULT_LANGS).optional() });

export const RecordingListQuerySchema = z.strictObject({
  machineId: machineId.optional(),
  alarmId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_ROWS).default(100),
});
export const RecordingQuerySchema = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const ServiceHistoryQuerySchema = z.strictObject({ from: epochMs.optional(), to: epochMs.optional() }).superRefine(checkSpan);
