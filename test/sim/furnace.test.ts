// The heat-treatment furnace's emissions in the pure line model (no sockets): analyser behaviour
// (daily calibration, faults, exceedances) and the ground truth the edge is checked against.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createLineModel } from '../../plc-sim/line-model.js';
import { resolveScenario } from '../../plc-sim/scenario.js';
import { attachFurnace, ANALYSER_STATUS } from '../../plc-sim/furnace.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const H = 3_600_000;
const M = 60_000;

function run(startIso: string) {
  const startTime = Date.parse(startIso);
  const model = createLineModel({ plant, scenario: resolveScenario(plant), seed: 7, startTime });
  const furnace = attachFurnace(model, { plant, seed: 7, startTime })!;
  return { model, furnace, startTime };
}

describe('furnace emissions', () => {
  it('calibrates the CEMS at 03:00 and the water analysers at 04:00 local: flags C, and the water hour is invalid', () => {
    const { model, furnace } = run('2026-11-03T02:00:00+08:00');
    const t3 = Date.parse('2026-11-03T03:00:00+08:00');
    const t4 = Date.parse('2026-11-03T04:00:00+08:00');
    model.advanceTo(t3 + 4 * M);
    expect(furnace.signals().cemsStatus).toBe(ANALYSER_STATUS.calibration);
    model.advanceTo(t4 + H + M);
    const nox = furnace.truth.minutes('stack', 'a21002', t3, t3 + H);
    expect(nox.filter((m) => m.flag === 'C')).toHaveLength(8);
    expect(nox.filter((m) => m.flag === 'N')).toHaveLength(52);
    // 52 valid minutes ≥ 45: the CEMS hour stands; 30 of 60 for COD: it does not (HJ 75-2017).
    expect(furnace.truth.hour('stack', 'a21002', t3)).toMatchObject({ valid: true, flag: 'N', validParts: 52 });
    const cod = furnace.truth.hour('effluent', 'w01018', t4);
    expect(cod).toMatchObject({ valid: false, flag: 'C', avg: null, validParts: 30 });
  });

  it('converted NOx follows the measured value and O2 by C × (21 − 9) / (21 − O2)', () => {
    const { model, furnace, startTime } = run('2026-11-03T09:00:00+08:00');
    model.advanceTo(startTime + 20 * M);
    const nox = furnace.truth.minutes('stack', 'a21002', startTime + 5 * M);
    const o2 = furnace.truth.minutes('stack', 'a19001', startTime + 5 * M);
    for (const [i, m] of nox.entries()) {
      expect(m.zsAvg!).toBeCloseTo((m.avg! * 12) / (21 - o2[i]!.avg!), -0.5);
      expect(m.cou).toBeGreaterThan(0);
    }
  });

  it('fires harder when the line runs: NOx at full line load above its planned-stop level', () => {
    const { model, furnace } = run('2026-11-03T09:00:00+08:00');
    model.advanceTo(Date.parse('2026-11-03T09:40:00+08:00'));
    const busy = furnace.load();
    expect(busy).toBeGreaterThan(0.5);
    const night = run('2026-11-03T21:50:00+08:00');
    night.model.advanceTo(Date.parse('2026-11-03T22:40:00+08:00'));
    // 22:00 is a shift change, not a stop, in the demo calendar: the load stays; a breakdown of the furnace drops it.
    night.model.injectBreakdown('furnace', 801, 60 * M);
    night.model.advanceTo(Date.parse('2026-11-03T23:30:00+08:00'));
    expect(night.furnace.load()).toBeLessThan(0.3);
  });

  it('an injected exceedance and an analyser fault show in the truth', () => {
    const { model, furnace, startTime } = run('2026-11-03T09:00:00+08:00');
    model.advanceTo(startTime + 10 * M);
    furnace.inject({ kind: 'exceedance', outlet: 'stack', code: 'a21002', factor: 3, minutes: 20 });
    model.advanceTo(startTime + 30 * M);
    const during = furnace.truth.minutes('stack', 'a21002', startTime + 25 * M, startTime + 30 * M);
    expect(Math.min(...during.map((m) => m.zsAvg!))).toBeGreaterThan(300);
    furnace.inject({ kind: 'analyser-fault', outlet: 'effluent', minutes: 10 });
    model.advanceTo(startTime + 45 * M);
    expect(furnace.truth.minutes('effluent', 'w01018', startTime + 31 * M, startTime + 40 * M).every((m) => m.flag === 'D' && m.avg === null)).toBe(true);
    expect(furnace.signals().waterStatus).toBe(ANALYSER_STATUS.normal);
  });
});
