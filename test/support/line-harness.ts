// Starts the real simulator and the real edge on free ports, wired together, for integration tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live-protocol.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type EdgeOptions, type RunningEdge } from '../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';

export interface LineHarness {
  plant: PlantConfig;
  sim: RunningSimulator;
  edge: RunningEdge;
  dir: string;
  logs: string[];
  /** Without a token: the demo auto-login (operator) in demo mode, refused in required mode. */
  connectClient(options?: { token?: string; autoJoin?: boolean }): Socket<ServerToClientEvents, ClientToServerEvents>;
  stop(): Promise<void>;
}

/** Points the plant's devices at the simulator's actual ports. */
export function retarget(plant: PlantConfig, sim: RunningSimulator): PlantConfig {
  return {
    ...plant,
    devices: plant.devices.map((d) =>
      d.protocol === 'opcua' ? { ...d, endpointUrl: sim.opcuaEndpoint } : { ...d, host: '127.0.0.1', port: sim.modbusPort },
    ),
    // The utilities area's meters are on the simulator's meter gateway (plc-sim/utilities.ts).
    ...(plant.metering && sim.utilities
      ? { metering: { ...plant.metering, devices: plant.metering.devices.map((d) => ({ ...d, host: '127.0.0.1', port: sim.utilities!.port })) } }
      : {}),
  };
}

/**
 * The plant without its calendar breaks. Tests on a line running at wall-clock time must not
 * depend on when CI runs them: during a break (e.g. 18:00–18:20 in Asia/Shanghai, 10:00 UTC) the
 * simulator holds every machine in planned stop and no part is made. Break behaviour itself is
 * tested on a pinned simulator clock (test/support/sim-clock-line.ts, KPI and alarm tests).
 */
export function withoutBreaks(plant: PlantConfig): PlantConfig {
  return { ...plant, calendar: { ...plant.calendar, shifts: plant.calendar.shifts.map((s) => ({ ...s, breaks: [] })) } };
}

/** Auth defaults to demo mode, so tests that are not about auth see the line as npm start shows it. */
export async function startLine(options: { timeScale?: number; seed?: number; plantFile?: string; auth?: EdgeOptions['auth'] } = {}): Promise<LineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-it-'));
  const logs: string[] = [];
  const basePlant = withoutBreaks(loadPlantFile(options.plantFile ?? 'config/demo-plant.yaml'));
  const sim = await startSimulator({
    plant: basePlant, opcuaPort: 0, modbusPort: 0, seed: options.seed ?? 1, timeScale: options.timeScale ?? 1,
    pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`),
  });
  const plant = retarget(basePlant, sim);
  const edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: (level, m) => logs.push(`[edge] ${level} ${m}`),
    auth: options.auth ?? { mode: 'demo', secret: 'test-secret-of-at-least-thirty-two-characters' },
  });
  const sockets: Socket[] = [];
  return {
    plant, sim, edge, dir, logs,
    connectClient(o = {}) {
      const socket = io(edge.url, { transports: ['websocket'], reconnection: false, auth: { ...(o.token ? { token: o.token } : {}), ...(o.autoJoin === false ? { autoJoin: false } : {}) } });
      sockets.push(socket);
      return socket;
    },
    async stop() {
      for (const s of sockets) s.disconnect();
      await edge.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from './wait-for.js';
