// The simulated utilities area: its physics against its own ground truth, and its meters
// over a real Modbus TCP socket, with stuck, reset and rollover faults injected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { FaultRegistry } from '../../plc-sim/fault-injection.js';
import type { MachineSnapshot } from '../../plc-sim/line-model.js';
import { createUtilitiesModel, startUtilities, UTILITY_MODEL, type RunningUtilities } from '../../plc-sim/utilities.js';
import { connectModbus } from './sim-clients.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const t0 = Date.parse('2026-11-02T09:00:00+08:00');
const H = 3_600_000;

/** Machines of the demo plant all in one state, with meters that advanced by `kWh` each. */
function machines(state: MachineSnapshot['state'], kWhEach: number): MachineSnapshot[] {
  return plant.machines.map((m) => ({ id: m.id, state, energyKWh: kWhEach }) as MachineSnapshot);
}

describe('utilities model', () => {
  it('puts the feeders a few percent below the incomer and balances exactly against truth', () => {
    const u = createUtilitiesModel(plant, t0);
    u.advanceTo(t0, machines('running', 0));
    u.advanceTo(t0 + H, machines('running', 6)); // every machine 6 kWh in the hour
    const t = u.truth();
    const main = t.meters.main.consumption;
    const feeders = t.meters['feeder-line'].consumption + t.meters['feeder-compressor'].consumption;
    expect(t.meters['feeder-line'].consumption).toBeCloseTo(6 * plant.machines.length + UTILITY_MODEL.lineAuxKW, 9);
    expect(main).toBeCloseTo(feeders + t.electricity.unmeteredLoadsKWh + t.electricity.lossesKWh, 9);
    const share = (main - feeders) / main;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.08);
    expect(t.meters['gas-washer'].consumption).toBeCloseTo(UTILITY_MODEL.gasRunningM3h, 9);
  });

  it('runs the compressor at night for the leaks alone', () => {
    const u = createUtilitiesModel(plant, Date.parse('2026-11-02T01:00:00+08:00'));
    u.advanceTo(Date.parse('2026-11-02T01:00:00+08:00'), machines('planned-stop', 0));
    u.advanceTo(Date.parse('2026-11-02T02:00:00+08:00'), machines('planned-stop', 1));
    const t = u.truth();
    const M = UTILITY_MODEL;
    expect(t.meters['air-main'].consumption).toBeCloseTo(M.leaksM3PerMin * 60, 9);
    expect(t.meters['feeder-compressor'].consumption).toBeCloseTo(M.compressorUnloadedKW + (M.compressorFullKW - M.compressorUnloadedKW) * (M.leaksM3PerMin / M.compressorCapacity), 9);
    expect(t.electricity.unmeteredLoadsKWh).toBeCloseTo(M.unmeteredNightKW, 9);
  });
});

describe('utilities gateway over Modbus TCP', () => {
  let u: RunningUtilities;
  const faults = new FaultRegistry();
  let at = t0;
  const step = (hours: number, kWh: number) => {
    at += hours * H;
    u.model.advanceTo(at, machines('running', kWh));
  };
  beforeAll(async () => {
    u = await startUtilities({ plant, startTime: t0, port: 0, faults, log: () => {}, initialTotals: { 'gas-washer': 99_999.5 } });
    u.model.advanceTo(t0, machines('running', 0));
  });
  afterAll(async () => {
    await u?.close();
  });

  async function read(unit: number, table: 'input' | 'holding', address: number, type: 'float32' | 'uint32'): Promise<number> {
    const client = await connectModbus(u.port);
    try {
      client.setID(unit);
      const r = table === 'input' ? await client.readInputRegisters(address, 2) : await client.readHoldingRegisters(address, 2);
      return type === 'float32' ? r.buffer.readFloatBE(0) : r.buffer.readUInt32BE(0);
    } finally {
      client.close(() => {});
    }
  }

  it('serves float32 totals and W like a DIN-rail meter, and a gas counter that rolls over', async () => {
    step(0.5, 10);
    const truth = u.truth();
    expect(await read(1, 'input', 0x0156, 'float32')).toBe(Math.fround(truth.meters.main.registerTotal));
    expect(await read(1, 'input', 0x0034, 'float32')).toBeCloseTo(truth.meters.main.ratePerHour * 1000, 0);
    // 99,999.5 m³ + 0.5 h × 4.2 m³/h = 100,001.6 → the counter shows 1.6 m³ in 0.01 m³ steps.
    expect(await read(4, 'holding', 0, 'uint32')).toBe(Math.round((99_999.5 + 0.5 * UTILITY_MODEL.gasRunningM3h - 100_000) * 100));
  });

  it('injects stuck, reset and rollover', async () => {
    const stuck = faults.add({ kind: 'meter-stuck', meter: 'feeder-line' }, at);
    const before = await read(2, 'input', 0x0156, 'float32');
    step(0.25, 5);
    expect(await read(2, 'input', 0x0156, 'float32')).toBe(before);
    faults.remove(stuck.id);
    expect(await read(2, 'input', 0x0156, 'float32')).toBeGreaterThan(before);

    faults.add({ kind: 'meter-reset', meter: 'main' }, at);
    step(0.1, 2);
    const afterReset = await read(1, 'input', 0x0156, 'float32');
    expect(afterReset).toBeGreaterThan(0);
    expect(afterReset).toBeLessThan(10);

    faults.add({ kind: 'meter-rollover', meter: 'water-main', unitsBeforeWrap: 0.01 }, at);
    expect(await read(5, 'holding', 0, 'uint32')).toBe(999_999_900); // tenths of a litre: 10 L before the wrap
    step(1, 2);
    expect(await read(5, 'holding', 0, 'uint32')).toBeLessThan(10_000);
  });
});
