// GET /api/models/<file> (issue 21): the plant's own 3D models, served to logged-in users from
// the models folder only — no way out of it by "..", escapes, absolute paths or a symlink — with
// their content types, and a refusal (not a stream) for a file over the size limit.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { MAX_MODEL_BYTES } from '../../edge/api/index.js';
import { login } from './api-client.js';
import { rawRequest } from './raw-http.js';
import { ONE_MACHINE_PLANT } from './one-machine-plant.js';

const PASSWORD = 'a long enough passphrase';
const DEMO_GLB = readFileSync('config/models/machining-centre.glb');

let dir: string;
let edge: RunningEdge;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-models-'));
  const models = join(dir, 'models');
  mkdirSync(join(models, 'press'), { recursive: true });
  writeFileSync(join(models, 'mill.glb'), DEMO_GLB);
  writeFileSync(join(models, 'press', 'press.gltf'), '{"asset":{"version":"2.0"}}');
  writeFileSync(join(models, 'press', 'press.bin'), Buffer.alloc(16));
  writeFileSync(join(dir, 'secret.glb'), 'not for the twin');
  symlinkSync(join(dir, 'secret.glb'), join(models, 'escape.glb'));
  writeFileSync(join(models, 'huge.glb'), '');
  truncateSync(join(models, 'huge.glb'), MAX_MODEL_BYTES + 1); // sparse: no disk, no time
  edge = await startEdge({
    plant: parsePlant(ONE_MACHINE_PLANT, 'one-machine.yaml'), port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    modelsDir: models, log: () => {}, auth: { mode: 'required', secret: 'models-test-secret-0123456789abcdefghij' },
  });
  base = edge.url;
  await edge.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
  auth = { authorization: `Bearer ${await login(base, 'ron', PASSWORD)}` };
}, 60_000);

afterAll(async () => {
  await edge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/models/<file>', () => {
  it('serves a GLB byte for byte as model/gltf-binary to a logged-in user, and nothing without a session', async () => {
    expect((await rawRequest(base, '/api/models/mill.glb')).status).toBe(401);
    const r = await fetch(`${base}/api/models/mill.glb`, { headers: auth });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('model/gltf-binary');
    expect(Buffer.from(await r.arrayBuffer()).equals(DEMO_GLB)).toBe(true);
  });

  it('serves a .gltf and the buffer beside it in a subfolder, with their types', async () => {
    const gltf = await fetch(`${base}/api/models/press/press.gltf`, { headers: auth });
    expect(gltf.status).toBe(200);
    expect(gltf.headers.get('content-type')).toMatch(/^model\/gltf\+json/);
    const bin = await fetch(`${base}/api/models/press/press.bin`, { headers: auth });
    expect(bin.status).toBe(200);
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('never leaves the models folder: "..", escapes, absolute paths, deep paths and a symlink out are refused', async () => {
    const targets = [
      '/api/models/../secret.glb', '/api/models/%2e%2e/secret.glb', '/api/models/..%2fsecret.glb', '/api/models/%2e%2e%2fsecret.glb',
      '/api/models/press/../../secret.glb', '/api/models//etc/passwd', '/api/models/%2fetc%2fpasswd', '/api/models/a/b/c.glb',
      '/api/models/escape.glb', '/api/models/..\\secret.glb',
    ];
    for (const target of targets) {
      const r = await rawRequest(base, target, { headers: auth });
      expect([400, 404], target).toContain(r.status);
      expect(r.body, target).not.toContain('not for the twin');
    }
  });

  it('serves only model types (no .yaml, .db or .key from the folder)', async () => {
    writeFileSync(join(dir, 'models', 'notes.yaml'), 'secret: 1');
    const r = await fetch(`${base}/api/models/notes.yaml`, { headers: auth });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: expect.stringContaining('*') });
  });

  it('refuses a file over the limit with 413 and what to do, and a missing one with 404 naming it', async () => {
    const huge = await fetch(`${base}/api/models/huge.glb`, { headers: auth });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error).toMatch(/decimate|Draco|meshopt/);
    const missing = await fetch(`${base}/api/models/lathe.glb`, { headers: auth });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain('lathe.glb');
  });
});
