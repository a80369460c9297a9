// A machine's standing alarms as Sparkplug metrics (ALARM_METRIC): how many are active, how many
// wait for an acknowledgement, the highest priority annunciated, and the list itself for a
// twinline host. Pure: the edge node calls it on every flush and publishes what changed.
import type { AlarmView } from '../../shared/alarm-wire.js';
import { ALARM_PRIORITIES, type AlarmPriority } from '../../shared/alarm-rules.js';

export interface MachineAlarmSummary {
  active: number;
  unacknowledged: number;
  highestPriority: AlarmPriority | null;
  /** AlarmView[] as JSON, without the diagnosis (that stays on the edge: it is large and asked for on demand). */
  listJson: string;
}

/** ISA-18.2: what the operator is shown — active, or returned to normal but not yet acknowledged. */
const ANNUNCIATED = new Set<AlarmView['state']>(['active-unacked', 'active-acked', 'rtn-unacked']);

export function summariseAlarms(views: readonly AlarmView[]): MachineAlarmSummary {
  let highest: number | null = null;
  let active = 0;
  let unacknowledged = 0;
  for (const v of views) {
    if (v.state === 'active-unacked' || v.state === 'active-acked') active++;
    if (v.state === 'active-unacked' || v.state === 'rtn-unacked') unacknowledged++;
    if (ANNUNCIATED.has(v.state)) {
      const rank = ALARM_PRIORITIES.indexOf(v.priority);
      if (highest === null || rank < highest) highest = rank;
    }
  }
  const list = views.map(({ diagnosis: _diagnosis, ...rest }) => rest);
  return { active, unacknowledged, highestPriority: highest === null ? null : ALARM_PRIORITIES[highest]!, listJson: JSON.stringify(list) };
}

/** Standing alarms grouped by machine (machines without any get an empty list). */
export function alarmsByMachine(views: readonly AlarmView[], machineIds: readonly string[]): Map<string, AlarmView[]> {
  const out = new Map<string, AlarmView[]>(machineIds.map((id) => [id, []]));
  for (const v of views) out.get(v.machineId)?.push(v);
  return out;
}
