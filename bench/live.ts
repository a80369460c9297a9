// Live benchmark (issue 7 §7): 100 socket clients on one edge, 1,000 tags changing at 10 Hz
// on a PLC, one client deliberately slow. Reports deltas delivered per second, latency from
// the device changing a value to a client holding it (p50/p99), the edge's CPU and memory,
// and whether memory stays flat while the slow client reads almost nothing.
//
//   npx tsx bench/live.ts [--seconds 30] [--long] [--clients 100] [--tags 1000] [--hz 10] [--protocol modbus|opcua] [--no-gate] [--heavy-query [--inline-reads]]
//   npm run bench -- live          (30 s; --long runs the 5 minutes the issue names)
//
// `npm run bench -- live` runs twice: as above, then again while the heaviest query the REST
// API allows runs back to back (issue 16 §2: a year-long trend of one tag at 10,000 points
// over a year of stored per-minute aggregates, read on the edge's read worker), and prints
// the p99 latency of both runs against the 250 ms target.
//
// The device (bench/live-load-server.ts, its own process): by default a Modbus TCP server
// whose 1,000 holding registers all take the next step number every 1000/hz ms, computed
// from the wall clock, so a client that receives value v knows when the device changed to it
// (the edge's poll is part of the latency, as on a real PLC). With --protocol opcua it is a
// node-opcua server stamping each change with its source timestamp, reported by exception
// (sampling 0, publishing 50 ms).
//
// The edge (bench/live-edge.ts) runs in its own process so its CPU and memory are its own;
// the clients run here. Ten are full socket.io-client instances that decode every delta and
// measure latency; the others speak the Engine.IO/Socket.IO wire protocol directly and only
// count frames, so that 100 decoding clients on this machine do not become the bottleneck
// being measured. The slow client connects the same way, then reads no more than 200 KB/s
// from its TCP socket (enough to answer pings, about a third of the data).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
// ws comes with socket.io (engine.io's own WebSocket server and client).
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import type { PlantInput } from '../shared/plant-schema.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../shared/live-protocol.js';
import type { LiveStats } from '../edge/live/live-server.js';

export interface LiveBenchOptions {
  clients: number;
  /** Of the clients, how many decode every message and measure latency. */
  probes: number;
  tags: number;
  machines: number;
  hz: number;
  seconds: number;
  warmupSeconds: number;
  slowClient: boolean;
  protocol: 'modbus' | 'opcua';
  /** False: the edge queues for slow clients like plain Socket.IO (the comparison that shows why it does not). */
  gate: boolean;
  /** Runs the heaviest allowed history query in a loop while measuring (the store is filled with a year of minutes first). */
  heavyQuery: boolean;
  /** The edge reads history on its main thread instead of the read worker: the comparison that shows what the worker is for. */
  inlineReads: boolean;
}

const DEFAULTS: LiveBenchOptions = { clients: 100, probes: 10, tags: 1000, machines: 20, hz: 10, seconds: 30, warmupSeconds: 8, slowClient: true, protocol: 'modbus', gate: true, heavyQuery: false, inlineReads: false };

const DAY_MS = 86_400_000;
/** The tag the heavy query asks for, and how far back: the span limit, less a day so retention (365 days of minutes) leaves it whole. */
const HEAVY_TAG = 'm0.t0';
const HEAVY_SPAN_MS = 365 * DAY_MS;

/**
 * A year of per-minute aggregates (525,600 rows) and 20,000 raw samples of the last days for
 * HEAVY_TAG, written before the edge opens the file: enough raw samples that a year-long trend
 * at 10,000 points is answered from aggregates, every one of the year's minutes read.
 */
async function fillHeavyHistory(file: string): Promise<void> {
  const { openHistorian } = await import('../edge/store/historian.js');
  const h = openHistorian({ file, now: Date.now, settings: { backup: { enabled: false } } });
  try {
    const now = Date.now();
    const id = Number(h.sqlite.prepare("INSERT INTO tags (name, kind) VALUES (?, 'number')").run(HEAVY_TAG).lastInsertRowid);
    const minute = h.sqlite.prepare('INSERT INTO tag_minutes (tag_id, minute, min, max, sum, count, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const raw = h.sqlite.prepare('INSERT INTO tag_samples (tag_id, ts, value, quality) VALUES (?, ?, ?, 0)');
    const first = Math.ceil((now - HEAVY_SPAN_MS) / 60_000) * 60_000 + 3_600_000;
    h.sqlite.transaction(() => {
      for (let m = first; m < now - 3_600_000; m += 60_000) minute.run(id, m, 1, 3, 120, 60, 2, m + 59_000);
      for (let i = 0; i < 20_000; i++) raw.run(id, now - 2 * DAY_MS + i * 1000, i % 100);
    })();
  } finally {
    h.close();
  }
}

interface HeavyLoad {
  done: number;
  refused: number;
  failed: number;
  totalMs: number;
  maxMs: number;
}

/** The heaviest allowed query, back to back until `stop()`. */
function heavyQueryLoop(base: string): { load: HeavyLoad; stop: () => Promise<void> } {
  const load: HeavyLoad = { done: 0, refused: 0, failed: 0, totalMs: 0, maxMs: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const to = Date.now();
      const t = performance.now();
      try {
        const res = await fetch(`${base}/api/history/tags/${HEAVY_TAG}?from=${to - HEAVY_SPAN_MS}&to=${to}&maxPoints=10000`);
        const body = (await res.json()) as { resolution?: string };
        const ms = performance.now() - t;
        if (res.status === 200 && body.resolution === 'aggregate') {
          load.done++;
          load.totalMs += ms;
          load.maxMs = Math.max(load.maxMs, ms);
        } else if (res.status === 503) {
          load.refused++;
        } else {
          load.failed++;
          if (load.failed === 1) console.error(`heavy query: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        }
      } catch (err) {
        load.failed++;
        if (load.failed === 1) console.error(`heavy query failed: ${(err as Error).message}`);
      }
    }
  })();
  return { load, stop: async () => { stopped = true; await loop; } };
}
/**
 * Two alarm-module buffers fill up during the first minutes and would read as growth in a
 * 30 s window: the flight recorder keeps every sample of the last preSeconds (default 60 s;
 * at 10,000 samples/s ~60 MB), and the predictive baseline learns one fit per candidate time
 * constant per tag (default grid ~280 candidates; for 1,000 tags ~30 MB once learning
 * starts). Both are bounded and both are someone else's subject; here they are made small
 * so that the window measures the steady state of the live path.
 */
const RECORDER = { recorder: { preSeconds: 5, postSeconds: 5 }, predictive: { responseSeconds: [60] } };
/** Modbus register block per machine: state at +0, tags from +1. */
const MODBUS_STRIDE = 64;

interface EdgeSample {
  historian: { pending: number; written: number };
  devices: { readsPerSecond: number; latencyMs: number | null }[];
  cpu: NodeJS.CpuUsage;
  mem: NodeJS.MemoryUsage;
  live: LiveStats;
  at: number;
}

export interface LiveBenchResult {
  options: LiveBenchOptions;
  messagesPerSecond: number;
  perClientPerSecond: number;
  latency: { p50: number; p90: number; p99: number; max: number; samples: number };
  edgeCpuPercent: number;
  heapStartMB: number;
  heapEndMB: number;
  /** Buffers outside the JS heap (socket writes): where a queued slow client would show. */
  externalStartMB: number;
  externalEndMB: number;
  rssStartMB: number;
  rssEndMB: number;
  rssMaxMB: number;
  /** Least-squares slope of the edge's RSS over the run, MB per minute. */
  rssSlopeMBPerMin: number;
  stalledDeferred: number;
  stalledReceived: number;
  stalledConnected: boolean;
  maxQueuedPackets: number;
  maxBufferedKB: number;
  loadAverage: number;
  /** The heavy query's runs while measuring (null: not asked). */
  heavy: HeavyLoad | null;
  lines: string[];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function benchPlant(o: LiveBenchOptions, device: { opcua: string } | { modbusPort: number }): PlantInput {
  const perMachine = Math.ceil(o.tags / o.machines);
  if ('modbusPort' in device) {
    return {
      site: { id: 'bench', name: 'bench', timezone: 'UTC' },
      line: { id: 'bench', name: 'live bench line' },
      calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
      alarms: RECORDER,
      devices: [{ id: 'load', protocol: 'modbus-tcp', host: '127.0.0.1', port: device.modbusPort, unitId: 1, pollIntervalMs: 20 }],
      machines: Array.from({ length: o.machines }, (_, m) => ({
        id: `m${m}`, name: `Machine ${m}`, type: 'cnc' as const, device: 'load', idealCycleTimeSeconds: 10, layout: { x: m * 4, z: 0 },
        tags: [
          { name: 'state', role: 'state' as const, type: 'uint16' as const, modbus: { table: 'holding' as const, address: m * MODBUS_STRIDE } },
          ...Array.from({ length: perMachine }, (_, t) => ({ name: `t${t}`, type: 'uint16' as const, modbus: { table: 'holding' as const, address: m * MODBUS_STRIDE + 1 + t } })),
        ],
      })),
    };
  }
  const endpoint = device.opcua;
  return {
    site: { id: 'bench', name: 'bench', timezone: 'UTC' },
    line: { id: 'bench', name: 'live bench line' },
    calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
    alarms: RECORDER,
    // Report by exception (sampling 0) and a short publishing interval: the edge sees a change as soon as the device makes it.
    devices: [{ id: 'load', protocol: 'opcua', endpointUrl: endpoint, samplingIntervalMs: 0, publishingIntervalMs: 50 }],
    machines: Array.from({ length: o.machines }, (_, m) => ({
      id: `m${m}`, name: `Machine ${m}`, type: 'cnc' as const, device: 'load', idealCycleTimeSeconds: 10, layout: { x: m * 4, z: 0 },
      tags: [
        { name: 'state', role: 'state' as const, type: 'uint16' as const, opcua: { nodeId: `ns=1;s=m${m}.State` } },
        ...Array.from({ length: perMachine }, (_, t) => ({ name: `t${t}`, type: 'float64' as const, opcua: { nodeId: `ns=1;s=m${m}.t${t}` } })),
      ],
    })),
  };
}

/** A Socket.IO client at wire level: answers pings, counts `delta` frames, never decodes them. */
class WireClient {
  readonly ws: WebSocket;
  deltas = 0;
  connected = false;
  private static readonly DELTA = Buffer.from('42["delta"');

  private throttle: ReturnType<typeof setInterval> | null = null;

  /**
   * slow: after connecting, reads at most SLOW_BYTES_PER_SECOND from its TCP socket (a third of
   * what the line sends) — enough to reach Engine.IO pings in time and stay connected, too
   * little to keep up: everything it does not read backs up towards the edge.
   */
  constructor(port: number, readonly slow = false) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    this.ws.on('message', (data: Buffer) => {
      const kind = data[0];
      if (kind === 0x30 /* '0' open */) this.ws.send('40');
      else if (kind === 0x32 /* '2' ping */) this.ws.send('3');
      else if (kind === 0x34 /* '4' message */) {
        if (data[1] === 0x30 /* '0' connected */) {
          this.connected = true;
          // Mostly not reading: the kernel buffers fill, then the edge's writes stall for this socket.
          if (this.slow) {
            const tcp = (this.ws as unknown as { _socket: import('node:net').Socket })._socket;
            let budget = SLOW_BYTES_PER_SECOND;
            tcp.on('data', (chunk: Buffer) => {
              budget -= chunk.length;
              if (budget <= 0) tcp.pause();
            });
            this.throttle = setInterval(() => {
              budget = SLOW_BYTES_PER_SECOND;
              tcp.resume();
            }, 1000);
          }
        } else if (data.subarray(0, WireClient.DELTA.length).equals(WireClient.DELTA)) this.deltas++;
      }
    });
    this.ws.on('error', () => undefined);
  }

  close() {
    if (this.throttle) clearInterval(this.throttle);
    this.ws.terminate();
  }
}

const SLOW_BYTES_PER_SECOND = 200 * 1024;

/** Latency histogram in 1 ms buckets up to 10 s. */
class Histogram {
  readonly buckets = new Uint32Array(10_001);
  count = 0;
  max = 0;
  add(ms: number) {
    const b = Math.max(0, Math.min(10_000, Math.round(ms)));
    this.buckets[b]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  percentile(p: number): number {
    const target = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i;
    }
    return Number.NaN;
  }
}

async function spawnReady(args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('READY')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return proc;
}

/** Asks the edge for its figures; with gc it first runs a full collection (a pause of its own: only at the window's ends). */
function ask(edge: ChildProcess, gc = false): Promise<EdgeSample> {
  return new Promise((resolve) => {
    const onMessage = (msg: { type: string } & Omit<EdgeSample, 'at'>) => {
      if (msg.type !== 'sample') return;
      edge.off('message', onMessage);
      resolve({ cpu: msg.cpu, mem: msg.mem, live: msg.live, devices: msg.devices, historian: msg.historian, at: performance.now() });
    };
    edge.on('message', onMessage);
    edge.send({ type: 'sample', gc });
  });
}

const MB = 1024 * 1024;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slope(points: { t: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den ? num / den : 0;
}

export async function runLiveBench(overrides: Partial<LiveBenchOptions> = {}): Promise<LiveBenchResult> {
  const o = { ...DEFAULTS, ...overrides };
  const dir = mkdtempSync(join(tmpdir(), 'twinline-live-bench-'));
  const procs: ChildProcess[] = [];
  const probes: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
  const wires: WireClient[] = [];
  let changedAtStep: ((value: number) => number) | null = null;
  let edgeProc: ChildProcess | undefined;
  try {
    const plantFile = join(dir, 'plant.json');
    if (o.protocol === 'modbus') {
      const modbusPort = await freePort();
      const t0 = Date.now();
      const period = 1000 / o.hz;
      procs.push(await spawnReady(['bench/live-load-server.ts', 'modbus', String(modbusPort), String(t0), String(period)]));
      // The device computes its value from the wall clock: value v appeared at t0 + (v - 1) × period.
      changedAtStep = (v) => t0 + (v - 1) * period;
      writeFileSync(plantFile, JSON.stringify(benchPlant(o, { modbusPort })));
    } else {
      const opcPort = await freePort();
      procs.push(await spawnReady(['bench/live-load-server.ts', 'opcua', String(opcPort), String(o.machines), String(Math.ceil(o.tags / o.machines)), String(o.hz), join(dir, 'pki-load')]));
      writeFileSync(plantFile, JSON.stringify(benchPlant(o, { opcua: `opc.tcp://127.0.0.1:${opcPort}` })));
    }
    if (o.heavyQuery) await fillHeavyHistory(join(dir, 'twinline.db'));
    const changedAt = changedAtStep
      ? (tag: { value: unknown }) => (typeof tag.value === 'number' ? changedAtStep!(tag.value) : undefined)
      : (tag: { ts: number }) => tag.ts;
    const edge = fork('bench/live-edge.ts', [plantFile, dir, ...(o.gate ? [] : ['--no-gate']), ...(o.inlineReads ? ['--inline-reads'] : [])], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    procs.push(edge);
    edgeProc = edge;
    const port = await new Promise<number>((resolve, reject) => {
      edge.once('message', (msg: { type: string; port: number }) => resolve(msg.port));
      edge.once('exit', (code) => reject(new Error(`bench edge exited with ${code}`)));
    });

    // Probes: real socket.io clients that decode every delta and time every new value in it.
    const latency = new Histogram();
    let measuring = false;
    let probeDeltas = 0;
    for (let i = 0; i < o.probes; i++) {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
      const lastSeen = new Map<string, unknown>();
      socket.on('delta', (d) => {
        const received = Date.now();
        if (measuring) probeDeltas++;
        for (const m of d.machines) {
          for (const [name, tag] of Object.entries(m.tags)) {
            if (name === 'state') continue;
            const key = `${m.machineId}.${name}`;
            const before = lastSeen.get(key);
            // A value this probe already holds (the 1 s refresh resends machines) is not a new arrival.
            if (before === tag.value) continue;
            lastSeen.set(key, tag.value);
            const at = changedAt(tag as { value: unknown; ts: number });
            if (measuring && before !== undefined && at !== undefined) latency.add(received - at);
          }
        }
      });
      probes.push(socket);
    }
    const wireCount = o.clients - o.probes - (o.slowClient ? 1 : 0);
    for (let i = 0; i < wireCount; i++) wires.push(new WireClient(port));
    const stalled = o.slowClient ? new WireClient(port, true) : null;
    const deadline = Date.now() + 30_000;
    while (!(probes.every((p) => p.connected) && wires.every((w) => w.connected) && (!stalled || stalled.connected))) {
      if (Date.now() > deadline) throw new Error('clients did not all connect within 30 s');
      await sleep(100);
    }

    await sleep(o.warmupSeconds * 1000);
    const wireStart = wires.reduce((n, w) => n + w.deltas, 0);
    const stalledStart = stalled?.deltas ?? 0;
    const start = await ask(edge, true);
    const heavy = o.heavyQuery ? heavyQueryLoop(`http://127.0.0.1:${port}`) : null;
    measuring = true;
    const rss: { t: number; y: number }[] = [{ t: 0, y: start.mem.rss / MB }];
    let rssMax = start.mem.rss / MB;
    const sampleEvery = Math.min(5, Math.max(1, o.seconds / 10));
    const t0 = performance.now();
    while (performance.now() - t0 < o.seconds * 1000) {
      await sleep(sampleEvery * 1000);
      const s = await ask(edge);
      if (process.env.BENCH_DEBUG) console.error(`heap ${(s.mem.heapUsed / MB).toFixed(1)} historian ${JSON.stringify(s.historian)} reads/s ${s.devices.map((d) => d.readsPerSecond).join(',')} sent ${s.live.messagesSent} deferred ${s.live.deferred} catchUps ${s.live.catchUps} bench cpu ${JSON.stringify(process.cpuUsage())}`);
      rss.push({ t: (s.at - t0) / 60_000, y: s.mem.rss / MB });
      rssMax = Math.max(rssMax, s.mem.rss / MB);
    }
    measuring = false;
    await heavy?.stop();
    const end = await ask(edge, true);
    const seconds = (end.at - start.at) / 1000;
    const wireDeltas = wires.reduce((n, w) => n + w.deltas, 0) - wireStart;
    const delivered = wireDeltas + probeDeltas + ((stalled?.deltas ?? 0) - stalledStart);
    const cpuMicros = end.cpu.user + end.cpu.system - start.cpu.user - start.cpu.system;
    const receivers = o.clients - (o.slowClient ? 1 : 0);

    const result: LiveBenchResult = {
      options: o,
      messagesPerSecond: delivered / seconds,
      perClientPerSecond: (wireDeltas + probeDeltas) / seconds / receivers,
      latency: { p50: latency.percentile(50), p90: latency.percentile(90), p99: latency.percentile(99), max: latency.max, samples: latency.count },
      edgeCpuPercent: (cpuMicros / 1e6 / seconds) * 100,
      heapStartMB: start.mem.heapUsed / MB,
      heapEndMB: end.mem.heapUsed / MB,
      externalStartMB: (start.mem.external + start.mem.arrayBuffers) / MB,
      externalEndMB: (end.mem.external + end.mem.arrayBuffers) / MB,
      rssStartMB: start.mem.rss / MB,
      rssEndMB: end.mem.rss / MB,
      rssMaxMB: rssMax,
      rssSlopeMBPerMin: slope(rss),
      stalledDeferred: end.live.deferred - start.live.deferred,
      stalledReceived: (stalled?.deltas ?? 0) - stalledStart,
      stalledConnected: stalled ? stalled.ws.readyState === WebSocket.OPEN : false,
      maxQueuedPackets: end.live.maxQueuedPackets ?? Number.NaN,
      maxBufferedKB: (end.live.maxBufferedBytes ?? Number.NaN) / 1024,
      loadAverage: loadavg()[0]!,
      heavy: heavy?.load ?? null,
      lines: [],
    };
    // Flat: the live heap after a full GC grew by less than 5 MB over the window (a queued slow client grows ~0.5 MB/s here).
    const heapGrowth = result.heapEndMB - result.heapStartMB + (result.externalEndMB - result.externalStartMB);
    const flat = heapGrowth < 5;
    result.lines = [
      ...(o.gate ? [] : ['  (--no-gate: the edge queues for slow clients as plain Socket.IO does — the comparison, not the product)']),
      ...(o.inlineReads ? ['  (--inline-reads: history read on the edge\'s main thread, not the read worker — the comparison, not the product)'] : []),
      `${o.clients} clients (${o.probes} decoding probes, ${wireCount} wire-level, ${o.slowClient ? '1 slow' : 'none slow'}), ${fmt(o.tags)} tags changing at ${o.hz} Hz on ${o.machines} machines over ${o.protocol === 'modbus' ? 'Modbus TCP (polled back to back, 20 ms pause)' : 'OPC UA (report by exception)'}, ${fmt(seconds)} s after ${o.warmupSeconds} s warm-up`,
      `  deltas delivered          ${fmt(result.messagesPerSecond).padStart(8)} messages/s  (${fmt(result.perClientPerSecond, 1)} per client per second; the live tick is 100 ms)`,
      `  latency change → client   p50 ${fmt(result.latency.p50)} ms  p90 ${fmt(result.latency.p90)} ms  p99 ${fmt(result.latency.p99)} ms  max ${fmt(result.latency.max)} ms  (${fmt(result.latency.samples)} values)   target p99 < 250 ms: ${result.latency.p99 < 250 ? 'ok' : 'MISSED'}`,
      `  edge CPU                  ${fmt(result.edgeCpuPercent).padStart(8)} % of one core (connector, model, KPI, alarms, historian, live server)`,
      `  edge memory after GC      heap ${fmt(result.heapStartMB, 1)} → ${fmt(result.heapEndMB, 1)} MB, buffers ${fmt(result.externalStartMB, 1)} → ${fmt(result.externalEndMB, 1)} MB, RSS ${fmt(result.rssStartMB)} → ${fmt(result.rssEndMB)} MB (max ${fmt(result.rssMaxMB)}), RSS slope ${fmt(result.rssSlopeMBPerMin, 1)} MB/min; heap+buffers ${heapGrowth >= 0 ? '+' : ''}${fmt(heapGrowth, 1)} MB: ${flat ? 'flat' : 'GROWING'}`,
      o.slowClient
        ? `  slow client               left out of ${fmt(result.stalledDeferred)} sends, got ${fmt(result.stalledReceived)} deltas (catch-ups with current values), ${result.stalledConnected ? 'still connected' : 'DISCONNECTED'}; per-socket backlog at most ${fmt(result.maxQueuedPackets)} queued packets, ${fmt(result.maxBufferedKB)} KB in the socket buffer`
        : '  slow client               (none)',
      ...(result.heavy
        ? [`  heavy query               ${fmt(result.heavy.done)} year-long trends of ${HEAVY_TAG} at 10,000 points answered back to back (${fmt(result.heavy.done ? result.heavy.totalMs / result.heavy.done : 0)} ms each on average, max ${fmt(result.heavy.maxMs)} ms), ${fmt(result.heavy.refused)} refused (503), ${fmt(result.heavy.failed)} failed`]
        : []),
      `  machine                   load average ${fmt(result.loadAverage, 1)} on this host while measuring${result.loadAverage > 2 ? ' — other work shares the CPUs, latency and CPU figures are pessimistic' : ''}`,
    ];
    return result;
  } finally {
    for (const p of probes) p.disconnect();
    for (const w of wires) w.close();
    const edge = edgeProc;
    if (edge && edge.exitCode === null && edge.connected) {
      await new Promise<void>((resolve) => {
        const killer = setTimeout(() => { edge.kill('SIGKILL'); resolve(); }, 10_000);
        edge.once('exit', () => { clearTimeout(killer); resolve(); });
        edge.send({ type: 'stop' });
      });
    }
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await sleep(300);
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The live benchmark twice, the second time with the heaviest allowed query in a loop, and the
 * p99 latency of both against the 250 ms target (issue 16 §2).
 */
export async function runLiveComparison(overrides: Partial<LiveBenchOptions> = {}): Promise<{ quiet: LiveBenchResult; heavy: LiveBenchResult; lines: string[] }> {
  const quiet = await runLiveBench({ ...overrides, heavyQuery: false });
  const heavy = await runLiveBench({ ...overrides, heavyQuery: true });
  const verdict = (r: LiveBenchResult) => (r.latency.p99 < 250 ? 'ok' : 'NOT MET');
  return {
    quiet, heavy,
    lines: [
      '-- without a heavy query --', ...quiet.lines,
      '-- with the heaviest allowed query in a loop --', ...heavy.lines,
      `  p99 latency change → client: ${fmt(quiet.latency.p99)} ms without, ${fmt(heavy.latency.p99)} ms with the heavy query (${fmt(heavy.heavy?.done ?? 0)} answered); target < 250 ms: ${verdict(quiet)} / ${verdict(heavy)}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' }, long: { type: 'boolean', default: false }, clients: { type: 'string' },
      tags: { type: 'string' }, hz: { type: 'string' }, 'no-slow': { type: 'boolean', default: false }, 'no-gate': { type: 'boolean', default: false }, protocol: { type: 'string', default: 'modbus' },
      'heavy-query': { type: 'boolean', default: false }, 'inline-reads': { type: 'boolean', default: false },
    },
  });
  const result = await runLiveBench({
    seconds: values.long ? 300 : values.seconds ? Number(values.seconds) : DEFAULTS.seconds,
    ...(values.clients ? { clients: Number(values.clients) } : {}),
    ...(values.tags ? { tags: Number(values.tags) } : {}),
    ...(values.hz ? { hz: Number(values.hz) } : {}),
    slowClient: !values['no-slow'],
    gate: !values['no-gate'],
    protocol: values.protocol === 'opcua' ? 'opcua' : 'modbus',
    heavyQuery: values['heavy-query'],
    inlineReads: values['inline-reads'],
  });
  for (const line of result.lines) console.log(line);
  process.exit(0);
}
