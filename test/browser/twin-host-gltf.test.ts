// The plant's own glTF models on the plant host's line page (issue 21), in real Chromium: an edge's
// uplink publishes the demo plant over Sparkplug (a real broker, aedes in-process; the real plant
// model fed by the test, no PLCs), the real host serves the line's twin under
// /lines/<group>/<node>/ and the model files from its own models folder (`models:` in the host
// file). The mill (plain GLB) and the washer (Draco) must load there as on the edge — not stay
// generic cabinets — and the Draco decoder must come from the host.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from '../uplink/support/aedes-broker.js';
import { modelLine } from '../uplink/support/model-line.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { ARTIFACTS, pollUntil } from './twin-on-line.js';

const GROUP = 'plant-h';
const NODE = 'line-1';

let dir: string;
let broker: TestBroker;
let host: RunningHost;
let edge: EdgeNode;
let browser: Browser;
const pageErrors: string[] = [];
const logs: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-gltf-'));
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'host-h', groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' }, auth: { mode: 'demo' },
      models: resolve('config/models'),
    }, 'host-gltf.yaml'),
    dataDir: join(dir, 'host'), uiDir: resolve('dist/twin-ui'), configDir: dir,
    log: (l, m) => logs.push(`[host] ${l} ${m}`),
  });
  const line = modelLine(loadPlantFile('config/demo-plant.yaml'), Date.now());
  edge = createEdgeNode({
    settings: UplinkSettingsSchema.parse({
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      groupId: GROUP, edgeNodeId: NODE, primaryHostId: 'host-h', publishIntervalMs: 50,
    }),
    source: line.source, dataDir: join(dir, 'edge'), log: (l, m) => logs.push(`[edge] ${l} ${m}`),
  });
  line.sink = edge;
  line.allRunning();
  edge.start();
  await waitFor('the line served by the host', () => host.line(`${GROUP}/${NODE}`), 30_000);
  browser = await launchChromium();
  browser.page.on('pageerror', (e) => pageErrors.push(e.message));
  await browser.page.goto(`${host.url}/lines/${GROUP}/${NODE}/`);
  await waitForTwin(browser.page, 30_000);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await edge?.stop();
  await host?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Inspection { load: string; error: string | null }

describe('glTF machines on the plant host\'s line page (real host, Sparkplug, real Chromium)', () => {
  it('draws the mill and the Draco washer from the host\'s models folder, the decoder from the host', async () => {
    const page = browser.page;
    const inspect = (id: string, node: string) => page.evaluate(([i, n]) => window.__twin!.modelNode(i!, n!) as Inspection | null, [id, node]);
    for (const [id, node] of [['mill', 'Door'], ['washer', 'ExhaustFan']] as const) {
      await pollUntil(`the ${id} model to load`, async () => (await inspect(id, node))?.load !== 'loading', 30_000, 200);
      expect(await inspect(id, node), `${id}: ${logs.slice(-10).join('\n')}`).toMatchObject({ load: 'loaded', error: null });
    }
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    const models = fetched.filter((u) => u.includes('/api/models/')).map((u) => new URL(u).pathname).sort();
    expect(models).toEqual([`/lines/${GROUP}/${NODE}/api/models/machining-centre.glb`, `/lines/${GROUP}/${NODE}/api/models/parts-washer-draco.glb`]);
    expect(fetched.filter((u) => /draco_decoder[^/]*\.wasm$/.test(u)).map((u) => new URL(u).origin)).toEqual([new URL(host.url).origin]);
    await page.evaluate(() => window.__twin!.selectMachine(null));
    await page.screenshot({ path: `${ARTIFACTS}/gltf-host-line.png` });
    expect(pageErrors).toEqual([]);
  });
});
