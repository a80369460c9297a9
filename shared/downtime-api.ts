// Wire shapes of the downtime API (/api/downtime/…, edge/downtime): stops with their reasons,
// the operator's classification (one reason, or a split into parts), its history, and losses
// by reason. Browser-safe: the twin parses the same schemas.
import { z } from 'zod';
import { BilingualSchema, STOP_LOSSES, UNCLASSIFIED } from './downtime-schema.js';

const machineId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a machine id');
const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/** A stop names itself by machine and start instant: the historian's down interval it is. */
export const StopPathSchema = z.strictObject({ machineId, start: epochMs });

export const StopsQuerySchema = z.strictObject({
  machine: machineId,
  /** Default: the current shift (or the last 8 hours between shifts). */
  from: epochMs.optional(),
  to: epochMs.optional(),
});

/** The andon: every machine's unclassified stops older than the prompt threshold. */
export const PromptsQuerySchema = z.strictObject({});

export const LossesQuerySchema = z.strictObject({
  machine: machineId,
  /** Default: the current shift; with from/to, one closed shift starting in [from, to) … or the current one. */
  shift: z.enum(['current', 'previous']).default('current'),
});

export const ClassificationPartSchema = z.strictObject({
  reason: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'a reason id from the reason tree'),
  /** End of this part (epoch ms); the last part has none: it runs to the stop's end. */
  end: z.number().int().min(0).max(8.64e15).optional(),
});

/** One reason (one part) or a split (several parts, consecutive from the stop's start). */
export const ClassifyBodySchema = z.strictObject({
  parts: z.array(ClassificationPartSchema).min(1).max(12),
  note: z.string().trim().max(500).optional(),
  /** The revision the operator saw: a newer one in between is a conflict (409), not overwritten. */
  basedOn: z.number().int().min(0).max(1_000_000).optional(),
});
export type ClassifyBody = z.infer<typeof ClassifyBodySchema>;

export const StopPartSchema = z.object({
  start: z.number(),
  end: z.number().nullable(),
  reason: z.string(),
  /** operator: given in the twin; plc: the fault code's default; none: unclassified. */
  source: z.enum(['operator', 'plc', 'none']),
});
export type StopPart = z.infer<typeof StopPartSchema>;

export const StopSchema = z.object({
  machineId: z.string(),
  start: z.number(),
  /** null while the machine is still down. */
  end: z.number().nullable(),
  durationSeconds: z.number(),
  faultCode: z.number().nullable(),
  defaultReason: z.string().nullable(),
  parts: z.array(StopPartSchema),
  /** 0 = never classified by an operator. */
  revision: z.number(),
  classifiedBy: z.string().nullable(),
  classifiedAt: z.number().nullable(),
  /** No reason yet (neither operator nor fault map) and longer than the prompt threshold. */
  needsReason: z.boolean(),
});
export type Stop = z.infer<typeof StopSchema>;

export const StopsAnswerSchema = z.object({
  machineId: z.string(),
  from: z.number(),
  to: z.number(),
  promptAfterSeconds: z.number(),
  /** Stops at or over the micro-stop threshold (and the running one), newest first. */
  stops: z.array(StopSchema),
  /** Shorter stops stay grouped: how many and how long. */
  microStops: z.object({ count: z.number(), seconds: z.number(), thresholdSeconds: z.number() }),
});
export type StopsAnswer = z.infer<typeof StopsAnswerSchema>;

export const RevisionSchema = z.object({
  revision: z.number(),
  parts: z.array(z.object({ start: z.number(), end: z.number().nullable(), reason: z.string() })),
  note: z.string().nullable(),
  by: z.string(),
  role: z.string(),
  at: z.number(),
});
export type Revision = z.infer<typeof RevisionSchema>;

export const ReasonsAnswerSchema = z.object({
  machineId: z.string(),
  machineType: z.string(),
  promptAfterSeconds: z.number(),
  categories: z.array(z.object({
    id: z.string(), name: BilingualSchema,
    reasons: z.array(z.object({ id: z.string(), name: BilingualSchema, planned: z.boolean(), loss: z.enum(STOP_LOSSES) })),
  })),
});
export type ReasonsAnswer = z.infer<typeof ReasonsAnswerSchema>;

export const ParetoRowSchema = z.object({
  /** A reason id, `unclassified`, `micro-stops`, `setup`, `idle` or a calendar break's reason. */
  reason: z.string(),
  name: BilingualSchema,
  loss: z.string(),
  planned: z.boolean(),
  seconds: z.number(),
  events: z.number(),
});
export type ParetoRow = z.infer<typeof ParetoRowSchema>;

export { UNCLASSIFIED };
