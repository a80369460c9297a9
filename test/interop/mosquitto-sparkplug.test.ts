// The uplink and the plant host through Eclipse Mosquitto (Debian package, started here on a free
// port): births and data, a primary host, and a Mosquitto crash mid-stream that loses nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { waitFor } from '../support/wait-for.js';
import { startMosquitto, type Mosquitto } from '../uplink/support/mosquitto.js';
import { modelLine, type ModelLine } from '../uplink/support/model-line.js';

const plant = loadPlantFile('config/demo-plant.yaml');
let dir: string;
let broker: Mosquitto;
let host: RunningHost;
let line: ModelLine;
let edge: EdgeNode;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-mosq-'));
  broker = await startMosquitto();
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'host-m', groups: ['plant-m'] },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' }, auth: { mode: 'demo' },
    }, 'interop-host.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: () => {},
  });
  line = modelLine(plant, Date.now());
  edge = createEdgeNode({
    settings: UplinkSettingsSchema.parse({
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      groupId: 'plant-m', edgeNodeId: 'line-1', primaryHostId: 'host-m', publishIntervalMs: 10,
    }),
    source: line.source, dataDir: join(dir, 'edge'), log: () => {},
  });
  line.sink = edge;
  line.allRunning();
  edge.start();
});

afterAll(async () => {
  await edge?.stop();
  await host?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const mirror = () => host.primary.mirrors().find((m) => m.edgeNodeId === 'line-1');

describe('Sparkplug through Mosquitto', () => {
  it('the host rebuilds the line from the edge\'s births and follows its data', async () => {
    await waitFor('line served by the host', () => host.line('plant-m/line-1'));
    expect(mirror()!.plantView!.machines.map((m) => m.id)).toEqual(plant.machines.map((m) => m.id));
    line.feed([{ tag: 'mill.spindleSpeed', value: 4321 }]);
    await waitFor('the value at the host', () => mirror()!.machines.get('mill')!.tags.spindleSpeed?.value === 4321);
    expect(mirror()!.stats.seqGaps).toBe(0);
  });

  it('a Mosquitto crash mid-stream loses nothing: the host stores every value', async () => {
    const historian = host.line('plant-m/line-1')!.historian;
    const t0 = Date.now() - 3_600_000;
    let next = 0;
    const feed = setInterval(() => {
      line.feed([{ tag: 'mill.spindleSpeed', value: next, ts: t0 + next }]);
      next++;
    }, 5);
    try {
      await waitFor('100 values', () => next >= 100);
      await broker.kill();
      await waitFor('the edge to notice', () => !edge.health().connected);
      await waitFor('200 more values', () => next >= 300);
      await broker.start();
      await waitFor('the edge back and its queue replayed', () => edge.health().online && edge.health().queuedMetrics === 0 && next >= 400, 20_000);
    } finally {
      clearInterval(feed);
    }
    const total = next;
    await waitFor('every value in the host historian', () => {
      historian.flush();
      return historian.tagHistory('mill.spindleSpeed', t0, t0 + total).length >= total;
    }, 20_000);
    expect(historian.tagHistory('mill.spindleSpeed', t0, t0 + total).map((p) => p.value)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(edge.health().historicalReplayed).toBeGreaterThan(0);
  });
});
