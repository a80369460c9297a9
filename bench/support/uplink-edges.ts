// Child process of bench/uplink.ts: N simulated edges, each the real plant model and the real
// Sparkplug uplink (edge/uplink) for a synthetic line of M machines × T tags, every tag changing
// at `hz`. Driven over IPC: start → "ready" once every edge is online; status; stop.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticPlant } from './synthetic-line.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import { createPlantModel } from '../../edge/model/plant-model.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import type { TagSample } from '../../edge/connectors/connector.js';

export interface EdgesStart {
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
}
export type EdgesCommand = EdgesStart | { cmd: 'status' } | { cmd: 'stop' };
export interface EdgeStatus { online: boolean; connected: boolean; queuedMetrics: number; droppedMetrics: number; historicalMetricsReplayed: number; metricsPublished: number }
export type EdgesReply =
  | { type: 'ready' }
  | { type: 'status'; edges: EdgeStatus[]; samplesFed: number; cpuMicros: number }
  | { type: 'stopped' };


const send = (reply: EdgesReply) => process.send?.(reply);
let edges: Array<{ node: EdgeNode; timer: ReturnType<typeof setInterval> | null }> = [];
let samplesFed = 0;

async function start(o: EdgesStart) {
  for (let e = 0; e < o.edges; e++) {
    const lineId = `line-${String(e + 1).padStart(2, '0')}`;
    const plant = syntheticPlant(lineId, o.machines, o.tagsPerMachine);
    const model = createPlantModel(plant, Date.now());
    const dataDir = join(o.dataDir, lineId);
    mkdirSync(dataDir, { recursive: true });
    const node = createEdgeNode({
      settings: UplinkSettingsSchema.parse({
        broker: { url: o.brokerUrl, reconnectMinMs: 200, reconnectMaxMs: 2000 },
        groupId: o.groupId, edgeNodeId: lineId, primaryHostId: o.hostId, publishIntervalMs: o.publishIntervalMs,
        storeAndForward: { maxMetrics: 50_000_000 },
      }),
      dataDir,
      log: (level, message) => { if (level !== 'info') console.error(`[${lineId}] ${level} ${message}`); },
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
    let tick = 0;
    const feed = () => {
      tick++;
      const ts = Date.now();
      const batch: TagSample[] = ids.map((tag) => ({ tag, value: tag.endsWith('.state') ? 1 : tick + Math.random(), quality: 'good', ts, receivedTs: ts }));
      node.onModelEvents(model.apply(batch));
      samplesFed += batch.length;
    };
    feed();
    node.start();
    const entry: { node: EdgeNode; timer: ReturnType<typeof setInterval> | null } = { node, timer: null };
    edges.push(entry);
    // Staggered like independent boxes would be, not all in the same millisecond.
    setTimeout(() => { entry.timer = setInterval(feed, 1000 / o.hz); }, (1000 / o.hz) * (e / o.edges));
  }
  const deadline = Date.now() + 60_000;
  while (!edges.every((e) => e.node.health().online)) {
    if (Date.now() > deadline) throw new Error('edges did not come online within 60 s (is the host up?)');
    await new Promise((r) => setTimeout(r, 100));
  }
  send({ type: 'ready' });
}

process.on('message', (msg: EdgesCommand) => {
  if (msg.cmd === 'start') start(msg).catch((err) => { console.error(err); process.exit(1); });
  else if (msg.cmd === 'status') {
    const cpu = process.cpuUsage();
    send({
      type: 'status', samplesFed, cpuMicros: cpu.user + cpu.system,
      edges: edges.map(({ node }) => {
        const h = node.health();
        return { online: h.online, connected: h.connected, queuedMetrics: h.queuedMetrics, droppedMetrics: h.droppedMetrics, historicalMetricsReplayed: h.historicalMetricsReplayed, metricsPublished: h.metricsPublished };
      }),
    });
  } else if (msg.cmd === 'stop') {
    void (async () => {
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
