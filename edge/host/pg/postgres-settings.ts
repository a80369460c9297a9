// The host file's `postgres:` section: the plant store and the redundant-host lease. Without it
// the host keeps its SQLite files (small plants, the demo). The password is best not written
// here: PGPASSWORD (or ~/.pgpass) is read by the driver as by psql.
import { z } from 'zod';

export const HostPostgresSchema = z.strictObject({
  /** postgres://user@host:5432/db; absent = $TWINLINE_HOST_PG_URL. */
  url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').max(2000).optional(),
  /** Tag samples are kept this long (their day partitions are dropped after). */
  tagSampleRetentionDays: z.number().int().min(1).max(3660).default(90),
  /** States, shift counters and totals, losses and alarm transitions. */
  eventRetentionDays: z.number().int().min(1).max(36_600).default(5 * 366),
  partitionsAheadDays: z.number().int().min(1).max(366).default(7),
  /** How often a standby host tries for the primary lease (and the primary checks it holds it). */
  leaseRetryMs: z.number().int().min(100).max(60_000).default(500),
  /** On taking over, wait up to this long for the edges to notice the old primary is gone (they then store and forward). */
  handoverMs: z.number().int().min(0).max(60_000).default(3000),
  flushIntervalMs: z.number().int().min(10).max(10_000).default(200),
});
export type HostPostgres = z.infer<typeof HostPostgresSchema>;
