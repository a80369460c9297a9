// Commands that act on the line (POST /api/commands, Socket.IO `command`) and the audit log
// that records every one of them (GET /api/audit). One schema for both transports, so a
// command means the same thing whichever way it arrives. Browser-safe.
import { z } from 'zod';
import { RoleSchema, type Role } from './auth-api.js';
import { TagValueSchema } from './live-protocol.js';

const id = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use the id from the plant file, e.g. mill');
/** Writes to a PLC are on the record with the words of the person who asked for them. */
const reason = z.string().trim().min(3, 'say why (at least 3 characters): the reason goes into the audit log').max(500);
const alarmKey = z.string().min(1).max(200);

export const AckAlarmCommandSchema = z.strictObject({
  kind: z.literal('ack-alarm'),
  alarmKey,
  note: z.string().max(500).optional(),
});
export const ShelveAlarmCommandSchema = z.strictObject({
  kind: z.literal('shelve-alarm'),
  alarmKey,
  minutes: z.number().positive().max(7 * 24 * 60),
  reason,
});
export const WriteSetpointCommandSchema = z.strictObject({
  kind: z.literal('write-setpoint'),
  machineId: id,
  tag: id,
  value: TagValueSchema.refine((v) => typeof v !== 'string' || v.length <= 256, 'text values are limited to 256 characters'),
  reason,
});
export const ResetFaultCommandSchema = z.strictObject({
  kind: z.literal('reset-fault'),
  machineId: id,
  reason,
});
export const SpeedOverrideCommandSchema = z.strictObject({
  kind: z.literal('speed-override'),
  machineId: id,
  /** Percent of nominal speed; the plant file's min/max for the speedOverride tag apply. */
  percent: z.number(),
  reason,
});

export const CommandRequestSchema = z.discriminatedUnion('kind', [
  AckAlarmCommandSchema, ShelveAlarmCommandSchema, WriteSetpointCommandSchema, ResetFaultCommandSchema, SpeedOverrideCommandSchema,
]);
export type CommandRequest = z.infer<typeof CommandRequestSchema>;
export type CommandKind = CommandRequest['kind'];

/** The least role that may issue each command. */
export const COMMAND_MIN_ROLE: Record<CommandKind, Role> = {
  'ack-alarm': 'operator',
  'shelve-alarm': 'operator',
  'write-setpoint': 'maintenance',
  'reset-fault': 'maintenance',
  'speed-override': 'maintenance',
};

export const ReadBackSchema = z.object({
  /** True once the model saw the expected value come back from the device. */
  confirmed: z.boolean(),
  /** What was expected, and the last value seen (null if none arrived). */
  expected: z.string(),
  observed: TagValueSchema,
  /** ms from the write completing to the confirmation (or to the time-out). */
  afterMs: z.number(),
});
export type ReadBack = z.infer<typeof ReadBackSchema>;

export const CommandResultSchema = z.object({
  kind: z.string(),
  /** 'done' = carried out (and read back, for writes); 'unconfirmed' = written, but the value did not come back in time. */
  outcome: z.enum(['done', 'unconfirmed']),
  /** The audit entry that records it. */
  auditId: z.number(),
  readBack: ReadBackSchema.nullable(),
  message: z.string(),
});
export type CommandResult = z.infer<typeof CommandResultSchema>;

/** Socket.IO `command` acknowledgement: the result or an error with the HTTP-like status. */
export const CommandAckSchema = z.union([
  z.object({ ok: z.literal(true), result: CommandResultSchema }),
  z.object({
    ok: z.literal(false), status: z.number(), error: z.string(), code: z.string().optional(), field: z.string().optional(),
    /** With status 429: ms until a PLC write may be sent again (REST says it in Retry-After). */
    retryAfterMs: z.number().optional(),
  }),
]);
export type CommandAck = z.infer<typeof CommandAckSchema>;

export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed', 'unconfirmed'] as const;
export const AuditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditEntrySchema = z.object({
  id: z.number(),
  ts: z.number(),
  /** User name, or "anonymous" / "system". */
  actor: z.string(),
  role: RoleSchema.nullable(),
  /** e.g. login, command.write-setpoint, api.refused, socket.refused, user.add */
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  outcome: AuditOutcomeSchema,
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = z.strictObject({
  /** Entries with an id greater than this (page forward). */
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  action: z.string().max(64).optional(),
  actor: z.string().max(64).optional(),
});

export const AuditPageSchema = z.object({ entries: z.array(AuditEntrySchema), next: z.number().nullable() });
export type AuditPage = z.infer<typeof AuditPageSchema>;

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  entries: z.number(),
  /** The first entry whose hash or link does not hold, with why. */
  firstBroken: z.object({ id: z.number(), reason: z.string() }).nullable(),
  headHash: z.string().nullable(),
  /** The anchors written outside the database (edge/audit/audit-anchors.ts) and what they found: entries missing from the end, or rewritten. */
  anchors: z.object({
    checked: z.number(),
    problems: z.array(z.object({ line: z.number().nullable(), kind: z.enum(['missing', 'rewritten', 'unsigned', 'unreadable']), message: z.string() })),
  }).optional(),
});
export type AuditVerify = z.infer<typeof AuditVerifySchema>;
