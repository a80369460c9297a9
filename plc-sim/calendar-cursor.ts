// Where the simulated clock stands in the plant's shift calendar, and when that changes next.
// Recomputed only at a change, because resolving local time through Intl is not free.
import type { PlantConfig } from '../shared/plant-schema.js';
import { nextShiftAfter, shiftAt, type ShiftInstance } from '../shared/kpi/index.js';

export interface CalendarPhase {
  /** Production is planned (inside a shift, outside its breaks). */
  producing: boolean;
  /** Why not, when not producing. */
  reason: 'break' | 'no-shift' | null;
  detail?: string;
  shift: ShiftInstance | null;
  /** The instant this phase ends (exclusive). */
  until: number;
}

const MAX_LOOKAHEAD_MS = 86_400_000;

export function calendarPhaseAt(plant: PlantConfig, ts: number): CalendarPhase {
  const tz = plant.site.timezone;
  const shift = shiftAt(plant.calendar, tz, ts);
  if (!shift) {
    const next = nextShiftAfter(plant.calendar, tz, ts);
    return { producing: false, reason: 'no-shift', shift: null, until: next ? next.start : ts + MAX_LOOKAHEAD_MS };
  }
  for (const stop of shift.plannedStops) {
    if (stop.start <= ts && ts < stop.end) return { producing: false, reason: 'break', detail: stop.reason, shift, until: stop.end };
  }
  const nextStop = shift.plannedStops.find((s) => s.start > ts);
  return { producing: true, reason: null, shift, until: nextStop ? nextStop.start : shift.end };
}

export class CalendarCursor {
  private phase: CalendarPhase | undefined;
  constructor(private readonly plant: PlantConfig) {}

  at(ts: number): CalendarPhase {
    if (!this.phase || ts >= this.phase.until || ts < (this.phase.shift?.start ?? -Infinity)) this.phase = calendarPhaseAt(this.plant, ts);
    return this.phase;
  }
}
