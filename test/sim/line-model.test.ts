// The line model without sockets: a pure step function of a simulated clock and a seed.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { createLineModel, type LineModel } from '../../plc-sim/line-model.js';
import { parseScenario, resolveScenario, type ScenarioInput } from '../../plc-sim/scenario.js';
import { TagImage } from '../../plc-sim/tag-image.js';

// The line alone: the demo's heat-treatment furnace stands beside it, outside the part flow (test/sim/furnace.test.ts).
const demo = loadPlantFile('config/demo-plant.yaml');
const plant: PlantConfig = { ...demo, machines: demo.machines.filter((m) => m.type !== 'furnace'), emissions: undefined };
const MIN = 60_000;
const HOUR = 60 * MIN;
/** 06:00 in Shanghai, a Monday: the Early shift starts; its break is 10:00–10:20. */
const SHIFT_START = Date.parse('2025-03-03T06:00:00+08:00');

function model(scenario: ScenarioInput = {}, seed = 1, startTime = SHIFT_START, p: PlantConfig = plant): LineModel {
  return createLineModel({ plant: p, scenario: resolveScenario(p, parseScenario(scenario, 'test')), seed, startTime });
}

describe('line model', () => {
  it('tells the same story for the same seed, whatever the step sizes', () => {
    const a = model({}, 42);
    a.advanceTo(SHIFT_START + 2 * HOUR);
    const b = model({}, 42);
    // Uneven steps: the model runs whole ticks and keeps the remainder for the next call.
    let t = SHIFT_START;
    let k = 0;
    while (t < SHIFT_START + 2 * HOUR) {
      t = Math.min(SHIFT_START + 2 * HOUR, t + 37 + ((k++ * 7919) % 5003));
      b.advanceTo(t);
    }
    const ta = a.truth.report(SHIFT_START, SHIFT_START + 2 * HOUR, a.now(), { seed: 42, scenario: 'x' });
    const tb = b.truth.report(SHIFT_START, SHIFT_START + 2 * HOUR, b.now(), { seed: 42, scenario: 'x' });
    expect(tb).toEqual(ta);
    expect(ta.machines[0]!.counts.total).toBeGreaterThan(100);
    const c = model({}, 43);
    c.advanceTo(SHIFT_START + 2 * HOUR);
    expect(c.truth.report(SHIFT_START, SHIFT_START + 2 * HOUR, c.now(), { seed: 43, scenario: 'x' }).machines).not.toEqual(ta.machines);
  });

  it('accounts for every millisecond and every part', () => {
    const m = model({}, 3);
    m.advanceTo(SHIFT_START + 8 * HOUR);
    const truth = m.truth.report(SHIFT_START, SHIFT_START + 8 * HOUR, m.now(), { seed: 3, scenario: 'x' });
    for (const machine of truth.machines) {
      const total = Object.values(machine.timeByState).reduce((s, v) => s + v, 0);
      expect(total, machine.machineId).toBe(8 * HOUR);
      // Intervals tile the window: each starts where the previous ended.
      machine.intervals.forEach((iv, i) => { if (i > 0) expect(iv.start).toBe(machine.intervals[i - 1]!.end); });
      expect(machine.counts.good + machine.counts.scrap).toBe(machine.counts.total);
      const snap = m.machine(machine.machineId);
      expect(snap.totalCount).toBe(machine.counts.total);
      expect(machine.energyKWh.total).toBeCloseTo(snap.energyKWh, 6);
    }
    // Parts flow: a machine cannot make more than its upstream neighbour passed on (plus the initial buffer fill).
    const byId = Object.fromEntries(truth.machines.map((x) => [x.machineId, x]));
    expect(byId.mill!.counts.total).toBeLessThanOrEqual(byId.loader!.counts.good + 3);
    expect(byId.packer!.counts.total).toBeLessThanOrEqual(byId.inspection!.counts.good + 3);
  });

  it('stops every machine for the calendar break, with the break as the reason', () => {
    const m = model({}, 5);
    m.advanceTo(Date.parse('2025-03-03T10:05:00+08:00'));
    for (const s of m.snapshot()) expect([s.state, s.stateCode]).toEqual(s.state === 'down' ? ['down', 3] : ['planned-stop', 5]);
    m.advanceTo(Date.parse('2025-03-03T10:30:00+08:00'));
    const truth = m.truth.report(SHIFT_START, m.now(), m.now(), { seed: 5, scenario: 'x' });
    for (const machine of truth.machines) {
      const brk = machine.intervals.filter((i) => i.reason === 'break');
      expect(brk.length, machine.machineId).toBeGreaterThan(0);
      expect(brk[0]!.start).toBeGreaterThanOrEqual(Date.parse('2025-03-03T10:00:00+08:00'));
      expect(brk.at(-1)!.end).toBeLessThanOrEqual(Date.parse('2025-03-03T10:20:00+08:00'));
      expect(machine.timeByReason.break).toBeGreaterThan(15 * MIN);
    }
  });

  it('propagates starvation downstream after the first machine breaks down', () => {
    const quiet = { microStop: null, breakdowns: [], wear: null, scrapRate: 0 };
    const m = model({ machines: Object.fromEntries(plant.machines.map((x) => [x.id, quiet])) }, 9);
    m.advanceTo(SHIFT_START + 20 * MIN);
    const broke = m.now();
    m.injectBreakdown('loader', 202, 60 * MIN);
    m.advanceTo(broke + 45 * MIN);
    const truth = m.truth.report(broke, m.now(), m.now(), { seed: 9, scenario: 'x' });
    // Fast machines starve briefly between parts all the time; the breakdown's starvation lasts.
    const firstStarved = plant.machines.slice(1).map((x) => truth.machines.find((t) => t.machineId === x.id)!.intervals
      .find((i) => i.reason === 'starved' && i.end - i.start > 5 * MIN)?.start);
    expect(firstStarved.every((t) => t !== undefined)).toBe(true);
    for (let i = 1; i < firstStarved.length; i++) expect(firstStarved[i]!).toBeGreaterThan(firstStarved[i - 1]!);
    // By then the whole line stands: everyone downstream is starved.
    for (const s of m.snapshot().slice(1)) expect(s.reason).toBe('starved');
    expect(m.machine('loader')).toMatchObject({ state: 'down', faultCode: 202, stateCode: 3 });
  });

  it('blocks upstream machines when a downstream machine breaks down', () => {
    const quiet = { microStop: null, breakdowns: [], wear: null, scrapRate: 0 };
    const m = model({ machines: Object.fromEntries(plant.machines.map((x) => [x.id, quiet])) }, 9);
    m.advanceTo(SHIFT_START + 10 * MIN);
    m.injectBreakdown('packer', 701, 60 * MIN);
    m.advanceTo(SHIFT_START + 50 * MIN);
    for (const s of m.snapshot().slice(0, -1)) expect(s.reason, s.id).toBe('blocked');
  });

  it('changes over between products in line order, with the new ideal cycle time', () => {
    const m = model({
      line: { products: [{ id: 'A', cycleTimeFactor: 1 }, { id: 'B', cycleTimeFactor: 1.5 }], orderSize: 30 },
      machines: Object.fromEntries(plant.machines.map((x) => [x.id, { microStop: null, breakdowns: [], wear: null, changeoverMinutes: 5 }])),
    }, 11);
    m.advanceTo(SHIFT_START + 2 * HOUR);
    const truth = m.truth.report(SHIFT_START, m.now(), m.now(), { seed: 11, scenario: 'x' });
    const firsts = truth.machines.map((x) => x.changeovers[0]);
    for (const c of firsts) expect(c).toMatchObject({ from: 'A', to: 'B' });
    for (let i = 1; i < firsts.length; i++) expect(firsts[i]!.start).toBeGreaterThanOrEqual(firsts[i - 1]!.start);
    for (const c of firsts) expect(c!.end - c!.start).toBe(5 * MIN);
    const mill = truth.machines.find((x) => x.machineId === 'mill')!;
    expect(mill.intervals.some((i) => i.state === 'setup' && i.reason === 'changeover')).toBe(true);
    const setupParts = mill.counts.total;
    expect(setupParts).toBeGreaterThan(0);
    // Ideal production time counts product B at 1.5 × 10 s.
    expect(mill.idealProductionMs % 5000).toBe(0);
    expect(mill.idealProductionMs).toBeGreaterThan(mill.counts.total * 10_000);
  });

  it('wraps uint32 counters and the ×0.01 kWh uint32 meter like the PLC registers', () => {
    const m = model({ machines: { loader: { initialTotalCount: 2 ** 32 - 3, initialGoodCount: 2 ** 32 - 3, initialEnergyKWh: 42_949_672.95 - 0.05 } } }, 2);
    const scenario = resolveScenario(plant, parseScenario({ machines: { loader: { initialTotalCount: 2 ** 32 - 3 } } }, 'test'));
    const image = new TagImage(plant, scenario.machines, m.now());
    image.update(m);
    expect(image.get('loader.totalCount').value).toBe(2 ** 32 - 3);
    m.advanceTo(SHIFT_START + 10 * MIN);
    image.update(m);
    const total = image.get('loader.totalCount').value as number;
    expect(total).toBeLessThan(200); // wrapped through 0
    expect(total).toBe((2 ** 32 - 3 + m.machine('loader').totalCount - (2 ** 32 - 3)) % 2 ** 32);
    const energy = image.get('loader.energy').value as number;
    expect(energy).toBeLessThan(1); // 42 949 672.95 kWh is the register's last value
    expect(m.machine('loader').energyKWh).toBeGreaterThan(42_949_672.95);
  });

  it('wraps uint16 counters and a float meter with energyWrapKWh', () => {
    const p16: PlantConfig = {
      ...plant,
      machines: plant.machines.map((x) => x.id !== 'mill' ? x : { ...x, tags: x.tags.map((t) => t.role === 'totalCount' ? { ...t, type: 'uint16' as const } : t) }),
    };
    const input = { machines: { mill: { initialTotalCount: 65_530, energyWrapKWh: 100_000, initialEnergyKWh: 99_999.9 } } };
    const m = model(input, 2, SHIFT_START, p16);
    const image = new TagImage(p16, resolveScenario(p16, parseScenario(input, 'test')).machines, m.now());
    m.advanceTo(SHIFT_START + 5 * MIN);
    image.update(m);
    expect(image.get('mill.totalCount').value).toBe((65_530 + m.machine('mill').totalCount - 65_530) % 65_536);
    expect(image.get('mill.totalCount').value as number).toBeLessThan(100);
    expect(image.get('mill.energy').value as number).toBeLessThan(5);
  });

  it('zeroes counters at shift change when the operator resets them, and records it', () => {
    const m = model({ machines: { packer: { counterResetAtShiftChange: true } } }, 4, Date.parse('2025-03-03T13:00:00+08:00'));
    m.advanceTo(Date.parse('2025-03-03T13:59:00+08:00'));
    expect(m.machine('packer').totalCount).toBeGreaterThan(50);
    m.advanceTo(Date.parse('2025-03-03T14:00:30+08:00'));
    expect(m.machine('packer').totalCount).toBeLessThan(10);
    expect(m.machine('mill').totalCount).toBeGreaterThan(50); // no reset configured there
    const truth = m.truth.report(Date.parse('2025-03-03T13:00:00+08:00'), m.now(), m.now(), { seed: 4, scenario: 'x' });
    expect(truth.machines.find((x) => x.machineId === 'packer')!.counterResets).toEqual([
      { machineId: 'packer', ts: Date.parse('2025-03-03T14:00:00+08:00'), reason: 'shift Late started' },
    ]);
  });

  it('lets vibration and temperature drift up before a wear breakdown', () => {
    const m = model({ machines: { mill: { breakdowns: [], microStop: null, wear: { code: 903, description: 'spindle bearing worn', lifeHours: 2, driftStartsAt: 0.5, mttrMinutes: 20 } } } }, 6, SHIFT_START);
    const samples: { t: number; vibration: number; temperature: number; state: string; fault: number }[] = [];
    for (let t = SHIFT_START; t < SHIFT_START + 6 * HOUR; t += MIN) {
      m.advanceTo(t);
      const s = m.machine('mill');
      samples.push({ t, vibration: s.signals.vibration!, temperature: s.signals.spindleTemperature!, state: s.state, fault: s.faultCode });
    }
    const failAt = samples.findIndex((s) => s.fault === 903);
    expect(failAt).toBeGreaterThan(30);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const running = samples.filter((s) => s.state === 'running');
    const before = running.filter((s) => s.t < samples[failAt]!.t && s.t > samples[failAt]!.t - 15 * MIN);
    const afterRepair = running.filter((s) => s.t > samples[failAt]!.t + 40 * MIN && s.t < samples[failAt]!.t + 70 * MIN);
    expect(before.length).toBeGreaterThan(3);
    expect(afterRepair.length).toBeGreaterThan(3);
    expect(mean(before.map((s) => s.vibration))).toBeGreaterThan(mean(afterRepair.map((s) => s.vibration)) + 1.5);
    expect(mean(before.map((s) => s.temperature))).toBeGreaterThan(mean(afterRepair.map((s) => s.temperature)) + 5);
  });

  it('honours speed override in cycle time and rejects impossible values', () => {
    const quiet = { microStop: null, breakdowns: [], wear: null };
    const slow = model({ machines: { mill: { ...quiet, speedOverride: 50 } } }, 8);
    const fast = model({ machines: { mill: { ...quiet, speedOverride: 120 } } }, 8);
    slow.advanceTo(SHIFT_START + HOUR);
    fast.advanceTo(SHIFT_START + HOUR);
    expect(fast.machine('mill').totalCount).toBeGreaterThan(slow.machine('mill').totalCount * 1.8);
    expect(() => fast.command('mill', { kind: 'speedOverride', value: 500 })).toThrow(RangeError);
  });
});
