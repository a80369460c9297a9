// A glTF machine on the plant host's line page (issue 21): the real edge (reading the real
// simulator) publishes the demo plant over Sparkplug through Eclipse Mosquitto, the real plant
// host rebuilds the line from the births and serves the model files the plant names from its own
// models folder (`models:` in the host file, relative to it) under /lines/<group>/<node>/api/models/,
// with the edge's limits: a session, plain names only, nothing outside the folder.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { login } from '../api/api-client.js';
import { rawRequest } from '../api/raw-http.js';
import { retarget, withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { startMosquitto, type Mosquitto } from '../uplink/support/mosquitto.js';

const GROUP = 'plant-models';
const NODE = 'line-1';
const LINE = `/lines/${GROUP}/${NODE}`;
const PASSWORD = 'a long enough passphrase';
const SECRET = 'secret beside the host models folder';

let dir: string;
let broker: Mosquitto;
let sim: RunningSimulator;
let edge: RunningEdge;
let host: RunningHost;
let token: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-models-'));
  // The host's copy of the plant's models, in the folder its host file names; a file beside it must never come out.
  mkdirSync(join(dir, 'plant-models'));
  for (const f of ['machining-centre.glb', 'parts-washer-draco.glb']) copyFileSync(`config/models/${f}`, join(dir, 'plant-models', f));
  writeFileSync(join(dir, 'secret.glb'), SECRET);
  broker = await startMosquitto();
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'host-models', groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' }, auth: { mode: 'required' },
      models: 'plant-models',
    }, join(dir, 'host.yaml')),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir,
    env: { TWINLINE_SECRET: 'host-models-secret-0123456789abcdefghijkl' },
    log: (l, m) => logs.push(`[host] ${l} ${m}`),
  });
  const base = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 5, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  const plant: PlantConfig = {
    ...retarget(base, sim),
    uplink: UplinkSettingsSchema.parse({
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      groupId: GROUP, edgeNodeId: NODE, primaryHostId: 'host-models', publishIntervalMs: 50,
    }),
  };
  edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'edge', 'twinline.db'), dataDir: join(dir, 'edge'), uiDir: join(dir, 'no-ui'),
    modelsDir: join(process.cwd(), 'config', 'models'),
    auth: { mode: 'demo', secret: 'test-secret-of-at-least-thirty-two-characters' },
    log: (l, m) => logs.push(`[edge] ${l} ${m}`),
  });
  await waitFor('the line served by the host', () => host.line(`${GROUP}/${NODE}`), 30_000);
  await host.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
  token = await login(host.url, 'ron', PASSWORD);
}, 90_000);

afterAll(async () => {
  await edge?.stop();
  await sim?.stop();
  await host?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = (target: string, auth = true) => rawRequest(host.url, target, { headers: auth ? { authorization: `Bearer ${token}` } : {}, timeoutMs: 5_000 });

async function bytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; csp: string | null; body: Buffer }> {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), csp: res.headers.get('content-security-policy'), body: Buffer.from(await res.arrayBuffer()) };
}

describe('a plant model on the host\'s line page (real edge and host through Mosquitto)', () => {
  it('serves, under the line\'s path, the model files the edge\'s plant names, byte for byte as the edge serves them', async () => {
    // The names arrive over Sparkplug with the plant; the files come from the host's own folder.
    const view = host.line(`${GROUP}/${NODE}`)!.mirror.plantView!;
    const named = view.machines.map((m) => m.visual?.model).filter((f): f is string => !!f);
    expect(named, logs.slice(-20).join('\n')).toEqual(['machining-centre.glb', 'parts-washer-draco.glb']);
    for (const file of named) {
      const viaHost = await bytes(`${host.url}${LINE}/api/models/${file}`, { authorization: `Bearer ${token}` });
      expect(viaHost.status, file).toBe(200);
      expect(viaHost.type).toBe('model/gltf-binary');
      // The twin under the host may compile the bundled Draco/meshopt decoders, as on the edge.
      expect(viaHost.csp).toContain("'wasm-unsafe-eval'");
      expect(viaHost.body.equals(readFileSync(join(dir, 'plant-models', file))), file).toBe(true);
      const viaEdge = await bytes(`${edge.url}/api/models/${file}`);
      expect(viaEdge.status, file).toBe(200);
      expect(viaHost.body.equals(viaEdge.body), `${file}: host and edge copies`).toBe(true);
    }
  });

  it('asks for a session, and answers a path out of the folder or a name it does not serve with a 4xx, never the file', async () => {
    expect((await get(`${LINE}/api/models/parts-washer-draco.glb`, false)).status).toBe(401);
    for (const target of [
      `${LINE}/api/models/../secret.glb`,
      `${LINE}/api/models/%2e%2e/secret.glb`,
      `${LINE}/api/models/..%2fsecret.glb`,
      `${LINE}/api/models/x%2f..%2f..%2fsecret.glb`,
      `${LINE}/api/models/%2fetc%2fpasswd`,
      `${LINE}/api/models//etc/passwd`,
      `${LINE}/api/models/${encodeURIComponent(join(dir, 'secret.glb'))}`,
      `${LINE}/api/models/..%5csecret.glb`,
      `${LINE}/api/models/missing.glb`,
      `${LINE}/api/models/host.yaml`,
    ]) {
      const a = await get(target);
      expect(typeof a.status === 'number' && a.status >= 400 && a.status < 500, `${target}: ${a.status}`).toBe(true);
      expect(a.body, target).not.toContain(SECRET);
    }
  });
});
