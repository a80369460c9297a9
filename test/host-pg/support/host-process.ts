// One plant host in a process of its own (the failover test kills it with SIGKILL): startHost
// with the config given as JSON in argv[2] and data dir argv[3]. IPC: "ready" {port}, "role"
// {primary} whenever it changes; "flush" → "flushed"; "stop" → stops and exits.
import { parseHostConfig } from '../../../edge/host/host-config.js';
import { startHost } from '../../../edge/host/host-runtime.js';

const config = parseHostConfig(JSON.parse(process.argv[2]!), 'host-process');
const dataDir = process.argv[3]!;
const send = (m: unknown) => process.send?.(m);
const host = await startHost({
  config, dataDir, uiDir: `${dataDir}/no-ui`, configDir: dataDir,
  log: (level, message) => { if (level === 'error' || process.env.TWINLINE_TEST_HOST_LOG) console.error(`[host ${process.pid}] ${level} ${message}`); },
});
send({ type: 'ready', port: host.port });
let primary: boolean | null = null;
setInterval(() => {
  const now = host.plantDb?.primaryHeld === true && !host.primary.passive && host.primary.health().connected;
  if (now !== primary) {
    primary = now;
    send({ type: 'role', primary: now });
  }
}, 20);
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'flush') void host.plantDb?.store.flush().then(() => send({ type: 'flushed' }));
  if (msg.cmd === 'stop') void host.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
