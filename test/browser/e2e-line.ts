// The real thing for browser tests: simulator (OPC UA + Modbus TCP on free ports) → edge
// (serving the built twin from dist/twin-ui) on a free port.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { retarget, withoutBreaks } from '../support/line-harness.js';

export interface TwinLine {
  url: string;
  sim: RunningSimulator;
  edge: RunningEdge;
  logs: string[];
  stop(): Promise<void>;
}

export async function startTwinLine(options: {
  timeScale?: number; seed?: number; plantFile?: string; uiDir?: string; auth?: 'demo' | 'required';
  /** Simulated epoch ms the line starts at (default now): pins the shift calendar, e.g. away from breaks. */
  startTime?: number;
  /**
   * Runs the edge on the simulator's clock (as test/support/sim-clock-line.ts does), so minutes,
   * hours and shifts at the edge pass `timeScale` times faster too; default: the wall clock.
   */
  edgeOnSimClock?: boolean;
} = {}): Promise<TwinLine> {
  const uiDir = resolve(options.uiDir ?? 'dist/twin-ui');
  if (!existsSync(join(uiDir, 'index.html'))) throw new Error(`${uiDir}/index.html missing — run npm run build:ui first`);
  const dir = mkdtempSync(join(tmpdir(), 'twinline-browser-'));
  const logs: string[] = [];
  // No calendar breaks: a break at the hour CI runs would stop every machine (see withoutBreaks).
  const basePlant = withoutBreaks(loadPlantFile(options.plantFile ?? 'config/demo-plant.yaml'));
  const sim = await startSimulator({
    plant: basePlant, opcuaPort: 0, modbusPort: 0, seed: options.seed ?? 7, timeScale: options.timeScale ?? 1,
    ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
    pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`),
  });
  let edge: RunningEdge;
  // Demo auth by default (visitors are auto-logged in as operator), as `npm start` runs the demo.
  const demoAuth = { auth: { mode: options.auth ?? 'demo' } };
  try {
    edge = await startEdge({
      plant: retarget(basePlant, sim), port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir,
      // The plant's own 3D models, as edge/main.ts serves them: "models" beside the plant file.
      modelsDir: join(dirname(resolve(options.plantFile ?? 'config/demo-plant.yaml')), 'models'),
      log: (level, m) => logs.push(`[edge] ${level} ${m}`),
      ...(options.edgeOnSimClock ? { now: () => sim.clock.now() } : {}),
      ...demoAuth,
    });
  } catch (err) {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: edge.url,
    sim,
    edge,
    logs,
    async stop() {
      await edge.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
