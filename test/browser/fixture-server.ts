// Dev/test server for the twin without PLCs: serves dist/twin-ui and a Socket.IO endpoint that
// speaks shared/live-protocol.ts with a synthetic line (fixture-line.ts).
//   npx tsx test/browser/fixture-server.ts [--port 5174] [--plant config/demo-plant.yaml] [--machines 200]
import { createServer, type Server as HttpServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { toPlantView, type ClientToServerEvents, type PlantView, type ServerToClientEvents } from '../../shared/live-protocol.js';
import { createFixtureLine, type FixtureLine } from './fixture-line.js';
import { syntheticPlant } from './synthetic-plant.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

export interface FixtureServer {
  url: string;
  line: FixtureLine;
  httpServer: HttpServer;
  /** Drops every client's transport and refuses new ones until resume() (the UI should show "reconnecting"). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export async function startFixtureServer(options: { port?: number; uiDir?: string; plant?: PlantView; tickMs?: number; now?: () => number } = {}): Promise<FixtureServer> {
  const uiDir = resolve(options.uiDir ?? 'dist/twin-ui');
  if (!existsSync(join(uiDir, 'index.html'))) throw new Error(`fixture server: ${uiDir}/index.html missing — run npm run build:ui first`);
  const now = options.now ?? Date.now;
  const plant = options.plant ?? toPlantView(loadPlantFile('config/demo-plant.yaml'));
  const line = createFixtureLine(plant, now());
  let paused = false;
  const httpServer = createServer(async (req, res) => {
    if (paused) {
      res.writeHead(503).end();
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', uptimeSeconds: 0, devices: line.devices() }));
      return;
    }
    const file = normalize(join(uiDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(uiDir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  // While paused, handshakes fail at the transport level, as they do when the edge is down.
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    serveClient: false,
    allowRequest: (_req, cb) => cb(paused ? 'fixture paused' : null, !paused),
  });
  io.on('connection', (socket) => {
    socket.emit('snapshot', line.snapshot(now()));
  });
  const timer = setInterval(() => {
    if (paused) return;
    const t = now();
    io.emit('delta', { machines: line.step(t), devices: line.devices(), ts: t });
  }, options.tickMs ?? 250);
  await new Promise<void>((r) => httpServer.listen(options.port ?? 0, '127.0.0.1', r));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    line,
    httpServer,
    pause() {
      paused = true;
      // Close the transports (not a polite server disconnect): clients see a lost connection.
      for (const socket of io.sockets.sockets.values()) socket.conn.close();
    },
    resume() {
      paused = false;
    },
    async stop() {
      clearInterval(timer);
      await new Promise<void>((r) => io.close(() => r()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '5174' }, plant: { type: 'string' }, machines: { type: 'string' } } });
  const plant = values.machines ? syntheticPlant(Number(values.machines)) : toPlantView(loadPlantFile(values.plant ?? 'config/demo-plant.yaml'));
  const server = await startFixtureServer({ port: Number(values.port), plant });
  console.log(`fixture twin at ${server.url}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
