// The emissions module's storage: minute/hour/day records and the HJ 212 outbox, in the edge's
// SQLite file on this module's own connection and migrations (edge/store/database.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { migrateModule, openDatabase } from '../store/database.js';
import type { DataFlag } from '../../shared/emissions/index.js';
import type { Hj212Packet } from '../../shared/hj212/index.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Period = 'minute' | 'hour' | 'day';

export interface EmissionRecord {
  period: Period;
  outlet: string;
  code: string;
  start: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  zsAvg: number | null;
  zsMin: number | null;
  zsMax: number | null;
  cou: number | null;
  flag: DataFlag;
  validParts: number;
  expectedParts: number;
}

export interface OutboxEntry {
  id: number;
  platform: string;
  qn: string;
  cn: string;
  dataTime: number;
  /** The packet with an empty PW: the link puts the password in when it sends. */
  packet: Hj212Packet;
  attempts: number;
}

/** Most packets kept per platform while it is unreachable: a year of minute packets for two outlets. */
export const MAX_OUTBOX_PER_PLATFORM = 2 * 366 * 24 * 60;
/** Most records one query returns (a day of minutes for 16 factors). */
export const MAX_RECORDS_PER_QUERY = 24 * 60 * 16;

export interface EmissionStore {
  readonly sqlite: Database.Database;
  putRecords(records: readonly EmissionRecord[]): void;
  records(period: Period, outlet: string, from: number, to: number, limit?: number): EmissionRecord[];
  /** Start of the newest stored record of an outlet and period, or null. */
  lastStart(period: Period, outlet: string): number | null;
  /** Start of the newest record of one factor with this flag since `from`, or null. */
  lastFlagged(period: Period, outlet: string, code: string, flag: DataFlag, from: number): number | null;
  enqueue(entries: ReadonlyArray<Omit<OutboxEntry, 'id' | 'attempts'>>, createdAt: number): void;
  /** Oldest waiting packet of a platform. */
  nextFor(platform: string): OutboxEntry | undefined;
  countFor(platform: string): number;
  /** Answered (or needing none): gone from the queue. */
  done(id: number): void;
  attempted(id: number): void;
  /** Packets dropped because a queue was full, since this store was opened. */
  dropped(): number;
  close(): void;
}

export function openEmissionStore(file: string): EmissionStore {
  const sqlite = openDatabase(file);
  migrateModule(sqlite, { folder: MIGRATIONS, table: '__emission_migrations' });
  const upsert = sqlite.prepare(`INSERT INTO emission_records (period, outlet, code, start, avg, min, max, zs_avg, zs_min, zs_max, cou, flag, valid_parts, expected_parts)
    VALUES (@period, @outlet, @code, @start, @avg, @min, @max, @zsAvg, @zsMin, @zsMax, @cou, @flag, @validParts, @expectedParts)
    ON CONFLICT (period, outlet, code, start) DO UPDATE SET avg = excluded.avg, min = excluded.min, max = excluded.max, zs_avg = excluded.zs_avg,
      zs_min = excluded.zs_min, zs_max = excluded.zs_max, cou = excluded.cou, flag = excluded.flag, valid_parts = excluded.valid_parts, expected_parts = excluded.expected_parts`);
  const select = sqlite.prepare(`SELECT period, outlet, code, start, avg, min, max, zs_avg AS zsAvg, zs_min AS zsMin, zs_max AS zsMax, cou, flag,
    valid_parts AS validParts, expected_parts AS expectedParts FROM emission_records WHERE period = ? AND outlet = ? AND start >= ? AND start < ? ORDER BY start, code LIMIT ?`);
  const last = sqlite.prepare('SELECT max(start) FROM emission_records WHERE period = ? AND outlet = ?').pluck();
  const lastFlag = sqlite.prepare('SELECT max(start) FROM emission_records WHERE period = ? AND outlet = ? AND code = ? AND start >= ? AND flag = ?').pluck();
  const insertOut = sqlite.prepare('INSERT INTO hj212_outbox (platform, qn, cn, data_time, segment, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const next = sqlite.prepare('SELECT id, platform, qn, cn, data_time AS dataTime, segment, attempts FROM hj212_outbox WHERE platform = ? ORDER BY id LIMIT 1');
  const count = sqlite.prepare('SELECT count(*) FROM hj212_outbox WHERE platform = ?').pluck();
  const remove = sqlite.prepare('DELETE FROM hj212_outbox WHERE id = ?');
  const bump = sqlite.prepare('UPDATE hj212_outbox SET attempts = attempts + 1 WHERE id = ?');
  const trim = sqlite.prepare('DELETE FROM hj212_outbox WHERE id IN (SELECT id FROM hj212_outbox WHERE platform = ? ORDER BY id LIMIT ?)');
  let droppedCount = 0;

  const putRecords = sqlite.transaction((records: readonly EmissionRecord[]) => {
    for (const r of records) upsert.run(r);
  });
  const enqueue = sqlite.transaction((entries: ReadonlyArray<Omit<OutboxEntry, 'id' | 'attempts'>>, createdAt: number) => {
    const platforms = new Set<string>();
    for (const e of entries) {
      insertOut.run(e.platform, e.qn, e.cn, e.dataTime, JSON.stringify(e.packet), createdAt);
      platforms.add(e.platform);
    }
    for (const p of platforms) {
      const over = (count.get(p) as number) - MAX_OUTBOX_PER_PLATFORM;
      if (over > 0) {
        trim.run(p, over);
        droppedCount += over;
      }
    }
  });

  return {
    sqlite,
    putRecords: (records) => putRecords(records),
    records: (period, outlet, from, to, limit = MAX_RECORDS_PER_QUERY) => select.all(period, outlet, from, to, Math.min(limit, MAX_RECORDS_PER_QUERY)) as EmissionRecord[],
    lastStart: (period, outlet) => (last.get(period, outlet) as number | null) ?? null,
    lastFlagged: (period, outlet, code, flag, from) => (lastFlag.get(period, outlet, code, from, flag) as number | null) ?? null,
    enqueue: (entries, createdAt) => enqueue(entries, createdAt),
    nextFor(platform) {
      const row = next.get(platform) as (Omit<OutboxEntry, 'packet'> & { segment: string }) | undefined;
      if (!row) return undefined;
      const { segment, ...rest } = row;
      return { ...rest, packet: JSON.parse(segment) as Hj212Packet };
    },
    countFor: (platform) => count.get(platform) as number,
    done: (id) => { remove.run(id); },
    attempted: (id) => { bump.run(id); },
    dropped: () => droppedCount,
    close: () => sqlite.close(),
  };
}
