// The plant host's store in PostgreSQL: opens a pool, migrates (under an advisory lock, so hosts
// starting together do not race), detects TimescaleDB, keeps partitions ahead and drops expired
// ones, and writes what the host's mirrors derive — batched, one transaction per flush, every
// insert idempotent, so a replay, a retry after an error or a second host writing the same
// message leaves one row. Reads are plant-queries.ts.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { and, eq, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { AlarmView } from '../../../shared/alarm-wire.js';
import type { PlantView } from '../../../shared/live-protocol.js';
import type { ModelEvent } from '../../model/index.js';
import type { Log } from '../../logger.js';
import type { ClosedShift } from '../../kpi/index.js';
import type { PublishedShiftTotals } from '../edge-mirror.js';
import { PARTITIONED, plantLines, shiftLosses, shiftTotals } from './plant-tables.js';
import { dropPartitionsBefore, ensurePartitions, type PartitionSpec } from './partitions.js';
import { GOOD_COUNT_TAG, goodCountMachine, TOTAL_COUNT_TAG } from './plant-energy-store.js';

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));
/** pg_advisory_lock key of the migration (the primary lease uses its own keys). */
const MIGRATION_LOCK = 7_301_000_001;
const DAY_MS = 86_400_000;

export interface PlantStoreSettings {
  url: string;
  /** Tag samples older than this are dropped with their partitions. */
  tagSampleRetentionDays: number;
  /** States, counters, alarms and shift totals. */
  eventRetentionDays: number;
  /** Partitions are made this far ahead. */
  partitionsAheadDays: number;
  flushIntervalMs: number;
  /** A flush starts at once when this many rows wait. */
  maxBatchRows: number;
  /** Rows kept while the database cannot be written; beyond, the oldest are dropped (and counted). */
  maxPendingRows: number;
  poolSize: number;
}

export const PLANT_STORE_DEFAULTS: Omit<PlantStoreSettings, 'url'> = {
  tagSampleRetentionDays: 90, eventRetentionDays: 5 * 366, partitionsAheadDays: 7,
  flushIntervalMs: 200, maxBatchRows: 20_000, maxPendingRows: 2_000_000, poolSize: 4,
};

export interface PlantStoreHealth {
  layout: StoreLayout;
  pendingRows: number;
  writtenRows: number;
  flushes: number;
  failedFlushes: number;
  droppedRows: number;
  lastError: string | null;
}

export type StoreLayout = 'partitioned' | 'timescaledb';

/** What the host hands the store; all synchronous (buffered), never throwing. */
export interface PlantWriter {
  line(lineKey: string, groupId: string, edgeNodeId: string, view: PlantView, timezone: string): void;
  events(lineKey: string, events: readonly ModelEvent[]): void;
  totals(lineKey: string, machineId: string, totals: PublishedShiftTotals, ts: number): void;
  alarms(lineKey: string, machineId: string, list: readonly AlarmView[]): void;
  shiftClosed(lineKey: string, closed: ClosedShift): void;
}

export interface PlantStore {
  layout: StoreLayout;
  db: NodePgDatabase;
  pool: pg.Pool;
  writer: PlantWriter;
  /** Writes everything buffered so far (tests, shutdown, a hand-over). */
  flush(): Promise<void>;
  /** Partitions ahead and retention; run at start and hourly. */
  maintain(): Promise<{ created: string[]; dropped: string[] }>;
  /** Recomputes every rollup of [from, to) from the detail tables (after a restore or a bulk load). */
  rebuildRollups(from: number, to: number): Promise<void>;
  health(): PlantStoreHealth;
  close(): Promise<void>;
}

export interface OpenPlantStoreOptions {
  settings: PlantStoreSettings;
  log: Log;
  now?: () => number;
  /** After each commit: the edge timestamps of the tag samples it stored (benchmarks: publish→stored latency). */
  onStored?: (sampleTs: Float64Array, committedAt: number) => void;
}

interface Pending {
  samples: { line: string[]; machine: string[]; tag: string[]; ts: number[]; num: (number | null)[]; txt: (string | null)[]; quality: string[] };
  states: { line: string[]; machine: string[]; ts: number[]; state: string[]; previous: (string | null)[]; reason: (string | null)[] };
  counters: { line: string[]; machine: string[]; ts: number[]; shiftStart: number[]; total: number[]; good: number[]; kwh: number[] };
  alarms: {
    line: string[]; machine: string[]; key: string[]; event: string[]; ts: number[]; priority: string[]; message: string[]; activeTs: (number | null)[]; by: (string | null)[];
    rule: string[]; kind: string[]; tag: (string | null)[]; faultCode: (number | null)[];
  };
  lines: Map<string, typeof plantLines.$inferInsert>;
  shifts: Map<string, { lineKey: string; closed: ClosedShift }>;
}

function emptyPending(): Pending {
  return {
    samples: { line: [], machine: [], tag: [], ts: [], num: [], txt: [], quality: [] },
    states: { line: [], machine: [], ts: [], state: [], previous: [], reason: [] },
    counters: { line: [], machine: [], ts: [], shiftStart: [], total: [], good: [], kwh: [] },
    alarms: { line: [], machine: [], key: [], event: [], ts: [], priority: [], message: [], activeTs: [], by: [], rule: [], kind: [], tag: [], faultCode: [] },
    lines: new Map(),
    shifts: new Map(),
  };
}

const rowsOf = (p: Pending) => p.samples.ts.length + p.states.ts.length + p.counters.ts.length + p.alarms.ts.length + p.lines.size + p.shifts.size;

export async function openPlantStore(options: OpenPlantStoreOptions): Promise<PlantStore> {
  const { settings, log } = options;
  const now = options.now ?? Date.now;
  const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize, keepAlive: true });
  pool.on('error', (err) => log('warn', `plant store: an idle database connection failed (${err.message}); the pool opens another`));
  let layout: StoreLayout;
  try {
    layout = await migrateStore(pool, log);
  } catch (err) {
    await pool.end();
    throw new Error(`plant store: cannot prepare PostgreSQL at ${redactPgUrl(settings.url)}: ${(err as Error).message}. Check postgres.url in the host file and that the user may create tables.`);
  }
  const db = drizzle(pool);
  const known = new Map<string, Set<string>>(PARTITIONED.map((p) => [p.table, new Set<string>()]));
  const specs = new Map<string, PartitionSpec & { retentionDays: number }>(PARTITIONED.map((p) => [p.table, {
    table: p.table, period: p.period, retentionDays: p.table === 'tag_samples' ? settings.tagSampleRetentionDays : settings.eventRetentionDays,
  }]));

  let pending = emptyPending();
  let inFlight: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const health: PlantStoreHealth = { layout, pendingRows: 0, writtenRows: 0, flushes: 0, failedFlushes: 0, droppedRows: 0, lastError: null };
  let lastErrorLog = -Infinity;

  async function ensureFor(table: string, tsList: readonly number[]): Promise<void> {
    if (layout !== 'partitioned' || !tsList.length) return;
    let min = Infinity;
    let max = -Infinity;
    for (const t of tsList) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    await ensurePartitions(pool, specs.get(table)!, min, max, known.get(table)!);
  }

  /**
   * Rows outside [retention cutoff, now + 1 day] are not stored: older ones would bring back a
   * dropped partition, later ones come from a clock that is wrong. They are counted as dropped.
   */
  function admissible(table: string, ts: number): boolean {
    const t = now();
    const ok = ts >= t - specs.get(table)!.retentionDays * DAY_MS && ts <= t + DAY_MS && Number.isFinite(ts);
    if (!ok) health.droppedRows++;
    return ok;
  }

  function schedule(): void {
    if (closed) return;
    if (rowsOf(pending) >= settings.maxBatchRows) {
      void flush();
      return;
    }
    timer ??= setTimeout(() => {
      timer = null;
      void flush();
    }, settings.flushIntervalMs);
  }

  const writer: PlantWriter = {
    line(lineKey, groupId, edgeNodeId, view, timezone) {
      pending.lines.set(lineKey, {
        lineKey, groupId, edgeNodeId, lineId: view.line.id, name: view.line.name, timezone,
        machines: view.machines.map((m) => ({ id: m.id, name: m.name, idealCycleTimeSeconds: m.idealCycleTimeSeconds })), updatedAt: new Date(now()),
      });
      schedule();
    },
    events(lineKey, events) {
      const s = pending.samples;
      const st = pending.states;
      for (const e of events) {
        if (e.kind === 'tags') {
          for (const c of e.changes) {
            if (!admissible('tag_samples', c.ts)) continue;
            s.line.push(lineKey); s.machine.push(c.machineId); s.tag.push(c.tagName); s.ts.push(c.ts);
            const v = c.value;
            s.num.push(typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null);
            s.txt.push(typeof v === 'string' ? v : null);
            s.quality.push(c.quality);
          }
        } else if (e.kind === 'state') {
          if (!admissible('machine_states', e.ts)) continue;
          st.line.push(lineKey); st.machine.push(e.machineId); st.ts.push(e.ts); st.state.push(e.state); st.previous.push(e.previous); st.reason.push(e.reason);
        }
        // Counts and energy are stored as the edge's shift counters (totals()), which stay right whichever host books them.
      }
      trim();
      schedule();
    },
    totals(lineKey, machineId, totals, ts) {
      if (totals.shiftStart === null || !admissible('shift_counters', totals.shiftStart)) return;
      const c = pending.counters;
      c.line.push(lineKey); c.machine.push(machineId); c.ts.push(ts); c.shiftStart.push(totals.shiftStart); c.total.push(totals.total); c.good.push(totals.good); c.kwh.push(totals.energyKWh);
      // shift_counters keeps a shift's last figures; the counts over time (a window's output, the replay's deltas) are tag samples.
      if (admissible('tag_samples', ts)) {
        const s = pending.samples;
        s.line.push(lineKey); s.machine.push(goodCountMachine(machineId)); s.tag.push(GOOD_COUNT_TAG); s.ts.push(ts);
        s.num.push(totals.good); s.txt.push(String(totals.shiftStart)); s.quality.push('good');
        // The total too (scrap is total less good, as the edge's KPI engine counts it).
        s.line.push(lineKey); s.machine.push(goodCountMachine(machineId)); s.tag.push(TOTAL_COUNT_TAG); s.ts.push(ts);
        s.num.push(totals.total); s.txt.push(String(totals.shiftStart)); s.quality.push('good');
        trim();
      }
      schedule();
    },
    alarms(lineKey, machineId, list) {
      const a = pending.alarms;
      const push = (v: AlarmView, event: string, ts: number | null, by: string | null) => {
        if (ts === null || !admissible('alarm_events', ts)) return;
        a.line.push(lineKey); a.machine.push(machineId); a.key.push(v.key); a.event.push(event); a.ts.push(ts);
        a.priority.push(v.priority); a.message.push(v.message.slice(0, 500)); a.activeTs.push(v.activeTs); a.by.push(by);
        a.rule.push(v.ruleId); a.kind.push(v.kind); a.tag.push(v.tag); a.faultCode.push(asInt32(v.faultCode));
      };
      // Each transition is stored once (the primary key holds its time), however often the list is restated.
      for (const v of list) {
        push(v, 'raised', v.activeTs, null);
        push(v, 'acked', v.ackTs, v.ackBy);
        push(v, 'returned', v.returnTs, null);
      }
      schedule();
    },
    shiftClosed(lineKey, closed) {
      pending.shifts.set(`${lineKey}\u0000${closed.machineId}\u0000${closed.shift.start}`, { lineKey, closed });
      schedule();
    },
  };

  function trim(): void {
    const over = pending.samples.ts.length - settings.maxPendingRows;
    if (over <= 0) return;
    for (const col of Object.values(pending.samples)) (col as unknown[]).splice(0, over);
    health.droppedRows += over;
  }

  async function write(batch: Pending): Promise<void> {
    await ensureFor('tag_samples', batch.samples.ts);
    await ensureFor('machine_states', batch.states.ts);
    await ensureFor('shift_counters', batch.counters.shiftStart);
    await ensureFor('alarm_events', batch.alarms.ts);
    const shiftStarts = [...batch.shifts.values()].map((s) => s.closed.shift.start);
    await ensureFor('shift_totals', shiftStarts);
    await ensureFor('shift_losses', shiftStarts);
    await db.transaction(async (tx) => {
      const s = batch.samples;
      if (s.ts.length) {
        await tx.execute(sql`INSERT INTO tag_samples (line_key, machine_id, tag, ts, num, txt, quality)
          SELECT l, m, t, to_timestamp(x / 1000.0), n, v, q FROM unnest(${sql.param(s.line)}::text[], ${sql.param(s.machine)}::text[], ${sql.param(s.tag)}::text[],
            ${sql.param(s.ts)}::float8[], ${sql.param(s.num)}::float8[], ${sql.param(s.txt)}::text[], ${sql.param(s.quality)}::text[]) AS u(l, m, t, x, n, v, q)
          ON CONFLICT DO NOTHING`);
      }
      const st = batch.states;
      if (st.ts.length) {
        await tx.execute(sql`INSERT INTO machine_states (line_key, machine_id, ts, state, previous, reason)
          SELECT l, m, to_timestamp(x / 1000.0), s, p, r FROM unnest(${sql.param(st.line)}::text[], ${sql.param(st.machine)}::text[], ${sql.param(st.ts)}::float8[],
            ${sql.param(st.state)}::text[], ${sql.param(st.previous)}::text[], ${sql.param(st.reason)}::text[]) AS u(l, m, x, s, p, r)
          ON CONFLICT DO NOTHING`);
      }
      const c = batch.counters;
      if (c.ts.length) {
        // Several totals of one shift in a batch: the largest (the counters only grow within a shift).
        await tx.execute(sql`INSERT INTO shift_counters (line_key, machine_id, shift_start, ts, total, good, energy_kwh)
          SELECT l, m, to_timestamp(s / 1000.0), to_timestamp(max(x) / 1000.0), max(t), max(g), max(k)
            FROM unnest(${sql.param(c.line)}::text[], ${sql.param(c.machine)}::text[], ${sql.param(c.ts)}::float8[],
              ${sql.param(c.shiftStart)}::float8[], ${sql.param(c.total)}::int8[], ${sql.param(c.good)}::int8[], ${sql.param(c.kwh)}::float8[]) AS u(l, m, x, s, t, g, k)
            GROUP BY l, m, s
          ON CONFLICT (line_key, machine_id, shift_start) DO UPDATE SET
            ts = GREATEST(shift_counters.ts, excluded.ts), total = GREATEST(shift_counters.total, excluded.total),
            good = GREATEST(shift_counters.good, excluded.good), energy_kwh = GREATEST(shift_counters.energy_kwh, excluded.energy_kwh)`);
      }
      const a = batch.alarms;
      if (a.ts.length) {
        await tx.execute(sql`INSERT INTO alarm_events (line_key, machine_id, alarm_key, event, ts, priority, message, active_ts, "by", rule_id, kind, tag, fault_code)
          SELECT l, m, k, e, to_timestamp(x / 1000.0), p, msg, to_timestamp(at / 1000.0), b, r, kd, tg, fc FROM unnest(${sql.param(a.line)}::text[], ${sql.param(a.machine)}::text[], ${sql.param(a.key)}::text[],
            ${sql.param(a.event)}::text[], ${sql.param(a.ts)}::float8[], ${sql.param(a.priority)}::text[], ${sql.param(a.message)}::text[], ${sql.param(a.activeTs)}::float8[], ${sql.param(a.by)}::text[],
            ${sql.param(a.rule)}::text[], ${sql.param(a.kind)}::text[], ${sql.param(a.tag)}::text[], ${sql.param(a.faultCode)}::int4[])
            AS u(l, m, k, e, x, p, msg, at, b, r, kd, tg, fc)
          ON CONFLICT DO NOTHING`);
      }
      for (const row of batch.lines.values()) {
        await tx.insert(plantLines).values(row).onConflictDoUpdate({
          target: plantLines.lineKey,
          set: { groupId: row.groupId, edgeNodeId: row.edgeNodeId, lineId: row.lineId, name: row.name, timezone: row.timezone, machines: row.machines, updatedAt: row.updatedAt },
        });
      }
      const lineShifts = new Map<string, { lineKey: string; shiftStart: number }>();
      for (const { lineKey, closed } of batch.shifts.values()) {
        if (await writeShift(tx, lineKey, closed)) lineShifts.set(`${lineKey}\u0000${closed.shift.start}`, { lineKey, shiftStart: closed.shift.start });
      }
      for (const { lineKey, shiftStart } of lineShifts.values()) await rollUpLineShift(tx, lineKey, shiftStart);
      const alarmDays = new Map<string, { lineKey: string; day: number }>();
      for (let i = 0; i < a.ts.length; i++) {
        const day = Math.floor((a.activeTs[i] ?? a.ts[i]!) / DAY_MS) * DAY_MS;
        alarmDays.set(`${a.line[i]}\u0000${day}`, { lineKey: a.line[i]!, day });
      }
      for (const { lineKey, day } of alarmDays.values()) await rollUpAlarmDay(tx, lineKey, day);
    });
  }

  async function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    while (inFlight) await inFlight;
    if (!rowsOf(pending)) return;
    const batch = pending;
    pending = emptyPending();
    const rows = rowsOf(batch);
    inFlight = (async () => {
      try {
        await write(batch);
        health.writtenRows += rows;
        health.flushes++;
        if (health.lastError) log('info', 'plant store: writing to PostgreSQL again');
        health.lastError = null;
        if (options.onStored && batch.samples.ts.length) options.onStored(Float64Array.from(batch.samples.ts), now());
      } catch (err) {
        health.failedFlushes++;
        health.lastError = (err as Error).message;
        const t = now();
        if (t - lastErrorLog > 60_000) {
          lastErrorLog = t;
          log('error', `plant store: cannot write ${rows} rows to PostgreSQL (${health.lastError}); kept and retried (the inserts are idempotent)`);
        }
        requeue(batch);
      }
    })();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
    if (rowsOf(pending) && !closed) schedule();
  }

  /** A failed batch goes back in front of what arrived since, in order. */
  function requeue(batch: Pending): void {
    const later = pending;
    const concat = <T extends Record<string, unknown[]>>(a: T, b: T) => { for (const k of Object.keys(a)) (a[k] as unknown[]).push(...(b[k] as unknown[])); };
    concat(batch.samples, later.samples);
    concat(batch.states, later.states);
    concat(batch.counters, later.counters);
    concat(batch.alarms, later.alarms);
    for (const [k, v] of later.lines) batch.lines.set(k, v);
    for (const [k, v] of later.shifts) batch.shifts.set(k, v);
    pending = batch;
    trim();
  }

  async function maintain(): Promise<{ created: string[]; dropped: string[] }> {
    const t = now();
    const created: string[] = [];
    const dropped: string[] = [];
    if (layout === 'timescaledb') {
      for (const spec of specs.values()) {
        await pool.query(`SELECT drop_chunks($1::regclass, older_than => $2::timestamptz)`, [spec.table, new Date(t - spec.retentionDays * DAY_MS).toISOString()]);
      }
      return { created, dropped };
    }
    for (const spec of specs.values()) {
      created.push(...await ensurePartitions(pool, spec, t - DAY_MS, t + settings.partitionsAheadDays * DAY_MS, known.get(spec.table)!));
      dropped.push(...await dropPartitionsBefore(pool, spec, t - spec.retentionDays * DAY_MS, known.get(spec.table)!));
    }
    // The rollups are small tables: plain deletes.
    const cutoff = new Date(t - settings.eventRetentionDays * DAY_MS).toISOString();
    for (const [table, column] of [['line_shift_totals', 'shift_start'], ['line_shift_losses', 'shift_start'], ['alarm_days', 'day'], ['alarm_key_days', 'day']] as const) {
      await pool.query(`DELETE FROM ${table} WHERE ${column} < $1::timestamptz`, [cutoff]);
    }
    if (dropped.length) log('info', `plant store: retention dropped ${dropped.length} partition(s): ${dropped.join(', ')}`);
    return { created, dropped };
  }

  await maintain();
  const maintenance = setInterval(() => void maintain().catch((err) => log('warn', `plant store: partition upkeep failed (${(err as Error).message}); retried within the hour`)), 3_600_000);
  maintenance.unref();

  async function rebuildRollups(from: number, to: number): Promise<void> {
    const f = new Date(from).toISOString();
    const t = new Date(to).toISOString();
    await db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM line_shift_totals WHERE shift_start >= ${f}::timestamptz AND shift_start < ${t}::timestamptz`);
      await tx.execute(sql`INSERT INTO line_shift_totals (line_key, shift_start, shift_end, shift_name, shift_date, machines, ${sql.raw(TIME_COLUMNS.join(', '))})
        SELECT line_key, shift_start, max(shift_end), max(shift_name), max(shift_date), count(*), ${sql.raw(TIME_COLUMNS.map((c) => `sum(${c})`).join(', '))}
        FROM shift_totals WHERE shift_start >= ${f}::timestamptz AND shift_start < ${t}::timestamptz GROUP BY line_key, shift_start`);
      await tx.execute(sql`DELETE FROM line_shift_losses WHERE shift_start >= ${f}::timestamptz AND shift_start < ${t}::timestamptz`);
      await tx.execute(sql`INSERT INTO line_shift_losses (line_key, shift_start, bucket, reason, ms, events)
        SELECT line_key, shift_start, bucket, reason, sum(ms), sum(events) FROM shift_losses
        WHERE shift_start >= ${f}::timestamptz AND shift_start < ${t}::timestamptz GROUP BY line_key, shift_start, bucket, reason`);
      const lineDays = await tx.execute(sql`SELECT DISTINCT line_key, (extract(epoch FROM date_trunc('day', active_ts AT TIME ZONE 'UTC')) * 1000)::float8 AS day
        FROM alarm_events WHERE active_ts >= ${f}::timestamptz AND active_ts < ${t}::timestamptz`);
      for (const row of lineDays.rows) await rollUpAlarmDay(tx, String(row.line_key), Number(row.day));
    });
  }

  return {
    layout, db, pool, writer, flush, maintain, rebuildRollups,
    health: () => ({ ...health, pendingRows: rowsOf(pending) }),
    async close() {
      clearInterval(maintenance);
      await flush();
      closed = true;
      if (timer) clearTimeout(timer);
      await pool.end();
    },
  };
}

/** A fault code as the int4 column holds it; one it cannot hold is left out (a bad value must not fail the whole batch). */
function asInt32(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647 ? n : null;
}

type Tx = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0];

/** A closed shift replaces an earlier booking of it only if it knows more of the shift (less no-data time); true when written. */
async function writeShift(tx: Tx, lineKey: string, closed: ClosedShift): Promise<boolean> {
  const p = closed.totals;
  const row: typeof shiftTotals.$inferInsert = {
    lineKey, machineId: closed.machineId, shiftStart: new Date(closed.shift.start), shiftEnd: new Date(closed.shift.end),
    shiftName: closed.shift.name, shiftDate: closed.shift.date, calendarMs: p.calendarMs,
    plannedOperationMs: p.times.plannedOperationMs, plannedDownMs: p.times.plannedDownMs, noDataMs: p.times.noDataMs,
    productionMs: p.times.productionMs, setupMs: p.times.setupMs, breakdownMs: p.times.breakdownMs, microStopMs: p.times.microStopMs, idleMs: p.times.idleMs,
    breakdowns: p.stops.breakdowns, microStops: p.stops.microStops, setups: p.stops.setups, idles: p.stops.idles,
    totalCount: p.counts.total, goodCount: p.counts.good, idealOutputSeconds: p.idealOutputSeconds, energyKWh: p.energy.kWh,
    energyDetail: { byState: p.energy.byState, blocks: p.energy.blocks },
  };
  const { lineKey: _l, machineId: _m, shiftStart: _s, ...rest } = row;
  const written = await tx.insert(shiftTotals).values(row).onConflictDoUpdate({
    target: [shiftTotals.lineKey, shiftTotals.machineId, shiftTotals.shiftStart],
    set: Object.fromEntries(Object.keys(rest).map((k) => [k, sql.raw(`excluded.${String((shiftTotals as unknown as Record<string, { name: string }>)[k]!.name)}`)])),
    setWhere: sql`excluded.no_data_ms < ${shiftTotals.noDataMs}`,
  }).returning({ lineKey: shiftTotals.lineKey });
  if (!written.length) return false;
  const at = and(eq(shiftLosses.lineKey, lineKey), eq(shiftLosses.machineId, closed.machineId), eq(shiftLosses.shiftStart, new Date(closed.shift.start)));
  await tx.delete(shiftLosses).where(at);
  const losses = Object.values(p.reasons).filter((r) => r.ms > 0).map((r) => ({
    lineKey, machineId: closed.machineId, shiftStart: new Date(closed.shift.start), bucket: r.bucket, reason: r.reason.slice(0, 200), ms: Math.round(r.ms), events: r.events,
  }));
  if (losses.length) await tx.insert(shiftLosses).values(losses).onConflictDoNothing();
  return true;
}

const TIME_COLUMNS = ['calendar_ms', 'planned_operation_ms', 'planned_down_ms', 'no_data_ms', 'production_ms', 'setup_ms', 'breakdown_ms', 'micro_stop_ms', 'idle_ms',
  'breakdowns', 'micro_stops', 'setups', 'idles', 'total_count', 'good_count', 'ideal_output_seconds', 'energy_kwh'] as const;

/** The line's shift in the rollups: its machines' closed-shift totals and losses, summed again. */
async function rollUpLineShift(tx: Tx, lineKey: string, shiftStart: number): Promise<void> {
  const start = new Date(shiftStart).toISOString();
  const sums = sql.raw(TIME_COLUMNS.map((c) => `sum(${c})`).join(', '));
  const cols = sql.raw(TIME_COLUMNS.join(', '));
  const set = sql.raw(TIME_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', '));
  await tx.execute(sql`INSERT INTO line_shift_totals (line_key, shift_start, shift_end, shift_name, shift_date, machines, ${cols})
    SELECT line_key, shift_start, max(shift_end), max(shift_name), max(shift_date), count(*), ${sums}
    FROM shift_totals WHERE line_key = ${lineKey} AND shift_start = ${start}::timestamptz GROUP BY line_key, shift_start
    ON CONFLICT (line_key, shift_start) DO UPDATE SET shift_end = excluded.shift_end, shift_name = excluded.shift_name, shift_date = excluded.shift_date, machines = excluded.machines, ${set}`);
  await tx.execute(sql`DELETE FROM line_shift_losses WHERE line_key = ${lineKey} AND shift_start = ${start}::timestamptz`);
  await tx.execute(sql`INSERT INTO line_shift_losses (line_key, shift_start, bucket, reason, ms, events)
    SELECT line_key, shift_start, bucket, reason, sum(ms), sum(events) FROM shift_losses
    WHERE line_key = ${lineKey} AND shift_start = ${start}::timestamptz GROUP BY line_key, shift_start, bucket, reason`);
}

/**
 * The line's alarm statistics of one UTC day (of the occurrences raised that day), recomputed from
 * its alarm transitions: counts by priority, acknowledge and active times, the busiest 10 minutes
 * and the 10-minute intervals with more than 10 alarms (ISA-18.2 flood), and each alarm's count.
 */
async function rollUpAlarmDay(tx: Tx, lineKey: string, day: number): Promise<void> {
  const from = new Date(day).toISOString();
  const to = new Date(day + DAY_MS).toISOString();
  const occurred = sql`line_key = ${lineKey} AND active_ts >= ${from}::timestamptz AND active_ts < ${to}::timestamptz AND ts >= ${from}::timestamptz`;
  await tx.execute(sql`
    WITH e AS (SELECT event, ts, active_ts, priority FROM alarm_events WHERE ${occurred}),
    bins AS (SELECT count(*) AS n FROM e WHERE event = 'raised' GROUP BY date_bin('10 minutes', ts, TIMESTAMPTZ '2000-01-01'))
    INSERT INTO alarm_days (line_key, day, raised, critical, high, medium, low, acked, ack_seconds, returned, active_seconds, peak_10min, flood_intervals)
    SELECT ${lineKey}, ${from}::date,
      count(*) FILTER (WHERE event = 'raised'),
      count(*) FILTER (WHERE event = 'raised' AND priority = 'critical'), count(*) FILTER (WHERE event = 'raised' AND priority = 'high'),
      count(*) FILTER (WHERE event = 'raised' AND priority = 'medium'), count(*) FILTER (WHERE event = 'raised' AND priority = 'low'),
      count(*) FILTER (WHERE event = 'acked'), coalesce(sum(extract(epoch FROM ts - active_ts)) FILTER (WHERE event = 'acked'), 0),
      count(*) FILTER (WHERE event = 'returned'), coalesce(sum(extract(epoch FROM ts - active_ts)) FILTER (WHERE event = 'returned'), 0),
      coalesce((SELECT max(n) FROM bins), 0), (SELECT count(*) FROM bins WHERE n > 10)
    FROM e
    ON CONFLICT (line_key, day) DO UPDATE SET raised = excluded.raised, critical = excluded.critical, high = excluded.high, medium = excluded.medium, low = excluded.low,
      acked = excluded.acked, ack_seconds = excluded.ack_seconds, returned = excluded.returned, active_seconds = excluded.active_seconds,
      peak_10min = excluded.peak_10min, flood_intervals = excluded.flood_intervals`);
  await tx.execute(sql`DELETE FROM alarm_key_days WHERE line_key = ${lineKey} AND day = ${from}::date`);
  await tx.execute(sql`INSERT INTO alarm_key_days (line_key, day, alarm_key, message, priority, raised)
    SELECT line_key, ${from}::date, alarm_key, max(message), max(priority), count(*) FROM alarm_events
    WHERE ${occurred} AND event = 'raised' GROUP BY line_key, alarm_key`);
}

async function migrateStore(pool: pg.Pool, log: Log): Promise<StoreLayout> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // TimescaleDB when the server has it: hypertables and compression instead of our partitions.
      const available = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
      if (available.rowCount) {
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
        } catch (err) {
          log('warn', `plant store: TimescaleDB is available but cannot be enabled (${(err as Error).message}); using native partitions`);
        }
      }
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS, migrationsSchema: 'twinline_migrations' });
      const r = await client.query<{ value: string }>(`SELECT value FROM plant_store_meta WHERE key = 'layout'`);
      const layout = (r.rows[0]?.value ?? 'partitioned') as StoreLayout;
      if (layout === 'timescaledb') {
        for (const t of PARTITIONED) {
          await client.query(`ALTER TABLE ${t.table} SET (timescaledb.compress, timescaledb.compress_segmentby = 'line_key')`).catch(() => undefined);
          await client.query(`SELECT add_compression_policy('${t.table}', INTERVAL '7 days', if_not_exists => true)`).catch(() => undefined);
        }
      }
      return layout;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** postgres://user:secret@host/db → postgres://user:***@host/db, for logs and errors. */
export function redactPgUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}
