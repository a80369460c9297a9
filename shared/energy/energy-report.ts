// One period's energy report from meter readings: consumption, kgce/tce/kgCO2e, balance,
// cost, peak demand, EnPI and baseline. The report CLI, REST and the plant host call this.
// Pure and browser-safe; rules and a worked example: docs/energy.md.
import { formatInstant } from '../kpi/zoned-time.js';
import { meterBalance, type BalanceEntry } from './balance.js';
import { compareWithBaseline, enpi, fitLinear, type RegressionFit } from './baseline.js';
import { convert, defaultFactorsFor, siteTotals, type ConvertedMeter, type SiteTotals } from './conversion.js';
import { demandBlocks, peakDemand, type PeakDemand } from './demand.js';
import type { EnergyReportInput } from './energy-report-schema.js';
import { meterConsumption, type CounterEvent } from './meter-readings.js';
import { tariffCost, type TariffCost } from './tariff.js';

export interface MeterReport extends ConvertedMeter {
  unit: string;
  area?: string;
  kgcePerUnit: number;
  kgCO2ePerUnit: number;
  /** Rollovers and resets found in the readings. */
  counterEvents: Array<Omit<CounterEvent, 'ts'> & { ts: string }>;
  /** First and last reading used, ISO; null with fewer than two readings in the period. */
  covered: { from: string; to: string } | null;
}

export interface EnergyReport {
  timezone: string;
  period: { start: string; end: string };
  meters: MeterReport[];
  totalKgce: number;
  totalTce: number;
  totalKgCO2e: number;
  byMedium: SiteTotals['byMedium'];
  balance: Record<string, Omit<BalanceEntry, 'consumption'>>;
  cost: (TariffCost & { meter: string; currency?: string }) | null;
  peakDemand: (Omit<PeakDemand, 'blockStart'> & { meter: string; blockStart: string; contractDemandKW: number | null }) | null;
  enpi: { kgcePerGood: number | null };
  baseline: {
    intercept: number;
    slope: number;
    /** Slopes of further variables, by name, when the baseline has them. */
    slopes: Record<string, number>;
    r2: number;
    points: number;
    expectedKgce: number | null;
    savingsKgce: number | null;
    senpi: number | null;
  } | null;
  warnings: string[];
}

export function computeEnergyReport(input: EnergyReportInput): EnergyReport {
  const period = { start: Date.parse(input.period.start), end: Date.parse(input.period.end) };
  const iso = (ts: number): string => formatInstant(ts, input.timezone);
  const warnings: string[] = [];
  const intervalsOf = new Map<string, ReturnType<typeof meterConsumption>['intervals']>();
  const meters: MeterReport[] = input.meters.map((m) => {
    const readings = m.readings.map((r) => ({ ts: Date.parse(r.ts), total: r.total }));
    const c = meterConsumption(readings, period, m.rollover);
    intervalsOf.set(m.id, c.intervals);
    const d = defaultFactorsFor(m.medium, m.unit);
    // The schema guarantees a default exists wherever a factor is missing.
    const kgcePerUnit = m.kgcePerUnit ?? d!.kgcePerUnit;
    const kgCO2ePerUnit = m.kgCO2ePerUnit ?? d!.kgCO2ePerUnit;
    if (!c.covered) warnings.push(`meter ${m.id}: fewer than two readings inside the period, consumption 0`);
    else if (c.covered.from > period.start || c.covered.to < period.end) {
      warnings.push(`meter ${m.id}: readings cover ${iso(c.covered.from)} to ${iso(c.covered.to)} only; consumption outside that is not counted`);
    }
    for (const e of c.events) {
      warnings.push(e.kind === 'rollover'
        ? `meter ${m.id}: total fell from ${e.previous} to ${e.total} at ${iso(e.ts)}, taken as a rollover at ${m.rollover}`
        : `meter ${m.id}: total fell from ${e.previous} to ${e.total} at ${iso(e.ts)}, taken as a meter reset (give "rollover" if the register wraps)`);
    }
    return {
      id: m.id,
      parent: m.parent,
      medium: m.medium,
      unit: m.unit,
      ...(m.area ? { area: m.area } : {}),
      consumption: c.units,
      ...convert(c.units, { kgcePerUnit, kgCO2ePerUnit }),
      kgcePerUnit,
      kgCO2ePerUnit,
      counterEvents: c.events.map((e) => ({ ...e, ts: iso(e.ts) })),
      covered: c.covered ? { from: iso(c.covered.from), to: iso(c.covered.to) } : null,
    };
  });

  const totals = siteTotals(meters);
  const balance = Object.fromEntries(
    Object.entries(meterBalance(meters)).map(([id, { consumption: _c, ...rest }]) => [id, rest]),
  );

  let cost: EnergyReport['cost'] = null;
  if (input.tariff) {
    const t = tariffCost(intervalsOf.get(input.tariff.meter) ?? [], input.tariff.periods, input.timezone);
    if (t.unpricedUnits > 1e-9) warnings.push(`tariff: ${t.unpricedUnits} units fell in no tariff period and are not priced`);
    cost = { meter: input.tariff.meter, ...(input.tariff.currency ? { currency: input.tariff.currency } : {}), ...t };
  }

  let peak: EnergyReport['peakDemand'] = null;
  const demandMeter = input.demandMeter ?? input.tariff?.meter;
  if (demandMeter) {
    const p = peakDemand(demandBlocks(intervalsOf.get(demandMeter) ?? []), input.contractDemandKW);
    if (!p) warnings.push(`peak demand: no 15-minute block of meter ${demandMeter} is fully covered by readings`);
    else peak = { meter: demandMeter, kW: p.kW, blockStart: iso(p.blockStart), exceedsContract: p.exceedsContract, contractDemandKW: input.contractDemandKW ?? null };
  }

  const good = input.production?.good;
  let baseline: EnergyReport['baseline'] = null;
  if (input.baseline) {
    const names = Object.keys(input.production?.variables ?? {});
    const fit: RegressionFit = fitLinear(
      input.baseline.points.map((p) => [p.production, ...names.map((n) => p.variables![n]!)]),
      input.baseline.points.map((p) => p.energyKgce),
    );
    const cmp = good === undefined ? null : compareWithBaseline(fit, [good, ...names.map((n) => input.production!.variables![n]!)], totals.totalKgce);
    baseline = {
      intercept: fit.coefficients[0]!,
      slope: fit.coefficients[1]!,
      slopes: Object.fromEntries(names.map((n, j) => [n, fit.coefficients[j + 2]!])),
      r2: fit.r2,
      points: fit.n,
      expectedKgce: cmp?.expected ?? null,
      savingsKgce: cmp?.savings ?? null,
      senpi: cmp?.senpi ?? null,
    };
    // ISO 50006 asks whether the model is fit for use; 0.75 is the threshold commonly applied.
    if (fit.r2 < 0.75) warnings.push(`baseline: R² ${fit.r2.toFixed(3)} is below 0.75; the model explains little of the energy use`);
  }

  return {
    timezone: input.timezone,
    period: { start: iso(period.start), end: iso(period.end) },
    meters,
    totalKgce: totals.totalKgce,
    totalTce: totals.totalTce,
    totalKgCO2e: totals.totalKgCO2e,
    byMedium: totals.byMedium,
    balance,
    cost,
    peakDemand: peak,
    enpi: { kgcePerGood: good === undefined ? null : enpi(totals.totalKgce, good) },
    baseline,
    warnings,
  };
}
