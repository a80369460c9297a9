// Everything a KPI is made from, for one machine over one period: times, stops by
// reason, counts, energy. Additive, so shifts add up to days and weeks and machines
// to a line. The live engine and recompute() both produce this; oee.ts, losses.ts and
// energy.ts turn it into KPIs. Pure and browser-safe.
import { MACHINE_STATES, type MachineState } from '../plant-schema.js';
import { addTimeTotals, emptyTimeTotals, type TimeBucket, type TimeTotals } from './time-model.js';

/** Time lost to one reason in one bucket (e.g. breakdown / "spindle-fault"). */
export interface ReasonTotal {
  bucket: TimeBucket;
  reason: string;
  ms: number;
  /** Number of separate intervals (stops, changeovers, breaks) that contributed. */
  events: number;
}

export interface EnergyTotals {
  kWh: number;
  /** kWh booked to the effective state at the time it was used (a calendar break counts as planned-stop). */
  byState: Record<MachineState, number>;
  /** kWh per 15-minute demand block, keyed by the block's start (epoch ms, on the quarter hour). */
  blocks: Record<string, number>;
}

export interface PeriodTotals {
  /** Epoch ms of the period, [start, end). */
  start: number;
  end: number;
  /** Wall time the totals cover (for TEEP): a shift's length, a day's 23/24/25 hours, … */
  calendarMs: number;
  times: TimeTotals;
  stops: { breakdowns: number; microStops: number; setups: number; idles: number };
  /** Keyed by `${bucket}|${reason}`. */
  reasons: Record<string, ReasonTotal>;
  counts: { total: number; good: number };
  /** Σ ideal cycle time × total count, in seconds (ISO 22400-2 PRI × PQ). */
  idealOutputSeconds: number;
  energy: EnergyTotals;
}

export const QUARTER_HOUR_MS = 15 * 60_000;

export function demandBlockOf(ts: number): number {
  return Math.floor(ts / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
}

export function emptyEnergyTotals(): EnergyTotals {
  const byState = Object.fromEntries(MACHINE_STATES.map((s) => [s, 0])) as Record<MachineState, number>;
  return { kWh: 0, byState, blocks: {} };
}

export function emptyPeriodTotals(start: number, end: number): PeriodTotals {
  return {
    start,
    end,
    calendarMs: end - start,
    times: emptyTimeTotals(),
    stops: { breakdowns: 0, microStops: 0, setups: 0, idles: 0 },
    reasons: {},
    counts: { total: 0, good: 0 },
    idealOutputSeconds: 0,
    energy: emptyEnergyTotals(),
  };
}

export function clonePeriodTotals(p: PeriodTotals): PeriodTotals {
  return {
    ...p,
    times: { ...p.times },
    stops: { ...p.stops },
    reasons: Object.fromEntries(Object.entries(p.reasons).map(([k, v]) => [k, { ...v }])),
    counts: { ...p.counts },
    energy: { kWh: p.energy.kWh, byState: { ...p.energy.byState }, blocks: { ...p.energy.blocks } },
  };
}

export function addReason(p: PeriodTotals, bucket: TimeBucket, reason: string, ms: number, events: number): void {
  if (ms <= 0 && events <= 0) return;
  const key = `${bucket}|${reason}`;
  const entry = p.reasons[key] ?? (p.reasons[key] = { bucket, reason, ms: 0, events: 0 });
  entry.ms += ms;
  entry.events += events;
}

export function addEnergy(p: PeriodTotals, state: MachineState, kWh: number, ts: number): void {
  p.energy.kWh += kWh;
  p.energy.byState[state] += kWh;
  const block = String(demandBlockOf(ts));
  p.energy.blocks[block] = (p.energy.blocks[block] ?? 0) + kWh;
}

/**
 * Sums periods: consecutive shifts of one machine into a day or week (pass the
 * wall period as `calendar` so TEEP counts the hours between shifts), or one shift
 * of several machines into a line (calendar time then adds up, in machine-hours).
 */
export function sumPeriodTotals(periods: readonly PeriodTotals[], calendar?: { start: number; end: number }): PeriodTotals {
  const start = calendar?.start ?? Math.min(...periods.map((p) => p.start));
  const end = calendar?.end ?? Math.max(...periods.map((p) => p.end));
  const out = emptyPeriodTotals(start, end);
  // Calendar time is additive like POT (machine-hours); one machine's day or week passes its wall period.
  if (!calendar) out.calendarMs = periods.reduce((sum, p) => sum + p.calendarMs, 0);
  for (const p of periods) {
    out.times = addTimeTotals(out.times, p.times);
    out.stops.breakdowns += p.stops.breakdowns;
    out.stops.microStops += p.stops.microStops;
    out.stops.setups += p.stops.setups;
    out.stops.idles += p.stops.idles;
    for (const r of Object.values(p.reasons)) addReason(out, r.bucket, r.reason, r.ms, r.events);
    out.counts.total += p.counts.total;
    out.counts.good += p.counts.good;
    out.idealOutputSeconds += p.idealOutputSeconds;
    out.energy.kWh += p.energy.kWh;
    for (const s of MACHINE_STATES) out.energy.byState[s] += p.energy.byState[s];
    for (const [block, kWh] of Object.entries(p.energy.blocks)) out.energy.blocks[block] = (out.energy.blocks[block] ?? 0) + kWh;
  }
  return out;
}
