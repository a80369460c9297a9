// Line OEE. Pure and browser-safe.
//
// Choice (docs/kpi.md): the line's OEE is the OEE of its bottleneck — the machine
// with the longest ideal cycle time, which sets the pace of the whole line (ties go
// to the machine furthest downstream, closest to the line's output). A stop anywhere
// that starves or blocks the bottleneck shows up there as idle time, so the
// bottleneck's OEE is the line's OEE without double-counting. Multiplying the
// machines' OEEs would count one stop several times; averaging them would let a fast
// machine's idle time hide the constraint. The time-weighted aggregate over all
// machines (Σ times and counts, then the same formulas) is reported next to it.
import { computeKpis, type KpiOptions, type KpiResult } from './oee.js';
import { sumPeriodTotals, type PeriodTotals } from './period-totals.js';

export interface LineMachine {
  machineId: string;
  idealCycleTimeSeconds: number;
  totals: PeriodTotals;
}

export interface LineKpis {
  method: 'bottleneck';
  bottleneck: string;
  /** The line's OEE: the bottleneck machine's. */
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  bottleneckKpis: KpiResult;
  /** Σ over all machines, then the usual formulas. */
  aggregate: KpiResult;
  /** Energy of the whole line, kWh. */
  energyKWh: number;
}

/** `machines` in flow order (upstream first), as in the plant file. */
export function computeLineKpis(machines: readonly LineMachine[], options: KpiOptions = {}): LineKpis {
  if (machines.length === 0) throw new RangeError('a line needs at least one machine');
  let bottleneck = machines[0]!;
  for (const m of machines) if (m.idealCycleTimeSeconds >= bottleneck.idealCycleTimeSeconds) bottleneck = m;
  const bottleneckKpis = computeKpis(bottleneck.totals, options);
  const sum = sumPeriodTotals(machines.map((m) => m.totals));
  return {
    method: 'bottleneck',
    bottleneck: bottleneck.machineId,
    availability: bottleneckKpis.availability,
    performance: bottleneckKpis.performance,
    quality: bottleneckKpis.quality,
    oee: bottleneckKpis.oee,
    bottleneckKpis,
    aggregate: computeKpis(sum, options),
    energyKWh: sum.energy.kWh,
  };
}
