// The local historian: one writer, batched transactions, WAL. Hot-path inserts use
// prepared better-sqlite3 statements (drizzle's multi-row insert is ~9x slower);
// drizzle owns the schema, migrations and the read queries.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, asc, eq, gte, isNull, lt, or, gt } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { ModelEvent } from '../model/plant-model.js';
import * as schema from './schema.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface HistorianOptions {
  file: string;
  now: () => number;
  /** How long events wait to be written together. */
  flushIntervalMs?: number;
}

export interface StateInterval { machineId: string; state: string; startTs: number; endTs: number | null; reason: string | null }

export interface Historian {
  record(events: readonly ModelEvent[]): void;
  /** Writes everything queued; what returns from here is durable (acknowledged). */
  flush(): void;
  stateIntervals(machineId: string, from: number, to: number): StateInterval[];
  tagHistory(tag: string, from: number, to: number): { ts: number; value: number | string | null; quality: string }[];
  stats(): { pending: number; written: number };
  close(): void;
  readonly db: BetterSQLite3Database<typeof schema>;
}

export function openHistorian(options: HistorianOptions): Historian {
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const sqlite = new Database(options.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });

  const insertSample = sqlite.prepare('INSERT INTO tag_samples (tag, ts, value_num, value_text, quality) VALUES (?, ?, ?, ?, ?)');
  const closeState = sqlite.prepare('UPDATE machine_states SET end_ts = ? WHERE machine_id = ? AND end_ts IS NULL');
  const openState = sqlite.prepare('INSERT INTO machine_states (machine_id, state, start_ts, end_ts, reason) VALUES (?, ?, ?, NULL, ?)');
  const insertCount = sqlite.prepare('INSERT INTO production_counts (machine_id, ts, delta_total, delta_good) VALUES (?, ?, ?, ?)');
  const insertEnergy = sqlite.prepare('INSERT INTO energy_deltas (machine_id, ts, delta_kwh) VALUES (?, ?, ?)');

  let queue: ModelEvent[] = [];
  let written = 0;
  const writeBatch = sqlite.transaction((events: ModelEvent[]) => {
    for (const e of events) {
      switch (e.kind) {
        case 'tag': {
          const v = e.sample.value;
          const num = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null;
          insertSample.run(e.sample.tag, e.sample.ts, num, typeof v === 'string' ? v : null, e.sample.quality);
          break;
        }
        case 'state':
          closeState.run(e.ts, e.machineId);
          openState.run(e.machineId, e.state, e.ts, e.reason);
          break;
        case 'count':
          insertCount.run(e.machineId, e.ts, e.deltaTotal, e.deltaGood);
          break;
        case 'energy':
          insertEnergy.run(e.machineId, e.ts, e.deltaKWh);
          break;
      }
    }
  });

  function flush() {
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    writeBatch(batch);
    written += batch.length;
  }
  const timer = setInterval(flush, options.flushIntervalMs ?? 250);
  timer.unref();

  return {
    db,
    record(events) {
      for (const e of events) queue.push(e);
    },
    flush,
    stateIntervals(machineId, from, to) {
      return db
        .select({ machineId: schema.machineStates.machineId, state: schema.machineStates.state, startTs: schema.machineStates.startTs, endTs: schema.machineStates.endTs, reason: schema.machineStates.reason })
        .from(schema.machineStates)
        .where(and(eq(schema.machineStates.machineId, machineId), lt(schema.machineStates.startTs, to), or(isNull(schema.machineStates.endTs), gt(schema.machineStates.endTs, from))))
        .orderBy(asc(schema.machineStates.startTs))
        .all();
    },
    tagHistory(tag, from, to) {
      return db
        .select({ ts: schema.tagSamples.ts, num: schema.tagSamples.valueNum, text: schema.tagSamples.valueText, quality: schema.tagSamples.quality })
        .from(schema.tagSamples)
        .where(and(eq(schema.tagSamples.tag, tag), gte(schema.tagSamples.ts, from), lt(schema.tagSamples.ts, to)))
        .orderBy(asc(schema.tagSamples.ts))
        .all()
        .map((r) => ({ ts: r.ts, value: r.num ?? r.text, quality: r.quality }));
    },
    stats: () => ({ pending: queue.length, written }),
    close() {
      clearInterval(timer);
      flush();
      sqlite.close();
    },
  };
}
