// Child process of bench/plant.ts and test/host-pg/failover.test.ts: N simulated edges, each the
// real plant model and the real Sparkplug uplink (edge/uplink) for a synthetic line of M machines
// × T tags, every tag changing at `hz` with a value no other sample has (so a doubled row shows).
// Driven over IPC: start → "ready" once every edge is online; status (per edge: ticks fed, queue,
// replayed); hold (stop feeding, keep publishing the queue); stop. Every tick from the start is
// counted: the host must store the edges' first samples too.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import { createPlantModel } from '../../edge/model/plant-model.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import type { TagSample } from '../../edge/connectors/connector.js';
import { syntheticPlant } from './synthetic-line.js';

export interface PlantEdgesStart {
  cmd: 'start';
  brokerUrl: string;
  groupId: string;
  hostId: string;
  edges: number;
  machines: number;
  tagsPerMachine: number;
  hz: number;
  publishIntervalMs: number;
  dataDir: string;
  /** Give up waiting for the edges to come online after this long. */
  onlineTimeoutMs?: number;
}
export type PlantEdgesCommand = PlantEdgesStart | { cmd: 'status'; tickTimes?: boolean } | { cmd: 'hold' } | { cmd: 'stop' };
export interface PlantEdgeStatus {
  lineId: string;
  online: boolean;
  /** Feeds so far: every tag got one sample per tick. */
  ticks: number;
  /** The time of the first and the last tick. */
  firstTickTs: number;
  lastTickTs: number;
  queuedMetrics: number;
  droppedMetrics: number;
  historicalMetricsReplayed: number;
  metricsPublished: number;
}
export type PlantEdgesReply =
  /** measuredFrom: before the first tick of any edge (every tick is counted). */
  | { type: 'ready'; measuredFrom: number }
  | { type: 'status'; edges: PlantEdgeStatus[]; cpuMicros: number }
  | { type: 'held' }
  | { type: 'stopped' };


const send = (reply: PlantEdgesReply) => process.send?.(reply);
interface Edge { lineId: string; node: EdgeNode; timer: ReturnType<typeof setInterval> | null; ticks: number; firstTickTs: number; lastTickTs: number; times: number[]; feed: () => void }
let edges: Edge[] = [];
let holding = false;
let serial = 0;

async function start(o: PlantEdgesStart) {
  for (let e = 0; e < o.edges; e++) {
    const lineId = `line-${String(e + 1).padStart(3, '0')}`;
    const plant = syntheticPlant(lineId, o.machines, o.tagsPerMachine);
    const model = createPlantModel(plant, Date.now());
    const dataDir = join(o.dataDir, lineId);
    mkdirSync(dataDir, { recursive: true });
    const node = createEdgeNode({
      settings: UplinkSettingsSchema.parse({
        broker: { url: o.brokerUrl, reconnectMinMs: 100, reconnectMaxMs: 1000 },
        groupId: o.groupId, edgeNodeId: lineId, primaryHostId: o.hostId, publishIntervalMs: o.publishIntervalMs,
        storeAndForward: { maxMetrics: 5_000_000 },
      }),
      dataDir,
      log: (level, message) => { if (level === 'error') console.error(`[${lineId}] ${level} ${message}`); },
      source: {
        plant,
        machineLive: (id): MachineLive | undefined => {
          const s = model.machine(id);
          return s && { ...s, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0, oee: { availability: 1, performance: 1, quality: 1, oee: 1 }, shift: null };
        },
        devices: () => [],
        lineKpis: () => null,
      },
    });
    const ids = plant.machines.flatMap((m) => m.tags.map((t) => `${m.id}.${t.name}`));
    const edge: Edge = { lineId, node, timer: null, ticks: 0, firstTickTs: 0, lastTickTs: 0, times: [], feed: () => undefined };
    let lastTs = 0;
    edge.feed = () => {
      if (holding) return;
      // One timestamp per tick, strictly increasing: the store's key is (line, machine, tag, time).
      const ts = Math.max(Date.now(), lastTs + 1);
      lastTs = ts;
      edge.ticks++;
      if (edge.ticks === 1) edge.firstTickTs = ts;
      edge.lastTickTs = ts;
      if (edge.times.length < 100_000) edge.times.push(ts);
      const batch: TagSample[] = ids.map((tag) => ({ tag, value: tag.endsWith('.state') ? 1 : ++serial + e / 1000, quality: 'good', ts, receivedTs: ts }));
      node.onModelEvents(model.apply(batch));
    };
    edges.push(edge);
  }
  // Every tick counts, the first ones included (a Sparkplug edge loses nothing at start). Even
  // edges feed from their start: their first ticks come before they are online (no primary yet)
  // and are stored and forwarded after the births. Odd edges start once born, after their machines'
  // DDEATH (no data yet), with two ticks at once: a DBIRTH states only the second, the first
  // must follow it as history.
  const measuredFrom = Date.now();
  const begin = (edge: Edge, e: number) => {
    if (holding) return;
    edge.feed();
    if (e % 2 === 1) edge.feed();
    setTimeout(() => { if (!holding) edge.timer = setInterval(edge.feed, 1000 / o.hz); }, (1000 / o.hz) * (e / o.edges));
  };
  edges.forEach((edge, e) => {
    edge.node.start();
    if (e % 2 === 0) begin(edge, e);
  });
  const deadline = Date.now() + (o.onlineTimeoutMs ?? 60_000);
  const waiting = new Set(edges.filter((_, e) => e % 2 === 1));
  while (!edges.every((e) => e.node.health().online)) {
    if (Date.now() > deadline) throw new Error('edges did not come online in time (is a host the primary?)');
    for (const edge of waiting) {
      if (!edge.node.health().online) continue;
      waiting.delete(edge);
      // After the flush that follows the births (machines without data get their DDEATH there).
      setTimeout(() => begin(edge, edges.indexOf(edge)), 3 * o.publishIntervalMs);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const edge of waiting) setTimeout(() => begin(edge, edges.indexOf(edge)), 3 * o.publishIntervalMs);
  send({ type: 'ready', measuredFrom });
}

process.on('message', (msg: PlantEdgesCommand) => {
  if (msg.cmd === 'start') start(msg).catch((err) => { console.error(err); process.exit(1); });
  else if (msg.cmd === 'status') {
    const cpu = process.cpuUsage();
    send({
      type: 'status', cpuMicros: cpu.user + cpu.system,
      edges: edges.map(({ lineId, node, ticks, firstTickTs, lastTickTs, times }) => {
        const h = node.health();
        return { lineId, ticks, firstTickTs, lastTickTs, ...(msg.tickTimes ? { tickTimes: times } : {}), online: h.online, queuedMetrics: h.queuedMetrics, droppedMetrics: h.droppedMetrics, historicalMetricsReplayed: h.historicalMetricsReplayed, metricsPublished: h.metricsPublished };
      }),
    });
  } else if (msg.cmd === 'hold') {
    holding = true;
    for (const e of edges) if (e.timer) clearInterval(e.timer);
    send({ type: 'held' });
  } else if (msg.cmd === 'stop') {
    void (async () => {
      holding = true;
      for (const e of edges) {
        if (e.timer) clearInterval(e.timer);
        await e.node.stop();
      }
      edges = [];
      send({ type: 'stopped' });
      process.exit(0);
    })();
  }
});
process.on('disconnect', () => process.exit(0));
