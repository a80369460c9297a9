// Wire shapes of the shift handover API (/api/handover/…, edge/handover): notes and open issues
// per line and shift, and the shift report made at each shift's end. Browser-safe.
import { z } from 'zod';
import { ParetoRowSchema } from './downtime-api.js';

export const NoteBodySchema = z.strictObject({
  /** 'issue': stays open, carried into the next shifts, until someone closes it. */
  kind: z.enum(['note', 'issue']).default('note'),
  text: z.string().trim().min(1, 'write something').max(2000),
  machineId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a machine id').optional(),
});
export type NoteBody = z.infer<typeof NoteBodySchema>;

export const CloseIssueBodySchema = z.strictObject({ text: z.string().trim().max(2000).optional() });
export const NotePathSchema = z.strictObject({ id: z.coerce.number().int().min(1).max(2 ** 52) });
export const ReportPathSchema = NotePathSchema;
export const ReportQuerySchema = z.strictObject({
  format: z.enum(['json', 'csv']).default('json'),
});
export const PrintQuerySchema = z.strictObject({ lang: z.enum(['en', 'zh-CN']).default('en') });
export const ReportsQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(30) });

export const ShiftRefSchema = z.object({ name: z.string(), date: z.string(), start: z.number(), end: z.number() });
export type ShiftRef = z.infer<typeof ShiftRefSchema>;

export const NoteSchema = z.object({
  id: z.number(),
  kind: z.enum(['note', 'issue']),
  machineId: z.string().nullable(),
  text: z.string(),
  author: z.string(),
  role: z.string(),
  ts: z.number(),
  shift: ShiftRefSchema,
  /** Issues only: when and by whom it was closed (null while open). */
  closed: z.object({ by: z.string(), ts: z.number(), text: z.string().nullable() }).nullable(),
});
export type Note = z.infer<typeof NoteSchema>;

export const HandoverAnswerSchema = z.object({
  lineId: z.string(),
  shift: ShiftRefSchema.nullable(),
  notes: z.array(NoteSchema),
  /** Issues still open, from this shift and every earlier one. */
  openIssues: z.array(NoteSchema),
  /** The report of the shift before, when there is one. */
  previousReport: z.object({ id: z.number(), shift: ShiftRefSchema }).nullable(),
});
export type HandoverAnswer = z.infer<typeof HandoverAnswerSchema>;

export const MachineShiftSchema = z.object({
  machineId: z.string(),
  name: z.string(),
  availability: z.number(),
  performance: z.number(),
  quality: z.number(),
  oee: z.number(),
  counts: z.object({ total: z.number(), good: z.number(), scrap: z.number() }),
  energyKWh: z.number(),
  unclassifiedSeconds: z.number(),
});

export const ShiftReportSchema = z.object({
  id: z.number(),
  line: z.object({ id: z.string(), name: z.string() }),
  timezone: z.string(),
  shift: ShiftRefSchema,
  generatedAt: z.number(),
  /** Line OEE by the bottleneck method (docs/kpi.md), null without data. */
  lineOee: z.object({ bottleneck: z.string(), availability: z.number(), performance: z.number(), quality: z.number(), oee: z.number() }).nullable(),
  machines: z.array(MachineShiftSchema),
  /** Losses by reason over the line, largest first; unclassified its own row. */
  losses: z.array(ParetoRowSchema),
  scrap: z.number(),
  energyKWh: z.number(),
  /** Orders of the shift, when the orders module gives them; null when it does not. */
  orders: z.array(z.record(z.string(), z.unknown())).nullable(),
  notes: z.array(NoteSchema),
  openIssues: z.array(NoteSchema),
});
export type ShiftReport = z.infer<typeof ShiftReportSchema>;
