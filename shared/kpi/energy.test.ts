import { describe, expect, it } from 'vitest';
import { apportionMeterReadings, computeEnergyKpis } from './energy.js';
import { addEnergy, emptyPeriodTotals } from './period-totals.js';

const MIN = 60_000;
const t0 = Date.parse('2026-11-02T08:00:00+08:00');
const at = (minutes: number): number => t0 + minutes * MIN;

describe('energy KPIs', () => {
  it('gives kWh per good part, non-productive energy, CO2e and the 15-minute peak demand', () => {
    const p = emptyPeriodTotals(at(0), at(60));
    p.counts = { total: 110, good: 100 };
    addEnergy(p, 'running', 3, at(1)); // block 08:00
    addEnergy(p, 'running', 2, at(14)); // block 08:00 → 5 kWh in 15 min = 20 kW
    addEnergy(p, 'idle', 1, at(16)); // block 08:15
    addEnergy(p, 'down', 0.5, at(50)); // block 08:45
    const e = computeEnergyKpis(p, 0.5703);
    expect(e.kWh).toBe(6.5);
    expect(e.kWhPerGoodPart).toBeCloseTo(0.065, 12);
    expect(e.nonProductiveKWh).toBe(1.5);
    expect(e.byState).toMatchObject({ running: 5, idle: 1, down: 0.5, setup: 0 });
    expect(e.peakDemand).toEqual({ kW: 20, blockStart: at(0) });
    expect(e.co2eKg).toBeCloseTo(6.5 * 0.5703, 12);
    expect(e.explain.kWhPerGoodPart.inputs).toEqual({ energyKWh: 6.5, goodCount: 100 });
  });

  it('aligns demand blocks to the quarter hour in a zone with a 45-minute offset', () => {
    // Asia/Kathmandu is UTC+05:45: UTC quarter hours are still local quarter hours.
    const p = emptyPeriodTotals(0, 1);
    addEnergy(p, 'running', 1, Date.parse('2026-11-02T10:14:59+05:45'));
    addEnergy(p, 'running', 1, Date.parse('2026-11-02T10:15:00+05:45'));
    expect(Object.keys(p.energy.blocks).map(Number)).toEqual([Date.parse('2026-11-02T10:00:00+05:45'), Date.parse('2026-11-02T10:15:00+05:45')]);
  });

  it('spreads meter readings over time, states and demand blocks', () => {
    const segments = [
      { start: at(0), end: at(30), state: 'running' as const },
      { start: at(30), end: at(60), state: 'idle' as const },
    ];
    // 60 kWh over the hour at an even rate: 1 kWh per minute.
    const r = apportionMeterReadings([{ ts: at(0), kWh: 1000 }, { ts: at(60), kWh: 1060 }], segments, { start: at(0), end: at(60) });
    expect(r.energy.kWh).toBeCloseTo(60, 9);
    expect(r.energy.byState.running).toBeCloseTo(30, 9);
    expect(r.energy.byState.idle).toBeCloseTo(30, 9);
    expect(Object.values(r.energy.blocks).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([15, 15, 15, 15]);
    expect(r.warnings).toEqual([]);
  });

  it('takes a falling meter total as a reset and warns when the readings do not cover the shift', () => {
    const segments = [{ start: at(0), end: at(60), state: 'running' as const }];
    const r = apportionMeterReadings(
      [{ ts: at(0), kWh: 500 }, { ts: at(20), kWh: 520 }, { ts: at(30), kWh: 4 }],
      segments,
      { start: at(0), end: at(60) },
    );
    expect(r.energy.kWh).toBeCloseTo(24, 9);
    expect(r.warnings.join('\n')).toMatch(/meter reset/);
    expect(r.warnings.join('\n')).toMatch(/cover 30\.0 of 60\.0 minutes/);
    expect(apportionMeterReadings([{ ts: at(0), kWh: 1 }], segments, { start: at(0), end: at(60) }).warnings[0]).toMatch(/fewer than two/);
  });
});
