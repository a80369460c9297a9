// After-sales service cases and a machine's service history (repeated faults, MTBF) on the
// wire: REST bodies and answers. Browser-safe.
import { z } from 'zod';
import { AlarmDiagnosisSchema, AlarmOccurrenceSchema } from './alarm-wire.js';

export const CASE_STATUSES = ['open', 'assigned', 'closed'] as const;
export const CaseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof CaseStatusSchema>;

const text = (what: string, max = 2000) => z.string().trim().min(1, `${what} must not be empty`).max(max);

/** POST /api/service-cases: from an alarm occurrence (its machine, fault and recording come along), or for a machine by hand. */
export const OpenCaseBodySchema = z.strictObject({
  alarmId: z.number().int().positive().optional(),
  machineId: z.string().min(1).max(64).optional(),
  title: text('title', 200).optional(),
  note: text('note').optional(),
}).refine((b) => b.alarmId !== undefined || b.machineId !== undefined, { message: 'give alarmId (open from an alarm) or machineId', path: ['alarmId'] });
export type OpenCaseBody = z.infer<typeof OpenCaseBodySchema>;

export const AssignCaseBodySchema = z.strictObject({ assignee: text('assignee', 100) });
export const CaseNoteBodySchema = z.strictObject({ text: text('text') });
export const CloseCaseBodySchema = z.strictObject({ resolution: text('resolution') });
export const CaseListQuerySchema = z.strictObject({
  machineId: z.string().min(1).max(64).optional(),
  status: CaseStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const CaseNoteSchema = z.object({ id: z.number(), ts: z.number(), author: z.string(), text: z.string() });
export type CaseNote = z.infer<typeof CaseNoteSchema>;

/** What the case was opened with: the alarm and how the machine looked then. */
export const CaseContextSchema = z.object({
  alarm: AlarmOccurrenceSchema.nullable(),
  diagnosis: AlarmDiagnosisSchema.nullable(),
});

export const ServiceCaseSchema = z.object({
  id: z.number(),
  machineId: z.string(),
  title: z.string(),
  status: CaseStatusSchema,
  alarmId: z.number().nullable(),
  /** The flight recording attached to the case (the alarm's, or one taken when the case was opened). */
  recordingId: z.number().nullable(),
  faultCode: z.number().nullable(),
  openedBy: z.string(),
  openedTs: z.number(),
  assignee: z.string().nullable(),
  assignedTs: z.number().nullable(),
  closedBy: z.string().nullable(),
  closedTs: z.number().nullable(),
  resolution: z.string().nullable(),
  notes: z.array(CaseNoteSchema),
  context: CaseContextSchema.nullable(),
});
export type ServiceCase = z.infer<typeof ServiceCaseSchema>;

export const RepeatedFaultSchema = z.object({
  code: z.number(),
  title: z.string(),
  /** Breakdowns with this code (stops longer than the micro-stop threshold). */
  count: z.number(),
  downMinutes: z.number(),
  lastTs: z.number(),
  /** Service cases opened for this code. */
  cases: z.number(),
});

/** A machine's reliability over a window (from the historian's state intervals). */
export const ServiceHistorySchema = z.object({
  machineId: z.string(),
  from: z.number(),
  to: z.number(),
  runningHours: z.number(),
  /** Unplanned stops longer than the micro-stop threshold (kpi.microStopThresholdSeconds). */
  failures: z.number(),
  /** Running hours per failure; null without failures. */
  mtbfHours: z.number().nullable(),
  /** Mean duration of those stops. */
  mttrMinutes: z.number().nullable(),
  /** Codes that stopped the machine, most frequent first; `repeated` are those seen at least twice. */
  faults: z.array(RepeatedFaultSchema),
  repeated: z.array(z.number()),
  cases: z.array(ServiceCaseSchema.omit({ notes: true, context: true })),
});
export type ServiceHistory = z.infer<typeof ServiceHistorySchema>;
