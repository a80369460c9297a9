// `npm run edge -- [--plant file] [--port n] [--db file]`: loads and validates the config,
// starts the runtime, stops it cleanly on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadPlantFile } from './config/load-plant.js';
import { ConfigError } from './config/config-error.js';
import { consoleLog } from './logger.js';

const HELP = `twinline edge — reads the line's PLCs, computes KPIs, serves the twin

Usage: npm run edge -- [options]
  --plant <file>   plant file (YAML)               default config/demo-plant.yaml
  --port <n>       HTTP/Socket.IO port             default $PORT or 8080
  --host <addr>    listen address                  default 0.0.0.0
  --data <dir>     data folder (PKI, database)     default ./data
  --db <file>      historian SQLite file           default <data>/twinline.db
  --demo           demo mode: accounts with published passwords, visitors
                   auto-logged in as operator (also TWINLINE_DEMO=1). Never
                   on a real plant. Without it, create users first:
                   npm run user -- add <name> --role admin
  --help           this text`;

async function main() {
  const { values } = parseArgs({
    options: {
      plant: { type: 'string', default: 'config/demo-plant.yaml' },
      port: { type: 'string' },
      host: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string', default: 'data' },
      db: { type: 'string' },
      demo: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const log = consoleLog();
  const plant = loadPlantFile(values.plant);
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port/PORT must be a port number, got "${values.port ?? process.env.PORT}"`);
  // The runtime (node-opcua, SQLite…) loads only after the config is known to be good.
  const { defaultPaths, startEdge } = await import('./edge-runtime.js');
  const paths = defaultPaths(values.data);
  const edge = await startEdge({
    plant, port, host: values.host, log,
    dataDir: resolve(paths.dataDir), dbFile: resolve(values.db ?? paths.dbFile), uiDir: resolve(paths.uiDir),
    auth: { mode: values.demo || process.env.TWINLINE_DEMO === '1' ? 'demo' : 'required' },
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: stopping edge`);
    await edge.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError || (err as Error | undefined)?.name === 'SecretError') {
    console.error(`twinline: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
