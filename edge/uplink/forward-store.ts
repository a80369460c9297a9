// Store-and-forward queue: Sparkplug data messages the broker has not taken yet, in SQLite
// (its own file, so the historian's writer never waits on it). Bounded by a metric count:
// beyond it the oldest messages go first, and every dropped metric is counted and reported.
// Tables and migrations: forward-schema.ts, migrations/ (this module's own).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from '../logger.js';
import { migrateModule, openDatabase } from '../store/database.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface QueuedMessage {
  id: number;
  /** Machine (Sparkplug device) id, or null for node data. */
  device: string | null;
  metrics: number;
  /** Encoded Sparkplug payload, metrics flagged historical, without seq (see withSeq). */
  payload: Buffer;
}

export interface ForwardStoreOptions {
  file: string;
  maxMetrics: number;
  now: () => number;
  log: Log;
  /** Repeated drop warnings are summarised at most this often (default 10 s). */
  warnEveryMs?: number;
}

export interface ForwardStore {
  append(messages: readonly { device: string | null; metrics: number; payload: Uint8Array }[]): void;
  /** Oldest first: up to `limit` messages with an id above `afterId`. */
  peek(limit: number, afterId?: number): QueuedMessage[];
  /** The broker took it: forget it. */
  remove(id: number): void;
  queuedMessages(): number;
  queuedMetrics(): number;
  /** Metrics dropped to hold the bound, since the file was created. */
  droppedMetrics(): number;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /** Drops everything queued (counted as dropped). */
  clear(reason: string): void;
  /**
   * Rewrites every queued message in order (e.g. new aliases after a plant-file change): `fn`
   * returns the new payload and its metric count, or null to drop the message. Metrics that
   * disappear are counted as dropped.
   */
  rewrite(fn: (message: QueuedMessage) => { payload: Uint8Array; metrics: number } | null, reason: string): void;
  close(): void;
}

export function openForwardStore(options: ForwardStoreOptions): ForwardStore {
  const { log, now } = options;
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  const db = openDatabase(options.file);
  migrateModule(db, { folder: MIGRATIONS, table: '__forward_migrations' });
  const insert = db.prepare('INSERT INTO forward_queue (device, metrics, payload) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT id, device, metrics, payload FROM forward_queue WHERE id > ? ORDER BY id LIMIT ?');
  const removeOne = db.prepare('DELETE FROM forward_queue WHERE id = ? RETURNING metrics').pluck();
  const oldest = db.prepare('SELECT id, metrics FROM forward_queue ORDER BY id LIMIT ?');
  const removeUpTo = db.prepare('DELETE FROM forward_queue WHERE id <= ?');
  const update = db.prepare('UPDATE forward_queue SET payload = ?, metrics = ? WHERE id = ?');
  const removeById = db.prepare('DELETE FROM forward_queue WHERE id = ?');
  const getMetaStmt = db.prepare('SELECT value FROM forward_meta WHERE key = ?').pluck();
  const setMetaStmt = db.prepare('INSERT INTO forward_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

  const totals = db.prepare('SELECT count(*) AS n, coalesce(sum(metrics), 0) AS m FROM forward_queue').get() as { n: number; m: number };
  let messages = totals.n;
  let metrics = totals.m;
  let dropped = Number(getMetaStmt.get('dropped_metrics') ?? 0);
  let lastWarnAt = -Infinity;
  let droppedSinceWarn = 0;

  function noteDropped(n: number, why: string) {
    dropped += n;
    droppedSinceWarn += n;
    setMetaStmt.run('dropped_metrics', String(dropped));
    const t = now();
    if (t - lastWarnAt >= warnEveryMs) {
      log('warn', `uplink store-and-forward: dropped ${droppedSinceWarn} oldest metric(s) ${why} (${dropped} in total). ` +
        'Bring the broker back, or raise uplink.storeAndForward.maxMetrics if the disk allows.');
      lastWarnAt = t;
      droppedSinceWarn = 0;
    }
  }

  /** Oldest first until the bound holds again. */
  function holdBound() {
    if (metrics <= options.maxMetrics) return;
    let excess = metrics - options.maxMetrics;
    let lastId = -1;
    let freedMetrics = 0;
    let freedMessages = 0;
    while (excess > 0) {
      const rows = oldest.all(256) as { id: number; metrics: number }[];
      if (!rows.length) break;
      for (const r of rows) {
        lastId = r.id;
        freedMetrics += r.metrics;
        freedMessages++;
        excess -= r.metrics;
        if (excess <= 0) break;
      }
      removeUpTo.run(lastId);
    }
    messages -= freedMessages;
    metrics -= freedMetrics;
    noteDropped(freedMetrics, `to stay within ${options.maxMetrics} queued metrics`);
  }

  const appendTx = db.transaction((batch: readonly { device: string | null; metrics: number; payload: Uint8Array }[]) => {
    for (const m of batch) {
      insert.run(m.device, m.metrics, Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength));
      messages++;
      metrics += m.metrics;
    }
    holdBound();
  });

  return {
    append(batch) {
      if (batch.length) appendTx(batch);
    },
    peek(limit, afterId = 0) {
      return select.all(afterId, limit) as QueuedMessage[];
    },
    remove(id) {
      const n = removeOne.get(id) as number | undefined;
      if (n === undefined) return; // already dropped by the bound
      messages--;
      metrics -= n;
    },
    queuedMessages: () => messages,
    queuedMetrics: () => metrics,
    droppedMetrics: () => dropped,
    getMeta: (key) => getMetaStmt.get(key) as string | undefined,
    setMeta: (key, value) => void setMetaStmt.run(key, value),
    clear(reason) {
      if (!metrics) return;
      const n = metrics;
      db.exec('DELETE FROM forward_queue');
      messages = 0;
      metrics = 0;
      noteDropped(n, reason);
    },
    rewrite(fn, reason) {
      let lost = 0;
      db.transaction(() => {
        // In pages: better-sqlite3 cannot write while a statement is still iterating.
        let after = 0;
        for (let page = select.all(after, 256) as QueuedMessage[]; page.length; page = select.all(after, 256) as QueuedMessage[]) {
          after = page[page.length - 1]!.id;
          for (const row of page) {
            const next = fn(row);
            if (!next) {
              removeById.run(row.id);
              messages--;
              metrics -= row.metrics;
              lost += row.metrics;
              continue;
            }
            update.run(Buffer.from(next.payload.buffer, next.payload.byteOffset, next.payload.byteLength), next.metrics, row.id);
            metrics += next.metrics - row.metrics;
            lost += row.metrics - next.metrics;
          }
        }
      })();
      if (lost > 0) noteDropped(lost, reason);
    },
    close: () => db.close(),
  };
}
