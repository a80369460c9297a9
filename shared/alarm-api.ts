// Parameters of the alarm, diagnosis, flight-recorder and service-case REST routes (bodies
// and answers are in alarm-wire.ts and alarm-service-cases.ts). Browser-safe.
import { z } from 'zod';
import { MachineTypeSchema } from './plant-schema.js';
import { FAULT_LANGS } from './alarm-fault-catalogue.js';

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const machineId = z.string().min(1).max(64);
const epochMs = z.coerce.number().int().min(0);

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
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

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
  if (q.from !== undefined && q.to !== undefined && q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
});

export const AckAllBodySchema = z.strictObject({ machineId: machineId.optional() }).prefault({});

export const FaultCodePathSchema = z.strictObject({ type: MachineTypeSchema, code: z.coerce.number().int().positive() });
export const FaultCodeQuerySchema = z.strictObject({ lang: z.enum(FAULT_LANGS).optional() });

export const RecordingListQuerySchema = z.strictObject({
  machineId: machineId.optional(),
  alarmId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const RecordingQuerySchema = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const ServiceHistoryQuerySchema = z.strictObject({ from: epochMs.optional(), to: epochMs.optional() });
