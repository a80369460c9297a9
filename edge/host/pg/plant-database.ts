// What a host in PostgreSQL mode adds to the host runtime (host-runtime.ts): the plant store fed
// from every mirror, the primary lease that decides whether this process speaks for the host id
// (the others stand by, mirroring and writing the same rows, which the store's keys make
// idempotent), and the plant query routes. Hand-over: a host that gets the lease waits until the
// edges it mirrors have gone offline (they saw the old primary's STATE Will and store and
// forward), flushes, then connects as the primary; the edges are born again and replay.
import type { FastifyPluginAsync } from 'fastify';
import pg from 'pg';
import { READ_BUDGET_MS } from '../../../shared/query-limits.js';
import type { Log } from '../../logger.js';
import type { EdgeMirror } from '../edge-mirror.js';
import type { PrimaryHost } from '../primary-host.js';
import { openPlantStore, PLANT_STORE_DEFAULTS, redactPgUrl, type PlantStore, type PlantStoreHealth, type PlantWriter } from './plant-store.js';
import { createPrimaryLease, type PrimaryLease } from './primary-lease.js';
import { plantQueryRoutes } from './plant-query-routes.js';
import { createMeterDefinitionWriter, plantEnergySources } from './plant-energy-store.js';
import { meterTotalEvents, type LineEnergySource } from '../plant-energy.js';
import type { EnergyUplink } from '../../../shared/energy-uplink.js';
import type { HostPostgres } from './postgres-settings.js';
import { lineHistory, type LineHistory } from './line-history.js';

export interface PlantDatabase {
  writer: PlantWriter;
  store: PlantStore;
  /** A mirror's line appeared or changed shape: its row in plant_lines. */
  lineChanged(mirror: EdgeMirror): void;
  /** A line's Energy/Meters: its totals as tag samples, its meter definitions when they changed. */
  energy(lineKey: string, uplink: EnergyUplink): void;
  /** Every line's meters and their totals in [from, to] from the database (plantEnergyReport's input). */
  energySources(from: number, to: number): Promise<LineEnergySource[]>;
  /** A line's history in the database (its twin's trends and timelines, its KPI engine's seed); null before its plant view. */
  lineHistory(mirror: EdgeMirror): LineHistory | null;
  /** Starts the lease for `primary` (created passive): it becomes the primary while this host holds the lease. */
  lead(primary: PrimaryHost): void;
  readonly primaryHeld: boolean;
  routes: FastifyPluginAsync;
  health(): { url: string; primary: boolean; store: PlantStoreHealth };
  close(): Promise<void>;
}

export interface OpenPlantDatabaseOptions {
  settings: HostPostgres;
  hostId: string;
  env: NodeJS.ProcessEnv;
  log: Log;
  now: () => number;
  /** Benchmarks: the edge timestamps of each committed batch of samples. */
  onStored?: (sampleTs: Float64Array, committedAt: number) => void;
}

export async function openPlantDatabase(o: OpenPlantDatabaseOptions): Promise<PlantDatabase> {
  const url = o.settings.url ?? o.env.TWINLINE_HOST_PG_URL;
  if (!url) throw new Error('postgres: in the host file needs a url (or set TWINLINE_HOST_PG_URL), e.g. postgres://twinline@db.plant:5432/twinline');
  const store = await openPlantStore({
    settings: {
      ...PLANT_STORE_DEFAULTS, url, tagSampleRetentionDays: o.settings.tagSampleRetentionDays, eventRetentionDays: o.settings.eventRetentionDays,
      partitionsAheadDays: o.settings.partitionsAheadDays, flushIntervalMs: o.settings.flushIntervalMs,
    },
    log: o.log, now: o.now, onStored: o.onStored,
  });
  o.log('info', `host ${o.hostId}: plant store on ${redactPgUrl(url)} (${store.layout === 'timescaledb' ? 'TimescaleDB hypertables' : 'native partitions'})`);
  let lease: PrimaryLease | null = null;
  const routes: FastifyPluginAsync = async (app) => app.register(plantQueryRoutes, { db: store.db });
  const meterDefinitions = createMeterDefinitionWriter(store.pool, o.log, o.now);
  // The twin's history reads on connections of their own, each statement stopped past the read
  // budget: a long trend never holds up the writes, and never runs unbounded.
  let readPool: pg.Pool | null = null;
  const reads = () => {
    if (readPool) return readPool;
    // A connection that cannot be had within the budget fails the read too (a line's KPI seed falls back to its own history).
    readPool = new pg.Pool({ connectionString: url, max: 2, keepAlive: true, statement_timeout: READ_BUDGET_MS, connectionTimeoutMillis: READ_BUDGET_MS });
    readPool.on('error', (err) => o.log('warn', `plant store: an idle read connection failed (${err.message}); the pool opens another`));
    // pool.end() resolves before its connections have closed: an error arriving on one that is closing has no one to tell.
    readPool.on('connect', (client) => client.on('error', () => undefined));
    return readPool;
  };

  return {
    writer: store.writer,
    store,
    lineChanged(mirror) {
      const view = mirror.plantView;
      if (view) store.writer.line(mirror.key, mirror.groupId, mirror.edgeNodeId, view, mirror.kpiSettings?.timezone ?? view.site.timezone);
    },
    energy(lineKey, uplink) {
      store.writer.events(lineKey, meterTotalEvents(uplink, o.now()));
      meterDefinitions.write(lineKey, uplink);
    },
    async energySources(from, to) {
      // Totals still buffered are written first (a failed write is the store's to retry and report).
      await store.flush().catch(() => undefined);
      await meterDefinitions.settled();
      return plantEnergySources(store.pool, from, to);
    },
    lineHistory(mirror) {
      const view = mirror.plantView;
      if (!view) return null;
      const tagKinds = new Map(view.machines.flatMap((m) => m.tags.map((t) => [`${m.id}.${t.name}`, t.type === 'bool' ? 'boolean' as const : t.type === 'string' ? 'string' as const : 'number' as const])));
      return lineHistory({ pool: reads(), lineKey: mirror.key, machineIds: view.machines.map((m) => m.id), tagKinds, flush: () => store.flush().catch(() => undefined) });
    },
    lead(primary) {
      lease = createPrimaryLease({
        url, hostId: o.hostId, retryMs: o.settings.leaseRetryMs, log: o.log,
        acquired: async () => {
          const deadline = o.now() + o.settings.handoverMs;
          while (o.now() < deadline && primary.mirrors().some((m) => m.online)) await new Promise((r) => setTimeout(r, 50));
          await store.flush();
          if (lease?.holding) primary.setPassive(false);
        },
        lost: () => primary.setPassive(true),
      });
      lease.start();
    },
    get primaryHeld() {
      return lease?.holding ?? false;
    },
    routes,
    health: () => ({ url: redactPgUrl(url), primary: lease?.holding ?? false, store: store.health() }),
    async close() {
      await lease?.stop();
      await store.close();
      await readPool?.end();
    },
  };
}
