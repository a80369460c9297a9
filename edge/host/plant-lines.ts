// What the plant host says about each line on its main port (GET /api/lines, the overview page):
// where its twin is, whether its edge is online, its machines with their states, the line's OEE
// as the host recomputed it (and as the edge published it) and its standing alarms.
import type { MachineState } from '../../shared/plant-schema.js';
import { MACHINE_STATES } from '../../shared/plant-schema.js';
import type { AlarmPriority } from '../../shared/alarm-rules.js';
import type { EdgeMirror, LineKpiView } from './edge-mirror.js';
import type { HostLineKpi } from './line-kpi.js';
import { summariseAlarms } from '../uplink/alarm-metrics.js';

export interface HostedLineKpis {
  shift: { name: string; date: string; start: number; end: number };
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  bottleneck: string;
  energyKWh: number;
}

export interface HostedLine {
  key: string;
  groupId: string;
  edgeNodeId: string;
  lineId: string;
  name: string;
  online: boolean;
  /** The line's twin and API on the host's main port. */
  path: string;
  /** Its own port as well, when the host file pins one (`lines:`). */
  port: number | null;
  /** Served (its first NBIRTH with a plant view has arrived). */
  served: boolean;
  machines: Array<{ id: string; name: string; state: MachineState; oee: number; alarms: number }>;
  /** How many machines are in each state. */
  states: Record<MachineState, number>;
  /** Recomputed by the host from the mirrored states, counts and energy (null between shifts or without KPI settings). */
  kpis: HostedLineKpis | null;
  /** As the edge published them (Line/OEE …), for comparison. */
  edgeKpis: LineKpiView;
  alarms: { active: number; unacknowledged: number; highestPriority: AlarmPriority | null };
}

export const linePath = (groupId: string, edgeNodeId: string) => `/lines/${encodeURIComponent(groupId)}/${encodeURIComponent(edgeNodeId)}/`;

export function describeLine(mirror: EdgeMirror, kpi: HostLineKpi | null, served: boolean, port: number | null): HostedLine {
  const view = mirror.plantView;
  const states = Object.fromEntries(MACHINE_STATES.map((s) => [s, 0])) as Record<MachineState, number>;
  const machines = (view?.machines ?? []).map((m) => {
    const live = mirror.machines.get(m.id);
    const state = live?.state ?? 'no-data';
    states[state]++;
    return { id: m.id, name: m.name, state, oee: live?.oee.oee ?? 0, alarms: summariseAlarms(mirror.alarms.get(m.id) ?? []).active };
  });
  const all = summariseAlarms([...mirror.alarms.values()].flat());
  const line = kpi?.engine.line() ?? null;
  return {
    key: mirror.key, groupId: mirror.groupId, edgeNodeId: mirror.edgeNodeId,
    lineId: view?.line.id ?? '', name: view?.line.name ?? mirror.key,
    online: mirror.online, path: linePath(mirror.groupId, mirror.edgeNodeId), port, served,
    machines, states,
    kpis: line && {
      shift: line.shift, availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee,
      bottleneck: line.bottleneck, energyKWh: line.energyKWh,
    },
    edgeKpis: { ...mirror.line },
    alarms: { active: all.active, unacknowledged: all.unacknowledged, highestPriority: all.highestPriority },
  };
}
