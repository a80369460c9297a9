// The local historian: one writer, batched transactions, WAL. Hot-path inserts use
// prepared better-sqlite3 statements (drizzle's multi-row insert is ~9x slower);
// drizzle owns the schema, migrations and the read queries.
//
// "Acknowledged": every event handed to onModelEvents() gets a sequence number; a flush writes the
// queued events and the highest sequence number in ONE transaction, and only after that
// transaction has committed does `acknowledgedSeq` move. Everything up to acknowledgedSeq
// survives a crash of the process (WAL, synchronous=NORMAL: the commit is in the OS; a
// power cut may lose the last commits, not corrupt the file).
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { historianSettings, type HistorianSettings, type HistorianSettingsInput } from '../../shared/historian-config.js';
import { computeKpis, type KpiOptions } from '../../shared/kpi/index.js';
import { TOTAL_ROLES, type ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import type { ClosedShift } from '../kpi/index.js';
import type { Log } from '../logger.js';
import * as schema from './schema.js';
import { openDatabase } from './database.js';
import { MinuteRollup } from './minute-rollup.js';
import { heartbeatDue, worthWriting, type LastWritten } from './write-policy.js';
import { HistoryQueries, type RawPoint, type StateInterval } from './history-query.js';
import { Pruner, dbSize, type PruneReport, type SizeReport } from './retention.js';
import { backupDatabase, listBackups } from './backup.js';

export type { StateInterval } from './history-query.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** How often the edge notes it is alive when there is nothing else to write. */
const ALIVE_EVERY_MS = 5_000;
/** Events held while the database refuses writes (disk full, I/O error); the oldest go first beyond this. */
const MAX_PENDING = 2_000_000;

/** How the historian treats one tag, from the plant file. */
export interface TagPolicy {
  kind: schema.TagKind;
  /** Absolute deadband in engineering units (0 = every change). */
  deadband: number;
}

export function tagPolicies(plant: PlantConfig): Map<string, TagPolicy> {
  const out = new Map<string, TagPolicy>();
  for (const m of plant.machines) {
    for (const t of m.tags) {
      // Totals are stored exactly: the model restarts its counters from the last stored value.
      const deadband = TOTAL_ROLES.includes(t.role) ? 0 : (t.deadband ?? 0);
      out.set(`${m.id}.${t.name}`, { kind: t.type === 'bool' ? 'boolean' : t.type === 'string' ? 'string' : 'number', deadband });
    }
  }
  return out;
}

export interface HistorianOptions {
  /** SQLite file, or ':memory:'. */
  file: string;
  now: () => number;
  /** The plant file's `historian:` section (defaults when absent). */
  settings?: HistorianSettingsInput;
  /** Overrides settings.flushIntervalMs (kept for callers of the first version). */
  flushIntervalMs?: number;
  /** Per-tag kind and deadband; tags not listed are stored on every change, kind taken from the value. */
  tags?: ReadonlyMap<string, TagPolicy>;
  /** How stored KPI periods are computed from their totals; pass what the live KPI engine uses. */
  kpi?: KpiOptions;
  log?: Log;
}

export interface HistorianHealth {
  file: string;
  /** Sequence number of the last event handed to onModelEvents(). */
  lastRecordedSeq: number;
  /** Every event up to this sequence number is committed to the database. */
  lastAcknowledgedSeq: number;
  /** Edge-clock time of the last commit. */
  lastAcknowledgedTs: number | null;
  pending: number;
  /** Rows written since the historian opened. */
  rowsWritten: number;
  dbBytes: number;
  maxDbBytes: number;
  lastBackup: string | null;
  lastError: string | null;
}

/** What the historian found when it opened: the previous run's last sign of life. */
export interface Recovery {
  /** Edge-clock time of the previous run's last commit (null on a new database). */
  previousAliveTs: number | null;
  /** State intervals left open by the previous run, closed at previousAliveTs and followed by "no-data". */
  reopenedAsNoData: number;
}

/** A model event sink (edge/model/model-event-sink.ts): onModelEvents queues, the next flush writes. */
export interface Historian extends ModelEventSink {
  /** Stores a closed KPI period (written with the next flush). */
  recordShift(closed: ClosedShift): void;
  /** Writes everything queued; what returns from here is durable (acknowledged). */
  flush(): void;
  stateIntervals(machineId: string, from: number, to: number): StateInterval[];
  /** Raw samples of one tag, `<machineId>.<tagName>`. */
  tagHistory(tag: string, from: number, to: number): RawPoint[];
  readonly queries: HistoryQueries;
  readonly recovery: Recovery;
  readonly settings: HistorianSettings;
  stats(): { pending: number; written: number };
  health(): HistorianHealth;
  /** Applies retention and the size budget now (also runs in the background). */
  maintain(): Promise<{ retention: PruneReport; size: SizeReport | null }>;
  /** Writes an online backup now; resolves to its file. */
  backupNow(): Promise<string>;
  close(): void;
  readonly db: BetterSQLite3Database<typeof schema>;
  readonly sqlite: Database.Database;
}

/** Per-tag write state. It is its own LastWritten (value/quality), so the hot path allocates nothing. */
interface TagState extends LastWritten {
  id: number;
  name: string;
  kind: schema.TagKind;
  deadband: number;
  /** `value`/`quality` hold the last write (including writes staged in the running batch) once this is true. */
  hasWritten: boolean;
  /** Edge-clock time of the last write. */
  writtenAt: number;
  writtenTs: number;
  /** Last received sample (deadband may have kept it out). */
  latestValue: number | string | null;
  latestQuality: number;
  latestTs: number;
  /** Committed copy, restored if the batch fails. */
  cHasWritten: boolean;
  cValue: number | string | null;
  cQuality: number;
  cWrittenAt: number;
  cWrittenTs: number;
  staged: boolean;
}

type QueuedEvent = ModelEvent | { kind: 'shift'; closed: ClosedShift };
/** How many events a queued entry stands for: the model hands on a batch's tag changes as one list. */
const eventCount = (e: QueuedEvent): number => (e.kind === 'tags' ? e.changes.length : 1);

export function openHistorian(options: HistorianOptions): Historian {
  const { now } = options;
  const log: Log = options.log ?? (() => {});
  const settings = historianSettings(options.settings);
  const flushIntervalMs = options.flushIntervalMs ?? settings.flushIntervalMs;
  const heartbeatMs = settings.heartbeatSeconds * 1000;
  const maxDbBytes = settings.maxDatabaseMB * 1024 * 1024;
  const inMemory = options.file === ':memory:';

  // Its own connection (WAL, synchronous=NORMAL, busy time-out): other modules open theirs.
  const sqlite = openDatabase(options.file);
  // Truncate the WAL after checkpoints so it does not sit at its high-water mark.
  sqlite.pragma('journal_size_limit = 16777216');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS });

  const insertTag = sqlite.prepare('INSERT INTO tags (name, kind) VALUES (?, ?)');
  // OR REPLACE: two samples of a tag with the same timestamp (or a heartbeat landing on one)
  // keep the later one instead of failing the whole batch.
  const insertNum = sqlite.prepare('INSERT OR REPLACE INTO tag_samples (tag_id, ts, value, quality) VALUES (?, ?, ?, ?)');
  const insertText = sqlite.prepare('INSERT OR REPLACE INTO tag_text_samples (tag_id, ts, value, quality) VALUES (?, ?, ?, ?)');
  const upsertMinute = sqlite.prepare(
    `INSERT INTO tag_minutes (tag_id, minute, min, max, sum, count, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tag_id, minute) DO UPDATE SET
       min = min(tag_minutes.min, excluded.min), max = max(tag_minutes.max, excluded.max),
       sum = tag_minutes.sum + excluded.sum, count = tag_minutes.count + excluded.count,
       last = CASE WHEN excluded.last_ts >= tag_minutes.last_ts THEN excluded.last ELSE tag_minutes.last END,
       last_ts = max(tag_minutes.last_ts, excluded.last_ts)`,
  );
  const closeState = sqlite.prepare('UPDATE machine_states SET end_ts = ? WHERE machine_id = ? AND end_ts IS NULL');
  const openState = sqlite.prepare('INSERT INTO machine_states (machine_id, state, start_ts, end_ts, reason) VALUES (?, ?, ?, NULL, ?)');
  const insertCount = sqlite.prepare('INSERT INTO production_counts (machine_id, ts, delta_total, delta_good) VALUES (?, ?, ?, ?)');
  const insertEnergy = sqlite.prepare('INSERT INTO energy_deltas (machine_id, ts, delta_kwh) VALUES (?, ?, ?)');
  const upsertShift = sqlite.prepare(
    `INSERT INTO kpi_periods (machine_id, kind, name, date, start_ts, end_ts, total_count, good_count, energy_kwh, availability, performance, quality, oee, totals_json)
     VALUES (@machineId, 'shift', @name, @date, @startTs, @endTs, @total, @good, @kWh, @availability, @performance, @quality, @oee, @totals)
     ON CONFLICT (machine_id, kind, start_ts) DO UPDATE SET end_ts = excluded.end_ts, total_count = excluded.total_count,
       good_count = excluded.good_count, energy_kwh = excluded.energy_kwh, availability = excluded.availability,
       performance = excluded.performance, quality = excluded.quality, oee = excluded.oee, totals_json = excluded.totals_json`,
  );
  const getMeta = sqlite.prepare('SELECT value FROM historian_meta WHERE key = ?').pluck();
  const setMeta = sqlite.prepare('INSERT INTO historian_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

  // ---- recovery: the previous run's last sign of life --------------------------------
  const previousAliveTs = (getMeta.get('alive_ts') as number | undefined) ?? null;
  let acknowledgedSeq = (getMeta.get('acknowledged_seq') as number | undefined) ?? 0;
  let recordedSeq = acknowledgedSeq;
  let reopenedAsNoData = 0;
  if (previousAliveTs !== null) {
    // The edge saw nothing after previousAliveTs: what the machines did then is unknown.
    sqlite.transaction(() => {
      const open = sqlite.prepare("SELECT machine_id AS machineId, start_ts AS startTs FROM machine_states WHERE end_ts IS NULL AND state <> 'no-data'").all() as { machineId: string; startTs: number }[];
      for (const o of open) {
        const at = Math.max(o.startTs, previousAliveTs);
        closeState.run(at, o.machineId);
        openState.run(o.machineId, 'no-data', at, 'edge not running');
      }
      reopenedAsNoData = open.length;
    })();
  }

  /** Start of each machine's open state interval. */
  const openStarts = new Map<string, number>();
  for (const row of sqlite.prepare('SELECT machine_id AS m, max(start_ts) AS s FROM machine_states WHERE end_ts IS NULL GROUP BY machine_id').all() as { m: string; s: number }[]) {
    openStarts.set(row.m, row.s);
  }

  // ---- tags -----------------------------------------------------------------------------
  const tagStates = new Map<string, TagState>();
  for (const row of sqlite.prepare('SELECT id, name, kind FROM tags').all() as { id: number; name: string; kind: schema.TagKind }[]) {
    tagStates.set(row.name, newTagState(row.id, row.name, row.kind));
  }
  function newTagState(id: number, name: string, kind: schema.TagKind): TagState {
    return {
      id, name, kind, deadband: options.tags?.get(name)?.deadband ?? 0,
      value: null, quality: 0, hasWritten: false, writtenAt: -Infinity, writtenTs: -Infinity,
      latestValue: null, latestQuality: 0, latestTs: -Infinity,
      cHasWritten: false, cValue: null, cQuality: 0, cWrittenAt: -Infinity, cWrittenTs: -Infinity, staged: false,
    };
  }

  // ---- the write path -------------------------------------------------------------------
  let closed = false;
  let queue: QueuedEvent[] = [];
  const pendingCount = () => queue.reduce((n, e) => n + eventCount(e), 0);
  let rowsWritten = 0;
  let lastCommitAt: number | null = null;
  let lastError: string | null = null;
  let failing = false;
  let lastBackup: string | null = listBackups(backupDir()).at(-1) ?? null;
  let createdInBatch: TagState[] = [];
  let stagedInBatch: TagState[] = [];

  function tagFor(name: string, value: unknown): TagState {
    let t = tagStates.get(name);
    if (t) return t;
    const kind = options.tags?.get(name)?.kind ?? (typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'number');
    t = newTagState(Number(insertTag.run(name, kind).lastInsertRowid), name, kind);
    tagStates.set(name, t);
    createdInBatch.push(t);
    return t;
  }

  function stage(t: TagState): void {
    if (t.staged) return;
    t.staged = true;
    t.cHasWritten = t.hasWritten;
    t.cValue = t.value;
    t.cQuality = t.quality;
    t.cWrittenAt = t.writtenAt;
    t.cWrittenTs = t.writtenTs;
    stagedInBatch.push(t);
  }

  /** Writes one sample of `t` if it passes the deadband; returns rows written. */
  function writeSample(t: TagState, ts: number, value: number | string | null, quality: number, at: number): number {
    t.latestValue = value;
    t.latestQuality = quality;
    t.latestTs = ts;
    if (!worthWriting(t.hasWritten ? t : null, value, quality, t.deadband)) return 0;
    stage(t);
    if (typeof value === 'string' || (value === null && t.kind === 'string')) insertText.run(t.id, ts, value, quality);
    else insertNum.run(t.id, ts, value, quality);
    t.hasWritten = true;
    t.value = value;
    t.quality = quality;
    t.writtenAt = at;
    t.writtenTs = ts;
    return 1;
  }

  const writeBatch = sqlite.transaction((events: QueuedEvent[], lastSeq: number, at: number): number => {
    const rollup = new MinuteRollup();
    let rows = 0;
    for (const e of events) {
      switch (e.kind) {
        case 'tags': {
          for (const c of e.changes) {
            const t = tagFor(c.tagId, c.value);
            const value = typeof c.value === 'boolean' ? (c.value ? 1 : 0) : c.value;
            if (typeof value === 'number') rollup.add(t.id, c.ts, value);
            rows += writeSample(t, c.ts, value, schema.QUALITY_CODES[c.quality], at);
          }
          break;
        }
        case 'state': {
          // Intervals never run backwards: after a restart a device may report its current
          // state with the (older) time it last changed, before the open "no data" interval.
          const start = Math.max(e.ts, openStarts.get(e.machineId) ?? -Infinity);
          closeState.run(start, e.machineId);
          openState.run(e.machineId, e.state, start, e.reason);
          openStarts.set(e.machineId, start);
          rows++;
          break;
        }
        case 'count':
          insertCount.run(e.machineId, e.ts, e.deltaTotal, e.deltaGood);
          rows++;
          break;
        case 'energy':
          insertEnergy.run(e.machineId, e.ts, e.deltaKWh);
          rows++;
          break;
        case 'shift':
          writeShift(e.closed);
          rows++;
          break;
      }
    }
    // Heartbeats: a tag unchanged for heartbeatMs is written again, so a flat line has
    // points (and its minutes have aggregates) instead of looking like a gap.
    for (const t of tagStates.values()) {
      if (!t.hasWritten || !heartbeatDue(t.writtenAt, at, heartbeatMs)) continue;
      // The latest received sample if the deadband held it back, else a repeat at `at`.
      const ts = t.latestTs > t.writtenTs ? t.latestTs : Math.max(at, t.writtenTs + 1);
      stage(t);
      if (typeof t.latestValue === 'string' || (t.latestValue === null && t.kind === 'string')) insertText.run(t.id, ts, t.latestValue, t.latestQuality);
      else {
        insertNum.run(t.id, ts, t.latestValue, t.latestQuality);
        if (typeof t.latestValue === 'number' && ts !== t.latestTs) rollup.add(t.id, ts, t.latestValue);
      }
      t.value = t.latestValue;
      t.quality = t.latestQuality;
      t.writtenAt = at;
      t.writtenTs = ts;
      rows++;
    }
    for (const b of rollup.drain()) upsertMinute.run(b.tagId, b.minute, b.min, b.max, b.sum, b.count, b.last, b.lastTs);
    setMeta.run('acknowledged_seq', lastSeq);
    setMeta.run('alive_ts', at);
    return rows;
  });

  function writeShift(closed: ClosedShift): void {
    const k = computeKpis(closed.totals, options.kpi);
    upsertShift.run({
      machineId: closed.machineId, name: closed.shift.name, date: closed.shift.date, startTs: closed.shift.start, endTs: closed.shift.end,
      total: closed.totals.counts.total, good: closed.totals.counts.good, kWh: closed.totals.energy.kWh,
      availability: finite(k.availability), performance: finite(k.performance), quality: finite(k.quality), oee: finite(k.oee),
      totals: JSON.stringify(closed.totals),
    });
  }

  function flush(): void {
    if (closed) return;
    const at = now();
    const batch = queue;
    queue = [];
    const lastSeq = recordedSeq;
    try {
      rowsWritten += writeBatch(batch, lastSeq, at);
    } catch (err) {
      for (const t of stagedInBatch) {
        t.hasWritten = t.cHasWritten;
        t.value = t.cValue;
        t.quality = t.cQuality;
        t.writtenAt = t.cWrittenAt;
        t.writtenTs = t.cWrittenTs;
      }
      for (const t of createdInBatch) tagStates.delete(t.name);
      queue = batch.concat(queue);
      if (pendingCount() > MAX_PENDING) {
        let dropped = 0;
        let n = 0;
        for (let over = pendingCount() - MAX_PENDING; n < queue.length && dropped < over; n++) dropped += eventCount(queue[n]!);
        queue = queue.slice(n);
        log('error', `historian: dropped the ${dropped} oldest unwritten events (more than ${MAX_PENDING} waiting)`);
      }
      lastError = (err as Error).message;
      // First failure loud, repeats quiet, recovery announced (see flush success below).
      if (!failing) log('error', `historian: write failed, will retry: ${lastError} (check free disk space and ${options.file})`);
      failing = true;
      return;
    } finally {
      for (const t of stagedInBatch) t.staged = false;
      stagedInBatch = [];
      createdInBatch = [];
    }
    if (failing) log('info', 'historian: writing again');
    failing = false;
    lastError = null;
    acknowledgedSeq = lastSeq;
    lastCommitAt = at;
    if (!inMemory) checkBudget();
  }

  // ---- background work ------------------------------------------------------------------
  const tick = setInterval(() => {
    if (queue.length || lastCommitAt === null || now() - lastCommitAt >= Math.min(ALIVE_EVERY_MS, heartbeatMs)) flush();
  }, flushIntervalMs);
  tick.unref();

  const pruner = new Pruner(sqlite, () => closed);
  let maintaining: Promise<{ retention: PruneReport; size: SizeReport | null }> | null = null;
  let holding: Promise<SizeReport | null> | null = null;
  async function holdBudget(): Promise<SizeReport | null> {
    if (holding) return holding;
    holding = pruner.holdBudget(maxDbBytes * 0.9, maxDbBytes * 0.8, now()).then((size) => {
      if (size) {
        const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
        log('warn', `historian: database reached ${mb(size.beforeBytes)} MB of its ${settings.maxDatabaseMB} MB budget; dropped raw samples before ${size.droppedBefore === null ? '-' : new Date(size.droppedBefore).toISOString()} (now ${mb(size.afterBytes)} MB). Raise historian.maxDatabaseMB or shorten historian.retention.rawDays to keep more.`);
      }
      return size;
    }).finally(() => {
      holding = null;
    });
    return holding;
  }
  async function maintain() {
    if (maintaining) return maintaining;
    maintaining = (async () => {
      const retention = await pruner.applyRetention(settings.retention, now());
      const size = await holdBudget();
      return { retention, size };
    })().finally(() => {
      maintaining = null;
    });
    return maintaining;
  }
  let maintenanceTimer: NodeJS.Timeout | null = null;
  function scheduleMaintenance(delayMs: number) {
    if (maintenanceTimer || closed) return;
    maintenanceTimer = setTimeout(() => {
      maintenanceTimer = null;
      maintain().catch((err) => log('error', `historian: retention failed: ${(err as Error).message}`));
    }, delayMs);
    maintenanceTimer.unref();
  }
  /** After a commit: only the size budget, and only when the data is above its high-water mark. */
  function checkBudget() {
    if (holding || closed || dbSize(sqlite).usedBytes <= maxDbBytes * 0.9) return;
    holdBudget().catch((err) => log('error', `historian: holding the size budget failed: ${(err as Error).message}`));
  }
  const retentionTimer = setInterval(() => scheduleMaintenance(0), settings.retentionCheckMinutes * 60_000);
  retentionTimer.unref();
  scheduleMaintenance(5_000);

  function backupDir(): string {
    const base = inMemory ? 'data' : dirname(options.file);
    return isAbsolute(settings.backup.dir) ? settings.backup.dir : join(base, settings.backup.dir);
  }
  let backingUp: Promise<string> | null = null;
  async function backupNow(): Promise<string> {
    if (backingUp) return backingUp;
    backingUp = backupDatabase(sqlite, backupDir(), settings.backup.keep, now())
      .then((file) => {
        lastBackup = file;
        log('info', `historian: backup written to ${file}`);
        return file;
      })
      .finally(() => {
        backingUp = null;
      });
    return backingUp;
  }
  let backupTimer: NodeJS.Timeout | null = null;
  if (settings.backup.enabled && !inMemory) {
    backupTimer = setInterval(() => {
      backupNow().catch((err) => {
        // A backup cut short by close() is expected at shutdown, not an error.
        if (!closed) log('error', `historian: backup to ${backupDir()} failed: ${(err as Error).message}`);
      });
    }, settings.backup.intervalHours * 3_600_000);
    backupTimer.unref();
  }

  const queries = new HistoryQueries(sqlite, db, () => {
    if (queue.length) flush();
  });
  if (previousAliveTs !== null) {
    log('info', `historian: opened ${options.file}; acknowledged through seq ${acknowledgedSeq}; previous run last alive ${new Date(previousAliveTs).toISOString()}${reopenedAsNoData ? `, ${reopenedAsNoData} open state intervals closed there (no data while the edge was down)` : ''}`);
  }

  return {
    db,
    sqlite,
    queries,
    settings,
    recovery: { previousAliveTs, reopenedAsNoData },
    name: 'historian',
    onModelEvents(events) {
      for (const e of events) {
        queue.push(e);
        recordedSeq += eventCount(e);
      }
    },
    recordShift(closedShift) {
      queue.push({ kind: 'shift', closed: closedShift });
      recordedSeq++;
    },
    flush,
    stateIntervals: (machineId, from, to) => queries.stateTimeline(machineId, from, to),
    tagHistory: (tag, from, to) => queries.raw(tag, from, to),
    stats: () => ({ pending: pendingCount(), written: rowsWritten }),
    health: () => ({
      file: options.file,
      lastRecordedSeq: recordedSeq,
      lastAcknowledgedSeq: acknowledgedSeq,
      lastAcknowledgedTs: lastCommitAt,
      pending: pendingCount(),
      rowsWritten,
      dbBytes: dbSize(sqlite).fileBytes,
      maxDbBytes,
      lastBackup,
      lastError,
    }),
    maintain,
    backupNow,
    close() {
      if (closed) return;
      flush();
      closed = true;
      clearInterval(tick);
      clearInterval(retentionTimer);
      if (maintenanceTimer) clearTimeout(maintenanceTimer);
      if (backupTimer) clearInterval(backupTimer);
      // A running backup is aborted by close(); its partial file is removed by backupDatabase.
      sqlite.close();
    },
  };
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
