// One line of the plant, served by the host as its edge serves it: the same twin UI, REST API
// (machines, health, history, KPIs, alarms, commands, login) and Socket.IO live feed, built from
// the edge's exported functions with the mirror as the data source. The host's main port hands it
// every request under /lines/<group>/<edge node>/ (host-runtime.ts); a port of its own is optional.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { LineSnapshot, MachineLive } from '../../shared/live-protocol.js';
import type { AlarmList, AlarmView } from '../../shared/alarm-wire.js';
import { AlarmListQuerySchema } from '../../shared/alarm-api.js';
import type { PeriodTotals } from '../../shared/kpi/period-totals.js';
import { createHttpServer } from '../api/http-server.js';
import { registerHistoryRoutes } from '../api/history-routes.js';
import { registerAuthRoutes } from '../api/auth-routes.js';
import { registerCommandRoutes } from '../api/command-routes.js';
import { registerKpiRoutes } from '../api/kpi-routes.js';
import { parseInput } from '../api/validation.js';
import { createLiveServer, type LiveServer } from '../live/live-server.js';
import type { AuthService } from '../auth/auth-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CommandService } from '../commands/command-service.js';
import type { Historian } from '../store/historian.js';
import type { Log } from '../logger.js';
import type { EdgeMirror } from './edge-mirror.js';
import type { HostLineKpi } from './line-kpi.js';

export interface LineServerOptions {
  mirror: EdgeMirror;
  historian: Historian;
  commands: CommandService;
  /** Null when the edge does not publish its KPI settings: /api/kpi answers 503 and says why. */
  kpi: HostLineKpi | null;
  auth: AuthService;
  audit: AuditLog;
  uiDir: string;
  /** A port of its own as well (`lines:` in the host file), or null: reached through the main port only. */
  port: number | null;
  host: string;
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

  const app = await createHttpServer({
    uiDir: o.uiDir, auth: o.auth, log: o.log, machines,
    health: () => ({
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
  registerHistoryRoutes(app, { queries: o.historian.queries, machineIds, now });
  registerAuthRoutes(app, o.auth, now);
  registerCommandRoutes(app, { auth: o.auth, commands: o.commands, audit: o.audit });
  if (o.kpi) {
    registerKpiRoutes(app, {
      plant: o.kpi.plant, kpi: o.kpi.engine, now,
      storedShifts: (machineId, from, to) => o.historian.queries.kpiPeriods(machineId, from, to)
        .map((p) => ({ shift: { name: p.name, date: p.date, start: p.startTs, end: p.endTs }, totals: p.totals as PeriodTotals })),
    });
  } else {
    app.get('/api/kpi/*', async (_req, reply) => reply.code(503).send({
      error: `${mirror.key} does not publish its KPI settings (Twinline/KPI Settings in its NBIRTH): update that edge to recompute its KPIs here`,
    }));
  }
  // Alarms are read-only here: ISA-18.2 actions stay with the edge that raised them (its audit, its operators).
  app.get('/api/alarms', async (req) => {
    const q = parseInput(AlarmListQuerySchema, req.query ?? {}, 'query');
    return mirroredAlarmList(mirror, now(), q.machineId);
  });
  app.route({
    method: ['POST', 'PUT', 'DELETE'], url: '/api/alarms/*',
    handler: async (_req, reply) => reply.code(501).send({
      error: `alarms are read-only on the plant host: acknowledge, shelve or remove them from service on the edge of ${mirror.key}`, code: 'not-supported',
    }),
  });
  const live: LiveServer = createLiveServer({
    httpServer: app.server, lineId: view.line.id, machineIds, snapshot, machineLive, devices, now, auth: o.auth, commands: o.commands,
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
    },
  };
}
