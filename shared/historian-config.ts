// The plant file's optional `historian:` section: how much the edge keeps, for how long,
// and where its backups go. Every field has a default, so a plant file may leave it out.
// Browser-safe (no Node imports).
import { z } from 'zod';

const days = z.number().positive();

/** How long each kind of row is kept, in days. The audit log is never pruned by age (it is evidence). */
export const RetentionSchema = z.strictObject({
  /** Raw tag samples (numeric, boolean, string). */
  rawDays: days.default(7),
  /** Per-minute aggregates (min, max, avg, last, count). */
  minuteDays: days.default(365),
  /** Machine state intervals, part counts and energy deltas. */
  eventsDays: days.default(365),
  /** Closed KPI periods (shifts). */
  kpiDays: days.default(5 * 365),
  /** Alarm records. */
  alarmsDays: days.default(365),
});
export type RetentionConfig = z.infer<typeof RetentionSchema>;

export const BackupSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Folder for backup files; a relative path is taken from the database file's folder. */
  dir: z.string().min(1).default('backups'),
  intervalHours: z.number().positive().default(24),
  /** Backups kept; older ones are deleted after each new one. */
  keep: z.number().int().min(1).default(7),
});
export type BackupConfig = z.infer<typeof BackupSchema>;

export const HistorianSettingsSchema = z.strictObject({
  /** How long accepted events wait to be written together in one transaction. */
  flushIntervalMs: z.number().int().min(10).max(10_000).default(250),
  /** An unchanged tag is written again at least this often, so a flat line is not a gap. */
  heartbeatSeconds: z.number().positive().default(30),
  retention: RetentionSchema.prefault({}),
  /** How often retention and the size budget are checked in the background. */
  retentionCheckMinutes: z.number().positive().default(10),
  /** Size budget of the database file; the oldest raw samples are dropped first to hold it. */
  maxDatabaseMB: z.number().positive().default(1024),
  backup: BackupSchema.prefault({}),
});
export type HistorianSettings = z.infer<typeof HistorianSettingsSchema>;
export type HistorianSettingsInput = z.input<typeof HistorianSettingsSchema>;

export function historianSettings(input: HistorianSettingsInput | undefined = {}): HistorianSettings {
  return HistorianSettingsSchema.parse(input);
}
