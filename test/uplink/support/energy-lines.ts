// Two lines with meters and a press each, as real edge nodes (the plant model and the Sparkplug
// uplink) publishing through a real broker into a real plant host — with or without a plant
// database — and the figures the host must answer, worked by hand from the totals published
// here (docs/energy.md rules 1–3 and 8; GB/T 2589 factors). The host-energy test (a host on the
// lines' SQLite files) and the PostgreSQL one (test/host-pg/plant-enpi.test.ts) check the same
// ground truth through the same code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { UplinkSettingsSchema } from '../../../shared/uplink-config.js';
import type { EnergyUplink } from '../../../shared/energy-uplink.js';
import type { AlarmView } from '../../../shared/alarm-wire.js';
import { shiftAt } from '../../../shared/kpi/index.js';
import { parsePlant } from '../../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../../edge/uplink/edge-node.js';
import { parseHostConfig } from '../../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../../edge/host/host-runtime.js';
import type { PlantEnergyReport } from '../../../edge/host/plant-energy.js';
import { login, call } from '../../api/api-client.js';
import { waitFor } from '../../support/wait-for.js';
import { modelLine } from './model-line.js';

export const GROUP = 'plant-e';
export const T0 = Date.parse('2026-11-02T09:00:00+08:00');
export const MIN = 60_000;

export const plantOf = (id: string) => parsePlant({
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
export const lineA: EnergyUplink = {
  meters: [meter('main', 'electricity', 'kWh', 0.1229, 0.5366), meter('feeder', 'electricity', 'kWh', 0.1229, 0.5366, 'main'), meter('gas', 'natural-gas', 'm3', 1.2143, 2.165, null, 1000)],
  tariff: { meter: 'main', currency: 'CNY', periods: [{ name: 'flat', from: '00:00', to: '24:00', price: 0.5 }] },
  contractDemandKW: 500,
};
export const lineB: EnergyUplink = { meters: [meter('main', 'electricity', 'kWh', 0.1229, 0.5366)], tariff: null, contractDemandKW: null };

/** Published totals, minute by minute from T0. */
const TOTALS = {
  a: { main: [1000, 1010, 1030, 1060], feeder: [500, 510, 520, 540], gas: [990, 995, 5, 20] },
  b: { main: [200, 215, 240, 260] },
} as const;

/** The edge's demand alarm: a derived signal of the energy module, no machine's. */
export const demandAlarm: AlarmView = {
  key: 'demand@energy', ruleId: 'demand', kind: 'derived', machineId: 'energy', tag: null, priority: 'high',
  message: 'Demand: the running 15-minute block of main is heading for 530.0 kW against the contracted 500 kW; shed load now',
  state: 'active-unacked', active: true, acked: false, occurrenceId: 7, activeTs: T0, ackTs: null, ackBy: null, returnTs: null,
  value: 530, faultCode: null, shelved: null, outOfService: null, suppressed: false, chattering: false,
};
const NO_FLOOD = { active: false, since: null, count: 0, windowMinutes: 10, limit: 10 };

export interface EnergyLines {
  host: RunningHost;
  /** The parts each line's press has made this shift, as its edge publishes them (Counts/*): set them to make parts. */
  made: Record<'a' | 'b', { total: number; good: number }>;
  stop(): Promise<void>;
}

/** The host (on PostgreSQL when `postgresUrl` is given), both edges, and the four minutes of totals from T0 stored. */
export async function startEnergyLines(o: { brokerUrl: string; postgresUrl?: string }): Promise<EnergyLines> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-energy-lines-'));
  const published: Record<'a' | 'b', EnergyUplink> = { a: lineA, b: lineB };
  const made: EnergyLines['made'] = { a: { total: 0, good: 0 }, b: { total: 0, good: 0 } };
  const edges: EdgeNode[] = [];
  const host = await startHost({
    config: parseHostConfig({
      host: { id: 'host-e', groups: [GROUP] },
      broker: { url: o.brokerUrl, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      auth: { mode: 'demo' },
      ...(o.postgresUrl ? { postgres: { url: o.postgresUrl, leaseRetryMs: 200, handoverMs: 1000, flushIntervalMs: 50 } } : {}),
    }, 'host-energy.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: () => {},
    env: { TWINLINE_SECRET: 'host-energy-secret-0123456789abcdefghijkl' },
  });
  const stop = async () => {
    for (const e of edges) await e.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const key of ['a', 'b'] as const) {
      const line = modelLine(plantOf(`line-${key}`), Date.now());
      const edge = createEdgeNode({
        settings: UplinkSettingsSchema.parse({
          broker: { url: o.brokerUrl, reconnectMinMs: 50, reconnectMaxMs: 300 }, groupId: GROUP, edgeNodeId: `line-${key}`, primaryHostId: 'host-e',
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
    await waitFor('both lines on the host', () => host.lines().length === 2, 30_000);
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
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { host, made, stop };
}

type Line = PlantEnergyReport['lines'][number];

/** GET /api/energy/lines over T0 … T0 + 3 min: every line and the plant sums from the published totals. */
export async function expectEnergyAcrossLines(hostUrl: string): Promise<void> {
  const token = await login(hostUrl, 'manager', 'manager-demo');
  const answer = await call<PlantEnergyReport>(hostUrl, `/api/energy/lines?from=${T0}&to=${T0 + 3 * MIN}`, { token });
  expect(answer.status).toBe(200);
  const r = answer.body;
  expect(r.lines.map((l) => l.key)).toEqual([`${GROUP}/line-a`, `${GROUP}/line-b`]);
  const [a, b] = r.lines as [Line, Line];
  const consumption = (l: Line, id: string) => l.report.meters.find((m) => m.id === id)!.consumption;
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
}

/**
 * Each line's and the plant's EnPI from the good parts of the line's output machine: the presses
 * make parts (this shift) and the report over T0 … now holds them with the totals; a window that
 * starts after some parts holds only the parts made in it (the shift's earlier parts are not).
 */
export async function expectEnpiFromGoodParts(lines: EnergyLines): Promise<void> {
  const { host, made } = lines;
  const token = await login(host.url, 'manager', 'manager-demo');
  const report = async (from = T0) => (await call<PlantEnergyReport>(host.url, `/api/energy/lines?from=${from}&to=${Date.now() + MIN}`, { token })).body;
  const settled = async (what: string, ok: (r: PlantEnergyReport) => boolean, from = T0) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await report(from);
      if (ok(r)) return r;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r.lines.map((l) => [l.key, l.good]))}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  // Line A's press makes 125 parts, 120 good; line B's none yet: the plant's EnPI is line A's alone.
  made.a = { total: 125, good: 120 };
  let r = await settled('line A\'s 120 good parts', (x) => x.lines[0]?.good === 120);
  const [a, b] = r.lines as [Line, Line];
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
  // A window from now on: line A's next 12 parts (10 good) are in it, its first 120 good are not.
  const from = Date.now() + 1;
  await new Promise((res) => setTimeout(res, 5));
  made.a = { total: 137, good: 130 };
  r = await settled('line A\'s 10 good parts since the window began', (x) => x.lines[0]?.good === 10, from);
  expect(r.lines[1]!.good).toBe(0);
  expect(r.lines[0]!.totalKgce).toBe(0); // no energy totals stored in this window
  expect(r.enpi.good).toBe(10);
  expect((await report()).lines.map((l) => l.good)).toEqual([130, 40]);
}
