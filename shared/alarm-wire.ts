// Alarms on the wire: the alarm list, lifecycle events, flood status, KPIs, flight
// recordings, diagnosis and the bodies of alarm commands. Browser-safe; the twin and the
// REST clients validate with these schemas, the edge builds its payloads to their types.
import { z } from 'zod';
import { AlarmPrioritySchema, ALARM_KINDS } from './alarm-rules.js';

/**
 * ISA-18.2 alarm states (figure 5 of ANSI/ISA-18.2-2016): A normal, B unacknowledged,
 * C acknowledged, D returned unacknowledged, E shelved, F suppressed by design,
 * G out of service.
 */
export const ALARM_STATES = ['normal', 'active-unacked', 'active-acked', 'rtn-unacked', 'shelved', 'suppressed', 'out-of-service'] as const;
export const AlarmStateSchema = z.enum(ALARM_STATES);
export type AlarmState = z.infer<typeof AlarmStateSchema>;

export const AlarmKindSchema = z.enum(ALARM_KINDS);

export const ShelveInfoSchema = z.object({ by: z.string(), at: z.number(), until: z.number(), reason: z.string() });
export const OutOfServiceInfoSchema = z.object({ by: z.string(), at: z.number(), reason: z.string() });

/** A fault-code catalogue entry in one language. */
export const FaultAdviceSchema = z.object({
  code: z.number(),
  machineType: z.string(),
  lang: z.enum(['en', 'zh-CN']),
  /** False when the code is not in the catalogue (title/cause say so, checks tell whom to ask). */
  known: z.boolean(),
  title: z.string(),
  cause: z.string(),
  checks: z.array(z.string()),
  remedy: z.string(),
});
export type FaultAdvice = z.infer<typeof FaultAdviceSchema>;

/** One process tag against the machine's own healthy baseline. */
export const TagHealthSchema = z.object({
  tag: z.string(),
  unit: z.string().optional(),
  /** 'learning' until the baseline has seen learnMinutes of readable buckets; 'scoring' after. */
  status: z.enum(['learning', 'scoring']),
  /** The healthy model: level = idle + (running − idle) × running share filtered with tauSeconds. */
  model: z.object({ idle: z.number(), running: z.number(), tauSeconds: z.number() }).nullable(),
  /** What the healthy machine would read in the last bucket, and the residual spread. */
  expected: z.number().nullable(),
  residualStd: z.number().nullable(),
  /** Buckets the baseline has learned from. */
  buckets: z.number(),
  /** Last bucket's mean and its z-score against the baseline. */
  current: z.number().nullable(),
  z: z.number().nullable(),
  /** One-sided CUSUM of z divided by its decision limit: 1 = drift detected. */
  score: z.number(),
  /** Last raw value (whatever the machine state). */
  last: z.number().nullable(),
});
export type TagHealth = z.infer<typeof TagHealthSchema>;

export const MachineHealthSchema = z.object({
  machineId: z.string(),
  /** Worst tag score (0 while learning). */
  score: z.number(),
  worstTag: z.string().nullable(),
  tags: z.array(TagHealthSchema),
  ts: z.number(),
});
export type MachineHealth = z.infer<typeof MachineHealthSchema>;

/** What maintenance sees next to a fault alarm: the catalogue's advice and how far the signals are from healthy. */
export const AlarmDiagnosisSchema = z.object({
  advice: z.array(FaultAdviceSchema),
  health: MachineHealthSchema.nullable(),
});
export type AlarmDiagnosis = z.infer<typeof AlarmDiagnosisSchema>;

/** One alarm point (a rule on a machine) as the operator sees it. */
export const AlarmViewSchema = z.object({
  key: z.string(),
  ruleId: z.string(),
  kind: AlarmKindSchema,
  machineId: z.string(),
  tag: z.string().nullable(),
  priority: AlarmPrioritySchema,
  message: z.string(),
  state: AlarmStateSchema,
  /** The process condition (after on/off delays), whether annunciated or not. */
  active: z.boolean(),
  acked: z.boolean(),
  /** The current occurrence (historian `alarms.id`); null when normal, shelved, suppressed or out of service. */
  occurrenceId: z.number().nullable(),
  activeTs: z.number().nullable(),
  ackTs: z.number().nullable(),
  ackBy: z.string().nullable(),
  returnTs: z.number().nullable(),
  value: z.number().nullable(),
  faultCode: z.number().nullable(),
  shelved: ShelveInfoSchema.nullable(),
  outOfService: OutOfServiceInfoSchema.nullable(),
  suppressed: z.boolean(),
  chattering: z.boolean(),
  /** Flight recording captured for this occurrence. */
  recordingId: z.number().nullable().optional(),
  diagnosis: AlarmDiagnosisSchema.nullable().optional(),
});
export type AlarmView = z.infer<typeof AlarmViewSchema>;

export const FloodStatusSchema = z.object({
  active: z.boolean(),
  since: z.number().nullable(),
  /** Annunciated alarms in the sliding window. */
  count: z.number(),
  windowMinutes: z.number(),
  limit: z.number(),
});
export type FloodStatus = z.infer<typeof FloodStatusSchema>;

// ---- flight recorder -----------------------------------------------------------------

export const RecordingSampleSchema = z.object({
  tag: z.string(),
  /** Source timestamp (device clock), epoch ms. */
  ts: z.number(),
  /** Edge receive time, epoch ms: the recording window is on this clock. */
  rx: z.number(),
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  quality: z.enum(['good', 'uncertain', 'bad']),
});
export type RecordingSample = z.infer<typeof RecordingSampleSchema>;

export const RecordingSummarySchema = z.object({
  id: z.number(),
  machineId: z.string(),
  trigger: z.enum(['alarm', 'manual']),
  alarmId: z.number().nullable(),
  alarmKey: z.string().nullable(),
  note: z.string().nullable(),
  triggerTs: z.number(),
  from: z.number(),
  to: z.number(),
  /** 'recording' until `to` has passed, then 'complete'. */
  status: z.enum(['recording', 'complete']),
  sampleCount: z.number(),
});
export type RecordingSummary = z.infer<typeof RecordingSummarySchema>;

export const RecordingSchema = RecordingSummarySchema.extend({
  /** Every tag's value at `from` (the last sample before the window), so each trend starts defined. */
  initial: z.array(RecordingSampleSchema),
  samples: z.array(RecordingSampleSchema),
});
export type Recording = z.infer<typeof RecordingSchema>;

export const ALARM_EVENT_TYPES = [
  'raised', 'acknowledged', 'cleared', 'normal', 'shelved', 'unshelved', 'suppressed', 'unsuppressed',
  'out-of-service', 'in-service', 'chatter-started', 'chatter-ended', 'flood-started', 'flood-ended', 'recording',
] as const;
export const AlarmEventTypeSchema = z.enum(ALARM_EVENT_TYPES);
export type AlarmEventType = z.infer<typeof AlarmEventTypeSchema>;

/** Socket.IO `alarm` event: one lifecycle step (or a flood change). */
export const AlarmEventSchema = z.object({
  type: AlarmEventTypeSchema,
  ts: z.number(),
  alarm: AlarmViewSchema.nullable(),
  flood: FloodStatusSchema.nullable(),
  /** Who acted (ack, shelve, out of service); null for what the process did. */
  by: z.string().nullable(),
  /** For `recording`: the flight recording that has just completed. */
  recording: RecordingSummarySchema.nullable().optional(),
});
export type AlarmEvent = z.infer<typeof AlarmEventSchema>;

/** Socket.IO `alarms` event and GET /api/alarms: the standing list. */
export const AlarmListSchema = z.object({
  alarms: z.array(AlarmViewSchema),
  flood: FloodStatusSchema,
  ts: z.number(),
});
export type AlarmList = z.infer<typeof AlarmListSchema>;

/** A closed or open occurrence from the alarm journal. */
export const AlarmOccurrenceSchema = z.object({
  id: z.number(),
  key: z.string(),
  ruleId: z.string(),
  kind: AlarmKindSchema,
  machineId: z.string(),
  tag: z.string().nullable(),
  priority: AlarmPrioritySchema,
  message: z.string(),
  state: AlarmStateSchema,
  faultCode: z.number().nullable(),
  activeTs: z.number(),
  ackTs: z.number().nullable(),
  ackBy: z.string().nullable(),
  returnTs: z.number().nullable(),
  /** When the occurrence stopped being annunciated (normal, shelved, suppressed, out of service). */
  closedTs: z.number().nullable(),
  chattering: z.boolean(),
  recordingId: z.number().nullable(),
});
export type AlarmOccurrence = z.infer<typeof AlarmOccurrenceSchema>;

// ---- commands (REST bodies) ----------------------------------------------------------

export const AckBodySchema = z.strictObject({ note: z.string().max(500).optional() }).prefault({});
export const ShelveBodySchema = z.strictObject({
  minutes: z.number().positive(),
  reason: z.string().min(1, 'say why the alarm is shelved (ISA-18.2 requires a reason)').max(500),
});
export const OutOfServiceBodySchema = z.strictObject({ reason: z.string().min(1, 'say why the alarm is taken out of service').max(500) });

// ---- KPIs ----------------------------------------------------------------------------

export const BadActorSchema = z.object({ key: z.string(), machineId: z.string(), ruleId: z.string(), count: z.number(), share: z.number() });

/** ISA-18.2 §16 / EEMUA 191 alarm-system performance over one period (usually a shift). */
export const AlarmKpisSchema = z.object({
  from: z.number(),
  to: z.number(),
  shift: z.object({ name: z.string(), date: z.string() }).nullable(),
  operators: z.number(),
  /** Annunciated alarms in the period. */
  annunciated: z.number(),
  perOperatorHour: z.number(),
  perOperator10Min: z.object({ average: z.number(), max: z.number() }),
  /** Share of 10-minute windows with more than the flood limit. */
  floodShare: z.number(),
  floodMinutes: z.number(),
  /** Alarms active at the end of the period, and those active longer than staleAfterHours. */
  standing: z.number(),
  stale: z.number(),
  byPriority: z.record(z.string(), z.number()),
  /** Top ten by count; share = of all annunciated alarms. */
  badActors: z.array(BadActorSchema),
  /** Share of all alarms that the top ten produced (EEMUA: aim for < 1 %–5 % each). */
  topTenShare: z.number(),
  chattering: z.array(z.string()),
  shelvedNow: z.number(),
  /** Median and 90th percentile time to acknowledge, seconds (null when nothing was acknowledged). */
  ackSeconds: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
});
export type AlarmKpis = z.infer<typeof AlarmKpisSchema>;

export const RecordBodySchema = z.strictObject({
  note: z.string().max(500).optional(),
  preSeconds: z.number().min(0).max(3600).optional(),
  postSeconds: z.number().min(0).max(3600).optional(),
}).prefault({});
