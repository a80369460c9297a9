// A small HTTP control API next to the PLC servers: ground truth as JSON, fault injection,
// operator commands and the simulated clock. Meant for tests and demos on localhost.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { FaultSpecSchema } from './fault-injection.js';
import type { RunningSimulator } from './simulator.js';

export interface RunningControlApi {
  port: number;
  url: string;
  close(): Promise<void>;
}

const CommandSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('resetFault') }),
  z.strictObject({ kind: z.literal('speedOverride'), value: z.number() }),
]);

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details?: unknown) { super(message); }
}

/** Epoch ms or an ISO date-time, from a query parameter. */
function instant(name: string, text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  const n = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(n)) throw new HttpError(400, `${name}=${text} is neither epoch ms nor an ISO date-time`);
  return n;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'body larger than 64 KiB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'invalid body', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

export const CONTROL_ROUTES = [
  'GET    /api/clock                    simulated clock: now, startTime, timeScale, and wall time',
  'GET    /api/machines                 what every machine is really doing (model view)',
  'GET    /api/truth?from=&to=          ground truth for a window (epoch ms or ISO; default: start … now)',
  'GET    /api/faults                   active injected faults',
  'POST   /api/faults                   inject a fault, body e.g. {"kind":"latency","device":"plc-modbus","ms":300}',
  'DELETE /api/faults/:id               clear one fault',
  'DELETE /api/faults                   clear all faults',
  'POST   /api/machines/:id/commands    {"kind":"resetFault"} or {"kind":"speedOverride","value":90}',
  'GET    /api/utilities                utilities area ground truth: every meter\'s consumption, unmetered loads and losses',
];

export async function startControlApi(sim: RunningSimulator, port: number, host = '127.0.0.1'): Promise<RunningControlApi> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    try {
      if (method === 'GET' && (path === '/' || path === '/api')) return send(200, { routes: CONTROL_ROUTES });
      if (method === 'GET' && path === '/api/clock') {
        return send(200, { now: sim.clock.now(), nowIso: new Date(sim.clock.now()).toISOString(), startTime: sim.clock.startTime, timeScale: sim.clock.timeScale, wallNow: Date.now() });
      }
      if (method === 'GET' && path === '/api/machines') return send(200, sim.machines());
      if (method === 'GET' && path === '/api/utilities') {
        if (!sim.utilities) throw new HttpError(404, 'no utilities area: the plant file has no metering section');
        return send(200, sim.utilities.truth());
      }
      if (method === 'GET' && path === '/api/truth') {
        return send(200, sim.truth(instant('from', url.searchParams.get('from')), instant('to', url.searchParams.get('to'))));
      }
      if (path === '/api/faults') {
        if (method === 'GET') return send(200, sim.faults());
        if (method === 'POST') {
          const spec = parse(FaultSpecSchema, await body(req));
          try {
            return send(201, sim.inject(spec));
          } catch (err) {
            throw new HttpError(400, (err as Error).message);
          }
        }
        if (method === 'DELETE') { sim.clearFaults(); return send(204); }
      }
      const fault = /^\/api\/faults\/(\d+)$/.exec(path);
      if (fault && method === 'DELETE') {
        if (!sim.clearFault(Number(fault[1]))) throw new HttpError(404, `no active fault ${fault[1]} (GET /api/faults lists them)`);
        return send(204);
      }
      const cmd = /^\/api\/machines\/([^/]+)\/commands$/.exec(path);
      if (cmd && method === 'POST') {
        const command = parse(CommandSchema, await body(req));
        try {
          sim.command(decodeURIComponent(cmd[1]!), command);
        } catch (err) {
          throw new HttpError(err instanceof RangeError ? 400 : 500, (err as Error).message);
        }
        return send(200, sim.machines().find((m) => m.id === decodeURIComponent(cmd[1]!)));
      }
      throw new HttpError(404, `no route ${method} ${path}; GET /api lists the routes`);
    } catch (err) {
      if (err instanceof HttpError) return send(err.status, { error: err.message, details: err.details });
      return send(500, { error: (err as Error).message });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
