// Starts the real simulator and the real edge on free ports with the edge on the
// SIMULATOR's clock: the edge's `now` is the simulated time the line model has reached,
// so KPI shifts, Modbus sample stamps and OPC UA source timestamps all live on one time
// line and a time-scaled run can be held against the simulator's ground truth.
// Simulated time stands still until the edge has read every machine's state (certificate
// generation alone can take seconds, which would be many simulated minutes at 120x), and
// it pauses while the process is stalled (see wallClock below).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { parseScenario } from '../../plc-sim/scenario.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../plc-sim/simulator.js';
import { retarget } from './line-harness.js';
import { waitFor } from './wait-for.js';

export interface SimClockLine {
  plant: PlantConfig;
  sim: RunningSimulator;
  edge: RunningEdge;
  dir: string;
  logs: string[];
  stop(): Promise<void>;
  /** Stops the edge and starts a new one on the same database and clock (a restart). */
  restartEdge(): Promise<RunningEdge>;
}

export interface SimClockLineOptions {
  plantFile: string;
  scenarioFile?: string;
  seed: number;
  timeScale: number;
  /** Simulated epoch ms at which the line starts (simulated time runs once the edge has read every machine). */
  startTime: number;
  /** Wall ms between simulator model advances (default 100; lower resolves time-scaled runs finer). */
  publishIntervalMs?: number;
  /** Each Modbus register block the simulator answers, at its simulated time (SimulatorOptions.onModbusRead). */
  onModbusRead?: SimulatorOptions['onModbusRead'];
}

export async function startSimClockLine(options: SimClockLineOptions): Promise<SimClockLine> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-simclock-'));
  const logs: string[] = [];
  const basePlant = loadPlantFile(options.plantFile);
  const scenario = options.scenarioFile
    ? parseScenario(parse(readFileSync(options.scenarioFile, 'utf8')), options.scenarioFile)
    : undefined;
  // The simulator's wall clock: held at its start until the edge is ready, then running,
  // but never by more than `maxStepMs` between two model advances. When this process is
  // starved of CPU (2 shared cores), a 200 ms stall would otherwise be one 24 s leap of
  // simulated time at 120x that the edge cannot see into; instead simulated time pauses
  // with the process, as a real line does not pause when its edge does.
  const maxStepMs = 2 * (options.publishIntervalMs ?? 100);
  let held = true;
  let elapsed = 0;
  let lastReal = performance.now();
  const wallClock = () => {
    const real = performance.now();
    if (!held) elapsed += Math.min(real - lastReal, maxStepMs);
    lastReal = real;
    return elapsed;
  };
  const sim = await startSimulator({
    plant: basePlant, wallClock, opcuaPort: 0, modbusPort: 0, seed: options.seed, timeScale: options.timeScale,
    startTime: options.startTime, publishIntervalMs: options.publishIntervalMs, scenario, onModbusRead: options.onModbusRead,
    pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`),
  });
  const plant = retarget(basePlant, sim);
  const launch = () => startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    now: () => sim.clock.now(),
    log: (level, m) => logs.push(`[edge] ${level} ${m}`),
    // Demo accounts (manager / manager-demo, …), as the line harness uses.
    auth: { mode: 'demo', secret: 'test-secret-of-at-least-thirty-two-characters' },
  });
  let edge: RunningEdge | undefined;
  try {
    edge = await launch();
    const started = edge;
    await waitFor('the edge to read a state for every machine', () => started.machines().every((m) => m.state !== 'no-data'), 30_000);
    lastReal = performance.now();
    held = false;
  } catch (err) {
    await edge?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const line: SimClockLine = {
    plant, sim, edge: edge!, dir, logs,
    async restartEdge() {
      await line.edge.stop();
      line.edge = await launch();
      return line.edge;
    },
    async stop() {
      await line.edge.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return line;
}
