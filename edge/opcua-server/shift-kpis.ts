// The KPI engine's current-shift figures in the shape the OPC UA server publishes. Pure.
import type { LiveKpiEngine } from '../kpi/index.js';

/** The current shift's figures of one machine or of the line. Ratios are 0…1. */
export interface ShiftKpis {
  shiftName: string;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  totalCount: number;
  goodCount: number;
  scrapCount: number;
  energyKWh: number;
  /** kWh per good part; null before the first good part. */
  energyPerGoodPartKWh: number | null;
}

type MachineSnapshot = ReturnType<LiveKpiEngine['machine']>;
type LineSnapshot = ReturnType<LiveKpiEngine['line']>;

const perGoodPart = (energyKWh: number, good: number) => (good > 0 ? energyKWh / good : null);

/** null between shifts: the server then shows the figures as Bad (no shift, no figure). */
export function machineShiftKpis(s: MachineSnapshot): ShiftKpis | null {
  if (!s.shift) return null;
  return {
    shiftName: s.shift.name,
    availability: s.oee.availability, performance: s.oee.performance, quality: s.oee.quality, oee: s.oee.oee,
    totalCount: s.counts.total, goodCount: s.counts.good, scrapCount: s.counts.scrap,
    energyKWh: s.energyKWh, energyPerGoodPartKWh: perGoodPart(s.energyKWh, s.counts.good),
  };
}

/**
 * The line: OEE by the bottleneck method (docs/kpi.md), its output counted at the last machine
 * in flow order (the plant file's order), energy of all machines, so energy per good part is
 * the line's energy per part that left the line.
 */
export function lineShiftKpis(line: LineSnapshot, last: MachineSnapshot | null): ShiftKpis | null {
  if (!line) return null;
  const total = last?.counts.total ?? 0;
  const good = last?.counts.good ?? 0;
  return {
    shiftName: line.shift.name,
    availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee,
    totalCount: total, goodCount: good, scrapCount: last?.counts.scrap ?? 0,
    energyKWh: line.energyKWh, energyPerGoodPartKWh: perGoodPart(line.energyKWh, good),
  };
}
