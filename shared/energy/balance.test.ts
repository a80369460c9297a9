import { describe, expect, it } from 'vitest';
import { meterBalance, meterTreeProblems } from './balance.js';
import { siteTotals } from './conversion.js';

describe('metering tree', () => {
  const tree = [
    { id: 'main', parent: null, consumption: 1000 },
    { id: 'feeder-1', parent: 'main', consumption: 600 },
    { id: 'feeder-2', parent: 'main', consumption: 370 },
    { id: 'mill', parent: 'feeder-1', consumption: 600 },
  ];

  it('gives each parent its children and unmetered share', () => {
    expect(meterBalance(tree)).toEqual({
      main: { consumption: 1000, childrenConsumption: 970, unmetered: 30, unmeteredPct: 3 },
      'feeder-1': { consumption: 600, childrenConsumption: 600, unmetered: 0, unmeteredPct: 0 },
    });
  });

  it('counts only root meters in site totals', () => {
    const converted = tree.map((m) => ({ ...m, medium: 'electricity', kgce: m.consumption * 0.1229, kgCO2e: m.consumption * 0.5 }));
    const t = siteTotals([...converted, { id: 'gas', parent: null, medium: 'natural-gas', consumption: 10, kgce: 12.143, kgCO2e: 21.65 }]);
    expect(t.totalKgce).toBeCloseTo(122.9 + 12.143, 9);
    expect(t.totalTce).toBeCloseTo(0.135043, 9);
    expect(t.byMedium.electricity!.consumption).toBe(1000);
  });

  it.each([
    { name: 'unknown parent', meters: [{ id: 'a', parent: 'nope' }], message: /meters\[0\]\.parent: parent "nope" is not a meter/ },
    { name: 'cycle', meters: [{ id: 'a', parent: 'b' }, { id: 'b', parent: 'a' }], message: /cycle a → b → a/ },
    { name: 'own parent', meters: [{ id: 'a', parent: 'a' }], message: /cycle a → a/ },
    { name: 'repeated id', meters: [{ id: 'a' }, { id: 'a' }], message: /meters\[1\]\.id: meter id "a" is used twice/ },
  ])('reports $name naming the field', ({ meters, message }) => {
    expect(meterTreeProblems(meters, (i) => `meters[${i}].parent`).join('\n')).toMatch(message);
  });
});
