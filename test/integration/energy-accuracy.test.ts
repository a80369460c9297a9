// Issue 22 §7, energy accuracy against the simulator's ground truth. The real simulator's
// utilities area and the real edge (Modbus TCP over real sockets, a real SQLite file) run on
// one clock that only this test moves: a step of one simulated minute, then wait until the
// edge has read every utility meter at that instant. The registers then show exactly the
// state the truth was taken at, so what is left to measure is the edge: float32 registers,
// rollover and reset handling, storage, and the report maths.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PlantSchema, type PlantConfig } from '../../shared/plant-schema.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { runningEnergy } from '../../edge/energy/energy-hook.js';
import type { DemandAlarmEvent, EnergyModule } from '../../edge/energy/energy-module.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { UTILITY_METERS, type UtilitiesTruth, type UtilityMeterId } from '../../plc-sim/utilities.js';
import { retarget } from '../support/line-harness.js';
import { call, connect, connected, login, type LiveClient } from '../api/api-client.js';
import { EnergyLiveSchema, type EnergyLive } from '../../shared/energy-api.js';
import { EnergyUplinkSchema } from '../../shared/energy-uplink.js';
import { waitFor } from '../support/wait-for.js';

/** 07:40 Asia/Shanghai on a Monday: the run crosses the 08:00 valley → peak tariff boundary. */
const START = Date.parse('2026-11-02T07:40:00+08:00');
const STEP_MS = 60_000;
const STEPS = 40;
const CONTRACT_KW = 15;
const PRICES = { valley: 0.27, peak: 1.07, flat: 0.64 } as const;

/** The KPI test plant's Modbus machines (no OPC UA server to start), the demo's utilities meters, a tight contract. */
function testPlant(): PlantConfig {
  const doc = parse(readFileSync('test/fixtures/kpi-accuracy-plant.yaml', 'utf8'));
  doc.devices = doc.devices.filter((d: { protocol: string }) => d.protocol !== 'opcua');
  doc.machines = doc.machines.filter((m: { device: string }) => m.device !== 'plc-opcua');
  delete doc.alarms;
  const device = (id: string, unitId: number) => ({ id, protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, unitId, pollIntervalMs: 100 });
  const f32 = (device: string, table: 'input' | 'holding', address: number, scale = 1) => ({ device, type: 'float32', modbus: { table, address, scale } });
  doc.metering = {
    devices: [device('pm-main', 1), device('pm-line', 2), device('pm-compressor', 3), device('gas', 4), device('water', 5), device('air', 6)],
    meters: [
      { id: 'main', name: 'Main', medium: 'electricity', unit: 'kWh', total: f32('pm-main', 'input', 0x0156), power: f32('pm-main', 'input', 0x0034, 0.001) },
      { id: 'feeder-line', name: 'Line', medium: 'electricity', unit: 'kWh', parent: 'main', total: f32('pm-line', 'input', 0x0156) },
      { id: 'feeder-compressor', name: 'Compressor', medium: 'electricity', unit: 'kWh', parent: 'main', total: f32('pm-compressor', 'input', 0x0156) },
      { id: 'gas-washer', name: 'Gas', medium: 'natural-gas', unit: 'm3', rollover: 100_000, total: { device: 'gas', type: 'uint32', modbus: { table: 'holding', address: 0, scale: 0.01 } } },
      { id: 'water-main', name: 'Water', medium: 'water', unit: 'm3', rollover: 100_000, total: { device: 'water', type: 'uint32', modbus: { table: 'holding', address: 0, scale: 0.0001 } } },
      { id: 'air-main', name: 'Air', medium: 'compressed-air', unit: 'm3', kgcePerUnit: 0, kgCO2ePerUnit: 0, total: f32('air', 'holding', 0) },
    ],
    tariff: { meter: 'main', periods: [
      { name: 'valley', from: '00:00', to: '08:00', price: PRICES.valley },
      { name: 'peak', from: '08:00', to: '11:00', price: PRICES.peak },
      { name: 'flat', from: '11:00', to: '24:00', price: PRICES.flat },
    ] },
    contractDemandKW: CONTRACT_KW,
    storeIntervalSeconds: 1,
    baseline: { points: [{ production: 100, energyKgce: 10 }, { production: 200, energyKgce: 15 }, { production: 300, energyKgce: 20 }] },
  };
  return PlantSchema.parse(doc);
}

let dir: string;
let sim: RunningSimulator;
let edge: RunningEdge;
let energy: EnergyModule;
let elapsed = 0;
const truths: UtilitiesTruth[] = [];
const alarms: DemandAlarmEvent[] = [];
const logs: string[] = [];
let stuck = 0;
let socket: LiveClient | undefined;
const liveMessages: EnergyLive[] = [];
let stuckSeen = false;

/** Moves simulated time one step and waits until the edge has read every utility meter at the new instant. */
async function step(): Promise<void> {
  elapsed += STEP_MS;
  sim.sync();
  const t = sim.clock.now();
  truths.push(sim.utilities!.truth());
  await waitFor(`the edge to read every utility meter at ${new Date(t).toISOString()}`, () =>
    energy.meters().filter((m) => (UTILITY_METERS as readonly string[]).includes(m.id)).every((m) => m.ts === t), 10_000, 10);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-energy-'));
  const base = testPlant();
  sim = await startSimulator({
    plant: base, wallClock: () => elapsed, modbusPort: 0, opcuaPort: 0, seed: 3, startTime: START, publishIntervalMs: 20,
    pkiDir: join(dir, 'pki'), log: (m) => logs.push(`[sim] ${m}`),
  });
  // The gas counter is 0.05 m³ short of its wrap before the edge first reads it: it rolls over in the run.
  sim.inject({ kind: 'meter-rollover', meter: 'gas-washer', unitsBeforeWrap: 0.05 });
  const dbFile = join(dir, 'twinline.db');
  edge = await startEdge({
    plant: retarget(base, sim), port: 0, host: '127.0.0.1', dbFile, dataDir: dir, uiDir: join(dir, 'no-ui'),
    now: () => sim.clock.now(), log: (level, m) => logs.push(`[edge] ${level} ${m}`),
    auth: { mode: 'demo', secret: 'test-secret-of-at-least-thirty-two-characters' },
  });
  energy = runningEnergy.get(dbFile)!;
  energy.onDemandAlarm((e) => alarms.push(e));
  // A twin's socket on the line feed (demo mode logs it in as operator) hears the energy messages.
  socket = connect(edge.url);
  socket.on('energy', (m) => liveMessages.push(m));
  await connected(socket);
  const joined = await new Promise<{ ok: boolean }>((resolve) => socket!.emit('join', { room: 'line', id: base.line.id } as never, resolve as never));
  expect(joined.ok).toBe(true);
  truths.push(sim.utilities!.truth());
  await waitFor('the edge to read every utility meter', () => energy.meters().filter((m) => m.ts === START).length === UTILITY_METERS.length, 15_000);
  for (let i = 0; i < STEPS; i++) {
    if (i === 12) sim.inject({ kind: 'meter-reset', meter: 'feeder-compressor' });
    if (i === 20) sim.inject({ kind: 'meter-reset', meter: 'water-main' });
    if (i === 24) stuck = sim.inject({ kind: 'meter-stuck', meter: 'feeder-line' }).id;
    if (i === 32) {
      stuckSeen = energy.meters().find((m) => m.id === 'feeder-line')!.suspectStuck;
      sim.clearFault(stuck);
    }
    await step();
  }
}, 120_000);

afterAll(async () => {
  socket?.close();
  await edge?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const end = () => START + STEPS * STEP_MS;
const truthUse = (id: UtilityMeterId) => truths[truths.length - 1]!.meters[id].consumption - truths[0]!.meters[id].consumption;

describe('energy accuracy against the simulator ground truth', () => {
  it('measures every meter within 0.5 %, through a rollover, two resets and a stuck meter', () => {
    // The line feeder stood still for 8 minutes while counting: suspected, then caught up in full.
    expect(stuckSeen).toBe(true);
    expect(energy.meters().find((m) => m.id === 'feeder-line')!.suspectStuck).toBe(false);
    const report = energy.report(START, end());
    const rows = UTILITY_METERS.map((id) => {
      const edgeUse = report.meters.find((m) => m.id === id)!.consumption;
      return { id, edge: edgeUse, truth: truthUse(id), errorPct: ((edgeUse - truthUse(id)) / truthUse(id)) * 100 };
    });
    console.table(rows);
    for (const r of rows) expect(Math.abs(r.errorPct), `${r.id}: edge ${r.edge}, truth ${r.truth}`).toBeLessThan(0.5);
    const events = Object.fromEntries(report.meters.map((m) => [m.id, m.counterEvents.map((e) => e.kind)]));
    expect(events['gas-washer']).toEqual(['rollover']);
    expect(events['feeder-compressor']).toEqual(['reset']);
    // A fall from the lower half of the register's range is a reset even with a rollover value (rule 3a).
    expect(events['water-main']).toEqual(['reset']);
  });

  it('gives kgce and cost exactly for the same consumption', () => {
    const report = energy.report(START, end());
    for (const m of report.meters) {
      expect(m.kgce).toBeCloseTo(m.consumption * m.kgcePerUnit, 9);
      expect(m.kgCO2e).toBeCloseTo(m.consumption * m.kgCO2ePerUnit, 9);
    }
    expect(report.meters.find((m) => m.id === 'main')!.kgcePerUnit).toBe(0.1229);
    // Truth booked by hand into tariff periods: each step is one minute, all before or after 08:00.
    const boundary = Date.parse('2026-11-02T08:00:00+08:00');
    const truthBy = { valley: 0, peak: 0 };
    for (let i = 1; i < truths.length; i++) {
      const units = truths[i]!.meters.main.consumption - truths[i - 1]!.meters.main.consumption;
      truthBy[truths[i]!.at <= boundary ? 'valley' : 'peak'] += units;
    }
    const cost = report.cost!;
    expect(cost.byPeriod.valley!.cost).toBeCloseTo(cost.byPeriod.valley!.units * PRICES.valley, 9);
    expect(cost.byPeriod.peak!.cost).toBeCloseTo(cost.byPeriod.peak!.units * PRICES.peak, 9);
    expect(Math.abs(cost.byPeriod.valley!.units / truthBy.valley - 1)).toBeLessThan(0.005);
    expect(Math.abs(cost.byPeriod.peak!.units / truthBy.peak - 1)).toBeLessThan(0.005);
    const truthCost = truthBy.valley * PRICES.valley + truthBy.peak * PRICES.peak;
    expect(Math.abs(cost.total / truthCost - 1)).toBeLessThan(0.005);
  });

  it("finds the unmetered share within 1 pp of the simulator's unmetered loads and losses", () => {
    const report = energy.report(START, end());
    const first = truths[0]!.electricity;
    const last = truths[truths.length - 1]!.electricity;
    const truthPct = ((last.unmeteredLoadsKWh - first.unmeteredLoadsKWh + last.lossesKWh - first.lossesKWh) / truthUse('main')) * 100;
    console.log(`unmetered share: edge ${report.balance.main!.unmeteredPct!.toFixed(3)} %, truth ${truthPct.toFixed(3)} %`);
    expect(Math.abs(report.balance.main!.unmeteredPct! - truthPct)).toBeLessThan(1);
  });

  it('raises the demand alarm before the block that breaks the contract ends', () => {
    const blocks = energy.blocks('main', START, end()).filter((b) => b.coveredMs >= 900_000);
    const broken = blocks.filter((b) => b.units * 4 > CONTRACT_KW);
    expect(broken.length, 'a block over the contract in the run').toBeGreaterThan(0);
    for (const b of broken) {
      const alarm = alarms.find((a) => a.kind === 'raised' && a.blockStart === b.blockStart);
      expect(alarm, `an alarm in the block from ${new Date(b.blockStart).toISOString()}`).toBeDefined();
      expect(alarm!.ts).toBeLessThan(b.blockStart + 900_000);
    }
    // …and it went out on the live protocol at once, with the meters and the running block.
    const raised = liveMessages.filter((m) => m.alarm?.kind === 'raised');
    expect(raised.length).toBe(alarms.filter((a) => a.kind === 'raised').length);
    for (const m of raised) expect(EnergyLiveSchema.safeParse(m).success).toBe(true);
    expect(raised[0]!.meters.map((m) => m.id)).toEqual(energy.meters().map((m) => m.id));
    expect(raised[0]!.demand.alarm).toBe(true);
  });

  it('publishes its meters for the plant host (Energy/Meters): the last stored totals, factors, tariff and contract', () => {
    const u = energy.uplink();
    expect(EnergyUplinkSchema.safeParse(u).success).toBe(true);
    // Stored every second here, so the last stored total is the last reading.
    for (const m of u.meters) {
      const live = energy.meters().find((x) => x.id === m.id)!;
      expect({ id: m.id, ts: m.ts, total: m.total }).toEqual({ id: live.id, ts: end(), total: live.total });
    }
    expect(u.meters.find((m) => m.id === 'gas-washer')).toMatchObject({ rollover: 100_000, kgcePerUnit: 1.2143 });
    expect(u.tariff?.meter).toBe('main');
    expect(u.contractDemandKW).toBe(CONTRACT_KW);
  });

  it('the demand alarm is an ISA-18.2 alarm of the edge: journaled in every broken block, listed, acknowledged over REST', async () => {
    const journal = edge.alarms.history({ from: START, to: end() + 1 }).filter((o) => o.key === 'demand@energy');
    const broken = energy.blocks('main', START, end()).filter((b) => b.coveredMs >= 900_000 && b.units * 4 > CONTRACT_KW);
    for (const b of broken) {
      const occ = journal.find((o) => o.activeTs >= b.blockStart && o.activeTs < b.blockStart + 900_000);
      expect(occ, `a demand@energy occurrence in the block from ${new Date(b.blockStart).toISOString()}`).toBeDefined();
      expect(occ!).toMatchObject({ kind: 'derived', machineId: 'energy', priority: 'high' });
      expect(occ!.message).toMatch(/heading for [\d.]+ kW against the contracted 15 kW/);
    }
    const operator = await login(edge.url, 'operator', 'operator-demo');
    const list = await call(edge.url, '/api/alarms?all=1', { token: operator });
    const view = list.body.alarms.find((a: { key: string }) => a.key === 'demand@energy');
    // Nobody acknowledged during the run: the last occurrence still stands, unacknowledged.
    expect(view).toMatchObject({ kind: 'derived', machineId: 'energy', acked: false });
    const ack = await call(edge.url, `/api/alarms/${encodeURIComponent('demand@energy')}/ack`, { method: 'POST', token: operator, body: {} });
    expect(ack.status).toBe(200);
    expect(ack.body.acked).toBe(true);
  });

  it('serves the report over REST to managers only, as JSON and CSV, and refuses a bad window naming the parameter', async () => {
    const q = `from=${START}&to=${end()}`;
    const operator = await login(edge.url, 'operator', 'operator-demo');
    expect((await call(edge.url, `/api/energy/report?${q}`, { token: operator })).status).toBe(403);
    expect((await call(edge.url, '/api/energy/demand', { token: operator })).status).toBe(200);
    const manager = await login(edge.url, 'manager', 'manager-demo');
    const json = await call(edge.url, `/api/energy/report?${q}&medium=electricity`, { token: manager });
    expect(json.status).toBe(200);
    expect(json.body.meters.map((m: { id: string }) => m.id)).toEqual(['main', 'feeder-line', 'feeder-compressor']);
    expect(json.body.meters[0].consumption).toBeCloseTo(energy.report(START, end()).meters[0]!.consumption, 9);
    const csv = await call(edge.url, `/api/energy/report?${q}&format=csv`, { token: manager });
    expect(csv.status).toBe(200);
    expect(String(csv.body).split('\n')[0]).toBe('meter,parent,medium,unit,area,consumption,kgce,kgCO2e,from,to');
    const blocks = await call(edge.url, `/api/energy/meters/main/blocks?${q}`, { token: manager });
    expect(blocks.body.blocks.some((b: { complete: boolean }) => b.complete)).toBe(true);
    // With the period's output, the plant file's baseline: kgce = 5 + 0.05 × good (three points on a line).
    const withGood = await call(edge.url, `/api/energy/report?${q}&good=120`, { token: manager });
    const b = withGood.body.baseline;
    expect(b.intercept).toBeCloseTo(5, 9);
    expect(b.slope).toBeCloseTo(0.05, 12);
    expect(b.expectedKgce).toBeCloseTo(11, 9);
    expect(b.savingsKgce).toBeCloseTo(11 - withGood.body.totalKgce, 9);
    expect(b.senpi).toBeCloseTo(withGood.body.totalKgce / 11, 9);
    expect(withGood.body.enpi.kgcePerGood).toBeCloseTo(withGood.body.totalKgce / 120, 12);
    // A filtered report is not the site the baseline models.
    expect((await call(edge.url, `/api/energy/report?${q}&good=120&medium=electricity`, { token: manager })).body.baseline).toBeNull();
    const bad = await call(edge.url, `/api/energy/report?from=${end()}&to=${START}`, { token: manager });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/"from".*must be before "to"/);
  });
});
