// The edge under fuzz, in a process of its own: the real simulator and the real edge runtime in
// required-login mode on a real SQLite file, so that "the process lives" is a real question (an
// out-of-memory or an uncaught exception ends this process, not the test runner) and the
// fuzzer can report the input that killed it. The test talks to it over IPC (edge-process.ts).
//
// The route catalogue comes from the running app: Fastify announces every instance it creates on
// the `fastify.initialization` diagnostics channel, and an onRoute hook added there sees each
// route as it is registered (method, url, schema, config) — a route added next month is listed
// without a change here.
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { catalogueEntry, type CatalogueRoute } from './route-catalogue.js';
import { startEdge, type RunningEdge } from '../../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../../plc-sim/simulator.js';
import type { PlantConfig } from '../../../shared/plant-schema.js';
import { AuditEntrySchema } from '../../../shared/command-api.js';
import { AlarmListSchema } from '../../../shared/alarm-wire.js';
import { MachineLiveSchema } from '../../../shared/live-protocol.js';
import type { Role } from '../../../shared/auth-api.js';

export type { CatalogueRoute } from './route-catalogue.js';

export interface ChildOptions {
  plant: PlantConfig;
  /** Devices pointed at the simulator this process starts (the others keep their address: hostile servers). */
  simulate: string[];
  dir: string;
  secret: string;
  users: Array<{ username: string; role: Role; password: string }>;
  readBackTimeoutMs?: number;
}


export type ChildRequest =
  | { op: 'routes' } | { op: 'memory' } | { op: 'audit' } | { op: 'stored' } | { op: 'devices' } | { op: 'machines' } | { op: 'socketEvents' };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const routes: CatalogueRoute[] = [];
subscribe('fastify.initialization', (message) => {
  const { fastify } = message as { fastify: FastifyInstance };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push(catalogueEntry(method, route));
    }
  });
});

const send = (m: unknown) => process.send!(m);
let sim: RunningSimulator | null = null;
let edge: RunningEdge | null = null;
const logs: string[] = [];

function storedProblems(e: RunningEdge): string[] {
  const problems: string[] = [];
  const check = e.historian.sqlite.pragma('quick_check', { simple: true });
  if (check !== 'ok') problems.push(`quick_check: ${String(check)}`);
  let after = 0;
  for (;;) {
    const page = e.audit.page({ after, limit: 1000 });
    for (const entry of page.entries) {
      const r = AuditEntrySchema.safeParse(entry);
      if (!r.success) problems.push(`audit entry ${entry.id}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
    }
    if (page.next === null || !page.entries.length) break;
    after = page.next;
  }
  const alarms = AlarmListSchema.safeParse(e.alarms.list());
  if (!alarms.success) problems.push(`alarm list: ${alarms.error.issues[0]!.path.join('.')}: ${alarms.error.issues[0]!.message}`);
  for (const m of e.machines()) {
    const r = MachineLiveSchema.safeParse(m);
    if (!r.success) problems.push(`machine ${m.machineId}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  }
  return problems.slice(0, 20);
}

async function start(o: ChildOptions) {
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const simulated = new Set(o.simulate);
  if (simulated.size) {
    // The simulator plays only the simulated devices' machines; the others are someone else's (hostile servers).
    const simPlant: PlantConfig = { ...o.plant, devices: o.plant.devices.filter((d) => simulated.has(d.id)), machines: o.plant.machines.filter((m) => simulated.has(m.device)) };
    sim = await startSimulator({ plant: simPlant, opcuaPort: 0, modbusPort: 0, seed: 5, timeScale: 5, pkiDir: join(o.dir, 'pki-sim'), log: () => {} });
  }
  const plant: PlantConfig = {
    ...o.plant,
    devices: o.plant.devices.map((d) => {
      if (!simulated.has(d.id) || !sim) return d;
      return d.protocol === 'opcua' ? { ...d, endpointUrl: sim.opcuaEndpoint } : { ...d, host: '127.0.0.1', port: sim.modbusPort };
    }),
  };
  phases.simulator = performance.now() - t0;
  edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(o.dir, 'twinline.db'), dataDir: o.dir, uiDir: join(o.dir, 'no-ui'),
    // The demo's models folder (read only): GET /api/models/* is fuzzed against real files.
    modelsDir: join(process.cwd(), 'config', 'models'),
    log: (level, m) => { logs.push(`${level} ${m}`); if (logs.length > 200) logs.shift(); },
    auth: { mode: 'required', secret: o.secret, readBackTimeoutMs: o.readBackTimeoutMs ?? 1000 },
  });
  phases.edge = performance.now() - t0 - phases.simulator;
  for (const u of o.users) await edge.auth.users.add({ username: u.username, role: u.role, password: u.password, now: Date.now() });
  phases.users = performance.now() - t0 - phases.simulator - phases.edge;
  return { phases, url: `http://127.0.0.1:${edge.port}`, dbFile: join(o.dir, 'twinline.db') };
}

async function answer(req: ChildRequest): Promise<unknown> {
  const e = edge!;
  switch (req.op) {
    case 'routes': return routes;
    case 'memory': gc(); return process.memoryUsage();
    case 'audit': return e.audit.verify();
    case 'stored': return storedProblems(e);
    case 'devices': return e.devices();
    case 'machines': return e.machines();
    case 'socketEvents': {
      // The live server's declared event table (edge/live/live-event-access.ts: who may send each event).
      const mod = (await import('../../../edge/live/live-event-access.js').catch(() => ({}))) as Record<string, unknown>;
      const table = mod.LIVE_EVENT_ACCESS;
      return table && typeof table === 'object' ? Object.keys(table as object) : null;
    }
  }
}

process.on('message', (raw) => {
  const m = raw as { id: number; start?: ChildOptions; req?: ChildRequest };
  const p = m.start ? start(m.start) : answer(m.req!);
  p.then(
    (value) => send({ id: m.id, ok: true, value }),
    (err: Error) => send({ id: m.id, ok: false, error: `${err.stack ?? err.message}\n--- edge log ---\n${logs.slice(-20).join('\n')}` }),
  );
});
process.on('uncaughtException', (err) => {
  send({ crash: `uncaught exception: ${err.stack ?? err.message}\n--- edge log ---\n${logs.slice(-20).join('\n')}` });
  process.exit(70);
});
process.on('unhandledRejection', (err) => {
  send({ crash: `unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n--- edge log ---\n${logs.slice(-20).join('\n')}` });
  process.exit(70);
});
send({ ready: true });
