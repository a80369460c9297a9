// Plant benchmark (issue 19.6): simulated edges publish Sparkplug B through Mosquitto (aedes when
// absent) into plant hosts on PostgreSQL (TWINLINE_PG_URL, else an embedded PostgreSQL 18).
//  1. ingest at 10, 50, 100 edges (one host, the primary): samples stored per second, p50/p99
//     publish→stored (the edge's sample time to the commit that stored it), the host's CPU, and
//     the database's size per line per day at that rate;
//  2. failover: two hosts, the primary SIGKILLed; time until the standby holds the lease and
//     until every edge is online again (they store and forward meanwhile);
//  3. plant queries over a year of 20 lines of generated history (closed shifts, losses, shift
//     counters, alarm transitions): median ms of each plant REST query's database work.
// Alone: npx tsx bench/plant.ts [--parts ingest,failover,queries] [--edges 10,50,100] [--machines 2] [--tags 10] [--hz 1] [--seconds 8] [--lines 20] [--days 365]
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { startTestPostgres, type TestPostgres } from '../test/host-pg/support/postgres.js';
import { startBroker, startEdges, startHostProcess, tempDir, until } from '../test/host-pg/support/plant-rig.js';
import { openPlantStore, PLANT_STORE_DEFAULTS, PARTITIONED, plantAlarmStats, plantEnergy, plantLosses, plantOee } from '../edge/host/pg/index.js';
import { ensurePartitions } from '../edge/host/pg/partitions.js';
import { PlantAlarmStatsQuerySchema, PlantEnergyByPeriodQuerySchema, PlantLossesQuerySchema, PlantOeeQuerySchema } from '../shared/plant-query-api.js';
import { fmt } from './support/measure.js';

export interface PlantBenchOptions {
  edges: number[];
  machines: number;
  tagsPerMachine: number;
  hz: number;
  seconds: number;
  historyLines: number;
  historyDays: number;
  /** Generate every detail row (closed shifts per machine, losses, alarm transitions) and rebuild the rollups from them, instead of the rollups directly. */
  fullHistory: boolean;
  /** Which parts to run (default all). */
  parts: Array<'ingest' | 'failover' | 'queries'>;
}

export const PLANT_BENCH_DEFAULTS: PlantBenchOptions = { edges: [10, 50, 100], machines: 2, tagsPerMachine: 10, hz: 1, seconds: 8, historyLines: 20, historyDays: 365, fullHistory: false, parts: ['ingest', 'failover', 'queries'] };

export function optionsFromArgs(argv: string[]): PlantBenchOptions {
  const { values } = parseArgs({
    args: argv.slice(2), strict: false,
    options: { edges: { type: 'string' }, machines: { type: 'string' }, tags: { type: 'string' }, hz: { type: 'string' }, seconds: { type: 'string' }, lines: { type: 'string' }, days: { type: 'string' }, parts: { type: 'string' }, 'full-history': { type: 'boolean' } },
  });
  const n = (v: unknown, d: number) => (typeof v === 'string' && Number.isFinite(Number(v)) ? Number(v) : d);
  const d = PLANT_BENCH_DEFAULTS;
  return {
    edges: typeof values.edges === 'string' ? values.edges.split(',').map(Number).filter((x) => x > 0) : d.edges,
    machines: n(values.machines, d.machines), tagsPerMachine: n(values.tags, d.tagsPerMachine), hz: n(values.hz, d.hz), seconds: n(values.seconds, d.seconds),
    historyLines: n(values.lines, d.historyLines), historyDays: n(values.days, d.historyDays), fullHistory: values['full-history'] === true,
    parts: typeof values.parts === 'string' ? values.parts.split(',').filter((x): x is PlantBenchOptions['parts'][number] => ['ingest', 'failover', 'queries'].includes(x)) : d.parts,
  };
}

async function ingest(server: TestPostgres, edgesCount: number, o: PlantBenchOptions, dir: string): Promise<string> {
  const url = await server.createDatabase(`bench_ingest_${edgesCount}`);
  const broker = await startBroker();
  const host = await startHostProcess({ brokerUrl: broker.url, pgUrl: url, hostId: 'plant', groupId: 'plant', dataDir: join(dir, `host-${edgesCount}`), observe: true });
  try {
    await host.role(true, 30_000);
    const edges = await startEdges({
      brokerUrl: broker.url, groupId: 'plant', hostId: 'plant', edges: edgesCount, machines: o.machines, tagsPerMachine: o.tagsPerMachine, hz: o.hz,
      publishIntervalMs: 100, dataDir: join(dir, `edges-${edgesCount}`), onlineTimeoutMs: 120_000,
    });
    try {
      // Warm-up: the host builds a line (historian, KPI engine, line server) per edge first; measure once
      // it stores what the edges publish (two seconds at ≥ 90 % of the rate), or after 90 s whatever it does.
      const rate = edgesCount * o.machines * o.tagsPerMachine * o.hz;
      const warmUntil = Date.now() + 90_000;
      await host.stats();
      for (;;) {
        await new Promise((r) => setTimeout(r, 2000));
        const w = await host.stats();
        if (w.stored / 2 >= 0.9 * rate || Date.now() > warmUntil) break;
      }
      const a = await host.stats();
      await new Promise((r) => setTimeout(r, o.seconds * 1000));
      const b = await host.stats();
      const seconds = (b.at - a.at) / 1000;
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const size = Number((await db.query(`SELECT sum(pg_total_relation_size(c.oid))::float8 AS bytes FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'tag_samples'`)).rows[0].bytes);
      const rows = Number((await db.query(`SELECT count(*)::float8 AS n FROM tag_samples`)).rows[0].n);
      await db.end();
      const metricsPerLinePerDay = o.machines * o.tagsPerMachine * o.hz * 86_400;
      const bytesPerRow = rows ? size / rows : 0;
      return `  ${String(edgesCount).padStart(3)} edges × ${o.machines * o.tagsPerMachine} tags @ ${o.hz} Hz: ${fmt(b.stored / seconds, 0).padStart(6)} samples/s stored, publish→stored p50 ${fmt(b.p50, 0)} ms p99 ${fmt(b.p99, 0)} ms (max ${fmt(b.max, 0)}), host CPU ${fmt(((b.cpuMicros - a.cpuMicros) / 1e6 / seconds) * 100, 0)} %, ${fmt(bytesPerRow, 0)} B/sample on disk → ${fmt((bytesPerRow * metricsPerLinePerDay) / 1e6, 0)} MB per line per day`;
    } finally {
      await edges.stop();
    }
  } finally {
    await host.stop();
    await broker.stop();
  }
}

async function failover(server: TestPostgres, o: PlantBenchOptions, dir: string): Promise<string> {
  const url = await server.createDatabase('bench_failover');
  const broker = await startBroker();
  const common = { brokerUrl: broker.url, pgUrl: url, hostId: 'plant', groupId: 'plant' };
  const a = await startHostProcess({ ...common, dataDir: join(dir, 'fa') });
  const hosts = [a];
  try {
    await a.role(true, 30_000);
    const b = await startHostProcess({ ...common, dataDir: join(dir, 'fb') });
    hosts.push(b);
    const edges = await startEdges({ brokerUrl: broker.url, groupId: 'plant', hostId: 'plant', edges: 10, machines: o.machines, tagsPerMachine: o.tagsPerMachine, hz: o.hz, publishIntervalMs: 100, dataDir: join(dir, 'fedges') });
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const killedAt = Date.now();
      await a.kill();
      const tookOver = await b.role(true, 30_000);
      await until(async () => (await edges.status()).edges.every((s) => s.online), 60_000, 'edges online');
      const back = Date.now();
      await until(async () => (await edges.status()).edges.every((s) => s.queuedMetrics === 0), 60_000, 'queues drained');
      const drained = Date.now();
      return `  failover (10 edges, SIGKILL of the primary): standby primary after ${back - killedAt < 0 ? '?' : tookOver - killedAt} ms, every edge online after ${back - killedAt} ms, store-and-forward drained after ${drained - killedAt} ms`;
    } finally {
      await edges.stop();
    }
  } finally {
    for (const h of hosts) await h.stop();
    await broker.stop();
  }
}

/** A year of plant history made in the database (the shapes the host writes), then each plant query timed. */
async function queries(server: TestPostgres, o: PlantBenchOptions): Promise<string[]> {
  const url = await server.createDatabase('bench_queries');
  const end = Date.UTC(2026, 10, 30);
  const start = end - o.historyDays * 86_400_000;
  const store = await openPlantStore({ settings: { ...PLANT_STORE_DEFAULTS, url, eventRetentionDays: o.historyDays + 400 }, log: () => undefined, now: () => end });
  const t0 = performance.now();
  for (const p of PARTITIONED) {
    if (p.table !== 'tag_samples') await ensurePartitions(store.pool, { table: p.table, period: p.period }, start - 86_400_000, end + 86_400_000, new Set());
  }
  const lines = o.historyLines;
  await store.pool.query(`
    INSERT INTO plant_lines SELECT 'plant/line-' || l, 'plant', 'line-' || l, 'line-' || l, 'Line ' || l, 'UTC', '[]'::jsonb, now() FROM generate_series(1, $1) l`, [lines]);
  if (o.fullHistory) await detailHistory(store, lines, start, end, o.historyDays);
  else await rollupHistory(store, lines, start, end, o.historyDays);
  await store.pool.query('VACUUM ANALYZE');
  const counts = (await store.pool.query(`SELECT (SELECT count(*) FROM line_shift_totals)::int AS shifts, (SELECT count(*) FROM line_shift_losses)::int AS losses, (SELECT count(*) FROM alarm_key_days)::int AS alarms`)).rows[0];
  const made = (performance.now() - t0) / 1000;
  const db = drizzle(store.pool);
  const win = { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['OEE by month, every line + plant', () => plantOee(db, PlantOeeQuerySchema.parse({ ...win, by: 'month' }))],
    ['OEE by week, every line + plant', () => plantOee(db, PlantOeeQuerySchema.parse({ ...win, by: 'week' }))],
    ['OEE by day, every line + plant', () => plantOee(db, PlantOeeQuerySchema.parse({ ...win, by: 'day' }))],
    ['OEE by shift, one line', () => plantOee(db, PlantOeeQuerySchema.parse({ ...win, by: 'shift', line: 'plant/line-1' }))],
    ['top 10 losses, plant', () => plantLosses(db, PlantLossesQuerySchema.parse(win))],
    ['energy by month, every line + plant', () => plantEnergy(db, PlantEnergyByPeriodQuerySchema.parse({ ...win, by: 'month' }))],
    ['alarm statistics, every line + plant', () => plantAlarmStats(db, PlantAlarmStatsQuerySchema.parse(win))],
  ];
  const out = [`  plant queries over ${o.historyDays} days of ${lines} lines × 10 machines, ${o.fullHistory ? 'every detail row generated and rolled up' : 'rollups generated directly (--full-history: from detail rows)'} (${counts.shifts} line shifts, ${counts.losses} line-shift losses, ${counts.alarms} alarm-day counts; made in ${fmt(made, 0)} s):`];
  for (const [name, run] of cases) {
    await run();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    const median = times[2]!;
    out.push(`    ${name.padEnd(40)} ${fmt(median, 0).padStart(5)} ms median, ${fmt(times[0]!, 0).padStart(5)} ms fastest of 5${median > 200 ? '  (median over 200 ms)' : ''}`);
  }
  await store.close();
  return out;
}

type Store = Awaited<ReturnType<typeof openPlantStore>>;

/** Closed shifts per machine (3 × 8 h a day), their losses and alarm transitions; the rollups rebuilt from them as the host would. */
async function detailHistory(store: Store, lines: number, start: number, end: number, days: number): Promise<void> {
  await store.pool.query(`
    INSERT INTO shift_totals
    SELECT 'plant/line-' || l, 'm' || m, s, s + interval '8 hours', (ARRAY['Early','Late','Night'])[1 + (extract(hour FROM s)::int / 8)], to_char(s, 'YYYY-MM-DD'),
      28800000, 28800000, 1800000, 0, prod, 600000, bd, 300000, 28800000 - 1800000 - prod - 600000 - bd - 300000,
      1, 3, 1, 2, (prod / 12000)::int, (prod / 12000 * 0.97)::int, prod / 1000.0 * 0.9, 40 + (l % 7)
    FROM generate_series(1, $1) l, generate_series(1, 10) m,
      generate_series($2::timestamptz, $3::timestamptz - interval '8 hours', interval '8 hours') s,
      LATERAL (SELECT 20000000 + (hashtext(l || '/' || m || s::text) % 3000000) AS prod, 900000 + abs(hashtext(s::text || m) % 1500000) AS bd) x`,
  [lines, new Date(start).toISOString(), new Date(end).toISOString()]);
  await store.pool.query(`
    INSERT INTO shift_losses
    SELECT line_key, machine_id, shift_start, r.bucket, r.reason, (breakdown_ms * r.share)::bigint, 1
    FROM shift_totals, (VALUES ('breakdown', 'spindle', 0.5), ('breakdown', 'tool change overrun', 0.3), ('breakdown', 'hydraulics', 0.2), ('idle', 'no material', 1.0)) r(bucket, reason, share)`);
  await store.pool.query(`
    INSERT INTO shift_counters SELECT line_key, machine_id, shift_start, shift_end, total_count, good_count, energy_kwh FROM shift_totals`);
  await store.pool.query(`
    INSERT INTO alarm_events
    SELECT 'plant/line-' || l, 'm' || (1 + a % 10), 'rule-' || (a % 40), e.event, t + e.after, (ARRAY['critical','high','medium','low'])[1 + a % 4], 'alarm ' || (a % 40), t, NULL
    FROM generate_series(1, $1) l, generate_series(0, $2::int * 30 - 1) a,
      LATERAL (SELECT $3::timestamptz + (a * interval '48 minutes') + (l * interval '1 minute') AS t) tt,
      (VALUES ('raised', interval '0'), ('acked', interval '90 seconds'), ('returned', interval '5 minutes')) e(event, after)`,
  [lines, days, new Date(start).toISOString()]);
  await store.rebuildRollups(start, end + 86_400_000);
}

/** The rollups the plant queries read, as detailHistory's would be (10 machines a line, 30 alarms a day over 40 alarm rules). */
async function rollupHistory(store: Store, lines: number, start: number, end: number, days: number): Promise<void> {
  await store.pool.query(`
    INSERT INTO line_shift_totals
    SELECT 'plant/line-' || l, s, s + interval '8 hours', (ARRAY['Early','Late','Night'])[1 + (extract(hour FROM s)::int / 8)], to_char(s, 'YYYY-MM-DD'), 10,
      288000000, 288000000, 18000000, 0, prod, 6000000, bd, 3000000, 288000000 - 18000000 - prod - 6000000 - bd - 3000000,
      10, 30, 10, 20, (prod / 12000)::int, (prod / 12000 * 0.97)::int, prod / 1000.0 * 0.9, 400 + (l % 7)
    FROM generate_series(1, $1) l, generate_series($2::timestamptz, $3::timestamptz - interval '8 hours', interval '8 hours') s,
      LATERAL (SELECT 200000000 + (hashtext(l || s::text) % 30000000) AS prod, 9000000 + abs(hashtext(s::text || l) % 15000000) AS bd) x`,
  [lines, new Date(start).toISOString(), new Date(end).toISOString()]);
  await store.pool.query(`
    INSERT INTO line_shift_losses
    SELECT line_key, shift_start, r.bucket, r.reason, (breakdown_ms * r.share)::bigint, 10
    FROM line_shift_totals, (VALUES ('breakdown', 'spindle', 0.5), ('breakdown', 'tool change overrun', 0.3), ('breakdown', 'hydraulics', 0.2), ('idle', 'no material', 1.0)) r(bucket, reason, share)`);
  await store.pool.query(`
    INSERT INTO alarm_days
    SELECT 'plant/line-' || l, d::date, 30, 8, 8, 7, 7, 30, 30 * 90, 30, 30 * 300, 1, 0
    FROM generate_series(1, $1) l, generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') d`,
  [lines, new Date(start).toISOString(), new Date(end).toISOString()]);
  await store.pool.query(`
    INSERT INTO alarm_key_days
    SELECT 'plant/line-' || l, d::date, 'rule-' || k, 'alarm ' || k, (ARRAY['critical','high','medium','low'])[1 + k % 4], 1 + (k % 2)
    FROM generate_series(1, $1) l, generate_series($2::timestamptz, $3::timestamptz - interval '1 day', interval '1 day') d, generate_series(0, 19) k`,
  [lines, new Date(start).toISOString(), new Date(end).toISOString()]);
  void days;
}

export async function runPlantBench(o: PlantBenchOptions = PLANT_BENCH_DEFAULTS): Promise<string[]> {
  const started = await startTestPostgres();
  if (!started.ok) return [`  skipped: ${started.why}`];
  const server = started.server;
  const tmp = tempDir('twinline-plant-bench-');
  const lines = [`  PostgreSQL ${process.env.TWINLINE_PG_URL ? '(TWINLINE_PG_URL)' : '(embedded 18, fsync off)'}; edges, broker, hosts and database on this one machine (${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the start)`];
  try {
    if (o.parts.includes('ingest')) for (const n of o.edges) lines.push(await ingest(server, n, o, tmp.dir));
    if (o.parts.includes('failover')) lines.push(await failover(server, o, tmp.dir));
    if (o.parts.includes('queries')) lines.push(...await queries(server, o));
  } finally {
    await server.stop();
    tmp.remove();
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  runPlantBench(optionsFromArgs(process.argv)).then((l) => { console.log(l.join('\n')); process.exit(0); }, (err) => { console.error(err); process.exit(1); });
}
