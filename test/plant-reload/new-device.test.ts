// A new plant's first device, added from the twin (issue 21): the routes that browse or
// test-read a device NOT in the plant file connect outward to an address the caller typed, so
// they are the admin's alone (a lower role is refused before any connection is made), bounded
// (a deadline that closes the connection, one call at a time), and checked by the plant schema.
// Against the real simulator: a Modbus TCP device is test-read as typed, then written to an empty
// plant file together with its first machine, which then acquires the simulator's values.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile, parsePlantText } from '../../edge/config/index.js';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import { browseVariables, BrowseTimeout } from '../../edge/layout/machine-add.js';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { DEFAULT_STATE_CODES } from '../../shared/plant-schema.js';
import { withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { superviseEdge } from './support.js';

let dir: string;
let file: string;
let sim: RunningSimulator;
let supervisor: PlantSupervisor<RunningEdge>;
const tokens: Record<string, string> = {};
/** A TCP peer that accepts and never answers: counts who connected, and who hung up. */
let silent: Server;
const peers: { socket: Socket; closed: boolean }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-new-device-'));
  file = join(dir, 'plant.yaml');
  writeFileSync(file, 'line: { id: hall-2, name: Hall 2 }\n');
  sim = await startSimulator({ plant: withoutBreaks(loadPlantFile('config/demo-plant.yaml')), opcuaPort: 0, modbusPort: 0, seed: 7, timeScale: 10, pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`) });
  supervisor = await superviseEdge({ file, dir, logs });
  for (const user of ['operator', 'maintenance', 'manager', 'admin']) {
    const login = await fetch(`${supervisor.edge().url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: `${user}-demo` }) });
    tokens[user] = ((await login.json()) as { token: string }).token;
  }
  silent = createServer((socket) => {
    const peer = { socket, closed: false };
    peers.push(peer);
    socket.on('close', () => { peer.closed = true; });
    socket.on('error', () => undefined);
    socket.resume(); // reads (and drops) the hello: a paused socket would never see the edge hang up
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
}, 60_000);
afterAll(async () => {
  for (const p of peers) p.socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await supervisor?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const silentUrl = () => `opc.tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;

async function api<T>(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${supervisor.edge().url}${path}`, {
    method, headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('a device not in the plant file yet', () => {
  it('only an admin may browse or test-read it: lower roles are refused and nothing connects', async () => {
    const device = { id: 'plc-1', protocol: 'opcua', endpointUrl: silentUrl() };
    const rows = [{ name: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } }];
    for (const user of ['operator', 'maintenance', 'manager']) {
      expect((await api(user, 'POST', '/api/layout/new-device/browse', { device })).status, user).toBe(403);
      expect((await api(user, 'POST', '/api/layout/new-device/test-read', { device: { id: 'm', protocol: 'modbus-tcp', host: '127.0.0.1', port: (silent.address() as { port: number }).port }, tags: rows })).status, user).toBe(403);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(peers).toHaveLength(0);
  });

  it('is checked by the plant schema, the bad field named, before anything connects', async () => {
    const bad = await api<{ field?: string; error: string }>('admin', 'POST', '/api/layout/new-device/browse', { device: { id: 'plc-1', protocol: 'opcua', endpointUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}` } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('device.endpointUrl');
    const port = await api<{ field?: string }>('admin', 'POST', '/api/layout/new-device/test-read', { device: { id: 'm', protocol: 'modbus-tcp', host: '127.0.0.1', port: 70000 }, tags: [{ name: 's', type: 'uint16', modbus: { table: 'holding', address: 0 } }] });
    expect(port.status).toBe(400);
    expect(port.body.field).toBe('device.port');
    expect(peers).toHaveLength(0);
  });

  it('a browse of a server that never answers ends at its deadline and closes the connection', async () => {
    const started = Date.now();
    const err = await browseVariables({ id: 'plc-1', protocol: 'opcua', endpointUrl: silentUrl(), securityMode: 'None', samplingIntervalMs: 250, publishingIntervalMs: 250, mode: 'subscription', pollIntervalMs: 1000 }, dir, { limit: 10, maxNodes: 10, timeoutMs: 800 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrowseTimeout);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(peers.length).toBeGreaterThanOrEqual(1);
    await waitFor('the edge to hang up on the silent server', () => peers.every((p) => p.closed), 5000);
  });

  it('one outward call at a time: a second one while the first waits on a silent device is refused (429)', async () => {
    const silentPort = (silent.address() as { port: number }).port;
    // The silent peer accepts the connection and never answers: the read waits its timeout (1 s).
    const slow = api<{ values: { error?: string }[] }>('admin', 'POST', '/api/layout/new-device/test-read', { device: { id: 'm', protocol: 'modbus-tcp', host: '127.0.0.1', port: silentPort, timeoutMs: 1000 }, tags: [{ name: 's', type: 'uint16', modbus: { table: 'holding', address: 0 } }] });
    await waitFor('the read to reach the silent device', () => peers.some((p) => !p.closed), 5000);
    const second = await api<{ error: string }>('admin', 'POST', '/api/layout/new-device/browse', { device: { id: 'plc-1', protocol: 'opcua', endpointUrl: silentUrl() } });
    expect(second.status).toBe(429);
    const first = await slow;
    expect(first.status).toBe(200);
    expect(first.body.values[0]!.error).toMatch(/time/i);
    await waitFor('the edge to hang up on the silent device', () => peers.every((p) => p.closed), 5000);
  });

  it('a Modbus TCP device is test-read as typed, then written with its first machine into the empty plant file, which acquires', async () => {
    const device = { id: 'plc-modbus', protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.modbusPort, unitId: 1 };
    const rows = [
      { name: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
      { name: 'totalCount', type: 'uint32', modbus: { table: 'holding', address: 2 } },
    ];
    const read = await api<{ values: { name: string; value?: number }[] }>('admin', 'POST', '/api/layout/new-device/test-read', { device, tags: rows });
    expect(read.status).toBe(200);
    expect(Object.values(DEFAULT_STATE_CODES)).toContain(DEFAULT_STATE_CODES[String(read.body.values[0]!.value)]);
    const truthCount = Number(sim.tagValue('loader.totalCount'));
    expect(read.body.values[1]!.value).toBeLessThanOrEqual(Number(sim.tagValue('loader.totalCount')));
    expect(read.body.values[1]!.value).toBeGreaterThanOrEqual(truthCount - 50);

    const hash = (await api<{ hash: string }>('admin', 'GET', '/api/layout')).body.hash;
    const machine = { id: 'robot-1', name: 'Robot 1', type: 'robot', device: 'plc-modbus', idealCycleTimeSeconds: 8, layout: { x: 2, z: 2, rotationDeg: 0 }, tags: rows.map((r) => ({ ...r, role: r.name })) };
    // The device's own field is named when it is wrong: nothing written.
    const refused = await api<{ field?: string }>('admin', 'POST', '/api/layout/machines', { baseHash: hash, machine, device: { ...device, unitId: 300 } });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('devices[0].unitId');
    expect(readFileSync(file, 'utf8')).toBe('line: { id: hall-2, name: Hall 2 }\n');

    const first = supervisor.edge();
    const added = await api('admin', 'POST', '/api/layout/machines', { baseHash: hash, machine, device });
    expect(added.status).toBe(200);
    const plant = parsePlantText(readFileSync(file, 'utf8'), 'plant.yaml');
    expect(plant.devices).toEqual([expect.objectContaining(device)]);
    expect(plant.machines.map((m) => m.id)).toEqual(['robot-1']);
    await waitFor('the edge composed again', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== first, 30_000);
    expect(supervisor.edge().audit.page({ after: 0, limit: 50, action: 'layout.add-device' }).entries).toEqual([expect.objectContaining({ actor: 'admin', target: 'plc-modbus' })]);
    await waitFor('robot-1 acquiring', () => supervisor.edge().machines().find((m) => m.machineId === 'robot-1' && m.state !== 'no-data'), 20_000);
  });
});
