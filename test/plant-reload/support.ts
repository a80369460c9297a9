// A plant file on disk for the hot-reload and layout tests: the demo plant's text (its comments
// included) pointed at a simulator on free ports, without break times (a wall-clock test must
// not depend on when it runs) and without the meters and emission analysers it does not need.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { loadPlantFile } from '../../edge/config/index.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { runPlantFile, type PlantSupervisor } from '../../edge/plant-reload/index.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { withoutBreaks } from '../support/line-harness.js';

export interface PlantOnDisk {
  dir: string;
  file: string;
  sim: RunningSimulator;
  logs: string[];
}

/** `timeScale`: the simulator's speed (default 10); faster makes parts sooner for tests that need many. */
export async function plantFileWithSimulator(options: { timeScale?: number } = {}): Promise<PlantOnDisk> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-reload-'));
  const logs: string[] = [];
  const plant = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
  const sim = await startSimulator({
    plant, opcuaPort: 0, modbusPort: 0, seed: 3, timeScale: options.timeScale ?? 10, pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`),
  });
  const doc = parseDocument(readFileSync('config/demo-plant.yaml', 'utf8'));
  doc.setIn(['devices', 0, 'endpointUrl'], sim.opcuaEndpoint);
  doc.setIn(['devices', 1, 'host'], '127.0.0.1');
  doc.setIn(['devices', 1, 'port'], sim.modbusPort);
  doc.delete('metering');
  doc.delete('emissions');
  const shifts = doc.getIn(['calendar', 'shifts']) as { items: unknown[] };
  shifts.items.forEach((_s, i) => doc.deleteIn(['calendar', 'shifts', i, 'breaks']));
  const file = join(dir, 'plant.yaml');
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  return { dir, file, sim, logs };
}

/**
 * The edge run from `file` by the hot-reload supervisor, as `npm run edge -- --plant` runs it
 * (handing kept connectors over), with its data in `dir` and its log lines, timestamped, in `logs`.
 * `uiDir`: the built twin for browser tests.
 */
export function superviseEdge(options: { file: string; dir: string; logs: string[]; watch?: boolean; uiDir?: string }): Promise<PlantSupervisor<RunningEdge>> {
  const { file, dir, logs } = options;
  const log = (level: string, m: string) => logs.push(`[edge] ${new Date().toISOString().slice(11, 23)} ${level} ${m}`);
  return runPlantFile({
    plantFile: file, port: 0, log, debounceMs: 100, watch: options.watch,
    start: (plant, port, plantFile, adopt) => startEdge({
      plant, port, plantFile, adopt, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir,
      uiDir: options.uiDir ?? join(dir, 'no-ui'), log, auth: { mode: 'demo', secret: 'test-secret-of-at-least-thirty-two-characters' },
    }),
  });
}
