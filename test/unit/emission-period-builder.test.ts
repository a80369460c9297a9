// Minute → hour records in the edge (edge/emissions/period-builder.ts): lost minutes are recorded
// invalid (B), and after a restart the open hour continues from the stored minutes.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createPeriodBuilder } from '../../edge/emissions/period-builder.js';
import { sampleOutlet } from '../../edge/emissions/outlet-sample.js';
import type { EmissionRecord } from '../../edge/emissions/emission-store.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const outlets = plant.emissions!.outlets;
const T0 = Date.parse('2026-11-03T09:00:00+08:00');
const M = 60_000;
const values: Record<string, number> = { so2: 30, nox: 150, dust: 5, o2: 12, flueFlow: 9000, flueTemp: 180, fluePressure: -300, moisture: 8, cemsStatus: 0, cod: 80, nh3n: 4, tp: 0.5, ph: 7.4, effluentFlow: 4, waterStatus: 0 };

function feed(builder: ReturnType<typeof createPeriodBuilder>, from: number, to: number, skip: (t: number) => boolean = () => false): EmissionRecord[] {
  const out: EmissionRecord[] = [];
  for (let t = from; t <= to; t += 5000) {
    out.push(...builder.closeUpTo(t));
    if (skip(t)) continue;
    for (const o of outlets) builder.add(sampleOutlet(o, (tag) => ({ value: values[tag], quality: 'good', ts: t }), t));
  }
  return out;
}

describe('period builder', () => {
  it('a minute without samples is recorded invalid (B); 55 good minutes make a valid hour', () => {
    const b = createPeriodBuilder(outlets, plant.site.timezone, T0);
    const records = feed(b, T0, T0 + 60 * M, (t) => t >= T0 + 10 * M && t < T0 + 15 * M);
    const nox = records.filter((r) => r.code === 'a21002');
    expect(nox.filter((r) => r.period === 'minute' && r.flag === 'B')).toHaveLength(5);
    expect(nox.find((r) => r.period === 'hour')).toMatchObject({ start: T0, validParts: 55, flag: 'N', avg: 150 });
    // 150 mg/m³ at 12 % O2 converted to 9 %: 150 × 12 / 9 = 200.
    expect(nox.find((r) => r.period === 'hour')!.zsAvg).toBeCloseTo(200, 9);
  });

  it('after a restart at 09:30 the hour keeps the 30 minutes stored before it', () => {
    const before = createPeriodBuilder(outlets, plant.site.timezone, T0);
    const stored = feed(before, T0, T0 + 30 * M).filter((r) => r.period === 'minute');
    const after = createPeriodBuilder(outlets, plant.site.timezone, T0 + 30 * M);
    after.resume(stored);
    const hour = feed(after, T0 + 30 * M, T0 + 60 * M).find((r) => r.period === 'hour' && r.code === 'w01018');
    expect(hour).toMatchObject({ start: T0, validParts: 60, flag: 'N', avg: 80 });
  });
});
