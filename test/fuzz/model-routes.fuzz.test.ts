// Fuzzes GET /api/models/<file> (edge/api/model-routes.ts, issue 21) with arbitrary paths built
// from plain names, "..", "." and percent-escaped or raw slashes, backslashes, NULs and unicode,
// as a logged-in operator. Every answer must be a 200 for a file really in the models folder or
// a 4xx (never a 5xx, never a hang), and the file beside the folder must never come back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { login } from '../api/api-client.js';
import { rawRequest } from '../api/raw-http.js';
import { ONE_MACHINE_PLANT } from '../api/one-machine-plant.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const SECRET = 'secret beside the models folder';
let dir: string;
let edge: RunningEdge;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-models-'));
  mkdirSync(join(dir, 'models', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'models', 'a.glb'), 'glb');
  writeFileSync(join(dir, 'models', 'sub', 'b.gltf'), '{}');
  writeFileSync(join(dir, 'secret.glb'), SECRET);
  writeFileSync(join(dir, 'models', 'plant.yaml'), SECRET);
  edge = await startEdge({
    plant: parsePlant(ONE_MACHINE_PLANT, 'one-machine.yaml'), port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    modelsDir: join(dir, 'models'), log: () => {}, auth: { mode: 'required', secret: 'models-fuzz-secret-0123456789abcdefghij' },
  });
  await edge.auth.users.add({ username: 'ron', role: 'operator', password: 'a long enough passphrase', now: Date.now() });
  headers = { authorization: `Bearer ${await login(edge.url, 'ron', 'a long enough passphrase')}` };
}, 60_000);

afterAll(async () => {
  await edge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const segment = fc.oneof(
  fc.constantFrom('a.glb', 'sub', 'b.gltf', 'secret.glb', 'plant.yaml', 'models', '..', '.', '', '%2e%2e', '%2E%2e', '..%2f', '%2f', '%5c', '..\\', '%00', 'a.glb%00.png', '~', '%c0%ae%c0%ae'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => encodeURIComponent(s)),
);

describe(`GET /api/models/* under fuzz (${seedNote})`, () => {
  it('answers 200 only with a file of the folder, else 4xx; never the file beside it', async () => {
    await fc.assert(fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (segments) => {
      const target = `/api/models/${segments.join('/')}`;
      const a = await rawRequest(edge.url, target, { headers, timeoutMs: 5_000 });
      expect(a.status, target).toBeLessThan(500);
      expect(a.body, target).not.toContain(SECRET);
      if (a.status === 200) expect(['glb', '{}'], target).toContain(a.body);
    }), fuzzParameters(150));
  }, fuzzTimeout(60_000));
});
