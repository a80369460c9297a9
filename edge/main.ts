// `npm run edge -- [--plant file] [--port n] [--db file] [--tls-cert f --tls-key f] [--demo]`:
// loads and validates the config, starts the runtime, stops it cleanly on SIGINT/SIGTERM, and
// exits non-zero on a fatal error (after closing the historian where it can) so that a
// supervisor (deploy/twinline-edge.service) restarts it.
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { loadPlantFile } from './config/index.js';
import { ConfigError } from './config/index.js';
import { consoleLog, logSettingsFrom, routeLibraryOutput, type Log } from './logger.js';
import { demoModeOf } from './demo-mode.js';
import { readTlsFiles } from './tls-files.js';
import type { RunningEdge } from './edge-runtime.js';

const HELP = `twinline edge — reads the line's PLCs, computes KPIs, serves the twin

Usage: npm run edge -- [options]
  --plant <file>     plant file (YAML)               default config/demo-plant.yaml
  --port <n>         HTTP(S)/Socket.IO port          default $PORT or 8080
  --host <addr>      listen address                  default 0.0.0.0
  --data <dir>       data folder (PKI, database,     default ./data
                     keys; created owner-only)
  --db <file>        historian SQLite file           default <data>/twinline.db
  --tls-cert <file>  PEM certificate (chain): serve HTTPS; the session cookie is Secure
  --tls-key <file>   its PEM private key
  --opcua-server-port <n>  serve the line over OPC UA (Machinery model) on
                     this port; the plant file's opcuaServer: section
                     sets the rest (docs/opcua.md)
  --log-level <l>    info, warn, error or silent     default $TWINLINE_LOG_LEVEL or info
  --log-format <f>   json (one object a line) or     default $TWINLINE_LOG_FORMAT or json
                     pretty (for a terminal)
  GET /metrics       Prometheus, with the token in <data>/metrics.token or
                     $TWINLINE_METRICS_TOKEN (docs/observability.md)
  --demo             demo mode: accounts with published passwords, visitors
                     auto-logged in as operator. Never on a real plant.
                     TWINLINE_DEMO=1 does the same for the demo plant only.
                     Without it, create users first:
                     npm run user -- add <name> --role admin
  --help             this text`;

/** The running edge: a new one after the plant file's reload composes it again (edge/plant-reload). */
let running: (() => RunningEdge) | null = null;
let dying = false;
/** The structured log once the settings are read; before that a fatal error goes to stderr as text. */
let processLog: Log | null = null;

/**
 * An error nothing handled: the process state is unknown, so do not carry on. Close the historian
 * (commits what is queued; acknowledged rows are already on disk) and exit 1 for the supervisor.
 */
function fatal(kind: string, err: unknown): void {
  if (dying) return;
  dying = true;
  const line = `fatal ${kind}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
  if (processLog) processLog('error', line);
  else console.error(`${new Date().toISOString()} ERROR ${line}`);
  try {
    running?.().historian.close();
  } catch (closeErr) {
    console.error(`${new Date().toISOString()} ERROR closing the historian after the fatal error: ${(closeErr as Error).message}`);
  }
  process.exit(1);
}

async function main() {
  // Every file the edge creates (database, WAL, backups, keys, PKI, anchors) is the owner's alone.
  process.umask(0o077);
  process.on('uncaughtException', (err) => fatal('uncaught exception', err));
  process.on('unhandledRejection', (reason) => fatal('unhandled rejection', reason));
  const { values } = parseArgs({
    options: {
      plant: { type: 'string', default: 'config/demo-plant.yaml' },
      port: { type: 'string' },
      host: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string', default: 'data' },
      db: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'opcua-server-port': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const log = consoleLog(Date.now, { ...logSettingsFrom({ level: values['log-level'], format: values['log-format'] }), service: 'twinline-edge' });
  processLog = log;
  await routeLibraryOutput(log); // node-opcua's own lines as JSON too
  const demo = demoModeOf({ demoFlag: values.demo, env: process.env.TWINLINE_DEMO, plantFile: values.plant });
  loadPlantFile(values.plant); // a bad file exits 2 before the runtime loads; the supervisor reads it again
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port/PORT must be a port number, got "${values.port ?? process.env.PORT}"`);
  const tls = readTlsFiles(values['tls-cert'], values['tls-key']);
  const opcuaServerPort = values['opcua-server-port'] === undefined ? undefined : Number(values['opcua-server-port']);
  if (opcuaServerPort !== undefined && (!Number.isInteger(opcuaServerPort) || opcuaServerPort < 0 || opcuaServerPort > 65535)) {
    throw new ConfigError(`--opcua-server-port must be a port number (4840 is OPC UA's), got "${values['opcua-server-port']}"`);
  }
  // The runtime (node-opcua, SQLite…) loads only after the config is known to be good.
  const { defaultPaths, startEdge } = await import('./edge-runtime.js');
  const { runPlantFile } = await import('./plant-reload/index.js');
  const paths = defaultPaths(values.data);
  // The plant file is watched: hand edits and the twin's layout saves apply without a restart.
  const supervisor = await runPlantFile({
    plantFile: resolve(values.plant), port, log,
    start: (plant, edgePort, plantFile, adopt) => startEdge({
    plant, port: edgePort, plantFile, adopt, host: values.host, log, tls, opcuaServerPort,
    dataDir: resolve(paths.dataDir), dbFile: resolve(values.db ?? paths.dbFile), uiDir: resolve(paths.uiDir),
    modelsDir: join(dirname(resolve(values.plant)), 'models'),
    auth: { mode: demo ? 'demo' : 'required' },
    demoOrders: demo,
  }),
  });
  running = () => supervisor.edge();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: stopping edge`);
    await supervisor.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError || ['SecretError', 'LogSettingsError'].includes((err as Error | undefined)?.name ?? '')) {
    console.error(`twinline: ${err.message}`);
    process.exit(2);
  }
  fatal('error at startup', err);
});
