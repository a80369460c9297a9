// Two edges and one plant host on a real broker (aedes, in-process): line-1 is the real edge
// runtime reading the real simulator (OPC UA + Modbus), line-2 the real plant model and uplink fed
// by the test. The host rebuilds both lines from their births and serves the whole plant on one
// port: /api/lines, each line's twin, REST (KPIs recomputed on the host, mirrored alarms) and
// Socket.IO under /lines/<group>/<node>/. It stores what arrives (store-and-forward replays
// included), asks for rebirths on a seq gap, and forwards commands to the edge's command service.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineSnapshot } from '../../shared/live-protocol.js';
import type { AlarmList } from '../../shared/alarm-wire.js';
import type { LineKpiAnswer, MachinesKpiAnswer } from '../../shared/kpi-api.js';
import type { HostedLine } from '../../edge/host/host-runtime.js';
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
import { withoutBreaks } from '../support/line-harness.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine, type ModelLine } from './support/model-line.js';

const GROUP = 'plant-a';
const HOST_ID = 'host-1';
// Without breaks: the real simulator runs on wall-clock time, whenever CI runs (see withoutBreaks).
const base = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));

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

// A stand-in for the built twin UI: an index that loads an asset relative to itself, as Vite's build does (base './').
const UI_INDEX = '<!doctype html><title>twin</title><script type="module" src="./assets/twin.js"></script>';
const UI_ASSET = 'console.log("twin");';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-'));
  mkdirSync(join(dir, 'ui', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'ui', 'index.html'), UI_INDEX);
  writeFileSync(join(dir, 'ui', 'assets', 'twin.js'), UI_ASSET);
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: HOST_ID, groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      // line-2 on a port of its own as well (optional; 0 = a free one).
      lines: [{ groupId: GROUP, edgeNodeId: 'line-2', port: 0 }],
      auth: { mode: 'demo' },
      commands: { timeoutSeconds: 10 },
    }, 'test-host.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'ui'), configDir: dir,
    log: (l, m) => logs.push(`[host] ${l} ${m}`),
  });

  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 3, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  const plant1: PlantConfig = {
    ...retarget(base, sim),
    // The test broker is plain MQTT without logins: commands only because the plant file accepts that.
    uplink: uplink('line-1', { commands: { enabled: true, role: 'maintenance', allowInsecureCommands: true } }),
    // A fault alarm after 1 s rather than 60 (the simulator runs in real time here).
    alarms: { ...base.alarms!, rules: base.alarms!.rules.map((r) => (r.id === 'fault' ? { ...r, onDelaySeconds: 1 } : r)) },
  };
  edge1 = await startEdge({
    plant: plant1, port: 0, host: '127.0.0.1', dbFile: join(dir, 'edge1', 'twinline.db'), dataDir: join(dir, 'edge1'), uiDir: join(dir, 'no-ui'),
    auth: { mode: 'demo' },
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
const hostUrl = () => `http://127.0.0.1:${host.port}`;
/** A line's twin and API on the host's main port. */
const lineUrl = (edgeNodeId: string) => `${hostUrl()}/lines/${GROUP}/${edgeNodeId}`;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return await res.json() as T;
}

/** Polls an async probe until it returns something truthy. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The live feed of a line through the host's main port (Socket.IO at /lines/<group>/<node>/socket.io). */
function snapshotOf(edgeNodeId: string, transports: Array<'websocket' | 'polling'> = ['websocket']): Promise<LineSnapshot> {
  const socket = io(hostUrl(), { path: `/lines/${GROUP}/${edgeNodeId}/socket.io`, transports, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('snapshot', resolve);
    socket.once('connect_error', reject);
  });
}

describe('plant host', () => {
  it('shows both lines, rebuilt from the births, with the edge\'s live values', async () => {
    await waitFor('both lines served', () => host.lines().filter((l) => l.online && l.served).length === 2, 20_000);
    const s1 = await snapshotOf('line-1');
    const s2 = await snapshotOf('line-2', ['polling']);
    expect(s1.plant.line).toEqual({ id: 'line-1', name: base.line.name });
    expect(s2.plant.line).toEqual({ id: 'line-2', name: 'Packing line 2' });
    expect(s1.plant.machines.map((m) => m.id)).toEqual(base.machines.map((m) => m.id));
    expect(s2.machines.every((m) => m.state === 'running')).toBe(true);

    // line-1 comes from real PLCs: the host's machines follow the edge's.
    await waitFor('every line-1 machine with a state at the host', () =>
      edge1.machines().every((m) => m.state !== 'no-data' && mirror('line-1').machines.get(m.machineId)?.state === m.state) || undefined, 20_000);
    const res = await fetch(`${lineUrl('line-1')}/api/machines/mill`);
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
    const health = await (await fetch(`${lineUrl('line-1')}/api/status`)).json() as { edge: { online: boolean }; devices: Array<{ deviceId: string; protocol: string; connected: boolean }> };
    expect(health.edge.online).toBe(true);
    expect(health.devices.map((d) => [d.deviceId, d.protocol, d.connected])).toEqual([['plc-opcua', 'opcua', true], ['plc-modbus', 'modbus-tcp', true]]);
  });

  it('GET /api/lines on the main port: both lines with their machines, states and OEE', async () => {
    await waitFor('line-1 machines with states at the host', () => [...mirror('line-1').machines.values()].every((m) => m.state !== 'no-data') || undefined, 20_000);
    const { lines } = await getJson<{ lines: HostedLine[] }>(`${hostUrl()}/api/lines`);
    expect(lines.map((l) => [l.key, l.lineId, l.online, l.path])).toEqual([
      [`${GROUP}/line-1`, 'line-1', true, `/lines/${GROUP}/line-1/`],
      [`${GROUP}/line-2`, 'line-2', true, `/lines/${GROUP}/line-2/`],
    ]);
    for (const l of lines) {
      expect(l.machines.map((m) => m.id)).toEqual(base.machines.map((m) => m.id));
      expect(Object.values(l.states).reduce((a, b) => a + b, 0)).toBe(base.machines.length);
      // Recomputed on the host (the demo calendar has a shift at every hour).
      expect(l.kpis, l.key).not.toBeNull();
      expect(l.kpis!.oee).toBeGreaterThanOrEqual(0);
      expect(l.kpis!.oee).toBeLessThanOrEqual(1);
      expect(base.machines.map((m) => m.id)).toContain(l.kpis!.bottleneck);
    }
    // line-2: every machine running, as the test fed it.
    expect(lines[1]!.states.running).toBe(base.machines.length);
    expect(lines[1]!.kpis!.availability).toBe(1);
    // A pinned line also has a port of its own, serving the same line.
    const own = host.line(`${GROUP}/line-2`)!.port!;
    expect(lines[1]!.port).toBe(own);
    const viaOwn = await getJson<{ machines: unknown[] }>(`http://127.0.0.1:${own}/api/machines`);
    expect(viaOwn.machines).toHaveLength(base.machines.length);
    // The overview page and its script, from the same port.
    const page = await fetch(`${hostUrl()}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="plant.js">');
    expect((await fetch(`${hostUrl()}/plant.js`)).status).toBe(200);
    // An unknown line is a 404 that says where the list is.
    const unknown = await fetch(`${hostUrl()}/lines/${GROUP}/line-9/api/machines`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/GET \/api\/lines/);
  });

  it('serves each line\'s twin UI from the main port, its assets and API relative to it', async () => {
    // Without the slash the twin's relative URLs would point at the wrong folder.
    const bare = await fetch(lineUrl('line-1'), { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe(`/lines/${GROUP}/line-1/`);
    for (const id of ['line-1', 'line-2']) {
      const index = await fetch(`${lineUrl(id)}/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toBe(UI_INDEX);
      // ./assets/twin.js and api/machines, resolved against the page as a browser does.
      const page = new URL(`${lineUrl(id)}/`);
      expect(await (await fetch(new URL('./assets/twin.js', page))).text()).toBe(UI_ASSET);
      const { machines } = await getJson<{ machines: Array<{ machineId: string }> }>(new URL('api/machines', page).href);
      expect(machines.map((m) => m.machineId)).toEqual(base.machines.map((m) => m.id));
    }
    // The live feed of each line through the same port: each socket gets its own line.
    const [a, b] = await Promise.all([snapshotOf('line-1'), snapshotOf('line-2')]);
    expect([a.plant.line.id, b.plant.line.id]).toEqual(['line-1', 'line-2']);
  });

  it('recomputes KPIs on the host: /api/kpi of a line agrees with the edge\'s own /api/kpi for the same shift', async () => {
    const edgeUrl = `http://127.0.0.1:${edge1.port}`;
    await waitFor('parts made on every line-1 machine', () => edge1.machines().every((m) => m.counts.total >= 2) || undefined, 60_000);
    // Both answers a moment apart: retry until the host has taken the edge's latest counts.
    const [atEdge, atHost] = await until('the host to have the edge\'s counts', async () => {
      const e = await getJson<MachinesKpiAnswer>(`${edgeUrl}/api/kpi/machines`);
      const h = await getJson<MachinesKpiAnswer>(`${lineUrl('line-1')}/api/kpi/machines`);
      const same = e.machines.every((m, i) => JSON.stringify(m.counts) === JSON.stringify(h.machines[i]!.counts));
      return same && ([e, h] as const);
    }, 20_000);
    expect(atHost.machines.map((m) => m.machineId)).toEqual(atEdge.machines.map((m) => m.machineId));
    for (const [i, e] of atEdge.machines.entries()) {
      const h = atHost.machines[i]!;
      expect(h.shift, e.machineId).toEqual(e.shift);
      for (const k of ['availability', 'performance', 'quality', 'oee'] as const) {
        expect(Math.abs(h[k] - e[k]), `${e.machineId} ${k}: host ${h[k]} edge ${e[k]}`).toBeLessThan(0.03);
      }
      expect(Math.abs(h.energyKWh - e.energyKWh), `${e.machineId} energy`).toBeLessThanOrEqual(Math.max(1e-6, 0.02 * e.energyKWh));
    }
    // The line (bottleneck method), the same shape as the edge's GET /api/kpi/line.
    const lineAtEdge = await getJson<LineKpiAnswer>(`${edgeUrl}/api/kpi/line`);
    const lineAtHost = await getJson<LineKpiAnswer>(`${lineUrl('line-1')}/api/kpi/line`);
    expect(lineAtHost.line).toEqual(lineAtEdge.line);
    expect(lineAtHost.shift).toEqual(lineAtEdge.shift);
    expect(Math.abs(lineAtHost.kpis!.oee - lineAtEdge.kpis!.oee)).toBeLessThan(0.03);
    // The explained report of one machine comes from the same shared KPI code.
    const mill = await getJson<{ report: { kpis: unknown } | null }>(`${lineUrl('line-1')}/api/kpi/machines/mill`);
    expect(mill.report).not.toBeNull();
    // …and the count events the host booked are in its own historian (shift reports, restarts).
    const historian = host.line(`${GROUP}/line-1`)!.historian;
    historian.flush();
    const { counts } = historian.queries.countsAndEnergy('mill', atHost.machines[0]!.shift!.start, Date.now() + 1000);
    expect(counts.reduce((n, c) => n + c.deltaTotal, 0)).toBeGreaterThanOrEqual(atHost.machines.find((m) => m.machineId === 'mill')!.counts.total);
  });

  it('an alarm raised on an edge (simulator fault) is visible on the host; alarms are read-only there', async () => {
    sim.inject({ kind: 'breakdown', machine: 'mill', code: 302, minutes: 5 });
    const atEdge = await waitFor('the fault alarm on the edge', () => edge1.alarms.list({ machineId: 'mill', diagnosis: false }).alarms.find((a) => a.key === 'fault@mill' && a.state === 'active-unacked'), 30_000);
    const atHost = await until('the alarm at the host', async () => {
      const list = await getJson<AlarmList>(`${lineUrl('line-1')}/api/alarms`);
      return list.alarms.find((a) => a.key === 'fault@mill' && a.state === 'active-unacked');
    }, 15_000);
    expect(atHost).toMatchObject({ machineId: 'mill', priority: atEdge.priority, faultCode: 302, activeTs: atEdge.activeTs, message: atEdge.message });
    const { lines } = await getJson<{ lines: HostedLine[] }>(`${hostUrl()}/api/lines`);
    expect(lines[0]!.alarms.active).toBeGreaterThanOrEqual(1);
    expect(lines[0]!.alarms.highestPriority).not.toBeNull();
    expect(lines[0]!.machines.find((m) => m.id === 'mill')!.alarms).toBeGreaterThanOrEqual(1);
    // The twin's live feed through the main port sends the standing list after its snapshot, as an edge does.
    const socket = io(hostUrl(), { path: `/lines/${GROUP}/line-1/socket.io`, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const pushed = await new Promise<AlarmList>((resolve, reject) => {
      socket.on('alarms', (list: AlarmList) => resolve(list));
      socket.once('connect_error', reject);
    });
    expect(pushed.alarms.map((a) => a.key)).toContain('fault@mill');
    const plantAlarms = await getJson<{ lines: Array<{ key: string; alarms: Array<{ key: string }> }> }>(`${hostUrl()}/api/alarms`);
    expect(plantAlarms.lines.find((l) => l.key === `${GROUP}/line-1`)!.alarms.map((a) => a.key)).toContain('fault@mill');
    // Acknowledging happens on the edge that raised it.
    const ack = await fetch(`${lineUrl('line-1')}/api/alarms/fault@mill/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(ack.status).toBe(501);
    expect(((await ack.json()) as { error: string }).error).toMatch(/read-only on the plant host/);
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
    // Before anything line-2 was fed (its clock stands at its start), so the window holds only these samples.
    const t0 = line2.now() - 120_000;
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
    const url = lineUrl('line-1');
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
    // The actor is the uplink's broker identity; the user the host names is only a claim.
    expect(onEdge).toMatchObject({ actor: `uplink:anonymous@${GROUP}/line-1`, role: 'maintenance', outcome: 'ok' });
    expect(onEdge.details).toMatchObject({ transport: 'sparkplug', source: `sparkplug:${GROUP}/line-1`, claimedBy: `${HOST_ID}/maintenance` });

    // The edge's limits apply (the plant file says 50…120).
    const tooFast = await command({ kind: 'speed-override', machineId: 'mill', percent: 300, reason: 'too fast, must be refused' });
    expect(tooFast.status).toBe(422);
    expect(((await tooFast.json()) as { error: string }).error).toMatch(/line-1: .*120/);
    // An operator (demo visitors) may not write, at the host already.
    const asOperator = await command({ kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'operator tries' }, false);
    expect(asOperator.status).toBe(403);
    // line-2 does not take remote commands.
    const login2 = await fetch(`${lineUrl('line-2')}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'maintenance', password: 'maintenance-demo' }) });
    const token2 = ((await login2.json()) as { token: string }).token;
    const refused = await fetch(`${lineUrl('line-2')}/api/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token2}` },
      body: JSON.stringify({ kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'line 2 is closed to the host' }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/remote commands are disabled/);
    expect(host.audit.page({ after: 0, limit: 100, action: 'command.speed-override' }).entries.map((e) => e.outcome)).toEqual(['ok', 'refused', 'refused', 'refused']);
  });
});
