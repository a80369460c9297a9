// GET /metrics (issue 19.5) on a real line: the simulator's PLCs, a real edge in required-login
// mode publishing Sparkplug through a real broker to a real plant host. Scraped over HTTP as
// Prometheus does: refused without the scrape token (or an admin), counters that move while the
// edge acquires, errors when a device is dropped, and the Grafana dashboard's every expression
// naming series that these scrapes actually contain.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { login } from '../api/api-client.js';
import { retarget, withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from '../uplink/support/aedes-broker.js';
import { parseExposition, seriesValue, type Exposition } from './support/prometheus-text.js';
import { leak, routeModels, type FuzzRequest } from '../fuzz/support/rest-requests.js';

const GROUP = 'Plant1';
const SECRET = 'metrics-test-secret-0123456789abcdefghijkl';
const HOST_TOKEN = 'host-scrape-token-0123456789abcdefghijklmnop';
const PASSWORD = 'a long enough passphrase';
/** Labels Prometheus adds to every series of a target (the dashboard selects edges and hosts by instance). */
const TARGET_LABELS = new Set(['instance', 'job']);

let dir: string;
let sim: RunningSimulator;
let broker: TestBroker;
let edge: RunningEdge;
let host: RunningHost;
let edgeToken: string;
let lineKey: string;
let lineId: string;
/** The utilities' meter devices of the demo plant (the simulator's meter gateway serves them). */
let meterDevices: string[] = [];
const logs: string[] = [];

async function scrape(base: string, authorization?: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

async function scraped(base: string, token: string): Promise<Exposition> {
  const r = await scrape(base, `Bearer ${token}`);
  expect(r.status, r.text.slice(0, 200)).toBe(200);
  return parseExposition(r.text);
}

/** Polls the edge's /metrics until `probe` holds on a scrape (each poll is one real scrape). */
async function untilScrape(what: string, probe: (m: Exposition) => boolean, timeoutMs = 15_000): Promise<Exposition> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await scraped(edge.url, edgeToken);
    if (probe(m)) return m;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-metrics-'));
  broker = await startTestBroker();
  const base = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 7, timeScale: 1, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  const plant = {
    ...retarget(base, sim),
    uplink: UplinkSettingsSchema.parse({ broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 }, groupId: GROUP, primaryHostId: 'scada', publishIntervalMs: 100 }),
  };
  lineId = plant.line.id;
  meterDevices = plant.metering?.devices.map((d) => d.id) ?? [];
  lineKey = `${GROUP}/${lineId}`;
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'scada', groups: [GROUP] },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      auth: { mode: 'required' },
    }, 'metrics-host.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: (l, m) => logs.push(`[host] ${l} ${m}`),
    env: { TWINLINE_SECRET: SECRET }, metricsToken: HOST_TOKEN,
  });
  edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'edge', 'twinline.db'), dataDir: join(dir, 'edge'), uiDir: join(dir, 'no-ui'),
    log: (l, m) => logs.push(`[edge] ${l} ${m}`), auth: { mode: 'required', secret: SECRET },
  });
  for (const [username, role] of [['ada', 'admin'], ['ron', 'operator']] as const) {
    await edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
  }
  // No token given and no TWINLINE_METRICS_TOKEN: the edge made one in its data folder, as in production.
  edgeToken = readFileSync(join(dir, 'edge', 'metrics.token'), 'utf8').trim();
  await waitFor('the line online on the host', () => host.lines().some((l) => l.key === lineKey && l.online), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; lines: ${JSON.stringify(host.lines().map((l) => l.key))}; log:\n${logs.join('\n')}`);
  });
}, 90_000);

afterAll(async () => {
  await edge?.stop();
  await host?.stop();
  await sim?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('who may read /metrics', () => {
  it('keeps the edge\'s scrape token in a file only its owner reads, and never logs it', () => {
    expect(statSync(join(dir, 'edge', 'metrics.token')).mode & 0o077).toBe(0);
    expect(edgeToken.length).toBeGreaterThanOrEqual(32);
    expect(logs.some((l) => l.includes('metrics.token'))).toBe(true);
    expect(logs.some((l) => l.includes(edgeToken))).toBe(false);
  });

  it('refuses a scrape without credentials, with a wrong token or as an operator, and serves the token and an admin', async () => {
    expect((await scrape(edge.url)).status).toBe(401);
    expect((await scrape(edge.url, `Bearer ${edgeToken}x`)).status).toBe(401);
    expect((await scrape(edge.url, `Bearer ${HOST_TOKEN}`)).status).toBe(401);
    expect((await scrape(edge.url, `Basic ${Buffer.from(`x:${edgeToken}`).toString('base64')}`)).status).toBe(401);
    const operator = await login(edge.url, 'ron', PASSWORD);
    expect((await scrape(edge.url, `Bearer ${operator}`)).status).toBe(403);
    const admin = await login(edge.url, 'ada', PASSWORD);
    const byAdmin = await scrape(edge.url, `Bearer ${admin}`);
    expect(byAdmin.status).toBe(200);
    const byToken = await scrape(edge.url, `Bearer ${edgeToken}`);
    expect(byToken.status).toBe(200);
    expect(byToken.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // The refusals are in the audit log like any other refused API call.
    expect(edge.audit.page({ after: 0, limit: 500 }).entries.some((e) => JSON.stringify(e).includes('/metrics'))).toBe(true);
  });

  it('is in the route catalogue the fuzz suite walks, whose oracle calls a 2xx to anyone but an admin a leak', () => {
    expect(edge.routes().find((r) => r.url === '/metrics' && r.method === 'GET')?.access).toBe('scrape');
    const routes = routeModels(edge.routes().map((r) => ({ method: r.method, url: r.url, schema: null, access: r.access })), null);
    const route = routes.find((r) => r.url === '/metrics')!;
    const asCaller = (caller: FuzzRequest['caller']): FuzzRequest => ({ route, caller, spelling: 'canonical', request: { method: 'GET', target: '/%6Detrics', headers: {} } });
    expect(leak(routes, asCaller({ kind: 'anonymous' }), 200)).toMatch(/anonymous caller got 200/);
    expect(leak(routes, asCaller({ kind: 'role', role: 'manager', token: 't' }), 200)).toMatch(/needs scrape/);
    expect(leak(routes, asCaller({ kind: 'role', role: 'admin', token: 't' }), 200)).toBeNull();
  });
});

describe('what the edge exports', () => {
  it('counts reads per device while the edge acquires from the simulator', async () => {
    const first = await untilScrape('reads on both PLCs', (m) => ['plc-opcua', 'plc-modbus'].every((device) => (seriesValue(m, 'twinline_acquisition_reads_total', { device }) ?? 0) > 0));
    const before = seriesValue(first, 'twinline_acquisition_reads_total', { device: 'plc-modbus' })!;
    const later = await untilScrape('more Modbus reads', (m) => seriesValue(m, 'twinline_acquisition_reads_total', { device: 'plc-modbus' })! > before);
    for (const device of ['plc-opcua', 'plc-modbus']) {
      expect(seriesValue(later, 'twinline_device_connected', { device })).toBe(1);
    }
    expect(first.types.get('twinline_acquisition_reads_total')).toBe('counter');
    // Per device, never per tag: the demo plant has dozens of tags, two PLCs and six meter devices.
    expect(later.samples.filter((s) => s.name === 'twinline_acquisition_reads_total')).toHaveLength(2 + meterDevices.length);
  });

  it('counts the energy meter gateways (metering.devices) like the PLCs', async () => {
    expect(meterDevices.length).toBeGreaterThan(0);
    const m = await untilScrape('reads on every meter device', (x) => meterDevices.every((device) => (seriesValue(x, 'twinline_acquisition_reads_total', { device }) ?? 0) > 0));
    for (const device of meterDevices) {
      expect(seriesValue(m, 'twinline_device_connected', { device, protocol: 'modbus-tcp' })).toBe(1);
      expect(seriesValue(m, 'twinline_acquisition_errors_total', { device })).toBeGreaterThanOrEqual(0);
      expect(seriesValue(m, 'twinline_device_reads_per_second', { device })).toBeGreaterThan(0);
    }
  });

  it('shows a dropped device as disconnected with its error counter rising, the other still reading', async () => {
    const before = await scraped(edge.url, edgeToken);
    const errorsBefore = seriesValue(before, 'twinline_acquisition_errors_total', { device: 'plc-modbus' }) ?? 0;
    const opcuaBefore = seriesValue(before, 'twinline_acquisition_reads_total', { device: 'plc-opcua' })!;
    const fault = sim.inject({ kind: 'drop', device: 'plc-modbus', durationMs: 4000 });
    try {
      const during = await untilScrape('the Modbus PLC down with errors', (m) =>
        seriesValue(m, 'twinline_device_connected', { device: 'plc-modbus' }) === 0 && seriesValue(m, 'twinline_acquisition_errors_total', { device: 'plc-modbus' })! > errorsBefore);
      expect(seriesValue(during, 'twinline_device_connected', { device: 'plc-opcua' })).toBe(1);
      expect(seriesValue(during, 'twinline_acquisition_reads_total', { device: 'plc-opcua' })).toBeGreaterThan(opcuaBefore);
    } finally {
      sim.clearFault(fault.id);
    }
    await untilScrape('the Modbus PLC back', (m) => seriesValue(m, 'twinline_device_connected', { device: 'plc-modbus' }) === 1, 20_000);
  });

  it('exports the historian, store-and-forward, live clients, machines, KPIs, alarms and the process', async () => {
    const m = await untilScrape('the historian writing and the uplink online', (x) =>
      (seriesValue(x, 'twinline_historian_rows_written_total') ?? 0) > 0 && seriesValue(x, 'twinline_uplink_online') === 1);
    expect(seriesValue(m, 'twinline_edge_info', { line: lineId })).toBe(1);
    expect(seriesValue(m, 'twinline_forward_store_queued_metrics')).toBeGreaterThanOrEqual(0);
    expect(seriesValue(m, 'twinline_historian_queue_events')).toBeGreaterThanOrEqual(0);
    expect(seriesValue(m, 'twinline_live_clients')).toBe(0);
    // One state per machine is 1, the others 0.
    for (const machine of edge.machines()) {
      const states = m.samples.filter((s) => s.name === 'twinline_machine_state' && s.labels.machine === machine.machineId);
      expect(states.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual([machine.state]);
      expect(seriesValue(m, 'twinline_machine_oee_ratio', { machine: machine.machineId })).toBeGreaterThanOrEqual(0);
    }
    const standing = edge.alarms.list({ diagnosis: false }).alarms.filter((a) => a.active).length;
    const exported = m.samples.filter((s) => s.name === 'twinline_alarms_active').reduce((sum, s) => sum + s.value, 0);
    expect(exported).toBe(standing);
    expect(seriesValue(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(seriesValue(m, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});

describe('what the plant host exports', () => {
  it('refuses without its token and counts the line it hosts with it', async () => {
    expect((await scrape(host.url)).status).toBe(401);
    expect((await scrape(host.url, `Bearer ${edgeToken}`)).status).toBe(401);
    const m = await scraped(host.url, HOST_TOKEN);
    expect(seriesValue(m, 'twinline_host_broker_connected')).toBe(1);
    expect(seriesValue(m, 'twinline_host_line_online', { line: lineKey })).toBe(1);
    expect(seriesValue(m, 'twinline_host_messages_received_total')).toBeGreaterThan(0);
    const machines = m.samples.filter((s) => s.name === 'twinline_host_line_machines' && s.labels.line === lineKey).reduce((sum, s) => sum + s.value, 0);
    expect(machines).toBe(edge.machines().length);
  });

  it('exports the KPIs the host recomputes once it serves the line', async () => {
    await waitFor('the line served by the host', () => host.line(lineKey), 20_000);
    const m = await scraped(host.url, HOST_TOKEN);
    expect(seriesValue(m, 'twinline_host_line_served', { line: lineKey })).toBe(1);
    const oee = seriesValue(m, 'twinline_host_line_kpi_ratio', { line: lineKey, kpi: 'oee' });
    expect(oee).toBeGreaterThanOrEqual(0);
    expect(oee).toBeLessThanOrEqual(1);
  });
});

describe('the Grafana dashboard (deploy/grafana/twinline.json)', () => {
  it('builds every panel and variable on series a real edge or host exports, with their labels', async () => {
    const exported = [await scraped(edge.url, edgeToken), await scraped(host.url, HOST_TOKEN)];
    const labelsOf = new Map<string, Set<string>>();
    for (const m of exported) {
      for (const s of m.samples) {
        const set = labelsOf.get(s.name) ?? new Set<string>();
        for (const l of Object.keys(s.labels)) set.add(l);
        labelsOf.set(s.name, set);
      }
    }
    const dashboard = JSON.parse(readFileSync('deploy/grafana/twinline.json', 'utf8')) as unknown;
    const exprs = expressionsOf(dashboard);
    expect(exprs.length).toBeGreaterThan(15);
    const problems: string[] = [];
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b((?:twinline|process|nodejs)_[a-z0-9_]+)\b/g)].map((x) => x[1]!);
      if (!names.length) problems.push(`${expr}: names no twinline_, process_ or nodejs_ metric`);
      for (const name of names) if (!labelsOf.has(name)) problems.push(`${expr}: ${name} is not exported`);
      for (const [, name, matchers] of expr.matchAll(/\b((?:twinline|process|nodejs)_[a-z0-9_]+)\{([^}]*)\}/g)) {
        for (const [, label] of matchers!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)) {
          if (labelsOf.has(name!) && !TARGET_LABELS.has(label!) && !labelsOf.get(name!)!.has(label!)) problems.push(`${expr}: ${name} has no label ${label}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

/** Every PromQL expression in a dashboard: panel targets (also in rows) and query variables. */
function expressionsOf(dashboard: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'expr' && typeof x === 'string') out.push(x);
        else if (k === 'query' && x && typeof x === 'object' && typeof (x as { query?: unknown }).query === 'string') out.push((x as { query: string }).query);
        else walk(x);
      }
    }
  };
  walk(dashboard);
  return out;
}
