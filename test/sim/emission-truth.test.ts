// The edge's minute and hour records (edge/emissions: sampling + HJ 75 periods) against the
// simulator's ground truth over a night with both daily calibrations, without sockets: the
// furnace's published readings are sampled every 5 s as the edge would read them.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createLineModel } from '../../plc-sim/line-model.js';
import { resolveScenario } from '../../plc-sim/scenario.js';
import { attachFurnace } from '../../plc-sim/furnace.js';
import { sampleOutlet } from '../../edge/emissions/outlet-sample.js';
import { createPeriodBuilder } from '../../edge/emissions/period-builder.js';
import type { EmissionRecord } from '../../edge/emissions/emission-store.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const H = 3_600_000;
const START = Date.parse('2026-11-03T02:00:00+08:00');
const END = Date.parse('2026-11-03T05:00:00+08:00');

describe('edge records against the simulator truth', () => {
  it('hour validity and flags match, averages within 1 %, through the 03:00 and 04:00 calibrations', () => {
    const model = createLineModel({ plant, scenario: resolveScenario(plant), seed: 11, startTime: START });
    const furnace = attachFurnace(model, { plant, seed: 11, startTime: START })!;
    const outlets = plant.emissions!.outlets;
    const builder = createPeriodBuilder(outlets, plant.site.timezone, START);
    const records: EmissionRecord[] = [];
    for (let t = START; t <= END; t += 5000) {
      model.advanceTo(t);
      records.push(...builder.closeUpTo(t));
      const signals = furnace.signals();
      for (const o of outlets) builder.add(sampleOutlet(o, (tag) => ({ value: signals[tag], quality: 'good', ts: t }), t));
    }
    const hours = records.filter((r) => r.period === 'hour');
    expect(new Set(hours.map((h) => h.start))).toEqual(new Set([START, START + H, START + 2 * H]));
    let compared = 0;
    for (const h of hours) {
      const truth = furnace.truth.hour(h.outlet, h.code, h.start);
      expect(`${h.outlet} ${h.code} ${new Date(h.start).toISOString()} ${h.flag}`).toBe(`${h.outlet} ${h.code} ${new Date(h.start).toISOString()} ${truth.flag}`);
      expect(h.avg === null, `${h.outlet} ${h.code} validity`).toBe(!truth.valid);
      if (h.avg !== null && truth.avg !== null && h.code !== 'a01013') {
        expect(Math.abs(h.avg - truth.avg) / Math.abs(truth.avg), `${h.outlet} ${h.code} ${h.avg} vs ${truth.avg}`).toBeLessThan(0.01);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    // The water analysers' 30-minute calibration at 04:00 leaves that hour invalid (C); the CEMS' 8 minutes do not.
    expect(hours.find((h) => h.outlet === 'effluent' && h.code === 'w01018' && h.start === START + 2 * H)).toMatchObject({ avg: null, flag: 'C' });
    expect(hours.find((h) => h.outlet === 'stack' && h.code === 'a21002' && h.start === START + H)).toMatchObject({ flag: 'N', validParts: 52 });
  });
});
