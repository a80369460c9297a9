// Uplink benchmark (issue 10): N simulated edges × T tags at 1 Hz publish Sparkplug B through a
// broker (Mosquitto when installed, else a standalone aedes process) into one plant host.
//  1. steady state: end-to-end latency (sample timestamp at the edge → the host has decoded and
//     applied it) p50/p99, host CPU (this process runs the host only: the edges run in a child
//     process and the broker in its own), samples/s arriving at the host;
//  2. outage: the broker is killed for `outageSeconds` while the edges keep acquiring, then
//     restarted; the backlog replay rate is historical metrics delivered to the host per second
//     from the restart until every edge's queue is empty, and nothing may be missing.
// Alone: npx tsx bench/uplink.ts [--edges 10] [--tags 1000] [--steady 15] [--outage 20] [--long] [--broker mosquitto|aedes]
// (--long: the 5-minute outage the issue names). Also `npm run bench -- uplink [--long]`.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseHostConfig } from '../edge/host/host-config.js';
import { startHost, type RunningHost } from '../edge/host/host-runtime.js';
import { mosquittoAvailable, startMosquitto } from '../test/uplink/support/mosquitto.js';
import { freePort } from '../test/support/free-port.js';
import type { EdgesCommand, EdgesReply, EdgeStatus } from './support/uplink-edges.js';
import { fmt } from './support/measure.js';

export interface UplinkBenchOptions {
  edges: number;
  tagsPerEdge: number;
  machinesPerEdge: number;
  hz: number;
  warmupSeconds: number;
  steadySeconds: number;
  outageSeconds: number;
  broker: 'auto' | 'mosquitto' | 'aedes';
  /** The uplink's gathering window (its default is 100 ms). */
  publishIntervalMs: number;
}

export const UPLINK_BENCH_DEFAULTS: UplinkBenchOptions = {
  edges: 10, tagsPerEdge: 1000, machinesPerEdge: 10, hz: 1, warmupSeconds: 5, steadySeconds: 15, outageSeconds: 20, broker: 'auto', publishIntervalMs: 100,
};

export interface UplinkBenchResult {
  broker: string;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  samplesPerSecondAtHost: number;
  hostCpuPercent: number;
  edgesCpuPercent: number;
  queuedAtRestart: number;
  /** Historical metrics the broker acknowledged to the edges after the restart. */
  sentByEdges: number;
  replayedMetrics: number;
  replaySeconds: number;
  drainSeconds: number;
  replayMetricsPerSecond: number;
  dropped: number;
  missing: number;
  lines: string[];
}

interface Broker { name: string; url: string; kill(): Promise<void>; start(): Promise<void>; stop(): Promise<void> }

async function startAedesProcess(): Promise<Broker> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const start = async () => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/support/aedes-server.ts', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc = p;
    await new Promise<void>((resolve, reject) => {
      p.stdout!.on('data', (d) => { if (String(d).includes('ready')) resolve(); });
      p.once('exit', (code) => reject(new Error(`aedes exited with ${code}`)));
    });
  };
  const kill = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGKILL'); });
  };
  await start();
  return { name: 'aedes 1.2 (separate process; Mosquitto not installed)', url: `mqtt://127.0.0.1:${port}`, kill, start, stop: kill };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}

export async function runUplinkBench(partial: Partial<UplinkBenchOptions> = {}): Promise<UplinkBenchResult> {
  const o = { ...UPLINK_BENCH_DEFAULTS, ...partial };
  const dir = mkdtempSync(join(tmpdir(), 'twinline-bench-uplink-'));
  const useMosquitto = o.broker === 'mosquitto' || (o.broker === 'auto' && mosquittoAvailable());
  let broker: Broker | null = null;
  let host: RunningHost | null = null;
  let edges: ChildProcess | null = null;

  // Latency of live samples, recorded only inside the steady window.
  let recording = false;
  let latencies = new Float64Array(1 << 20);
  let nLat = 0;
  let liveSamples = 0;
  let historicalSeen = 0;
  let firstHistoricalAt = 0;
  let lastHistoricalAt = 0;
  const observe = (_key: string, events: readonly import('../edge/model/plant-model.js').ModelEvent[], historical: boolean) => {
    if (historical) {
      const t = performance.now();
      if (!historicalSeen) firstHistoricalAt = t;
      lastHistoricalAt = t;
      for (const e of events) if (e.kind === 'tags') historicalSeen += e.changes.length;
      return;
    }
    for (const e of events) {
      if (e.kind !== 'tags') continue;
      for (const c of e.changes) {
        liveSamples++;
        if (!recording) continue;
        if (nLat === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[nLat++] = c.receivedTs - c.ts;
      }
    }
  };

  const pending: Array<{ expect: EdgesReply['type']; resolve: (r: EdgesReply) => void }> = [];
  const ask = (cmd: EdgesCommand, expect: EdgesReply['type']): Promise<EdgesReply> => new Promise((resolve) => {
    pending.push({ expect, resolve });
    edges!.send(cmd);
  });
  const status = async () => (await ask({ cmd: 'status' }, 'status')) as Extract<EdgesReply, { type: 'status' }>;
  /** Every historical metric the host's mirrors decoded (tags and machine fields). */
  const historicalMetricsAtHost = () => host!.primary.mirrors().reduce((n, m) => n + m.stats.historicalMetrics, 0);
  const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

  try {
    if (useMosquitto) {
      const m = await startMosquitto();
      broker = { name: 'Eclipse Mosquitto (Debian package)', url: m.url, kill: m.kill, start: m.start, stop: m.stop };
    } else {
      broker = await startAedesProcess();
    }
    host = await startHost({
      config: parseHostConfig({
        host: { id: 'bench-host', groups: ['bench'] },
        broker: { url: broker.url, reconnectMinMs: 200, reconnectMaxMs: 2000 },
        http: { port: 0, host: '127.0.0.1' },
      }, 'bench-host.yaml'),
      dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: (l, m) => { if (l === 'error') console.error(`[host] ${m}`); }, observe,
    });

    edges = fork('bench/support/uplink-edges.ts', [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    edges.on('message', (r: EdgesReply) => {
      const i = pending.findIndex((p) => p.expect === r.type);
      if (i >= 0) pending.splice(i, 1)[0]!.resolve(r);
    });
    await ask({
      cmd: 'start', brokerUrl: broker.url, groupId: 'bench', hostId: 'bench-host', edges: o.edges, machines: o.machinesPerEdge,
      tagsPerMachine: Math.round(o.tagsPerEdge / o.machinesPerEdge), hz: o.hz, publishIntervalMs: o.publishIntervalMs, dataDir: join(dir, 'edges'),
    }, 'ready');

    // ---- steady state --------------------------------------------------------------------------
    await sleep(o.warmupSeconds);
    const s0 = await status();
    recording = true;
    const live0 = liveSamples;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(o.steadySeconds);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    recording = false;
    const s1 = await status();
    const sorted = latencies.slice(0, nLat).sort();
    const hostCpuPercent = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
    const edgesCpuPercent = ((s1.cpuMicros - s0.cpuMicros) / 1e6 / elapsed) * 100;
    const samplesPerSecondAtHost = (liveSamples - live0) / elapsed;

    // ---- outage and replay ---------------------------------------------------------------------
    historicalSeen = 0;
    const histMetrics0 = historicalMetricsAtHost();
    await broker.kill();
    await sleep(o.outageSeconds);
    const atRestart = await status();
    const queuedAtRestart = atRestart.edges.reduce((n, e) => n + e.queuedMetrics, 0);
    const dropped = atRestart.edges.reduce((n, e) => n + e.droppedMetrics, 0);
    const tRestart = performance.now();
    const cpuReplay0 = process.cpuUsage();
    await broker.start();
    let drained: Extract<EdgesReply, { type: 'status' }>;
    const deadline = Date.now() + Math.max(120, o.outageSeconds * 4) * 1000;
    for (;;) {
      drained = await status();
      if (drained.edges.every((e: EdgeStatus) => e.online && e.queuedMetrics === 0)) break;
      if (Date.now() > deadline) throw new Error(`the backlog did not drain (${drained.edges.reduce((n, e) => n + e.queuedMetrics, 0)} metrics still queued)`);
      await sleep(0.25);
    }
    const drainSeconds = (performance.now() - tRestart) / 1000;
    // Everything the broker acknowledged to the edges must reach the host: wait while it keeps coming.
    const sent = drained.edges.reduce((n, e) => n + e.historicalMetricsReplayed, 0) - atRestart.edges.reduce((n, e) => n + e.historicalMetricsReplayed, 0);
    let lastCount = -1;
    let lastProgress = Date.now();
    while (historicalMetricsAtHost() - histMetrics0 < sent && Date.now() - lastProgress < 10_000) {
      const c = historicalMetricsAtHost();
      if (c !== lastCount) { lastCount = c; lastProgress = Date.now(); }
      await sleep(0.1);
    }
    const replayedMetrics = historicalMetricsAtHost() - histMetrics0;
    const cpuReplay = process.cpuUsage(cpuReplay0);
    const hostReplayCpuPercent = ((cpuReplay.user + cpuReplay.system) / 1e6 / ((lastHistoricalAt - tRestart) / 1000)) * 100;
    const missing = Math.max(0, sent - replayedMetrics);
    // From the first historical metric at the host to the last: the replay itself, without the reconnect backoff.
    const replaySeconds = Math.max(0.001, (lastHistoricalAt - firstHistoricalAt) / 1000);

    const result = {
      broker: broker.name,
      latencyP50Ms: percentile(sorted, 50), latencyP99Ms: percentile(sorted, 99), latencyMaxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      samplesPerSecondAtHost, hostCpuPercent, edgesCpuPercent,
      queuedAtRestart, sentByEdges: sent, replayedMetrics, replaySeconds, drainSeconds, replayMetricsPerSecond: replayedMetrics / replaySeconds, dropped, missing,
    };
    const lines = [
      `  ${o.edges} edges × ${fmt(o.tagsPerEdge)} tags at ${o.hz} Hz (${o.machinesPerEdge} machines each; uplink gathers ${o.publishIntervalMs} ms) → ${result.broker} → one host`,
      `  machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')} (edges and broker share it with the host)`,
      `  steady ${o.steadySeconds} s: ${fmt(samplesPerSecondAtHost)} samples/s at the host (target ${fmt(o.edges * o.tagsPerEdge * o.hz)})`,
      `    end-to-end latency (edge sample → host applied): p50 ${fmt(result.latencyP50Ms)} ms, p99 ${fmt(result.latencyP99Ms)} ms, max ${fmt(result.latencyMaxMs)} ms (${fmt(nLat)} samples)`,
      `    host CPU ${fmt(hostCpuPercent, 1)} % of one core (mirrors, historians, line servers); all ${o.edges} edges ${fmt(edgesCpuPercent, 1)} %`,
      `  outage ${o.outageSeconds} s (broker killed): ${fmt(queuedAtRestart)} metrics queued at the edges, ${fmt(dropped)} dropped`,
      `    edges: every queue empty ${fmt(drainSeconds, 1)} s after the broker restart (backoff, host STATE, births included); the broker acknowledged ${fmt(sent)} historical metrics`,
      `    host: ${fmt(replayedMetrics)} historical metrics decoded and stored in ${fmt(replaySeconds, 1)} s = ${fmt(result.replayMetricsPerSecond)} metrics/s (live data flowing alongside; host CPU ${fmt(hostReplayCpuPercent)} % of a core meanwhile), missing ${fmt(missing)}`,
    ];
    return { ...result, lines };
  } finally {
    if (edges && edges.exitCode === null) {
      const e = edges;
      await Promise.race([ask({ cmd: 'stop' }, 'stopped'), sleep(10)]);
      if (e.exitCode === null) e.kill('SIGKILL');
    }
    await host?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      edges: { type: 'string' }, tags: { type: 'string' }, steady: { type: 'string' }, outage: { type: 'string' },
      long: { type: 'boolean', default: false }, broker: { type: 'string' },
    },
  });
  const opts: Partial<UplinkBenchOptions> = {};
  if (values.edges) opts.edges = Number(values.edges);
  if (values.tags) opts.tagsPerEdge = Number(values.tags);
  if (values.steady) opts.steadySeconds = Number(values.steady);
  if (values.outage) opts.outageSeconds = Number(values.outage);
  if (values.long) opts.outageSeconds = 300;
  if (values.broker) opts.broker = values.broker as UplinkBenchOptions['broker'];
  const r = await runUplinkBench(opts);
  for (const line of r.lines) console.log(line);
  process.exit(0);
}
