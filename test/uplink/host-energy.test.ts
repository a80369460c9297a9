// The plant host aggregates energy across lines (issue 22 §5): two edge nodes publish their
// meters (`Energy/Meters`) through a real broker; the host keeps the totals in each line's
// history and answers GET /api/energy/lines. The figures are worked out by hand below from the
// totals the test publishes (docs/energy.md rules 1–3 and 8; GB/T 2589 factors).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import type { EnergyUplink } from '../../shared/energy-uplink.js';
import type { AlarmView } from '../../shared/alarm-wire.js';
import { toPlantView } from '../../shared/live-protocol.js';
import { shiftAt } from '../../shared/kpi/index.js';
import { parsePlant } from '../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import type { PlantEnergyReport } from '../../edge/host/plant-energy.js';
import { EdgeMirror, type MirrorSink } from '../../edge/host/edge-mirror.js';
import { login, call } from '../api/api-client.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine } from './support/model-line.js';

const GROUP = 'plant-e';
const T0 = Date.parse('2026-11-02T09:00:00+08:00');
const MIN = 60_000;

const plantOf = (id: string) => parsePlant({
  site: { id: 'site', name: 'Site', timezone: 'Asia/Shanghai' },
  line: { id, name: `Line ${id}` },
  // Round the clock, so the host books the parts the edge counts whatever time the test runs.
  calendar: { shifts: [{ name: 'Day', start: '08:00', end: '20:00' }, { name: 'Night', start: '20:00', end: '08:00' }] },
  devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1' }],
  machines: [{
    id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0 },
    tags: [{ name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } }],
  }],
}, `${id}.yaml`);

type Meter = EnergyUplink['meters'][number];
const meter = (id: string, medium: string, unit: string, kgce: number, co2: number, parent: string | null = null, rollover: number | null = null): Meter => ({
  id, name: id, medium, unit, parent, area: null, kgcePerUnit: kgce, kgCO2ePerUnit: co2, rollover, total: null, ts: null,
});

/** Line A: incomer with one feeder, gas counter wrapping at 1000 m³, a flat tariff. Line B: an incomer, no tariff. */
const lineA: EnergyUplink = {
  meters: [meter('main', 'electricity', 'kWh', 0.1229, 0.5366), meter('feeder', 'electricity', 'kWh', 0.1229, 0.5366, 'main'), meter('gas', 'natural-gas', 'm3', 1.2143, 2.165, null, 1000)],
  tariff: { meter: 'main', currency: 'CNY', periods: [{ name: 'flat', from: '00:00', to: '24:00', price: 0.5 }] },
  contractDemandKW: 500,
};
const lineB: EnergyUplink = { meters: [meter('main', 'electricity', 'kWh', 0.1229, 0.5366)], tariff: null, contractDemandKW: null };

/** Published totals, minute by minute from T0. */
const TOTALS = {
  a: { main: [1000, 1010, 1030, 1060], feeder: [500, 510, 520, 540], gas: [990, 995, 5, 20] },
  b: { main: [200, 215, 240, 260] },
} as const;

/** The edge's demand alarm: a derived signal of the energy module, no machine's. */
const demandAlarm: AlarmView = {
  key: 'demand@energy', ruleId: 'demand', kind: 'derived', machineId: 'energy', tag: null, priority: 'high',
  message: 'Demand: the running 15-minute block of main is heading for 530.0 kW against the contracted 500 kW; shed load now',
  state: 'active-unacked', active: true, acked: false, occurrenceId: 7, activeTs: T0, ackTs: null, ackBy: null, returnTs: null,
  value: 530, faultCode: null, shelved: null, outOfService: null, suppressed: false, chattering: false,
};
const NO_FLOOD = { active: false, since: null, count: 0, windowMinutes: 10, limit: 10 };

let dir: string;
let broker: TestBroker;
let host: RunningHost;
const edges: EdgeNode[] = [];
const published: Record<'a' | 'b', EnergyUplink> = { a: lineA, b: lineB };
/** The parts each line's press has made this shift, as its edge publishes them (Counts/*). */
const made: Record<'a' | 'b', { total: number; good: number }> = { a: { total: 0, good: 0 }, b: { total: 0, good: 0 } };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-energy-'));
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'host-e', groups: [GROUP] },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      auth: { mode: 'demo' },
    }, 'host-energy.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: () => {},
    env: { TWINLINE_SECRET: 'host-energy-secret-0123456789abcdefghijkl' },
  });
  for (const key of ['a', 'b'] as const) {
    const line = modelLine(plantOf(`line-${key}`), Date.now());
    const edge = createEdgeNode({
      settings: UplinkSettingsSchema.parse({
        broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 }, groupId: GROUP, edgeNodeId: `line-${key}`, primaryHostId: 'host-e',
        publishIntervalMs: 20, refreshIntervalMs: 100,
      }),
      source: {
        ...line.source, energy: () => JSON.stringify(published[key]),
        machineLive: (id) => {
          const live = line.source.machineLive(id);
          const shift = shiftAt(line.source.plant.calendar, line.source.plant.site.timezone, Date.now());
          return live && shift ? { ...live, counts: { ...made[key], scrap: made[key].total - made[key].good }, shift: { name: shift.name, start: shift.start, end: shift.end } } : live;
        },
        alarms: () => ({ alarms: key === 'a' ? [demandAlarm] : [], flood: NO_FLOOD, ts: Date.now() }),
      },
      dataDir: join(dir, `edge-${key}`), log: () => {},
    });
    line.sink = edge;
    line.allRunning();
    edge.start();
    edges.push(edge);
  }
  await waitFor('both lines on the host', () => host.lines().length === 2, 20_000);
  // Each minute's totals are published and reach the host's mirror before the next.
  for (let i = 0; i < 4; i++) {
    const ts = T0 + i * MIN;
    for (const key of ['a', 'b'] as const) {
      const totals = TOTALS[key] as Record<string, readonly number[]>;
      published[key] = { ...published[key], meters: published[key].meters.map((m) => ({ ...m, total: totals[m.id]![i]!, ts })) };
    }
    await waitFor(`the host to hold the totals of minute ${i}`, () =>
      (['a', 'b'] as const).every((key) => host.primary.mirrors().find((m) => m.edgeNodeId === `line-${key}`)?.energy?.meters[0]?.ts === ts), 10_000, 20);
  }
}, 60_000);

afterAll(async () => {
  for (const e of edges) await e.stop();
  await host?.stop();
  await broker?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('plant host: energy across lines', () => {
  it('reports every line and the plant sums from the published totals (worked by hand)', async () => {
    const token = await login(host.url, 'manager', 'manager-demo');
    const answer = await call<PlantEnergyReport>(host.url, `/api/energy/lines?from=${T0}&to=${T0 + 3 * MIN}`, { token });
    expect(answer.status).toBe(200);
    const r = answer.body;
    expect(r.lines.map((l) => l.key)).toEqual([`${GROUP}/line-a`, `${GROUP}/line-b`]);
    const [a, b] = r.lines as [PlantEnergyReport['lines'][number], PlantEnergyReport['lines'][number]];
    const consumption = (l: typeof a, id: string) => l.report.meters.find((m) => m.id === id)!.consumption;
    // Line A: main 1000 → 1060 = 60 kWh; feeder 40 kWh; gas 990 → 995 (5), 995 → 5 a rollover at 1000 (10), 5 → 20 (15) = 30 m³.
    expect(consumption(a, 'main')).toBeCloseTo(60, 9);
    expect(consumption(a, 'feeder')).toBeCloseTo(40, 9);
    expect(consumption(a, 'gas')).toBeCloseTo(30, 9);
    expect(a.report.meters.find((m) => m.id === 'gas')!.counterEvents.map((e) => e.kind)).toEqual(['rollover']);
    // Roots only (rule 8): 60 × 0.1229 + 30 × 1.2143 = 7.374 + 36.429 kgce; 60 × 0.5366 + 30 × 2.165 = 32.196 + 64.95 kgCO2e.
    expect(a.totalKgce).toBeCloseTo(43.803, 9);
    expect(a.totalKgCO2e).toBeCloseTo(97.146, 9);
    expect(a.report.balance.main).toMatchObject({ childrenConsumption: 40, unmetered: 20 });
    expect(a.cost).toEqual({ total: 30, currency: 'CNY' });
    // Line B: 200 → 260 = 60 kWh, no tariff.
    expect(b.totalKgce).toBeCloseTo(7.374, 9);
    expect(b.totalKgCO2e).toBeCloseTo(32.196, 9);
    expect(b.cost).toBeNull();
    // The plant.
    expect(r.totalKgce).toBeCloseTo(51.177, 9);
    expect(r.totalTce).toBeCloseTo(0.051177, 12);
    expect(r.totalKgCO2e).toBeCloseTo(129.342, 9);
    expect(r.byMedium.electricity!.consumption).toBeCloseTo(120, 9);
    expect(r.byMedium['natural-gas']!.consumption).toBeCloseTo(30, 9);
    expect(r.costByCurrency).toEqual({ CNY: 30 });
    expect(r.withoutMeters).toEqual([]);
  });

  it('gives each line and the plant an EnPI from the good parts of the line\'s output machine (worked by hand)', async () => {
    const token = await login(host.url, 'manager', 'manager-demo');
    // Every stored total (T0 … T0 + 3 min) and every part the host booked (now) in one window.
    const report = async () => (await call<PlantEnergyReport>(host.url, `/api/energy/lines?from=${T0}&to=${Date.now() + MIN}`, { token })).body;
    const settled = async (what: string, ok: (r: PlantEnergyReport) => boolean) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const r = await report();
        if (ok(r)) return r;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r.lines.map((l) => [l.key, l.good]))}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    // Line A's press makes 125 parts, 120 good; line B's none yet: the plant's EnPI is line A's alone.
    made.a = { total: 125, good: 120 };
    let r = await settled('line A\'s 120 good parts', (x) => x.lines[0]?.good === 120);
    const [a, b] = r.lines as [PlantEnergyReport['lines'][number], PlantEnergyReport['lines'][number]];
    expect(a.totalKgce).toBeCloseTo(43.803, 9);
    expect(a.kgcePerGood).toBeCloseTo(43.803 / 120, 12); // 0.365025 kgce per good part
    expect(a.report.enpi.kgcePerGood).toBeCloseTo(0.365025, 12);
    expect(b.good).toBe(0);
    expect(b.kgcePerGood).toBeNull();
    expect(r.enpi).toMatchObject({ good: 120, lines: [`${GROUP}/line-a`] });
    expect(r.enpi.kgcePerGood).toBeCloseTo(0.365025, 12);
    // Line B's press makes 40 good parts: (43.803 + 7.374) kgce ÷ (120 + 40) = 51.177 ÷ 160.
    made.b = { total: 40, good: 40 };
    r = await settled('line B\'s 40 good parts', (x) => x.lines[1]?.good === 40);
    expect(r.lines[0]!.good).toBe(120);
    expect(r.lines[1]!.kgcePerGood).toBeCloseTo(0.18435, 12); // 7.374 ÷ 40
    expect(r.enpi).toMatchObject({ good: 160, lines: [`${GROUP}/line-a`, `${GROUP}/line-b`] });
    expect(r.enpi.kgce).toBeCloseTo(51.177, 9);
    expect(r.enpi.kgcePerGood).toBeCloseTo(0.31985625, 12);
  });

  it('lists the line\'s demand alarm (no machine\'s: Alarms/Site List) with the plant\'s alarms', async () => {
    const token = await login(host.url, 'operator', 'operator-demo');
    const answer = await call<{ lines: Array<{ key: string; alarms: AlarmView[] }> }>(host.url, '/api/alarms', { token });
    expect(answer.status).toBe(200);
    const byLine = Object.fromEntries(answer.body.lines.map((l) => [l.key, l.alarms.map((a) => a.key)]));
    expect(byLine[`${GROUP}/line-a`]).toEqual(['demand@energy']);
    expect(byLine[`${GROUP}/line-b`]).toEqual([]);
  });

  it('is for managers, and names a bad window', async () => {
    const operator = await login(host.url, 'operator', 'operator-demo');
    expect((await call(host.url, `/api/energy/lines?from=${T0}&to=${T0 + MIN}`, { token: operator })).status).toBe(403);
    const manager = await login(host.url, 'manager', 'manager-demo');
    const bad = await call(host.url, `/api/energy/lines?from=${T0 + MIN}&to=${T0}`, { token: manager });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/"from".*must be before "to"/);
  });
});

describe('EdgeMirror: Energy/Meters', () => {
  it('keeps a valid message, tells the sink, and ignores one it does not understand', () => {
    const got: EnergyUplink[] = [];
    const logs: string[] = [];
    const sink: MirrorSink = {
      touched: () => {}, events: () => {}, lineChanged: () => {}, requestRebirth: () => {}, commandResult: () => {},
      energy: (u) => got.push(u), log: (_l, m) => logs.push(m),
    };
    const mirror = new EdgeMirror('g', 'n', sink, () => T0);
    const metric = (value: string) => ({ name: 'Energy/Meters', alias: 7, type: 'String' as const, value, timestamp: T0 });
    mirror.handleNode('NBIRTH', { timestamp: T0, seq: 0, metrics: [
      { name: 'bdSeq', alias: 0, type: 'UInt64', value: 1, timestamp: T0 },
      { name: 'Twinline/Plant View', alias: 1, type: 'String', value: JSON.stringify(toPlantView(plantOf('line-x'))), timestamp: T0 },
      metric(JSON.stringify(lineB)),
    ] });
    expect(mirror.energy).toEqual(lineB);
    expect(got).toHaveLength(1);
    mirror.handleNode('NDATA', { timestamp: T0, seq: 1, metrics: [{ alias: 7, type: 'String', value: JSON.stringify({ meters: [{ id: 'x' }] }), timestamp: T0 }] });
    expect(mirror.energy).toEqual(lineB);
    expect(got).toHaveLength(1);
    expect(logs.some((m) => /Energy\/Meters.*not understood/.test(m))).toBe(true);

    // Alarms of no machine, under their source; one naming a machine is not taken from this list; gone when the edge no longer lists it.
    const site = (alarms: AlarmView[]) => ({ alias: 8, type: 'String' as const, value: JSON.stringify(alarms), timestamp: T0 });
    mirror.handleNode('NDATA', { timestamp: T0, seq: 2, metrics: [{ name: 'Alarms/Site List', ...site([demandAlarm, { ...demandAlarm, key: 'x@press', machineId: 'press' }]) }] });
    expect(mirror.alarms.get('energy')?.map((a) => a.key)).toEqual(['demand@energy']);
    expect(mirror.alarms.get('press') ?? []).toEqual([]);
    mirror.handleNode('NDATA', { timestamp: T0, seq: 3, metrics: [{ name: 'Alarms/Site List', ...site([]) }] });
    expect(mirror.alarms.has('energy')).toBe(false);
  });
});
