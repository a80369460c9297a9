// One line of the plant, served by the host as its edge serves it: the same twin UI, REST API
// (machines, health, history, KPIs, alarms, commands, login) and Socket.IO live feed, built from
// the edge's exported functions with the mirror as the data source. The host's main port hands it
// every request under /lines/<group>/<edge node>/ (host-runtime.ts); a port of its own is optional.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { LineSnapshot, MachineLive } from '../../shared/live-protocol.js';
import type { AlarmList, AlarmView } from '../../shared/alarm-wire.js';
import { AlarmListQuerySchema } from '../../shared/alarm-api.js';
import { createHttpServer, type TlsFiles } from '../api/index.js';
import { historyRoutes } from '../api/index.js';
import { authRoutes } from '../api/index.js';
import { auditRoutes } from '../api/index.js';
import { commandRoutes } from '../api/index.js';
import { kpiRoutes } from '../api/index.js';
import { machineRoutes } from '../api/index.js';
import { statusRoutes } from '../api/index.js';
import { docsRoutes } from '../api/index.js';
import { modelRoutes } from '../api/index.js';
import { storedShiftsOf, storedShiftsRead } from '../api/index.js';
import { inlineReads, openReadWorker } from '../store/index.js';
import { apiRoute, ok } from '../api/index.js';
import { ApiFailure } from '../api/index.js';
import { createLiveServer, type LiveServer } from '../live/index.js';
import type { AuthService } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { CommandService } from '../commands/index.js';
import type { Historian } from '../store/index.js';
import type { Log } from '../logger.js';
import type { EdgeMirror } from './edge-mirror.js';
import type { HostLineKpi } from './line-kpi.js';
import { lineHistoryReads, type LineHistory } from './pg/line-history.js';
import { lineAlarmHistoryRoutes } from './pg/line-alarm-routes.js';
import { databaseShiftsKpi } from './pg/line-closed-shifts.js';

export interface LineServerOptions {
  mirror: EdgeMirror;
  historian: Historian;
  commands: CommandService;
  /** Null when the edge does not publish its KPI settings: /api/kpi answers 503 and says why. */
  kpi: HostLineKpi | null;
  /** The line's history in the plant database (PostgreSQL mode): trends and state timelines are read there, not from `historian`. */
  history?: LineHistory | null;
  auth: AuthService;
  audit: AuditLog;
  uiDir: string;
  /** The host's models folder (`models:` in the host file): the line's twin loads its plant's glTF files from it. */
  modelsDir?: string | null;
  /** A port of its own as well (`lines:` in the host file), or null: reached through the main port only. */
  port: number | null;
  host: string;
  /** HTTPS on its own port (the host's certificate). */
  tls?: TlsFiles;
  now: () => number;
  log: Log;
}

export interface LineServer {
  /** Its own port, if it has one. */
  port: number | null;
  /** The Fastify app (requests from the main port are emitted on app.server). */
  app: FastifyInstance;
  /** The machine ids this server was built for (a new plant view needs a new server). */
  machineIds: readonly string[];
  /** The KPI engine its routes read (a new one needs a new server). */
  kpi: HostLineKpi | null;
  touch(machineIds: Iterable<string>): void;
  /** Sends the standing alarm list to every client (the edge published a change). */
  alarmsChanged(): void;
  stop(): Promise<void>;
}

const FLOOD_NONE = { active: false, since: null, count: 0, windowMinutes: 10, limit: 10 };

/** The edge's GET /api/alarms answer, from the standing alarms the edge published. */
export function mirroredAlarmList(mirror: EdgeMirror, now: number, machineId?: string): AlarmList {
  const alarms: AlarmView[] = [];
  for (const [id, list] of mirror.alarms) if (!machineId || id === machineId) alarms.push(...list);
  return { alarms, flood: mirror.flood ?? FLOOD_NONE, ts: now };
}

const AlarmsReadOnlyPath = z.strictObject({ '*': z.string().max(256) });

/** What differs from an edge: alarms are read-only here, and KPIs need the edge's settings. */
const mirroredLineRoutes: FastifyPluginAsync<{ mirror: EdgeMirror; now: () => number; kpi: boolean; history: LineHistory | null }> = async (app, { mirror, now, kpi, history }) => {
  if (!kpi) {
    app.route(apiRoute({
      method: 'GET', url: '/api/kpi/*', access: 'operator', tag: 'kpi', summary: 'KPIs are not recomputed for this line: its edge publishes no KPI settings',
      responses: { 503: { description: 'the edge publishes no KPI settings' } },
    }, () => {
      throw new ApiFailure(503, 'unavailable', `${mirror.key} does not publish its KPI settings (Twinline/KPI Settings in its NBIRTH): update that edge to recompute its KPIs here`);
    }));
  }
  // Alarms are read-only here: ISA-18.2 actions stay with the edge that raised them (its audit, its operators).
  app.route(apiRoute({
    method: 'GET', url: '/api/alarms', access: 'operator', tag: 'alarms', summary: 'The standing alarms the edge published', query: AlarmListQuerySchema, responses: ok('the alarm list'),
  }, ({ query }) => mirroredAlarmList(mirror, now(), query.machineId)));
  // The journal, with a plant database: the occurrences as the edges' alarm lists stated them, whoever stored them.
  if (history) await app.register(lineAlarmHistoryRoutes, { history, now });
  app.route(apiRoute({
    method: ['POST', 'PUT', 'DELETE'], url: '/api/alarms/*', access: 'operator', tag: 'alarms', summary: 'Alarm actions belong to the edge', params: AlarmsReadOnlyPath,
    responses: { 501: { description: 'read-only on the plant host' } },
  }, () => {
    throw new ApiFailure(501, 'not-supported', `alarms are read-only on the plant host: acknowledge, shelve or remove them from service on the edge of ${mirror.key}`);
  }));
};

export async function startLineServer(o: LineServerOptions): Promise<LineServer> {
  const { mirror, now } = o;
  const view = mirror.plantView;
  if (!view) throw new Error(`${mirror.key} has no plant view yet`);
  const machineIds = view.machines.map((m) => m.id);
  const startedAt = now();
  const machineLive = (id: string): MachineLive | undefined => mirror.machines.get(id);
  const machines = () => machineIds.map((id) => mirror.machines.get(id)).filter((m): m is MachineLive => !!m);
  const devices = () => [...mirror.devices.values()];
  const snapshot = (): LineSnapshot => ({ plant: view, machines: machines(), devices: devices(), ts: now() });

  const app = await createHttpServer({ uiDir: o.uiDir, auth: o.auth, log: o.log, tls: o.tls });
  await app.register(statusRoutes, {
    auth: o.auth,
    status: () => ({
      status: mirror.online && devices().every((d) => d.connected) ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((now() - startedAt) / 1000),
      devices: devices(),
      edge: {
        groupId: mirror.groupId, edgeNodeId: mirror.edgeNodeId, online: mirror.online, bdSeq: mirror.bdSeq,
        lastMessageAt: mirror.lastMessageAt, line: mirror.line, ...mirror.stats,
      },
      historian: o.historian.health(),
    }),
  });
  await app.register(authRoutes, { auth: o.auth, now });
  await app.register(machineRoutes, { machines });
  // A line's history reads run on their own worker thread (started at the first read), as on the edge (issue 16.2).
  const file = o.historian.health().file;
  const reads = file === ':memory:' ? undefined : openReadWorker({ file, catchUp: () => o.historian.queries.catchUp(), log: o.log });
  // With a plant database, trends and state timelines come from it: every host answers with the
  // whole stored history, not only what it mirrored since it started.
  const local = reads ?? inlineReads({ queries: o.historian.queries });
  const historyReads = o.history ? lineHistoryReads(o.history, local, { microStopsAs: o.kpi?.plant.kpi?.microStopsAs ?? 'availability' }) : local;
  await app.register(historyRoutes, { queries: o.historian.queries, reads: historyReads, machineIds, now, ...(o.history ? { tags: o.history.tags } : {}) });
  await app.register(commandRoutes, { auth: o.auth, commands: o.commands });
  await app.register(auditRoutes, { audit: o.audit });
  // Closed shifts (and the day and week they add up to) from the plant database when there is one: the same on every host.
  if (o.kpi) {
    await app.register(kpiRoutes, o.history
      ? { plant: o.kpi.plant, kpi: databaseShiftsKpi(o.kpi.plant, o.kpi.engine, o.history, now), now, storedShifts: storedShiftsRead(historyReads) }
      : { plant: o.kpi.plant, kpi: o.kpi.engine, now, storedShifts: reads ? storedShiftsRead(reads) : storedShiftsOf(o.historian.queries) });
  }
  await app.register(mirroredLineRoutes, { mirror, now, kpi: !!o.kpi, history: o.history ?? null });
  // The same route as the edge's (access, size and path limits): the files come from the host's own folder.
  await app.register(modelRoutes, { modelsDir: o.modelsDir ?? null });
  await app.register(docsRoutes, {
    info: { title: `twinline plant host: line ${mirror.key}`, version: '0.1.0', description: `The line ${view.line.name} as its edge serves it, from the plant host's mirror and historian.` },
  });
  const live: LiveServer = createLiveServer({
    httpServer: app.server, lineId: view.line.id, machineIds, snapshot, machineLive, devices, now, auth: o.auth, commands: o.commands,
    // The line's shift from the host's own KPI engine when it keeps one (else the twin reads a machine's).
    ...(o.kpi ? { lineShift: () => o.kpi!.engine.shift() } : {}),
    afterLineSnapshot: (send) => send('alarms', mirroredAlarmList(mirror, now())),
  });
  let port: number | null = null;
  if (o.port !== null) {
    await app.listen({ port: o.port, host: o.host });
    port = (app.server.address() as AddressInfo).port;
  } else {
    await app.ready();
  }
  return {
    port,
    app,
    machineIds,
    kpi: o.kpi,
    touch: (ids) => live.touch(ids),
    alarmsChanged: () => live.broadcast('alarms', mirroredAlarmList(mirror, now())),
    async stop() {
      await live.close();
      await app.close();
      await reads?.close();
    },
  };
}
