// ISO 22400-2 KPI formulas over PeriodTotals, each returned with the inputs it was
// made from so the twin can show "how was this made". Pure and browser-safe.
import type { PeriodTotals } from './period-totals.js';
import { isoTimes, type IsoTimes } from './time-model.js';
import { COUNTING_EXPLANATION, type CountingMode } from '../count-roles.js';

export interface KpiOptions {
  /**
   * Where micro-stops are booked. ISO 22400-2 (default): they are down time and lower
   * availability. 'performance': they count as running time and lower performance
   * (the Nakajima / Vorne "small stops" convention). Either way they are reported as
   * their own loss.
   */
  microStopsAs?: 'availability' | 'performance';
  /** Which way the machine's parts are counted (shared/count-roles.ts): named in the quality explanation. */
  counting?: CountingMode;
}

/** One KPI with the formula and the numbers it was computed from. */
export interface Explained {
  value: number | null;
  formula: string;
  inputs: Record<string, number>;
  unit: 'fraction' | 's' | 'count' | 'kWh' | 'kWh/part' | 'kW' | 'kg CO2e';
  /** Set when the value was clamped or could not be computed; says why. */
  note?: string;
}

export interface OeeKpis {
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  /** Loading = PBT / calendar time (how much of all time was planned for production). */
  utilisation: number;
  /** TEEP = OEE × utilisation = fully productive time / calendar time. */
  teep: number;
  /** Mean production time between breakdowns, s (null with no breakdown). */
  mtbf: number | null;
  /** Mean breakdown duration, s (null with no breakdown). */
  mttr: number | null;
  scrapRatio: number;
  /** ISO 22400-2 setup rate = AUST / AUPT. */
  setupRatio: number;
}

export interface KpiResult extends OeeKpis {
  times: IsoTimes;
  counts: { total: number; good: number; scrap: number };
  stops: PeriodTotals['stops'];
  explain: Record<keyof OeeKpis, Explained>;
}

function ratio(numerator: number, denominator: number, whenZero: number): number {
  return denominator > 0 ? numerator / denominator : whenZero;
}

/** Availability, performance, quality and OEE with the planned busy time (s) they were made against. */
export interface OeeFactors {
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  plannedBusyTime: number;
}

type OeeInputs = Pick<PeriodTotals, 'counts' | 'idealOutputSeconds'>;

function oeeFactors(times: IsoTimes, p: OeeInputs, microAsPerf: boolean) {
  const total = p.counts.total;
  // Booked scrap lowers good; more booked than made in the period cannot make good negative.
  const good = Math.max(0, Math.min(p.counts.good, total));
  // Time the machine is held to account for producing in.
  const runTime = times.actualProductionTime + (microAsPerf ? times.microStopTime : 0);
  const pbt = times.plannedBusyTime;
  const availability = Math.min(1, Math.max(0, ratio(runTime, pbt, 0)));
  const rawPerformance = ratio(p.idealOutputSeconds, runTime, 0);
  const performance = Math.min(1, rawPerformance);
  const quality = ratio(good, total, 1);
  return { total, good, runTime, pbt, availability, rawPerformance, performance, quality, oee: availability * performance * quality };
}

/**
 * computeKpis' four OEE figures alone, without the other KPIs and explanations: for answers of
 * thousands of periods (a plant's year by day), where building those would cost more than the query.
 */
export function computeOeeFactors(p: Pick<PeriodTotals, 'times'> & OeeInputs, options: KpiOptions = {}): OeeFactors {
  const f = oeeFactors(isoTimes(p.times), p, options.microStopsAs === 'performance');
  return { availability: f.availability, performance: f.performance, quality: f.quality, oee: f.oee, plannedBusyTime: f.pbt };
}

/**
 * Availability, performance, quality, OEE and friends.
 * With nothing known the factors are 0, except quality which is 1 (no part made, none
 * scrapped); OEE is then 0.
 */
export function computeKpis(p: PeriodTotals, options: KpiOptions = {}): KpiResult {
  const times = isoTimes(p.times);
  const microAsPerf = options.microStopsAs === 'performance';
  const { total, good, runTime, pbt, availability, rawPerformance, performance, quality, oee } = oeeFactors(times, p, microAsPerf);
  const scrap = total - good;

  const calendar = p.calendarMs / 1000;
  const utilisation = Math.min(1, ratio(pbt, calendar, 0));
  const teep = oee * utilisation;
  const failures = p.stops.breakdowns;
  const mtbf = failures > 0 ? times.actualProductionTime / failures : null;
  const mttr = failures > 0 ? times.breakdownTime / failures : null;
  const scrapRatio = ratio(scrap, total, 0);
  const setupRatio = ratio(times.actualSetupTime, times.actualProcessingTime, 0);

  const runName = microAsPerf ? 'APT + microStopTime' : 'APT';
  const runInputs: Record<string, number> = microAsPerf
    ? { APT: times.actualProductionTime, microStopTime: times.microStopTime }
    : { APT: times.actualProductionTime };

  const explain: Record<keyof OeeKpis, Explained> = {
    availability: {
      value: availability,
      formula: `${runName} / PBT, PBT = POT − PDOT − noDataTime`,
      inputs: { ...runInputs, PBT: pbt, POT: times.plannedOperationTime, PDOT: times.plannedDownTime, noDataTime: times.noDataTime },
      unit: 'fraction',
      ...(pbt > 0 ? {} : { note: 'no planned busy time: availability is 0' }),
    },
    performance: {
      value: performance,
      formula: `Σ(idealCycleTime × totalCount) / ${microAsPerf ? `(${runName})` : runName}`,
      inputs: { idealOutputSeconds: p.idealOutputSeconds, totalCount: total, ...runInputs },
      unit: 'fraction',
      ...(rawPerformance > 1
        ? { note: `computed ${rawPerformance.toFixed(4)} > 1, shown as 1: the ideal cycle time is probably too long` }
        : runTime > 0 ? {} : { note: 'no production time: performance is 0' }),
    },
    quality: {
      value: quality,
      formula: options.counting ? `goodCount / totalCount; ${COUNTING_EXPLANATION[options.counting]}` : 'goodCount / totalCount',
      inputs: { goodCount: good, totalCount: total },
      unit: 'fraction',
      ...(total > 0 ? {} : { note: 'no parts made: quality is 1' }),
    },
    oee: {
      value: oee,
      formula: 'availability × performance × quality',
      inputs: { availability, performance, quality },
      unit: 'fraction',
    },
    utilisation: {
      value: utilisation,
      formula: 'PBT / calendarTime',
      inputs: { PBT: pbt, calendarTime: calendar },
      unit: 'fraction',
    },
    teep: {
      value: teep,
      formula: 'OEE × utilisation',
      inputs: { oee, utilisation },
      unit: 'fraction',
    },
    mtbf: {
      value: mtbf,
      formula: 'APT / breakdowns',
      inputs: { APT: times.actualProductionTime, breakdowns: failures },
      unit: 's',
      ...(failures > 0 ? {} : { note: 'no breakdown in the period' }),
    },
    mttr: {
      value: mttr,
      formula: 'breakdownTime / breakdowns',
      inputs: { breakdownTime: times.breakdownTime, breakdowns: failures },
      unit: 's',
      ...(failures > 0 ? {} : { note: 'no breakdown in the period' }),
    },
    scrapRatio: {
      value: scrapRatio,
      formula: 'scrapCount / totalCount',
      inputs: { scrapCount: scrap, totalCount: total },
      unit: 'fraction',
    },
    setupRatio: {
      value: setupRatio,
      formula: 'AUST / AUPT, AUPT = APT + AUST',
      inputs: { AUST: times.actualSetupTime, AUPT: times.actualProcessingTime },
      unit: 'fraction',
    },
  };

  return {
    availability, performance, quality, oee, utilisation, teep, mtbf, mttr, scrapRatio, setupRatio,
    times,
    counts: { total, good, scrap },
    stops: { ...p.stops },
    explain,
  };
}
