// Store-and-forward against a real broker (aedes) that the test stops and starts on the same
// port, with a real SQLite queue. What the broker accepted is read from a tap on the broker
// itself, so nothing depends on a subscriber reconnecting in time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { buildCatalogue } from '../../edge/uplink/metric-catalogue.js';
import { decodePayload, type Payload } from '../../edge/uplink/sparkplug-codec.js';
import { parseTopic } from '../../edge/uplink/sparkplug-topics.js';
import { UplinkSettingsSchema, type UplinkSettingsInput } from '../../shared/uplink-config.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine, type ModelLine } from './support/model-line.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const SPEED = buildCatalogue(plant).byName('mill', 'Tags/spindleSpeed')!.alias;
const CLIENT = 'twinline-plant-a-line-1';

let dir: string;
let broker: TestBroker;
let line: ModelLine;
let nodes: EdgeNode[];
let logs: string[];

function startNode(extra: Partial<UplinkSettingsInput> = {}) {
  const settings = UplinkSettingsSchema.parse({
    broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 200 },
    groupId: 'plant-a', edgeNodeId: 'line-1', publishIntervalMs: 10, refreshIntervalMs: 60_000, ...extra,
  });
  const n = createEdgeNode({ settings, source: line.source, dataDir: dir, log: (l, m) => logs.push(`${l} ${m}`), now: () => Date.now() });
  line.sink = n;
  n.start();
  nodes.push(n);
  return n;
}

interface Received { type: string; device: string | null; payload: Payload; clientId: string | null }
function received(): Received[] {
  return broker.published.flatMap((p) => {
    const t = parseTopic(p.topic);
    if (!t || t.kind === 'state') return [];
    return [{ type: t.type, device: t.kind === 'device' ? t.deviceId : null, payload: decodePayload(p.payload), clientId: p.clientId }];
  });
}
/** Every spindle-speed value the broker took, live or historical, in arrival order. */
function speedValues(alias = SPEED) {
  return received().filter((r) => r.type === 'DDATA' && r.device === 'mill')
    .flatMap((r) => r.payload.metrics.filter((m) => m.alias === alias).map((m) => ({ value: m.value as number, historical: m.isHistorical === true, ts: m.timestamp! })));
}

/** Feeds spindle speeds 0, 1, 2… every `everyMs`, one value per sample. */
function feeder(everyMs = 5) {
  let next = 0;
  const timer = setInterval(() => {
    line.feed([{ tag: 'mill.spindleSpeed', value: next, ts: 1_000_000 + next }]);
    next++;
  }, everyMs);
  return { get count() { return next; }, stop: () => clearInterval(timer) };
}

/** Feeds `n` values in `batches` separate flushes (a flush per batch, so one message per batch). */
async function feedInBatches(node: EdgeNode, from: number, n: number, batches: number) {
  const per = n / batches;
  for (let b = 0; b < batches; b++) {
    const before = node.health().queuedMetrics + node.health().droppedMetrics;
    line.feed(Array.from({ length: per }, (_, i) => ({ tag: 'mill.spindleSpeed', value: from + b * per + i, ts: 1_000_000 + from + b * per + i })));
    await waitFor('the batch to be queued', () => node.health().queuedMetrics + node.health().droppedMetrics > before, 5000, 5);
  }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-sf-'));
  broker = await startTestBroker();
  line = modelLine(plant);
  nodes = [];
  logs = [];
});

afterEach(async () => {
  for (const n of nodes) await n.stop();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store-and-forward', () => {
  it('a broker restart mid-stream loses nothing: the outage is replayed in order, flagged historical, and seq has no gap', async () => {
    line.allRunning();
    const node = startNode();
    await waitFor('online', () => node.health().online);
    const feed = feeder();
    try {
      await waitFor('150 values live', () => feed.count >= 150);
      await broker.stop();
      await waitFor('the edge to notice', () => !node.health().connected);
      await waitFor('200 more values', () => feed.count >= 350);
      expect(node.health().queuedMetrics).toBeGreaterThan(100);
      await broker.start();
      await waitFor('200 values after the restart', () => feed.count >= 550);
    } finally {
      feed.stop();
    }
    const total = feed.count;
    await waitFor('the queue to drain', () => node.health().online && !node.health().replaying && node.health().queuedMetrics === 0);
    await waitFor('every value at the broker', () => new Set(speedValues().map((v) => v.value)).size === total, 5000);

    const values = speedValues();
    expect(new Set(values.map((v) => v.value))).toEqual(new Set(Array.from({ length: total }, (_, i) => i)));
    const historical = values.filter((v) => v.historical).map((v) => v.value);
    expect(historical.length).toBeGreaterThan(100);
    expect(historical).toEqual([...historical].sort((a, b) => a - b));
    // Outage values are the historical ones (timestamps kept from the samples).
    expect(values.filter((v) => v.value >= 200 && v.value < 300).every((v) => v.historical)).toBe(true);
    expect(values.every((v) => v.ts === 1_000_000 + v.value)).toBe(true);

    // The reconnected session: NBIRTH seq 0, then every message numbered without a gap.
    const session = received().filter((r) => r.clientId === CLIENT);
    const lastBirth = session.map((r) => r.type).lastIndexOf('NBIRTH');
    expect(lastBirth).toBeGreaterThan(0);
    const seqs = session.slice(lastBirth).map((r) => r.payload.seq!);
    seqs.forEach((s, i) => expect(s).toBe(i % 256));
    expect(node.health().historicalReplayed).toBeGreaterThan(0);
  });

  it('a DBIRTH the broker did not take leaves the samples it stated in the queue: a machine\'s first data is replayed as history', async () => {
    const node = startNode();
    await waitFor('online, the machines without data dead', () => node.health().online && received().some((r) => r.type === 'DDEATH' && r.device === 'mill'), 10_000);
    // The mill's first data makes its DBIRTH; the broker refuses that one message and drops the connection.
    let refused = 0;
    broker.refusePublish = (topic) => (topic.includes('/DBIRTH/') && topic.endsWith('/mill') && refused++ === 0);
    const first = line.now();
    line.allRunning(first); // spindle speed 10
    await waitFor('the refused DBIRTH', () => refused > 0, 10_000, 5);
    // A newer value, so the next DBIRTH states 77, not the 10 only the refused birth carried.
    line.advance(1000);
    line.feed([{ tag: 'mill.spindleSpeed', value: 77 }]);
    await waitFor('online again with the queue replayed', () => node.health().connects >= 2 && node.health().online && node.health().queuedMetrics === 0, 10_000);
    expect(speedValues().filter((v) => v.value === 10)).toEqual([{ value: 10, historical: true, ts: first }]);
    const births = received().filter((r) => r.type === 'DBIRTH' && r.device === 'mill');
    expect(births.at(-1)!.payload.metrics.find((m) => m.name === 'Tags/spindleSpeed')?.value).toBe(77);
  });

  it('holds its bound: the oldest are dropped with a counted warning, the newest replayed in order', async () => {
    line.allRunning();
    const node = startNode({ storeAndForward: { maxMetrics: 100 } });
    await waitFor('online', () => node.health().online);
    await broker.stop();
    await waitFor('offline', () => !node.health().connected);
    await feedInBatches(node, 0, 300, 30); // 30 messages of 10 speeds + Updated At

    expect(node.health().queuedMetrics).toBeLessThanOrEqual(100);
    expect(node.health().droppedMetrics).toBeGreaterThanOrEqual(200);
    expect(logs.filter((l) => l.startsWith('warn') && /dropped \d+ oldest metric/.test(l))).toHaveLength(1); // repeats summarised later
    await broker.start();
    await waitFor('replayed', () => node.health().online && node.health().queuedMetrics === 0);
    await waitFor('the newest value at the broker', () => speedValues().some((v) => v.value === 299));
    const historical = speedValues().filter((v) => v.historical).map((v) => v.value);
    expect(historical).toEqual(Array.from({ length: historical.length }, (_, i) => 300 - historical.length + i));
    expect(historical.length).toBeGreaterThanOrEqual(80);
  });

  it('keeps the queue across an edge restart; the next process replays it with a new bdSeq', async () => {
    line.allRunning();
    const first = startNode();
    await waitFor('online', () => first.health().online);
    const bdSeq1 = first.health().bdSeq;
    await broker.stop();
    await waitFor('offline', () => !first.health().connected);
    await feedInBatches(first, 0, 50, 5);
    await first.stop();
    nodes = [];
    await broker.start();
    const second = startNode();
    await waitFor('replayed by the second process', () => second.health().online && second.health().queuedMetrics === 0);
    expect(second.health().bdSeq).not.toBe(bdSeq1);
    await waitFor('all 50 at the broker', () => speedValues().filter((v) => v.historical).length === 50);
    expect(speedValues().filter((v) => v.historical).map((v) => v.value)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('after a plant-file change the queue is replayed under the new aliases; metrics that are gone are dropped and counted', async () => {
    line.allRunning();
    const first = startNode();
    await waitFor('online', () => first.health().online);
    await broker.stop();
    await waitFor('offline', () => !first.health().connected);
    await feedInBatches(first, 0, 30, 3);
    const queued = first.health().queuedMetrics;
    line.feed([{ tag: 'mill.vibration', value: 1.5 }]);
    await waitFor('vibration queued', () => first.health().queuedMetrics > queued);
    await first.stop();
    nodes = [];

    // The new plant file: the loader lost a tag (every later alias moves) and the mill lost vibration.
    const changed = {
      ...plant,
      machines: plant.machines.map((m) => m.id === 'loader' ? { ...m, tags: m.tags.filter((t) => t.name !== 'axisTemperature') }
        : m.id === 'mill' ? { ...m, tags: m.tags.filter((t) => t.name !== 'vibration') } : m),
    };
    const newSpeed = buildCatalogue(changed).byName('mill', 'Tags/spindleSpeed')!.alias;
    expect(newSpeed).not.toBe(SPEED);
    line = modelLine(changed);
    line.allRunning();
    await broker.start();
    const second = startNode();
    await waitFor('replayed', () => second.health().online && second.health().queuedMetrics === 0);
    await waitFor('the 30 speeds under the new alias', () => speedValues(newSpeed).filter((v) => v.historical).length === 30);
    expect(speedValues(newSpeed).filter((v) => v.historical).map((v) => v.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(second.health().droppedMetrics).toBe(1);
    expect(logs.some((l) => /re-addressed them to the new aliases/.test(l))).toBe(true);
  });

  it('with a primary host: births wait for its STATE online; its going offline means NDEATH and queueing; its return, births and replay', async () => {
    line.allRunning();
    const node = startNode({ primaryHostId: 'host-1' });
    await waitFor('connected', () => node.health().connected);
    expect(node.health()).toMatchObject({ online: false, primaryHostOnline: false });
    expect(received().filter((r) => r.type === 'NBIRTH')).toHaveLength(0);

    const { default: mqtt } = await import('mqtt');
    const host = await mqtt.connectAsync(broker.url, { clientId: 'host-1' });
    try {
      const state = (online: boolean, timestamp: number) => host.publishAsync('spBv1.0/STATE/host-1', JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
      await state(true, 1000);
      await waitFor('NBIRTH', () => received().some((r) => r.type === 'NBIRTH'));
      expect(node.health().online).toBe(true);

      await state(false, 1000);
      await waitFor('NDEATH', () => received().some((r) => r.type === 'NDEATH' && r.clientId === CLIENT));
      await waitFor('offline', () => !node.health().online);
      // An older STATE arriving late must not bring it back.
      await state(true, 999);
      await feedInBatches(node, 0, 20, 2);
      expect(node.health().online).toBe(false);

      await state(true, 2000);
      await waitFor('births and the replay', () => node.health().online && node.health().queuedMetrics === 0);
      await waitFor('the queued speeds', () => speedValues().filter((v) => v.historical).length === 20);
      expect(received().filter((r) => r.type === 'NBIRTH')).toHaveLength(2);
    } finally {
      await host.endAsync(true);
    }
  });
});
