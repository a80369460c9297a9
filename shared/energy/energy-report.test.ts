// The worked example of docs/energy.md: every expected figure below was worked out by hand
// in the doc (§ "Worked example"), not taken from the code's output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeEnergyReport } from './energy-report.js';
import { EnergyReportInputSchema } from './energy-report-schema.js';

const input = EnergyReportInputSchema.parse(JSON.parse(readFileSync(new URL('../../docs/examples/energy-day.json', import.meta.url), 'utf8')));
const report = computeEnergyReport(input);
const meter = (id: string) => report.meters.find((m) => m.id === id)!;

describe('docs/energy.md worked example', () => {
  it.each([
    // id, consumption, kgce, kgCO2e (hand: rule 1–3 and the conversion table)
    ['main', 400, 49.16, 214.64],
    ['feeder-a', 240, 29.496, 128.784],
    ['feeder-b', 145, 17.8205, 77.807],
    ['gas', 150, 182.145, 324.75],
  ] as const)('meter %s: consumption %d', (id, consumption, kgce, kgCO2e) => {
    expect(meter(id).consumption).toBeCloseTo(consumption, 9);
    expect(meter(id).kgce).toBeCloseTo(kgce, 9);
    expect(meter(id).kgCO2e).toBeCloseTo(kgCO2e, 9);
  });

  it('site totals from root meters only, EnPI', () => {
    expect(report.totalKgce).toBeCloseTo(231.305, 9);
    expect(report.totalTce).toBeCloseTo(0.231305, 12);
    expect(report.totalKgCO2e).toBeCloseTo(539.39, 9);
    expect(report.enpi.kgcePerGood).toBeCloseTo(0.231305, 12);
  });

  it('balance of main', () => {
    expect(report.balance.main!.childrenConsumption).toBeCloseTo(385, 9);
    expect(report.balance.main!.unmetered).toBeCloseTo(15, 9);
    expect(report.balance.main!.unmeteredPct).toBeCloseTo(3.75, 9);
  });

  it('cost by tariff period and the peak 15-minute block', () => {
    expect(report.cost!.byPeriod.valley!.units).toBeCloseTo(200, 9);
    expect(report.cost!.byPeriod.valley!.cost).toBeCloseTo(62, 9);
    expect(report.cost!.byPeriod.peak!.units).toBeCloseTo(200, 9);
    expect(report.cost!.byPeriod.peak!.cost).toBeCloseTo(210, 9);
    expect(report.cost!.total).toBeCloseTo(272, 9);
    expect(report.peakDemand!.kW).toBeCloseTo(600, 9);
    expect(report.peakDemand!.blockStart).toBe('2026-11-02T07:45:00+08:00');
    expect(report.peakDemand!.exceedsContract).toBe(true);
  });

  it('baseline, expected, savings, SEnPI', () => {
    const b = report.baseline!;
    expect(b.intercept).toBeCloseTo(57, 9);
    expect(b.slope).toBeCloseTo(0.18, 12);
    expect(b.r2).toBeCloseTo(0.996923077, 9);
    expect(b.expectedKgce).toBeCloseTo(237, 9);
    expect(b.savingsKgce).toBeCloseTo(5.695, 9);
    expect(b.senpi).toBeCloseTo(0.975970464, 9);
  });

  it('rule 11a: daily points (periodHours 24) against readings covering 1.5 hours (gas 07:30 to main/gas 09:00) scale the intercept by 1.5 / 24', () => {
    const b = computeEnergyReport({ ...input, baseline: { ...input.baseline!, periodHours: 24 } }).baseline!;
    // expected = 57 × 0.0625 + 0.18 × 1000 = 3.5625 + 180; savings = 183.5625 − 231.305; SEnPI = 231.305 / 183.5625.
    expect(b.periodScale).toBeCloseTo(0.0625, 12);
    expect(b.intercept).toBeCloseTo(57, 9);
    expect(b.expectedKgce).toBeCloseTo(183.5625, 9);
    expect(b.savingsKgce).toBeCloseTo(-47.7425, 9);
    expect(b.senpi).toBeCloseTo(1.260088526, 9);
    expect(report.baseline!.periodScale).toBe(1);
  });

  it('rule 11a: a period the readings do not fill counts the fixed part only for the time they cover', () => {
    // From 07:00 the 07:20 reading of main is inside: main 410 kWh, readings cover 07:20–09:00 = 100 min.
    const r = computeEnergyReport({ ...input, period: { ...input.period, start: '2026-11-02T07:00:00+08:00' }, baseline: { ...input.baseline!, periodHours: 24 } });
    expect(r.totalKgce).toBeCloseTo(410 * 0.1229 + 182.145, 9);
    expect(r.baseline!.periodScale).toBeCloseTo(100 / 60 / 24, 12);
    // 57 × 100/1440 + 0.18 × 1000 = 3.958333… + 180
    expect(r.baseline!.expectedKgce).toBeCloseTo(183.958333333, 8);
    expect(r.baseline!.senpi).toBeCloseTo(232.534 / 183.958333333, 8);
  });

  it('reports the reset and the rollover it found', () => {
    expect(meter('feeder-b').counterEvents).toEqual([{ ts: '2026-11-02T08:30:00+08:00', kind: 'reset', previous: 120, total: 5 }]);
    expect(meter('gas').counterEvents.map((e) => e.kind)).toEqual(['rollover']);
  });
});
