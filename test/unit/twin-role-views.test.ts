// Which views each role may use in the twin (twin-ui/src/ui/views/role-views.ts) and the
// line energy per part in its header.
import { describe, expect, it } from 'vitest';
import { defaultView, resolveView, viewsFor, VIEW_FEATURES } from '../../twin-ui/src/ui/views/role-views.js';
import { lineEnergyPerPart } from '../../twin-ui/src/ui/views/line-figures.js';

describe('views by role', () => {
  it.each([
    ['operator', ['operator'], 'operator'],
    ['maintenance', ['operator', 'maintenance'], 'maintenance'],
    ['manager', ['operator', 'maintenance', 'manager'], 'manager'],
    ['admin', ['operator', 'maintenance', 'manager'], 'manager'],
  ] as const)('%s may use %j and lands in %s', (role, views, landing) => {
    expect(viewsFor(role)).toEqual(views);
    expect(defaultView(role)).toBe(landing);
  });

  it('gives a lower view when asked, never a higher one', () => {
    expect(resolveView('manager', 'operator')).toBe('operator');
    expect(resolveView('maintenance', 'operator')).toBe('operator');
    expect(resolveView('operator', 'manager')).toBe('operator');
    expect(resolveView('maintenance', 'manager')).toBe('maintenance');
    expect(resolveView('manager', 'nonsense')).toBe('manager');
    expect(resolveView('manager', null)).toBe('manager');
  });

  it('opens the dashboard only in the manager view', () => {
    expect(Object.entries(VIEW_FEATURES).filter(([, f]) => f.dashboard).map(([v]) => v)).toEqual(['manager']);
    expect(VIEW_FEATURES.operator).toMatchObject({ replay: false, heatmap: false, inspector: 'compact', alarms: true });
    expect(VIEW_FEATURES.maintenance).toMatchObject({ replay: true, inspector: 'full', alarms: true });
  });
});

describe('line energy per part', () => {
  const m = (energyKWh: number, good: number) => ({ energyKWh, counts: { total: good, good, scrap: 0 } });
  it('is the sum along the flow of each machine\'s kWh per good part', () => {
    expect(lineEnergyPerPart([m(2, 50), m(3, 45), m(1, 40)])).toBeCloseTo(2 / 50 + 3 / 45 + 1 / 40, 12);
  });
  it('a machine added mid-shift adds its own figure, not the line\'s shift energy over its few parts', () => {
    const before = lineEnergyPerPart([m(2, 50), m(3, 45)])!;
    expect(lineEnergyPerPart([m(2, 50), m(3, 45), m(0.05, 1)])).toBeCloseTo(before + 0.05, 12);
  });
  it('energy of a machine without good parts goes over the last machine with some', () => {
    expect(lineEnergyPerPart([m(2, 50), m(3, 40), m(0.4, 0)])).toBeCloseTo(2 / 50 + 3 / 40 + 0.4 / 40, 12);
  });
  it('is unknown before any machine has made a good part', () => {
    expect(lineEnergyPerPart([m(2, 0), m(1, 0)])).toBeNull();
    expect(lineEnergyPerPart([])).toBeNull();
  });
});
