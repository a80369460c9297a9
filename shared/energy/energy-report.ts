// One period's energy report from meter readings: consumption, kgce/tce/kgCO2e, balance,
// cost, peak demand, EnPI and baseline. The report CLI, REST and the plant host call this.
// Pure and browser-safe; rules and a worked example: docs/energy.md.
import { formatInstant } from '../kpi/zoned-time.js';
import { meterBalance, type BalanceEntry } from './balance.js';
import { compareWithBaseline, enpi, fitLinear, type RegressionFit } from './baseline.js';
import { convert, defaultFactorsFor, siteTotals, type ConvertedMeter, type SiteTotals } from './conversion.js';
import { demandBlocks, peakDemand, type PeakDemand } from './demand.js';
import type { EnergyReportInput } from './energy-report-schema.js';
import { meterConsumption, type ConsumptionInterval, type CounterEvent } from './meter-readings.js';
import { tariffCost, type TariffCost, type TariffPeriod } from './tariff.js';

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
    /** The intercept's share in the expected energy: hours the site's readings cover ÷ the points' periodHours (1 without periodHours; rule 11a). */
    periodScale: number;
    expectedKgce: number | null;
    savingsKgce: number | null;
    senpi: number | null;
  } | null;
  warnings: string[];
}

/** One meter's data for a report: its settings and its consumption as intervals. */
export interface MeterIntervals {
  id: string;
  medium: string;
  unit: string;
  parent: string | null;
  area?: string;
  kgcePerUnit: number;
  kgCO2ePerUnit: number;
  rollover?: number;
  intervals: ConsumptionInterval[];
  events: CounterEvent[];
  covered: { from: number; to: number } | null;
}

export interface ReportSettings {
  timezone: string;
  period: { start: number; end: number };
  tariff?: { meter: string; currency?: string; periods: readonly TariffPeriod[] };
  demandMeter?: string;
  contractDemandKW?: number;
  production?: { good: number; variables?: Record<string, number> };
  baseline?: { periodHours?: number; points: ReadonlyArray<{ production: number; energyKgce: number; variables?: Record<string, number> }> };
}

/** The report CLI's input: readings → intervals by rules 1–3, then the shared report. */
export function computeEnergyReport(input: EnergyReportInput): EnergyReport {
  const period = { start: Date.parse(input.period.start), end: Date.parse(input.period.end) };
  const meters: MeterIntervals[] = input.meters.map((m) => {
    const c = meterConsumption(m.readings.map((r) => ({ ts: Date.parse(r.ts), total: r.total })), period, m.rollover);
    const d = defaultFactorsFor(m.medium, m.unit);
    return {
      id: m.id, medium: m.medium, unit: m.unit, parent: m.parent, ...(m.area ? { area: m.area } : {}),
      // The schema guarantees a default exists wherever a factor is missing.
      kgcePerUnit: m.kgcePerUnit ?? d!.kgcePerUnit,
      kgCO2ePerUnit: m.kgCO2ePerUnit ?? d!.kgCO2ePerUnit,
      ...(m.rollover !== undefined ? { rollover: m.rollover } : {}),
      intervals: c.intervals, events: c.events, covered: c.covered,
    };
  });
  return reportFromIntervals(meters, { ...input, period });
}

/**
 * The report from each meter's consumption intervals (rules 4–11). The CLI, the edge's REST
 * routes (from stored increments) and the plant host all come through here.
 */
export function reportFromIntervals(input: readonly MeterIntervals[], s: ReportSettings): EnergyReport {
  const { period } = s;
  const iso = (ts: number): string => formatInstant(ts, s.timezone);
  const warnings: string[] = [];
  const intervalsOf = new Map(input.map((m) => [m.id, m.intervals]));
  const meters: MeterReport[] = input.map((m) => {
    const units = m.intervals.reduce((sum, iv) => sum + iv.units, 0);
    if (!m.covered) warnings.push(`meter ${m.id}: fewer than two readings inside the period, consumption 0`);
    else if (m.covered.from > period.start || m.covered.to < period.end) {
      warnings.push(`meter ${m.id}: readings cover ${iso(m.covered.from)} to ${iso(m.covered.to)} only; consumption outside that is not counted`);
    }
    for (const e of m.events) {
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
      consumption: units,
      ...convert(units, m),
      kgcePerUnit: m.kgcePerUnit,
      kgCO2ePerUnit: m.kgCO2ePerUnit,
      counterEvents: m.events.map((e) => ({ ...e, ts: iso(e.ts) })),
      covered: m.covered ? { from: iso(m.covered.from), to: iso(m.covered.to) } : null,
    };
  });

  const totals = siteTotals(meters);
  const balance = Object.fromEntries(
    Object.entries(meterBalance(meters)).map(([id, { consumption: _c, ...rest }]) => [id, rest]),
  );

  let cost: EnergyReport['cost'] = null;
  if (s.tariff) {
    const t = tariffCost(intervalsOf.get(s.tariff.meter) ?? [], s.tariff.periods, s.timezone);
    if (t.unpricedUnits > 1e-9) warnings.push(`tariff: ${t.unpricedUnits} units fell in no tariff period and are not priced`);
    cost = { meter: s.tariff.meter, ...(s.tariff.currency ? { currency: s.tariff.currency } : {}), ...t };
  }

  let peak: EnergyReport['peakDemand'] = null;
  const demandMeter = s.demandMeter ?? s.tariff?.meter;
  if (demandMeter) {
    const p = peakDemand(demandBlocks(intervalsOf.get(demandMeter) ?? []), s.contractDemandKW);
    if (!p) warnings.push(`peak demand: no 15-minute block of meter ${demandMeter} is fully covered by readings`);
    else peak = { meter: demandMeter, kW: p.kW, blockStart: iso(p.blockStart), exceedsContract: p.exceedsContract, contractDemandKW: s.contractDemandKW ?? null };
  }

  const good = s.production?.good;
  let baseline: EnergyReport['baseline'] = null;
  if (s.baseline) {
    const names = Object.keys(s.production?.variables ?? {});
    const fit: RegressionFit = fitLinear(
      s.baseline.points.map((p) => [p.production, ...names.map((n) => p.variables![n]!)]),
      s.baseline.points.map((p) => p.energyKgce),
    );
    // Rule 11a: points over periods of periodHours; the fixed part (intercept) scales with the time
    // the site's readings cover (root meters, first to last reading): the energy and the output
    // compared are of that time too, not of a window the meters were not read in.
    const roots = input.filter((m) => m.parent === null && m.covered);
    const coveredMs = roots.length
      ? Math.max(...roots.map((m) => m.covered!.to)) - Math.min(...roots.map((m) => m.covered!.from))
      : period.end - period.start;
    const periodScale = s.baseline.periodHours ? coveredMs / (s.baseline.periodHours * 3_600_000) : 1;
    const scaled: RegressionFit = { ...fit, coefficients: fit.coefficients.map((c, j) => (j === 0 ? c * periodScale : c)) };
    const cmp = good === undefined ? null : compareWithBaseline(scaled, [good, ...names.map((n) => s.production!.variables![n]!)], totals.totalKgce);
    baseline = {
      intercept: fit.coefficients[0]!,
      slope: fit.coefficients[1]!,
      slopes: Object.fromEntries(names.map((n, j) => [n, fit.coefficients[j + 2]!])),
      r2: fit.r2,
      points: fit.n,
      periodScale,
      expectedKgce: cmp?.expected ?? null,
      savingsKgce: cmp?.savings ?? null,
      senpi: cmp?.senpi ?? null,
    };
    // ISO 50006 asks whether the model is fit for use; 0.75 is the threshold commonly applied.
    if (fit.r2 < 0.75) warnings.push(`baseline: R² ${fit.r2.toFixed(3)} is below 0.75; the model explains little of the energy use`);
  }

  return {
    timezone: s.timezone,
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
