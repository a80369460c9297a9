// One line of the plant, served by the host exactly as its edge serves it: the same twin UI,
// REST API (machines, health, history, commands, login) and Socket.IO live feed, on a port of
// its own, built from the edge's exported functions with the mirror as the data source.
import type { AddressInfo } from 'node:net';
import type { LineSnapshot, MachineLive } from '../../shared/live-protocol.js';
import { createHttpServer } from '../api/http-server.js';
import { registerHistoryRoutes } from '../api/history-routes.js';
import { registerAuthRoutes } from '../api/auth-routes.js';
import { registerCommandRoutes } from '../api/command-routes.js';
import { createLiveServer, type LiveServer } from '../live/live-server.js';
import type { AuthService } from '../auth/auth-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { CommandService } from '../commands/command-service.js';
import type { Historian } from '../store/historian.js';
import type { Log } from '../logger.js';
import type { EdgeMirror } from './edge-mirror.js';

export interface LineServerOptions {
  mirror: EdgeMirror;
  historian: Historian;
  commands: CommandService;
  auth: AuthService;
  audit: AuditLog;
  uiDir: string;
  port: number;
  host: string;
  now: () => number;
  log: Log;
}

export interface LineServer {
  port: number;
  /** The machine ids this server was built for (a new plant view needs a new server). */
  machineIds: readonly string[];
  touch(machineIds: Iterable<string>): void;
  stop(): Promise<void>;
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
  const live: LiveServer = createLiveServer({
    httpServer: app.server, lineId: view.line.id, machineIds, snapshot, machineLive, devices, now, auth: o.auth, commands: o.commands,
  });
  await app.listen({ port: o.port, host: o.host });
  const port = (app.server.address() as AddressInfo).port;
  return {
    port,
    machineIds,
    touch: (ids) => live.touch(ids),
    async stop() {
      await live.close();
      await app.close();
    },
  };
}
