// The simulator's command line: parsed and validated without loading the protocol stacks,
// so --help and bad flags answer at once and tests can check every rule in-process.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseFaultFlag, type FaultSpec } from './fault-injection.js';
import {
  DEFAULT_OPCUA_SECURITY, SECURITY_MODE_NAMES, SECURITY_POLICY_NAMES, checkSecurity, type OpcUaSecurity, type SecurityModeName, type SecurityPolicyName,
} from './opcua-security.js';

/** Where `--opcua-user` takes the password from: never from the command line, where `ps` shows it. */
export const OPCUA_PASSWORD_ENV = 'PLCSIM_OPCUA_PASSWORD';

export const HELP = `twinline plc-sim — a simulated workshop line behind real OPC UA and Modbus TCP servers

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
  --pki-dir <dir>        node-opcua certificate folder (default data/pki/sim); the server's own
                         certificate is <dir>/server/own/certs, which a client must trust
  --opcua-security <modes>  OPC UA message security modes offered, comma-separated from
                         None, Sign, SignAndEncrypt (default None,Sign,SignAndEncrypt)
  --opcua-policy <list>  security policies for Sign/SignAndEncrypt, comma-separated from
                         Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss (default Basic256Sha256)
  --opcua-standard-model also serve the OPC 40001-1 Machinery model (Machines folder, DI
                         Identification, MachineryItemState, MachineryOperationMode; docs/opcua.md)
  --opcua-user <name>    require this OPC UA user (password from $PLCSIM_OPCUA_PASSWORD);
                         anonymous sessions are then refused (default: anonymous allowed)
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

export const CLI_OPTIONS = {
  plant: { type: 'string', default: 'config/demo-plant.yaml' },
  scenario: { type: 'string' },
  'opcua-port': { type: 'string' },
  'modbus-port': { type: 'string' },
  seed: { type: 'string' },
  'time-scale': { type: 'string' },
  start: { type: 'string' },
  'pki-dir': { type: 'string', default: 'data/pki/sim' },
  'opcua-security': { type: 'string' },
  'opcua-policy': { type: 'string' },
  'opcua-user': { type: 'string' },
  'opcua-standard-model': { type: 'boolean', default: false },
  'control-port': { type: 'string' },
  rtu: { type: 'boolean', default: false },
  'rtu-path': { type: 'string' },
  'rtu-baud': { type: 'string' },
  'truth-out': { type: 'string' },
  duration: { type: 'string' },
  fault: { type: 'string', multiple: true, default: [] as string[] },
  quiet: { type: 'boolean', default: false },
  'print-register-map': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

export class CliError extends Error {
  override name = 'CliError';
}

export interface CliOptions {
  help: boolean;
  plant: string;
  scenario: string | undefined;
  opcuaPort: number;
  modbusPort: number;
  seed: number;
  timeScale: number;
  startTime: number | undefined;
  pkiDir: string;
  opcuaSecurity: OpcUaSecurity;
  /** Also serve the standard Machinery model (plc-sim/standard-machinery.ts). */
  opcuaStandardModel: boolean;
  /** undefined = no control API. */
  controlPort: number | undefined;
  rtu: { path: string | undefined; baudRate: number } | undefined;
  truthOut: string | undefined;
  durationS: number | undefined;
  faults: FaultSpec[];
  quiet: boolean;
  printRegisterMap: boolean;
}

function num(name: string, text: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new CliError(`--${name} ${text} is not valid: ${rule}; see --help`);
  return n;
}

function list<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], fallback: T[]): T[] {
  if (text === undefined) return fallback;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.find((i) => !allowed.includes(i as T));
  if (bad !== undefined || items.length === 0) {
    throw new CliError(`--${flag} ${text}: ${bad === undefined ? 'give at least one' : `"${bad}" is not one`} of ${allowed.join(', ')} (comma-separated)`);
  }
  return [...new Set(items)] as T[];
}

function parseOpcUaSecurity(values: { 'opcua-security'?: string; 'opcua-policy'?: string; 'opcua-user'?: string }, env: NodeJS.ProcessEnv): OpcUaSecurity {
  const modes = list<SecurityModeName>('opcua-security', values['opcua-security'], SECURITY_MODE_NAMES, DEFAULT_OPCUA_SECURITY.modes);
  const policies = list<SecurityPolicyName>('opcua-policy', values['opcua-policy'], SECURITY_POLICY_NAMES, DEFAULT_OPCUA_SECURITY.policies);
  const users = [];
  const name = values['opcua-user'];
  if (name !== undefined) {
    const password = env[OPCUA_PASSWORD_ENV];
    if (!name.trim()) throw new CliError('--opcua-user needs a user name');
    if (!password) throw new CliError(`--opcua-user ${name}: set the environment variable ${OPCUA_PASSWORD_ENV} to its password`);
    users.push({ name, password });
  }
  try {
    return checkSecurity({ modes, policies, users });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** Throws CliError naming the flag and what it accepts. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values;
  try {
    values = parseArgs({ args: argv, options: CLI_OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message}; see --help`);
  }
  const port = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
  const portRule = 'a port 0..65535 (0 = any free port)';
  let startTime: number | undefined;
  if (values.start !== undefined) {
    startTime = Date.parse(values.start);
    if (Number.isNaN(startTime)) throw new CliError(`--start ${values.start} is not an ISO date-time (e.g. 2025-03-03T06:00:00+08:00)`);
  }
  const faults = values.fault.map((f) => {
    try {
      return parseFaultFlag(f);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
  });
  const baudRate = num('rtu-baud', values['rtu-baud'], 19200, (n) => Number.isInteger(n) && n >= 300, 'a baud rate such as 9600 or 19200');
  return {
    help: values.help,
    plant: values.plant,
    scenario: values.scenario,
    opcuaPort: num('opcua-port', values['opcua-port'], 4840, port, portRule),
    modbusPort: num('modbus-port', values['modbus-port'], 5020, port, portRule),
    seed: num('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0'),
    timeScale: num('time-scale', values['time-scale'], 1, (n) => n > 0 && n <= 10_000, 'a number above 0 and at most 10000'),
    startTime,
    pkiDir: values['pki-dir'],
    opcuaSecurity: parseOpcUaSecurity(values, env),
    opcuaStandardModel: values['opcua-standard-model'],
    controlPort: values['control-port'] === 'off' ? undefined : num('control-port', values['control-port'], 8091, port, `${portRule}, or off`),
    rtu: values.rtu || values['rtu-path'] ? { path: values['rtu-path'], baudRate } : undefined,
    truthOut: values['truth-out'],
    durationS: values.duration === undefined ? undefined : num('duration', values.duration, 0, (n) => n > 0, 'seconds above 0'),
    faults,
    quiet: values.quiet,
    printRegisterMap: values['print-register-map'],
  };
}
