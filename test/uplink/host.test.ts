// Two edges and one plant host on a real broker (aedes, in-process): line-1 is the real edge
// runtime reading the real simulator (OPC UA + Modbus), line-2 the real plant model and uplink fed
// by the test. The host rebuilds both lines from their births, serves them with the edge's own
// HTTP and Socket.IO servers, stores what arrives (store-and-forward replays included), asks for
// rebirths on a seq gap, and forwards commands to the edge's command service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineSnapshot } from '../../shared/live-protocol.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { encodePayload } from '../../edge/uplink/sparkplug-codec.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { retarget } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine, type ModelLine } from './support/model-line.js';

const GROUP = 'plant-a';
const HOST_ID = 'host-1';
const base = loadPlantFile('config/demo-plant.yaml');

let dir: string;
let broker: TestBroker;
let sim: RunningSimulator;
let edge1: RunningEdge;
let line2: ModelLine;
let edge2: EdgeNode;
let host: RunningHost;
const logs: string[] = [];
const sockets: Socket[] = [];

const uplink = (edgeNodeId: string, extra: Record<string, unknown> = {}) => UplinkSettingsSchema.parse({
  broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
  groupId: GROUP, edgeNodeId, primaryHostId: HOST_ID, publishIntervalMs: 20, refreshIntervalMs: 500, ...extra,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-'));
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: HOST_ID, groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      auth: { mode: 'demo' },
      commands: { timeoutSeconds: 10 },
    }, 'test-host.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir,
    log: (l, m) => logs.push(`[host] ${l} ${m}`),
  });

  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 3, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  const plant1: PlantConfig = { ...retarget(base, sim), uplink: uplink('line-1', { commands: { enabled: true, role: 'maintenance' } }) };
  edge1 = await startEdge({
    plant: plant1, port: 0, host: '127.0.0.1', dbFile: join(dir, 'edge1', 'twinline.db'), dataDir: join(dir, 'edge1'), uiDir: join(dir, 'no-ui'),
    log: (l, m) => logs.push(`[edge1] ${l} ${m}`),
  });

  const plant2: PlantConfig = { ...base, line: { id: 'line-2', name: 'Packing line 2' } };
  line2 = modelLine(plant2, Date.now());
  edge2 = createEdgeNode({ settings: uplink('line-2'), source: line2.source, dataDir: join(dir, 'edge2'), log: (l, m) => logs.push(`[edge2] ${l} ${m}`) });
  line2.sink = edge2;
  line2.allRunning();
  edge2.start();
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await edge2?.stop();
  await edge1?.stop();
  await sim?.stop();
  await host?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const mirror = (edgeNodeId: string) => host.primary.mirrors().find((m) => m.edgeNodeId === edgeNodeId)!;
const linePort = (edgeNodeId: string) => host.line(`${GROUP}/${edgeNodeId}`)!.port;

function snapshotOf(port: number): Promise<LineSnapshot> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
}

describe('plant host', () => {
  it('shows both lines, rebuilt from the births, with the edge\'s live values', async () => {
    await waitFor('both lines served', () => host.lines().filter((l) => l.online && l.port).length === 2, 20_000);
    const index = await (await fetch(`${host.url}/api/lines`)).json() as { lines: Array<{ lineId: string; online: boolean; machines: number }> };
    expect(index.lines.map((l) => [l.lineId, l.online, l.machines])).toEqual([['line-1', true, 5], ['line-2', true, 5]]);

    const s1 = await snapshotOf(linePort('line-1'));
    const s2 = await snapshotOf(linePort('line-2'));
    expect(s1.plant.line).toEqual({ id: 'line-1', name: base.line.name });
    expect(s2.plant.line).toEqual({ id: 'line-2', name: 'Packing line 2' });
    expect(s1.plant.machines.map((m) => m.id)).toEqual(base.machines.map((m) => m.id));
    expect(s2.machines.every((m) => m.state === 'running')).toBe(true);

    // line-1 comes from real PLCs: the host's machines follow the edge's.
    await waitFor('every line-1 machine with a state at the host', () =>
      edge1.machines().every((m) => m.state !== 'no-data' && mirror('line-1').machines.get(m.machineId)?.state === m.state) || undefined, 20_000);
    const res = await fetch(`http://127.0.0.1:${linePort('line-1')}/api/machines/mill`);
    expect(res.status).toBe(200);
    const mill = await res.json() as { tags: Record<string, { value: unknown }> };
    expect(Object.keys(mill.tags)).toEqual(expect.arrayContaining(['spindleSpeed', 'state', 'totalCount']));
    await waitFor('the mill spindle speed at the host to match the edge', () => {
      const at = mirror('line-1').machines.get('mill')!.tags.spindleSpeed;
      const src = edge1.machines().find((m) => m.machineId === 'mill')!.tags.spindleSpeed;
      return at && src && at.ts === src.ts && at.value === src.value;
    }, 10_000);
    // Device health travels as node metrics (NBIRTH, then NDATA every refresh when it changed).
    await waitFor('both PLC connections up at the host', () => [...mirror('line-1').devices.values()].every((d) => d.connected) || undefined, 10_000);
    const health = await (await fetch(`http://127.0.0.1:${linePort('line-1')}/api/health`)).json() as { edge: { online: boolean }; devices: Array<{ deviceId: string; protocol: string; connected: boolean }> };
    expect(health.edge.online).toBe(true);
    expect(health.devices.map((d) => [d.deviceId, d.protocol, d.connected])).toEqual([['plc-opcua', 'opcua', true], ['plc-modbus', 'modbus-tcp', true]]);
  });

  it('asks for a rebirth and the edge answers with new births', async () => {
    const before = edge2.health().rebirths;
    const births = mirror('line-2').stats.messages;
    expect(host.primary.requestRebirth(mirror('line-2'), 'test', true)).toBe(true);
    await waitFor('the edge to rebirth', () => edge2.health().rebirths === before + 1);
    await waitFor('the births at the host', () => mirror('line-2').stats.messages >= births + 6);
    expect(mirror('line-2').online).toBe(true);
  });

  it('a seq gap makes the host ask for a rebirth; the line recovers', async () => {
    const m = mirror('line-2');
    await waitFor('line-2 in sequence', () => m.expectedSeq !== null);
    const rebirths = edge2.health().rebirths;
    const gaps = host.primary.health().seqGaps;
    const rogue = await mqtt.connectAsync(broker.url, { clientId: 'rogue' });
    try {
      const payload = encodePayload({ timestamp: Date.now(), seq: (m.expectedSeq! + 7) % 256, metrics: [] });
      await rogue.publishAsync(`spBv1.0/${GROUP}/DDATA/line-2/mill`, Buffer.from(payload), { qos: 1 });
    } finally {
      await rogue.endAsync();
    }
    await waitFor('the gap seen', () => host.primary.health().seqGaps === gaps + 1);
    await waitFor('the edge to rebirth on request', () => edge2.health().rebirths >= rebirths + 1);
    await waitFor('line-2 back in sequence', () => m.expectedSeq !== null && m.online);
    expect(logs.some((l) => /seq gap \(expected \d+, got \d+ on DDATA\)/.test(l))).toBe(true);
  });

  it('stores what arrives, including a broker outage replayed by store-and-forward', async () => {
    const historian = host.line(`${GROUP}/line-2`)!.historian;
    const t0 = Date.now() - 60_000;
    line2.feed([{ tag: 'mill.spindleSpeed', value: 500, ts: t0 }]);
    await waitFor('the live value at the host', () => mirror('line-2').machines.get('mill')!.tags.spindleSpeed?.value === 500);

    await broker.stop();
    await waitFor('edge 2 offline', () => !edge2.health().connected);
    for (let i = 1; i <= 20; i++) {
      line2.feed([{ tag: 'mill.spindleSpeed', value: 500 + i, ts: t0 + i * 1000 }]);
      await waitFor('queued', () => edge2.health().queuedMetrics >= i, 5000, 5);
    }
    await broker.start();
    await waitFor('the host back', () => host.primary.health().connected, 20_000);
    await waitFor('edge 2 replayed', () => edge2.health().online && edge2.health().queuedMetrics === 0, 20_000);
    await waitFor('the newest value live at the host', () => mirror('line-2').machines.get('mill')!.tags.spindleSpeed?.value === 520, 10_000);
    await waitFor('the outage in the host historian', () => {
      historian.flush();
      return historian.tagHistory('mill.spindleSpeed', t0, t0 + 30_000).length >= 21;
    }, 10_000);
    const values = historian.tagHistory('mill.spindleSpeed', t0, t0 + 30_000).map((p) => p.value);
    expect(values).toEqual(Array.from({ length: 21 }, (_, i) => 500 + i));
    expect(mirror('line-2').stats.historicalMetrics).toBeGreaterThanOrEqual(20);
  });

  it('forwards commands to the edge\'s command service: roles, limits and audit on the edge', async () => {
    await waitFor('line-1 online', () => mirror('line-1').online && host.line(`${GROUP}/line-1`), 20_000);
    const url = `http://127.0.0.1:${linePort('line-1')}`;
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'maintenance', password: 'maintenance-demo' }) });
    expect(login.status).toBe(200);
    const { token } = await login.json() as { token: string };
    const command = (body: unknown, auth = true) => fetch(`${url}/api/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    });

    const ok = await command({ kind: 'speed-override', machineId: 'mill', percent: 80, reason: 'slower for the test, via the host' });
    const okBody = await ok.json() as { outcome: string; message: string };
    expect(ok.status, JSON.stringify(okBody)).toBe(200);
    expect(okBody.message).toMatch(/speedOverride set to 80.*edge audit #\d+/);
    expect(sim.tagValue('mill.speedOverride')).toBe(80);
    const onEdge = edge1.audit.page({ after: 0, limit: 100, action: 'command.speed-override' }).entries.at(-1)!;
    expect(onEdge).toMatchObject({ actor: `${HOST_ID}/maintenance`, role: 'maintenance', outcome: 'ok' });
    expect(onEdge.details).toMatchObject({ transport: 'sparkplug', source: `sparkplug:${GROUP}/line-1` });

    // The edge's limits apply (the plant file says 50…120).
    const tooFast = await command({ kind: 'speed-override', machineId: 'mill', percent: 300, reason: 'too fast, must be refused' });
    expect(tooFast.status).toBe(422);
    expect(((await tooFast.json()) as { error: string }).error).toMatch(/line-1: .*120/);
    // An operator (demo visitors) may not write, at the host already.
    const asOperator = await command({ kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'operator tries' }, false);
    expect(asOperator.status).toBe(403);
    // line-2 does not take remote commands.
    const login2 = await fetch(`http://127.0.0.1:${linePort('line-2')}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'maintenance', password: 'maintenance-demo' }) });
    const token2 = ((await login2.json()) as { token: string }).token;
    const refused = await fetch(`http://127.0.0.1:${linePort('line-2')}/api/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token2}` },
      body: JSON.stringify({ kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'line 2 is closed to the host' }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/remote commands are disabled/);
    expect(host.audit.page({ after: 0, limit: 100, action: 'command.speed-override' }).entries.map((e) => e.outcome)).toEqual(['ok', 'refused', 'refused', 'refused']);
  });
});
