import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnergyInputError, runEnergyReport } from './report-cli.js';

const example = 'docs/examples/energy-day.json';
const dir = mkdtempSync(join(tmpdir(), 'energy-cli-'));
function file(doc: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}
const base = { timezone: 'Asia/Shanghai', period: { start: '2026-11-02T00:00:00+08:00', end: '2026-11-03T00:00:00+08:00' } };

describe('npm run energy', () => {
  it('prints the listed fields as JSON and a table', () => {
    const out = JSON.parse(runEnergyReport([example]));
    for (const key of ['meters', 'totalKgce', 'totalTce', 'totalKgCO2e', 'cost', 'peakDemand', 'enpi', 'baseline', 'balance']) expect(out).toHaveProperty(key);
    expect(Object.keys(out.meters[0])).toEqual(expect.arrayContaining(['id', 'consumption', 'kgce', 'kgCO2e']));
    expect(Object.keys(out.cost.byPeriod.valley)).toEqual(['units', 'cost']);
    expect(Object.keys(out.baseline)).toEqual(expect.arrayContaining(['intercept', 'slope', 'r2', 'expectedKgce', 'savingsKgce', 'senpi']));
    expect(runEnergyReport([example, '--table'])).toMatch(/Peak 15-min demand of main: 600\.0 kW/);
  });

  it.each([
    { name: 'unknown parent', doc: { ...base, meters: [{ id: 'm', medium: 'electricity', unit: 'kWh', parent: 'x', readings: [] }] }, error: /meters\[0\]\.parent: parent "x" is not a meter/ },
    { name: 'no default factor', doc: { ...base, meters: [{ id: 'm', medium: 'oil', unit: 'kg', readings: [] }] }, error: /meters\[0\]\.kgcePerUnit: required: there is no default for medium "oil"/ },
    { name: 'tariff meter', doc: { ...base, meters: [{ id: 'm', medium: 'electricity', unit: 'kWh', readings: [] }], tariff: { meter: 'x', periods: [{ name: 'flat', from: '00:00', to: '24:00', price: 1 }] } }, error: /tariff\.meter: "x" is not one of the meters/ },
    { name: 'repeated reading time', doc: { ...base, meters: [{ id: 'm', medium: 'electricity', unit: 'kWh', readings: [{ ts: '2026-11-02T01:00:00+08:00', total: 1 }, { ts: '2026-11-01T17:00:00Z', total: 2 }] }] }, error: /meters\[0\]\.readings\[1\]\.ts: repeats the time of readings\[0\]/ },
    { name: 'instant without offset', doc: { ...base, period: { start: '2026-11-02T00:00:00', end: base.period.end }, meters: [] }, error: /period\.start: use ISO 8601 with an offset/ },
    { name: 'too few baseline points', doc: { ...base, meters: [{ id: 'm', medium: 'electricity', unit: 'kWh', readings: [] }], baseline: { points: [{ production: 1, energyKgce: 1 }] } }, error: /baseline\.points: a baseline with 1 variable\(s\) needs at least 3 points/ },
  ])('names the field on bad input: $name', ({ doc, error }) => {
    expect(() => runEnergyReport([file(doc)])).toThrow(EnergyInputError);
    expect(() => runEnergyReport([file(doc)])).toThrow(error);
  });

  it('refuses unknown options and a missing file with what to do', () => {
    expect(() => runEnergyReport([example, '--csv'])).toThrow(/unknown option --csv/);
    expect(() => runEnergyReport([join(dir, 'nope.json')])).toThrow(/cannot read .*ENOENT\. Check the path/);
  });
});
