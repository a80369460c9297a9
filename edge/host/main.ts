// `npm run host -- --config host.yaml`: twinline in host mode — a Sparkplug B primary host
// that shows every line publishing to the broker (docs/deployment.md).
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/index.js';
import { consoleLog, LogSettingsError, logSettingsFrom, routeLibraryOutput } from '../logger.js';
import { loadHostConfig } from './host-config.js';
import { readTlsFiles } from '../tls-files.js';

const HELP = `twinline host — one twin for every line of the plant, over MQTT Sparkplug B

Usage: npm run host -- --config <file> [options]
  --config <file>  host file (YAML), e.g. config/host.yaml
  --port <n>       plant index port (overrides http.port)
  --data <dir>     users, audit log, per-line historians   default ./data/host
  --ui <dir>       built twin UI                            default dist/twin-ui
  --tls-cert <f>   PEM certificate: HTTPS on the plant port and every line's own port
  --tls-key <f>    its PEM private key
  --log-level <l>  info, warn, error or silent  default $TWINLINE_LOG_LEVEL or info
  --log-format <f> json or pretty               default $TWINLINE_LOG_FORMAT or json
  --help           this text

Users: npm run user -- add <name> --role <role> --db <data>/host.db`;

async function main() {
  // Users, audit log, per-line historians and keys: the owner's alone.
  process.umask(0o077);
  // Nothing handled it: exit 1 so the supervisor restarts the host (historians are WAL-durable).
  process.on('uncaughtException', (err) => { console.error(`twinline host: fatal uncaught exception: ${err.stack ?? err.message}`); process.exit(1); });
  process.on('unhandledRejection', (reason) => { console.error(`twinline host: fatal unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`); process.exit(1); });
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string', default: 'data/host' },
      ui: { type: 'string', default: 'dist/twin-ui' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (!values.config) throw new ConfigError('--config is required: the host file (see config/host.yaml)');
  const config = loadHostConfig(values.config);
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, got "${values.port}"`);
    config.http.port = port;
  }
  const log = consoleLog(Date.now, { ...logSettingsFrom({ level: values['log-level'], format: values['log-format'] }), service: 'twinline-host' });
  await routeLibraryOutput(log); // libraries' own lines as JSON too
  const { startHost } = await import('./host-runtime.js');
  const tls = readTlsFiles(values['tls-cert'], values['tls-key']);
  const host = await startHost({
    config, log, tls, dataDir: resolve(values.data), uiDir: resolve(values.ui), configDir: dirname(resolve(values.config)),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `${signal}: stopping host`);
    await host.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof LogSettingsError) {
    console.error(`twinline: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
