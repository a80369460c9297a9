// The simulator's ground truth for one shift of one machine, booked into PeriodTotals by
// the SAME pure KPI code the edge uses (shared/kpi/state-timeline.ts → oee.ts). A test that
// compares the edge with this checks acquisition, state derivation and counting — not the
// formulas twice.
import type { MachineState } from '../../shared/plant-schema.js';
import { addEnergy, type PeriodTotals } from '../../shared/kpi/period-totals.js';
import type { ShiftInstance } from '../../shared/kpi/shift-calendar.js';
import { bookTimeline, type StateInterval } from '../../shared/kpi/state-timeline.js';
import type { MachineTruth } from '../../plc-sim/ground-truth.js';

/** `truth` must come from sim.truth(shift.start, shift.end), after the shift has ended. */
export function truthTotals(truth: MachineTruth, shift: ShiftInstance, microStopThresholdMs: number): PeriodTotals {
  const states: StateInterval[] = truth.intervals.map((i) => ({
    start: i.start,
    end: i.end,
    state: i.state as MachineState,
    // Mirrors the edge's reason text (plant-model.ts: "fault <code>" for down).
    reason: i.state === 'down' ? `fault ${i.faultCode}` : i.state === 'planned-stop' ? (i.detail ?? i.reason) : i.reason,
  }));
  const totals = bookTimeline({
    period: { start: shift.start, end: shift.end },
    plannedStops: shift.plannedStops,
    states,
    uncovered: 'no-data',
    microStopThresholdMs,
  });
  totals.counts = { total: truth.counts.total, good: truth.counts.good };
  totals.idealOutputSeconds = truth.idealProductionMs / 1000;
  for (const i of truth.intervals) addEnergy(totals, i.state as MachineState, i.energyKWh, i.start);
  return totals;
}
