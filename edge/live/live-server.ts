// Socket.IO: a snapshot on join, then coalesced deltas per tick. Coalescing means a burst
// of tag changes costs one message per machine per tick, whatever the acquisition rate.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, DeviceHealth, LineSnapshot, MachineLive, ServerToClientEvents } from '../../shared/live-protocol.js';

export interface LiveServerOptions {
  httpServer: HttpServer;
  snapshot: () => LineSnapshot;
  machineLive: (machineId: string) => MachineLive | undefined;
  devices: () => DeviceHealth[];
  now: () => number;
  tickMs?: number;
  /** Device health and time-driven KPIs are re-sent this often even without tag changes. */
  refreshMs?: number;
}

export interface LiveServer {
  /** Marks machines whose live view changed; they go out on the next tick. */
  touch(machineIds: Iterable<string>): void;
  clientCount(): number;
  close(): Promise<void>;
}

export function createLiveServer(options: LiveServerOptions): LiveServer {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(options.httpServer, {
    serveClient: false,
    // Same-origin only: the twin is served by this server.
    cors: { origin: false },
    maxHttpBufferSize: 64 * 1024,
  });
  const dirty = new Set<string>();
  let lastRefresh = options.now();

  io.on('connection', (socket) => {
    socket.join('line');
    socket.emit('snapshot', options.snapshot());
  });

  const tick = setInterval(() => {
    const now = options.now();
    const refresh = now - lastRefresh >= (options.refreshMs ?? 1000);
    if (!dirty.size && !refresh) return;
    if (refresh) {
      lastRefresh = now;
      for (const m of options.snapshot().machines) dirty.add(m.machineId);
    }
    const machines: MachineLive[] = [];
    for (const id of dirty) {
      const live = options.machineLive(id);
      if (live) machines.push(live);
    }
    dirty.clear();
    io.to('line').emit('delta', { machines, devices: refresh ? options.devices() : [], ts: now });
  }, options.tickMs ?? 100);
  tick.unref();

  return {
    touch(ids) {
      for (const id of ids) dirty.add(id);
    },
    clientCount: () => io.engine.clientsCount,
    async close() {
      clearInterval(tick);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
