// Everything a plant manager sees for one period, from one PeriodTotals: explained
// KPIs, the loss waterfall and energy. The live engine, the REST API and the report
// CLI all go through here. Pure and browser-safe.
import { computeEnergyKpis, type EnergyKpis } from './energy.js';
import { computeLosses, type LossReport } from './losses.js';
import { computeKpis, type KpiOptions, type KpiResult } from './oee.js';
import type { PeriodTotals } from './period-totals.js';

export interface KpiReportOptions extends KpiOptions {
  co2eKgPerKWh: number;
}

export interface KpiReport {
  period: { start: number; end: number };
  kpis: KpiResult;
  losses: LossReport;
  energy: EnergyKpis;
}

export function buildKpiReport(totals: PeriodTotals, options: KpiReportOptions): KpiReport {
  return {
    period: { start: totals.start, end: totals.end },
    kpis: computeKpis(totals, options),
    losses: computeLosses(totals, options),
    energy: computeEnergyKpis(totals, options.co2eKgPerKWh),
  };
}
