import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PlantSchema } from './plant-schema.js';
import { meterFactors } from './energy-schema.js';

const demo = parse(readFileSync(new URL('../config/demo-plant.yaml', import.meta.url), 'utf8'));

function issues(mutate: (metering: any) => void): string[] {
  const doc = structuredClone(demo);
  mutate(doc.metering);
  const r = PlantSchema.safeParse(doc);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('plant file metering section', () => {
  it('accepts the demo plant and fills factor defaults by medium', () => {
    const plant = PlantSchema.parse(demo);
    const m = plant.metering!;
    expect(m.meters.find((x) => x.id === 'feeder-line')!.parent).toBe('main');
    expect(meterFactors(m.meters.find((x) => x.id === 'main')!)).toEqual({ kgcePerUnit: 0.1229, kgCO2ePerUnit: 0.5366 });
    expect(meterFactors(m.meters.find((x) => x.id === 'gas-washer')!)).toEqual({ kgcePerUnit: 1.2143, kgCO2ePerUnit: 2.165 });
    expect(meterFactors(m.meters.find((x) => x.id === 'air-main')!)).toEqual({ kgcePerUnit: 0, kgCO2ePerUnit: 0 });
    expect(m.storeIntervalSeconds).toBe(60);
  });

  it.each([
    ['unknown parent', (x: any) => { x.meters[1].parent = 'nowhere'; }, /metering\.meters\.1\.parent: parent "nowhere" is not a meter/],
    ['cycle', (x: any) => { x.meters[0].parent = 'feeder-line'; }, /metering\.meters\.\d\.parent: meters form a cycle/],
    ['unknown machine tag', (x: any) => { x.meters[3].total = { tag: 'loader.kwh' }; }, /metering\.meters\.3\.total\.tag: no machine tag "loader\.kwh"/],
    ['unknown meter device', (x: any) => { x.meters[0].total.device = 'pm-x'; }, /metering\.meters\.0\.total\.device: no meter device "pm-x"/],
    ['no source', (x: any) => { delete x.meters[0].total; }, /metering\.meters\.0\.total: give the meter a total .* or a rate/],
    ['medium without default', (x: any) => { x.meters[0].medium = 'diesel'; }, /metering\.meters\.0\.kgcePerUnit: required: there is no default for medium "diesel"/],
    ['tariff meter', (x: any) => { x.tariff.meter = 'gas'; }, /metering\.tariff\.meter: "gas" is not one of the meters/],
    ['baseline without varying output', (x: any) => { x.baseline = { points: [{ production: 5, energyKgce: 1 }, { production: 5, energyKgce: 2 }, { production: 5, energyKgce: 3 }] }; }, /metering\.baseline\.points: baseline variable 1 does not vary/],
    ['overlapping tariff', (x: any) => { x.tariff.periods[1].to = '12:00'; }, /metering\.tariff\.periods: periods\[1\] "peak" and periods\[2\] "flat" overlap on mon at 11:00/],
  ])('names the field: %s', (_name, mutate, message) => {
    expect(issues(mutate).join('\n')).toMatch(message);
  });
});
