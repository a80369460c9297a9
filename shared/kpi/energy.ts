// Energy KPIs: kWh per good part, energy by state (what was used while not producing
// is waste), peak 15-minute demand, CO2e. Pure and browser-safe.
import type { MachineState } from '../plant-schema.js';
import type { Explained } from './oee.js';
import { addEnergy, demandBlockOf, emptyEnergyTotals, QUARTER_HOUR_MS, type EnergyTotals, type PeriodTotals } from './period-totals.js';

export interface EnergyKpis {
  kWh: number;
  /** null when no good part was made. */
  kWhPerGoodPart: number | null;
  byState: Record<MachineState, number>;
  /** Energy used while not running (idle, down, setup, planned stops, no data). */
  nonProductiveKWh: number;
  /** Highest average demand over a clock-aligned 15-minute block, kW; null without energy. */
  peakDemand: { kW: number; blockStart: number } | null;
  co2eKg: number;
  co2eKgPerKWh: number;
  explain: Record<'kWhPerGoodPart' | 'nonProductiveKWh' | 'peakDemand' | 'co2eKg', Explained>;
}

export function computeEnergyKpis(p: PeriodTotals, co2eKgPerKWh: number): EnergyKpis {
  const { kWh, byState } = p.energy;
  const good = Math.min(p.counts.good, p.counts.total);
  const nonProductiveKWh = kWh - byState.running;
  let peak: { kW: number; blockStart: number } | null = null;
  for (const [block, blockKWh] of Object.entries(p.energy.blocks)) {
    // Average demand over the block: kWh / 0.25 h.
    const kW = blockKWh / (QUARTER_HOUR_MS / 3_600_000);
    if (!peak || kW > peak.kW) peak = { kW, blockStart: Number(block) };
  }
  const co2eKg = kWh * co2eKgPerKWh;
  return {
    kWh,
    kWhPerGoodPart: good > 0 ? kWh / good : null,
    byState: { ...byState },
    nonProductiveKWh,
    peakDemand: peak,
    co2eKg,
    co2eKgPerKWh,
    explain: {
      kWhPerGoodPart: {
        value: good > 0 ? kWh / good : null,
        formula: 'energy / goodCount',
        inputs: { energyKWh: kWh, goodCount: good },
        unit: 'kWh/part',
        ...(good > 0 ? {} : { note: 'no good part made' }),
      },
      nonProductiveKWh: {
        value: nonProductiveKWh,
        formula: 'energy − energy while running',
        inputs: { energyKWh: kWh, runningKWh: byState.running },
        unit: 'kWh',
      },
      peakDemand: {
        value: peak?.kW ?? null,
        formula: 'max over 15-min blocks of (block kWh / 0.25 h)',
        inputs: peak ? { blockKWh: p.energy.blocks[String(peak.blockStart)] ?? 0, blockStart: peak.blockStart } : {},
        unit: 'kW',
      },
      co2eKg: {
        value: co2eKg,
        formula: 'energy × emission factor',
        inputs: { energyKWh: kWh, co2eKgPerKWh },
        unit: 'kg CO2e',
      },
    },
  };
}

export interface MeterReading {
  ts: number;
  /** Meter total, kWh. */
  kWh: number;
}

export interface ApportionResult {
  energy: EnergyTotals;
  /** How much of the period the readings cover, ms. */
  coveredMs: number;
  warnings: string[];
}

/**
 * Spreads the energy between consecutive meter readings evenly over the time between
 * them, and books each slice to the effective state at that time and to its 15-minute
 * demand block. Only the part inside `period` is booked. A reading lower than the one
 * before means the meter was reset or replaced: the new reading is taken as the energy
 * since then (the counter.ts rule).
 */
export function apportionMeterReadings(
  readings: readonly MeterReading[],
  segments: ReadonlyArray<{ start: number; end: number; state: MachineState }>,
  period: { start: number; end: number },
): ApportionResult {
  const sorted = [...readings].sort((a, b) => a.ts - b.ts);
  const holder = { energy: emptyEnergyTotals() } as PeriodTotals;
  const warnings: string[] = [];
  let coveredMs = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.ts <= a.ts) continue;
    let delta = b.kWh - a.kWh;
    if (delta < 0) {
      warnings.push(`meter reading at ${new Date(b.ts).toISOString()} (${b.kWh} kWh) is lower than the one before (${a.kWh} kWh): taken as a meter reset`);
      delta = b.kWh;
    }
    const from = Math.max(a.ts, period.start);
    const to = Math.min(b.ts, period.end);
    if (to <= from) continue;
    coveredMs += to - from;
    const perMs = delta / (b.ts - a.ts);
    for (const seg of segments) {
      const s = Math.max(seg.start, from);
      const e = Math.min(seg.end, to);
      // Split at quarter-hour boundaries so each block gets its share.
      for (let c = s; c < e; ) {
        const next = Math.min(e, demandBlockOf(c) + QUARTER_HOUR_MS);
        addEnergy(holder, seg.state, perMs * (next - c), c);
        c = next;
      }
    }
  }
  const span = period.end - period.start;
  if (sorted.length < 2) warnings.push('fewer than two energy readings: energy cannot be computed (give meter totals at the shift start and end)');
  else if (coveredMs < span) {
    warnings.push(`energy readings cover ${(coveredMs / 60_000).toFixed(1)} of ${(span / 60_000).toFixed(1)} minutes of the shift: energy is for the covered part only`);
  }
  return { energy: holder.energy, coveredMs, warnings };
}
