// A meter's consumption from its running totals: the sum of the increases between
// consecutive readings inside the period, with a fall read as a counter rollover (when the
// meter's rollover value is known) or as a meter reset. Pure and browser-safe.

export interface TotalReading {
  /** Epoch ms. */
  ts: number;
  /** The meter's running total in its own unit. */
  total: number;
}

/** Consumption between two consecutive readings, used evenly over [from, to). */
export interface ConsumptionInterval {
  from: number;
  to: number;
  units: number;
}

export interface CounterEvent {
  ts: number;
  kind: 'rollover' | 'reset';
  previous: number;
  total: number;
}

export interface MeterConsumption {
  units: number;
  intervals: ConsumptionInterval[];
  events: CounterEvent[];
  /** First and last reading used; null with fewer than two readings in the period. */
  covered: { from: number; to: number } | null;
}

/**
 * Increase of a running total from `previous` to `total`. A fall is a rollover when the
 * register's rollover value is known (it counted up to `rollover` and restarted at 0),
 * otherwise a reset or meter exchange (the new total is what accrued since).
 */
export function totalIncrease(previous: number, total: number, rollover?: number): { units: number; event?: CounterEvent['kind'] } {
  if (total >= previous) return { units: total - previous };
  if (rollover !== undefined) return { units: total + rollover - previous, event: 'rollover' };
  return { units: total, event: 'reset' };
}

/**
 * The edge's rule for a fall, seen one reading at a time: a register only wraps from near its
 * top, so a fall from the lower half of the rollover range is a reset, not a wrap (a meter
 * exchanged or zeroed on its panel would otherwise read as a register's worth of energy).
 * The report CLI keeps the plain rule of docs/energy.md (rule 3); this is rule 3a there.
 */
export function liveIncrease(previous: number, total: number, rollover?: number): { units: number; event?: CounterEvent['kind'] } {
  if (total < previous && rollover !== undefined && previous < rollover / 2) return { units: total, event: 'reset' };
  return totalIncrease(previous, total, rollover);
}

/**
 * Only readings with start ≤ ts ≤ end count: a reading outside the period says nothing
 * about when inside it the energy was used, and extrapolating would invent data.
 * `readings` must have distinct timestamps (the input schema rejects repeats).
 */
export function meterConsumption(
  readings: readonly TotalReading[],
  period: { start: number; end: number },
  rollover?: number,
): MeterConsumption {
  const inside = readings.filter((r) => r.ts >= period.start && r.ts <= period.end).sort((a, b) => a.ts - b.ts);
  const intervals: ConsumptionInterval[] = [];
  const events: CounterEvent[] = [];
  let units = 0;
  for (let i = 1; i < inside.length; i++) {
    const a = inside[i - 1]!;
    const b = inside[i]!;
    const step = totalIncrease(a.total, b.total, rollover);
    if (step.event) events.push({ ts: b.ts, kind: step.event, previous: a.total, total: b.total });
    units += step.units;
    intervals.push({ from: a.ts, to: b.ts, units: step.units });
  }
  const covered = inside.length >= 2 ? { from: inside[0]!.ts, to: inside[inside.length - 1]!.ts } : null;
  return { units, intervals, events, covered };
}
