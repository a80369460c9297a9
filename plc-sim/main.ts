// `npm run sim`: serves the plant file's tags from a simulated line over OPC UA and Modbus TCP.
import { existsSync } from 'node:fs';
import { loadPlantFile } from '../edge/config/index.js';
import { CliError, HELP, parseCli, type CliOptions } from './cli-options.js';
import { loadScenarioFile, type ScenarioConfig } from './scenario.js';
import { renderOpcUaNodes, renderRegisterMap } from './register-map.js';

function fail(message: string): never {
  process.stderr.write(`plc-sim: ${message}\n`);
  process.exit(2);
}

let args: CliOptions;
try {
  args = parseCli(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) fail(err.message);
  throw err;
}
if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
const quietLog = args.quiet ? () => {} : log;
const DEMO_SCENARIO = 'plc-sim/scenarios/demo.yaml';
let plant;
let scenario: ScenarioConfig | undefined;
try {
  plant = loadPlantFile(args.plant);
  // The demo scenario is written for the demo plant; other plants get type defaults unless given one.
  const scenarioFile = args.scenario ?? (args.plant === 'config/demo-plant.yaml' && existsSync(DEMO_SCENARIO) ? DEMO_SCENARIO : undefined);
  if (scenarioFile) scenario = await loadScenarioFile(scenarioFile);
} catch (err) {
  fail((err as Error).message);
}

if (args.printRegisterMap) {
  process.stdout.write(`${renderRegisterMap(plant)}\n\n${renderOpcUaNodes(plant)}\n`);
  process.exit(0);
}

// node-opcua and the servers load only now: --help and bad flags answer at once.
const { setWarningLogger } = await import('node-opcua');
const { startSimulator } = await import('./simulator.js');
const { writeTruthFile } = await import('./truth-file.js');
// node-opcua prints its warnings (W27 among them) with console.log; keep stdout for our lines.
setWarningLogger((...parts: unknown[]) => {
  if (!args.quiet) process.stderr.write(`[node-opcua] ${parts.slice(1).map(String).join(' ')}\n`);
});

const sim = await startSimulator({
  plant, scenario, opcuaPort: args.opcuaPort, modbusPort: args.modbusPort, seed: args.seed, timeScale: args.timeScale,
  startTime: args.startTime, pkiDir: args.pkiDir, opcuaSecurity: args.opcuaSecurity, faults: args.faults, log: quietLog, controlPort: args.controlPort, rtu: args.rtu,
  opcuaStandardModel: args.opcuaStandardModel,
}).catch((err: Error) => fail(err.message));
log(`plc-sim running: ${plant.machines.length} machines, seed ${args.seed}, time scale ×${args.timeScale}, simulated clock at ${new Date(sim.clock.now()).toISOString()}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping plc-sim`);
  const killer = setTimeout(() => process.exit(1), 5000);
  killer.unref();
  sim.sync();
  if (args.truthOut) {
    await writeTruthFile(args.truthOut, sim.truth());
    log(`ground truth written to ${args.truthOut}`);
  }
  await sim.stop();
  process.exit(0);
}
const { durationS } = args;
if (durationS !== undefined) setTimeout(() => void shutdown(`--duration ${durationS}`), durationS * 1000);
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
