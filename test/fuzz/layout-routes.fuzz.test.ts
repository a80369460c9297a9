// Fuzzes the layout routes (edge/layout) on an edge run from a plant file by the reload
// supervisor: arbitrary and near-valid bodies for PUT /api/layout and PUT /api/layout/floor-plan,
// arbitrary image names for GET /api/layout/floor-plan/:image, machines to add and register
// tables to test-read, as an admin. The edge must
// answer every one with a 2xx or a 4xx (never a 5xx, never a hang), the plant file on disk must
// stay a valid plant whatever was sent, and nothing may be written outside floor-plans/.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER } from '../../shared/auth-api.js';
import { parsePlantText } from '../../edge/config/index.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { runPlantFile, type PlantSupervisor } from '../../edge/plant-reload/index.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

let dir: string;
let file: string;
let supervisor: PlantSupervisor<RunningEdge>;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-layout-'));
  file = join(dir, 'plant.yaml');
  // The demo plant with devices nobody answers on: the routes do not need data.
  writeFileSync(file, readFileSync('config/demo-plant.yaml', 'utf8').replace('opc.tcp://localhost:4840', 'opc.tcp://127.0.0.1:9').replace('port: 5020', 'port: 9'));
  supervisor = await runPlantFile({
    plantFile: file, port: 0, log: () => undefined, debounceMs: 50,
    start: (plant, port, plantFile) => startEdge({
      plant, port, plantFile, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'), log: () => undefined,
      auth: { mode: 'demo', secret: 'fuzz-secret-of-at-least-thirty-two-characters' },
    }),
  });
  const login = await fetch(`${supervisor.edge().url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-demo' }) });
  headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json', [CSRF_HEADER]: '1' };
}, 120_000);
afterAll(async () => {
  await supervisor?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const id = fc.oneof(fc.constantFrom('loader', 'mill', 'washer', 'inspection', 'packer', 'furnace', 'press'), fc.string({ maxLength: 12 }));
const num = fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -50, max: 50 }), fc.constant(1e308));
const nearValid = fc.record({
  baseHash: fc.oneof(fc.constant('HASH'), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 })),
  machines: fc.array(fc.record({ id, x: num, z: num, rotationDeg: num }), { maxLength: 8 }),
  layout: fc.record({
    gridMetres: num,
    areas: fc.array(fc.record({ id, name: fc.string({ maxLength: 100 }), x: num, z: num, width: num, depth: num }), { maxLength: 4 }),
    conveyors: fc.array(fc.record({ from: id, to: id }), { maxLength: 4 }),
    floorPlan: fc.option(fc.record({ image: fc.oneof(fc.constant('../plant.yaml'), fc.string({ maxLength: 20 }), fc.constant('hall.png')), metresPerPixel: num, origin: fc.record({ x: num, z: num }) }), { nil: undefined }),
  }, { requiredKeys: ['gridMetres'] }),
});
const body = fc.oneof(nearValid, fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 200 }));
const upload = fc.oneof(
  fc.record({ name: fc.oneof(fc.constant('../../evil.png'), fc.constant('plan.png'), fc.string({ maxLength: 30 })), dataBase64: fc.oneof(fc.base64String({ maxLength: 400 }), fc.string({ maxLength: 50 })) }),
  fc.jsonValue({ maxDepth: 2 }),
);

async function send(method: string, path: string, payload: unknown): Promise<number> {
  const base = supervisor.edge().url;
  const res = await fetch(`${base}${path}`, { method, headers, ...(payload === undefined ? {} : { body: typeof payload === 'string' ? payload : JSON.stringify(payload) }), signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
}

describe(`layout routes under fuzz (${seedNote})`, () => {
  it('PUT /api/layout: 2xx or 4xx, and the plant file stays valid', async () => {
    await fc.assert(fc.asyncProperty(body, fc.boolean(), async (b, currentHash) => {
      const hash = ((await (await fetch(`${supervisor.edge().url}/api/layout`, { headers })).json()) as { hash: string }).hash;
      const payload = currentHash && typeof b === 'object' && b !== null && 'baseHash' in b ? { ...b, baseHash: hash } : b;
      const status = await send('PUT', '/api/layout', payload);
      expect(status, JSON.stringify(payload)).toBeLessThan(500);
      expect(() => parsePlantText(readFileSync(file, 'utf8'), 'plant.yaml')).not.toThrow();
    }), fuzzParameters(60, 0.5));
  }, fuzzTimeout(120_000, 0.5));

  it('floor-plan upload and read: 2xx or 4xx, nothing outside floor-plans/', async () => {
    await fc.assert(fc.asyncProperty(upload, fc.string({ maxLength: 40 }), async (u, image) => {
      expect(await send('PUT', '/api/layout/floor-plan', u)).toBeLessThan(500);
      expect(await send('GET', `/api/layout/floor-plan/${encodeURIComponent(image)}`, undefined)).toBeLessThan(500);
    }), fuzzParameters(60, 0.5));
    expect(readdirSync(dir).filter((f) => !['plant.yaml', 'twinline.db', 'twinline.db-wal', 'twinline.db-shm'].includes(f) && !/^(pki|secret|audit|metrics|floor-plans)/.test(f))).toEqual([]);
  }, fuzzTimeout(120_000, 0.5));

  it('adding a machine and test reads: 4xx for bad input, 502 only for the unreachable device, the file stays valid', async () => {
    const machine = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ id, name: fc.string({ maxLength: 20 }), type: fc.string({ maxLength: 10 }), device: fc.constantFrom('plc-opcua', 'plc-modbus', 'nope'), idealCycleTimeSeconds: num,
        layout: fc.record({ x: num, z: num }), tags: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }),
    );
    const rows = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ tags: fc.array(fc.record({ name: fc.string({ maxLength: 10 }), type: fc.constantFrom('uint16', 'float32', 'string', 'nope'), modbus: fc.record({ table: fc.constantFrom('holding', 'coil', 'x'), address: fc.integer({ min: -5, max: 70_000 }) }) }), { maxLength: 3 }) }));
    await fc.assert(fc.asyncProperty(machine, rows, fc.constantFrom('plc-opcua', 'plc-modbus', 'nope', '..%2F..'), async (m, r, device) => {
      const hash = ((await (await fetch(`${supervisor.edge().url}/api/layout`, { headers })).json()) as { hash: string }).hash;
      expect(await send('POST', '/api/layout/machines', { baseHash: hash, machine: m })).toBeLessThan(500);
      expect(() => parsePlantText(readFileSync(file, 'utf8'), 'plant.yaml')).not.toThrow();
      expect([200, 400, 404, 502]).toContain(await send('POST', `/api/layout/devices/${device}/test-read`, r));
    }), fuzzParameters(25, 0.3));
    await supervisor.settled();
  }, fuzzTimeout(120_000, 0.3));

  // The routes that connect outward to a device typed in the twin (a new plant's first server):
  // hostile entries are refused by the schema, near-valid ones reach a closed port (9) and answer
  // 502 within the send's 10 s; never a 5xx of another kind or a hang, nothing written.
  it('browsing and test-reading a device not in the plant file: 4xx for bad input, 502 for the closed port, nothing written', async () => {
    const before = readFileSync(file, 'utf8');
    const port = fc.oneof(fc.constant(9), fc.constantFrom(0, -1, 65536, 70_000, 1.5));
    const device = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({
        id, protocol: fc.constantFrom('opcua', 'modbus-tcp', 'modbus-rtu', 'x'),
        // No random host names: a name lookup may take longer than the send waits, which is not the edge's doing.
        endpointUrl: fc.constantFrom('opc.tcp://127.0.0.1:9', 'http://127.0.0.1:9', 'opc.tcp://', 'opc.tcp://127.0.0.1:99999', 'opc.tcp://[::1', 'opc.tcp://127.0.0.1:9/../x'),
        host: fc.constantFrom('127.0.0.1', ''), port, unitId: fc.integer({ min: -1, max: 300 }),
        securityMode: fc.constantFrom('None', 'Sign', 'x'), securityPolicy: fc.constantFrom('None', 'Basic256Sha256', 'x'), username: fc.string({ maxLength: 8 }), passwordEnv: fc.constantFrom('TWINLINE_X', 'lower'),
      }, { requiredKeys: ['id', 'protocol'] }),
      fc.constantFrom({ id: 'plc-1', protocol: 'opcua', endpointUrl: 'opc.tcp://127.0.0.1:9' }, { id: 'plc-2', protocol: 'modbus-tcp', host: '127.0.0.1', port: 9 }),
    );
    const seen = new Set<string>();
    const rows = fc.array(fc.record({ name: fc.string({ maxLength: 10 }), type: fc.constantFrom('uint16', 'float32', 'nope'), modbus: fc.record({ table: fc.constantFrom('holding', 'coil', 'x'), address: fc.integer({ min: -5, max: 70_000 }) }) }), { maxLength: 3 });
    await fc.assert(fc.asyncProperty(device, rows, async (d, r) => {
      const browsed = await send('POST', '/api/layout/new-device/browse', { device: d });
      const read = await send('POST', '/api/layout/new-device/test-read', { device: d, tags: r });
      expect([200, 400, 502]).toContain(browsed);
      expect([200, 400, 502]).toContain(read);
      seen.add(`browse ${browsed}`).add(`read ${read}`);
    }), { ...fuzzParameters(25, 0.3), examples: [[{ id: 'plc-1', protocol: 'opcua', endpointUrl: 'opc.tcp://127.0.0.1:9' }, []], [{ id: 'plc-2', protocol: 'modbus-tcp', host: '127.0.0.1', port: 9 }, [{ name: 's', type: 'uint16', modbus: { table: 'holding', address: 0 } }]]] });
    // The run reached the connection (502 from the closed port) as well as the schema's refusals.
    expect([...seen]).toEqual(expect.arrayContaining(['browse 502', 'read 502', 'browse 400', 'read 400']));
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, fuzzTimeout(120_000, 0.3));
});
