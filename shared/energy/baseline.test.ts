import { describe, expect, it } from 'vitest';
import { BaselineError, compareWithBaseline, fitLinear } from './baseline.js';

describe('ISO 50006 baseline by OLS', () => {
  it('fits one variable (hand-worked in docs/energy.md)', () => {
    const fit = fitLinear([[800], [1000], [1200], [1400]], [200, 240, 270, 310]);
    expect(fit.coefficients[0]).toBeCloseTo(57, 9);
    expect(fit.coefficients[1]).toBeCloseTo(0.18, 12);
    expect(fit.r2).toBeCloseTo(6480 / 6500, 12);
    const c = compareWithBaseline(fit, [1000], 231.305);
    expect(c.expected).toBeCloseTo(237, 9);
    expect(c.savings).toBeCloseTo(5.695, 9);
    expect(c.senpi).toBeCloseTo(231.305 / 237, 12);
  });

  it('fits two variables exactly when the data lie on a plane', () => {
    // energy = 100 + 0.2 × production + 3 × heating degree days
    const xs = [[1000, 5], [1200, 2], [900, 10], [1500, 0], [1100, 8]];
    const y = xs.map(([p, d]) => 100 + 0.2 * p! + 3 * d!);
    const fit = fitLinear(xs, y);
    expect(fit.coefficients.map((c) => Number(c.toFixed(9)))).toEqual([100, 0.2, 3]);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('refuses too few points and a variable that does not vary', () => {
    expect(() => fitLinear([[1], [2]], [1, 2])).toThrow(/at least 3 points/);
    expect(() => fitLinear([[5], [5], [5]], [1, 2, 3])).toThrow(BaselineError);
  });
});
