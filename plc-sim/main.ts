// `npm run sim`: serves the plant file's tags from a simulated line over OPC UA and Modbus TCP.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPlantFile } from '../edge/config/load-plant.js';
import { parseFaultFlag, type FaultSpec } from './fault-injection.js';
import { loadScenarioFile, type ScenarioConfig } from './scenario.js';
import { renderOpcUaNodes, renderRegisterMap } from './register-map.js';

const HELP = `twinline plc-sim — a simulated workshop line behind real OPC UA and Modbus TCP servers

Usage: npm run sim -- [options]

  --plant <file>         plant file whose tags and addresses are served (default config/demo-plant.yaml)
  --scenario <file>      machine behaviour and line flow (YAML, see plc-sim/README.md);
                         default plc-sim/scenarios/demo.yaml if it exists, else built-in defaults
  --opcua-port <port>    OPC UA server port, 0 = any free port (default 4840)
  --modbus-port <port>   Modbus TCP server port, 0 = any free port (default 5020)
  --seed <n>             seed of the random story; same seed, same start, same line (default 1)
  --time-scale <x>       simulated seconds per real second, e.g. 60 (default 1)
  --start <iso time>     simulated clock start, e.g. 2025-03-03T06:00:00+08:00 (default now)
  --rtu                  also serve the Modbus devices over Modbus RTU on a pseudo-terminal pair
                         (needs socat); the log names the client's end, e.g. /dev/pts/7
  --rtu-path <device>    serve Modbus RTU on this serial device instead (e.g. /dev/ttyUSB0)
  --rtu-baud <baud>      RTU baud rate, 8N1 (default 19200)
  --pki-dir <dir>        node-opcua certificate folder (default data/pki/sim)
  --control-port <port>  HTTP control API on 127.0.0.1, 0 = any free port, off = none (default 8091);
                         GET /api lists the routes (truth, faults, commands, clock)
  --truth-out <file>     on exit, write the ground truth (start … exit) as JSON to this file
  --duration <seconds>   stop by itself after this many real seconds (with --truth-out: a
                         reproducible truth file, e.g. --time-scale 60 --duration 480 = one shift)
  --fault <spec>         inject a fault at start, repeatable; spec is kind:target[:arg][@durationMs]:
                           drop:<device>[@ms]         close connections (and refuse new ones for ms)
                           silence:<device>           accept requests, never answer (time-outs)
                           latency:<device>:<ms>      delay every answer
                           exception:<device>:<code>  Modbus exception code for every request
                           nan:<machine.tag>          the tag reads NaN
                           out-of-range:<machine.tag> the tag reads an impossible value
                           freeze:<machine[.tag]>     values stop changing
                           breakdown:<machine>:<code>:<minutes>  the machine breaks down now
  --print-register-map   print the Modbus register map and OPC UA node list of --plant (Markdown) and exit
  --quiet                log only errors
  -h, --help             show this help

Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.`;

function fail(message: string): never {
  process.stderr.write(`plc-sim: ${message}\n`);
  process.exit(2);
}

function num(name: string, text: string | undefined, fallback: number, check: (n: number) => boolean): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n)) fail(`--${name} ${text} is not valid; see --help`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      plant: { type: 'string', default: 'config/demo-plant.yaml' },
      scenario: { type: 'string' },
      'opcua-port': { type: 'string' },
      'modbus-port': { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      start: { type: 'string' },
      'pki-dir': { type: 'string', default: 'data/pki/sim' },
      'control-port': { type: 'string' },
      rtu: { type: 'boolean', default: false },
      'rtu-path': { type: 'string' },
      'rtu-baud': { type: 'string' },
      'truth-out': { type: 'string' },
      duration: { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      quiet: { type: 'boolean', default: false },
      'print-register-map': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(`${(err as Error).message}; see --help`);
}
if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const port = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
const opcuaPort = num('opcua-port', args['opcua-port'], 4840, port);
const modbusPort = num('modbus-port', args['modbus-port'], 5020, port);
const seed = num('seed', args.seed, 1, Number.isInteger);
const controlPort = args['control-port'] === 'off' ? -1 : num('control-port', args['control-port'], 8091, port);
const rtuBaud = num('rtu-baud', args['rtu-baud'], 19200, (n) => Number.isInteger(n) && n >= 300);
const durationS = args.duration === undefined ? undefined : num('duration', args.duration, 0, (n) => n > 0);
const timeScale = num('time-scale', args['time-scale'], 1, (n) => n > 0 && n <= 10_000);
let startTime: number | undefined;
if (args.start !== undefined) {
  startTime = Date.parse(args.start);
  if (Number.isNaN(startTime)) fail(`--start ${args.start} is not an ISO date-time (e.g. 2025-03-03T06:00:00+08:00)`);
}

let faults: FaultSpec[];
try {
  faults = args.fault.map(parseFaultFlag);
} catch (err) {
  fail((err as Error).message);
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

if (args['print-register-map']) {
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

const sim = await startSimulator({ plant, scenario, opcuaPort, modbusPort, seed, timeScale, startTime, pkiDir: args['pki-dir'], faults, log: quietLog,
  controlPort: controlPort === -1 ? undefined : controlPort,
  rtu: args.rtu || args['rtu-path'] ? { path: args['rtu-path'], baudRate: rtuBaud } : undefined,
}).catch((err: Error) => fail(err.message));
log(`plc-sim running: ${plant.machines.length} machines, seed ${seed}, time scale ×${timeScale}, simulated clock at ${new Date(sim.clock.now()).toISOString()}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping plc-sim`);
  const killer = setTimeout(() => process.exit(1), 5000);
  killer.unref();
  sim.sync();
  if (args!['truth-out']) {
    await writeTruthFile(args!['truth-out'], sim.truth());
    log(`ground truth written to ${args!['truth-out']}`);
  }
  await sim.stop();
  process.exit(0);
}
if (durationS !== undefined) setTimeout(() => void shutdown(`--duration ${durationS}`), durationS * 1000);
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
