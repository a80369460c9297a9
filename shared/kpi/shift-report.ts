// KPIs for one recorded shift of one machine (the report CLI's engine), built from
// the same pieces as the live engine: state-timeline → PeriodTotals → kpi-report.
// Pure and browser-safe.
import type { MachineState } from '../plant-schema.js';
import { apportionMeterReadings } from './energy.js';
import { buildKpiReport } from './kpi-report.js';
import type { LossReport } from './losses.js';
import type { Explained, OeeKpis } from './oee.js';
import type { ShiftReportInput } from './shift-report-schema.js';
import { bookTimeline, effectiveSegments, toRuns } from './state-timeline.js';
import type { IsoTimes } from './time-model.js';
import { formatInstant, zoneOffsetMs } from './zoned-time.js';

/** Defaults when the input file does not say (docs/kpi.md). */
export const REPORT_DEFAULTS = {
  microStopThresholdSeconds: 300,
  microStopsAs: 'availability' as const,
  /** The plant file's default emission factor (China grid average, 2022). */
  co2eKgPerKWh: 0.5703,
};

export interface ShiftReportOutput {
  machine?: string;
  timezone: string;
  shift: { name?: string; start: string; end: string; durationSeconds: number };
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  /** ISO 22400-2 times, seconds. */
  times: IsoTimes;
  counts: { total: number; good: number; scrap: number };
  kpis: Pick<OeeKpis, 'utilisation' | 'teep' | 'mtbf' | 'mttr' | 'scrapRatio' | 'setupRatio'> & {
    breakdowns: number;
    microStops: number;
    setups: number;
  };
  losses: LossReport;
  energy: {
    kWh: number;
    kWhPerGoodPart: number | null;
    byState: Record<MachineState, number>;
    nonProductiveKWh: number;
    peakDemandKW: number | null;
    peakDemandBlockStart: string | null;
    co2eKg: number;
    co2eKgPerKWh: number;
    coveredSeconds: number;
  } | null;
  explain: Record<string, Explained>;
  settings: { microStopThresholdSeconds: number; microStopsAs: 'availability' | 'performance'; co2eKgPerKWh: number };
  warnings: string[];
}

export function computeShiftReport(input: ShiftReportInput): ShiftReportOutput {
  const tz = input.timezone;
  const period = { start: Date.parse(input.shift.start), end: Date.parse(input.shift.end) };
  const settings = {
    microStopThresholdSeconds: input.microStopThresholdSeconds ?? REPORT_DEFAULTS.microStopThresholdSeconds,
    microStopsAs: input.microStopsAs ?? REPORT_DEFAULTS.microStopsAs,
    co2eKgPerKWh: input.co2eKgPerKWh ?? REPORT_DEFAULTS.co2eKgPerKWh,
  };
  const warnings: string[] = [];

  for (const [field, text] of [['shift.start', input.shift.start], ['shift.end', input.shift.end]] as const) {
    const ts = Date.parse(text);
    const given = offsetOf(text);
    const zone = zoneOffsetMs(ts, tz) / 60_000;
    if (given !== null && given !== zone) {
      warnings.push(`${field} ${text} has offset ${fmtOffset(given)}, but ${tz} is at ${fmtOffset(zone)} then; the instant is used as written`);
    }
  }

  const plannedStops = input.plannedStops.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end), reason: s.reason }));
  const states = input.states.map((s) => ({ start: Date.parse(s.start), end: Date.parse(s.end), state: s.state, ...(s.reason ? { reason: s.reason } : {}) }));
  const outside = [...plannedStops.map((s, i) => ({ s, name: `plannedStops[${i}]` })), ...states.map((s, i) => ({ s, name: `states[${i}]` }))]
    .filter(({ s }) => s.start < period.start || s.end > period.end)
    .map(({ name }) => name);
  if (outside.length > 0) warnings.push(`${outside.join(', ')} reach outside the shift: only the part inside it is counted`);

  // Time inside the shift covered by neither a planned stop nor a state interval is running.
  const timeline = { period, plannedStops, states, uncovered: 'running' as const, microStopThresholdMs: settings.microStopThresholdSeconds * 1000 };
  const totals = bookTimeline(timeline);
  const { total, good, scrap } = input.counts;
  totals.counts = { total, good: good ?? total - (scrap ?? 0) };
  totals.idealOutputSeconds = input.counts.total * input.idealCycleTimeSeconds;

  let coveredMs = 0;
  const hasEnergy = input.energy !== undefined && input.energy.length > 0;
  if (hasEnergy) {
    const segments = effectiveSegments(toRuns(period, states, 'running'), plannedStops);
    const readings = input.energy!.map((r) => ({ ts: Date.parse(r.ts), kWh: r.kWh }));
    const apportioned = apportionMeterReadings(readings, segments, period);
    totals.energy = apportioned.energy;
    coveredMs = apportioned.coveredMs;
    warnings.push(...apportioned.warnings);
  }

  const counting = good !== undefined ? 'total+good' : scrap !== undefined ? 'total+scrap' : 'total-only';
  const report = buildKpiReport(totals, { ...settings, counting });
  const { kpis, losses, energy } = report;
  if (kpis.explain.performance.note && kpis.performance === 1) warnings.push(`performance: ${kpis.explain.performance.note}`);

  return {
    ...(input.machine ? { machine: input.machine } : {}),
    timezone: tz,
    shift: {
      ...(input.shift.name ? { name: input.shift.name } : {}),
      start: formatInstant(period.start, tz),
      end: formatInstant(period.end, tz),
      durationSeconds: (period.end - period.start) / 1000,
    },
    availability: kpis.availability,
    performance: kpis.performance,
    quality: kpis.quality,
    oee: kpis.oee,
    times: kpis.times,
    counts: kpis.counts,
    kpis: {
      utilisation: kpis.utilisation,
      teep: kpis.teep,
      mtbf: kpis.mtbf,
      mttr: kpis.mttr,
      scrapRatio: kpis.scrapRatio,
      setupRatio: kpis.setupRatio,
      breakdowns: kpis.stops.breakdowns,
      microStops: kpis.stops.microStops,
      setups: kpis.stops.setups,
    },
    losses,
    energy: hasEnergy && coveredMs > 0
      ? {
          kWh: energy.kWh,
          kWhPerGoodPart: energy.kWhPerGoodPart,
          byState: energy.byState,
          nonProductiveKWh: energy.nonProductiveKWh,
          peakDemandKW: energy.peakDemand?.kW ?? null,
          peakDemandBlockStart: energy.peakDemand ? formatInstant(energy.peakDemand.blockStart, tz) : null,
          co2eKg: energy.co2eKg,
          co2eKgPerKWh: energy.co2eKgPerKWh,
          coveredSeconds: coveredMs / 1000,
        }
      : null,
    explain: { ...kpis.explain, ...(hasEnergy && coveredMs > 0 ? prefixKeys('energy.', energy.explain) : {}) },
    settings,
    warnings,
  };
}

function offsetOf(text: string): number | null {
  if (text.endsWith('Z')) return 0;
  const m = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function fmtOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function prefixKeys<T>(prefix: string, record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]));
}
