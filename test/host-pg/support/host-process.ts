// One plant host in a process of its own (the failover test kills it with SIGKILL): startHost
// with the config given as JSON in argv[2] and data dir argv[3]. IPC: "ready" {port}, "role"
// {primary} whenever it changes; "flush" → "flushed"; "stop" → stops and exits.
import { parseHostConfig } from '../../../edge/host/host-config.js';
import { startHost } from '../../../edge/host/host-runtime.js';

const config = parseHostConfig(JSON.parse(process.argv[2]!), 'host-process');
const dataDir = process.argv[3]!;
const send = (m: unknown) => process.send?.(m);
// Benchmarks: publish→stored latency of every sample committed (edge timestamp → commit), per "stats" window.
let latencies: number[] = [];
let stored = 0;
const observeStored = process.env.TWINLINE_HOST_OBSERVE
  ? (ts: Float64Array, committedAt: number) => {
    stored += ts.length;
    for (let i = 0; i < ts.length; i += 1) if (latencies.length < 2_000_000) latencies.push(committedAt - ts[i]!);
  }
  : undefined;
const host = await startHost({
  config, dataDir, uiDir: `${dataDir}/no-ui`, configDir: dataDir, observeStored,
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
  if (msg.cmd === 'stats') {
    const sorted = Float64Array.from(latencies).sort();
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN);
    const cpu = process.cpuUsage();
    send({ type: 'stats', stored, p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN, cpuMicros: cpu.user + cpu.system, at: Date.now() });
    latencies = [];
    stored = 0;
  }
  if (msg.cmd === 'stop') void host.stop().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
