// The plant file's emissions section: the demo's outlets load; mistakes name the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePlant } from '../../edge/config/load-plant.js';
import { ConfigError } from '../../edge/config/config-error.js';

const demo = () => parse(readFileSync('config/demo-plant.yaml', 'utf8'));

function messageOf(doc: unknown): string {
  try {
    parsePlant(doc, 'plant.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('emissions in the plant file', () => {
  it('the demo has a stack and a wastewater outlet on the furnace, with HJ 212 codes and a platform', () => {
    const plant = parsePlant(demo(), 'demo');
    const [stack, effluent] = plant.emissions!.outlets;
    expect(stack).toMatchObject({ kind: 'flue-gas', machine: 'furnace', referenceO2: 9 });
    expect(stack!.factors.map((f) => f.code)).toEqual(expect.arrayContaining(['a21026', 'a21002', 'a34013', 'a19001', 'a00000']));
    expect(effluent!.factors.map((f) => f.code)).toEqual(expect.arrayContaining(['w01018', 'w21003', 'w01001', 'w00000']));
    expect(plant.emissions!.platforms[0]).toMatchObject({ edition: '2017', crc: 'hj212', overTimeSeconds: 10, reCount: 3 });
  });

  it.each([
    ['an unknown tag', (d: any) => { d.emissions.outlets[0].factors[0].tag = 'sox'; }, /emissions.outlets\[0\].factors\[0\].tag: machine "furnace" has no tag "sox"/],
    ['a flue-gas outlet without reference O2', (d: any) => { delete d.emissions.outlets[0].referenceO2; }, /emissions.outlets\[0\].referenceO2: .*referenceO2/],
    ['a water code on a stack', (d: any) => { d.emissions.outlets[0].factors[0].code = 'w01018'; }, /factors\[0\].code: a flue-gas outlet has a… factor codes/],
    ['a bad factor code', (d: any) => { d.emissions.outlets[0].factors[0].code = 'SO2'; }, /factors\[0\].code: an HJ 212-2017 factor code/],
    ['a platform without a password source', (d: any) => { delete d.emissions.platforms[0].passwordEnv; }, /platforms\[0\].passwordEnv: give passwordEnv/],
    ['two outlets with one MN', (d: any) => { d.emissions.outlets[1].mn = d.emissions.outlets[0].mn; }, /outlets\[1\].mn: MN .* is used by two outlets/],
    ['a password in the file', (d: any) => { d.emissions.platforms[0].password = '123456'; }, /platforms\[0\]/],
  ])('%s is refused with the field named', (_name, mutate, expected) => {
    const d = demo();
    mutate(d);
    expect(messageOf(d)).toMatch(expected);
  });
});
