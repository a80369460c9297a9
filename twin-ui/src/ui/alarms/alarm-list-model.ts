// The alarm summary's state, kept from the REST list, the `alarms` list the edge sends after
// each snapshot (or instead of missed events, to a lagging socket) and each `alarm` event.
// Pure: no DOM, no clock; the panel renders what this holds.
import type { AlarmEvent, AlarmList, AlarmState, AlarmView, FloodStatus } from '../../../../shared/alarm-wire.js';
import type { AlarmPriority } from '../../../../shared/alarm-rules.js';
import { hasRole, type Role } from '../../../../shared/auth-api.js';

/** Alarms that need an operator now (ISA-18.2 B, C, D). */
export const ANNUNCIATED: readonly AlarmState[] = ['active-unacked', 'active-acked', 'rtn-unacked'];
/** Alarms taken out of the operator's view on purpose (E, F, G): listed apart, never mixed in. */
export const SET_ASIDE: readonly AlarmState[] = ['shelved', 'suppressed', 'out-of-service'];

const PRIORITY_RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export type AlarmFilter = 'annunciated' | 'set-aside';

export interface AlarmCounts {
  annunciated: number;
  unacked: number;
  active: number;
  setAside: number;
  byPriority: Record<AlarmPriority, number>;
  /** Highest priority among unacknowledged alarms (what the collapsed bar is coloured by), else among annunciated ones. */
  worst: AlarmPriority | null;
}

export interface AlarmListModel {
  alarms: Map<string, AlarmView>;
  flood: FloodStatus | null;
  /** Edge time of the newest list or event applied, to drop a REST answer older than what the socket already said. */
  ts: number;
}

export function emptyModel(): AlarmListModel {
  return { alarms: new Map(), flood: null, ts: 0 };
}

/**
 * Replaces the whole list. A REST answer (`from: 'rest'`) that is older than the socket's
 * latest word is ignored rather than undoing newer events. The socket's own list is the
 * edge's full state and always wins (also after an edge restart whose clock went back).
 */
export function applyList(model: AlarmListModel, list: AlarmList, from: 'socket' | 'rest' = 'socket'): boolean {
  if (from === 'rest' && list.ts < model.ts) return false;
  model.alarms = new Map(list.alarms.filter((a) => a.state !== 'normal').map((a) => [a.key, a]));
  model.flood = list.flood;
  model.ts = list.ts;
  return true;
}

/** One lifecycle step; returns true when what the list shows changed. */
export function applyEvent(model: AlarmListModel, event: AlarmEvent): boolean {
  model.ts = Math.max(model.ts, event.ts);
  let changed = false;
  if (event.flood) {
    model.flood = event.flood;
    changed = true;
  }
  const a = event.alarm;
  if (!a) return changed;
  if (a.state === 'normal') return model.alarms.delete(a.key) || changed;
  const before = model.alarms.get(a.key);
  // A view without a diagnosis (e.g. an ack) keeps the one the raise carried.
  model.alarms.set(a.key, a.diagnosis === undefined && before?.diagnosis ? { ...a, diagnosis: before.diagnosis } : a);
  return true;
}

/**
 * ISA-101 summary order: priority first (the operator answers the most important alarm
 * first), then unacknowledged before acknowledged (a new alarm must not hide under a known
 * one), then newest first.
 */
export function compareAlarms(a: AlarmView, b: AlarmView): number {
  const p = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (p !== 0) return p;
  const ua = a.acked ? 1 : 0;
  const ub = b.acked ? 1 : 0;
  if (ua !== ub) return ua - ub;
  const t = (b.activeTs ?? 0) - (a.activeTs ?? 0);
  return t !== 0 ? t : a.key.localeCompare(b.key);
}

export function visibleAlarms(model: AlarmListModel, filter: AlarmFilter, machineId: string | null = null): AlarmView[] {
  const states = filter === 'annunciated' ? ANNUNCIATED : SET_ASIDE;
  return [...model.alarms.values()]
    .filter((a) => states.includes(a.state) && (machineId === null || a.machineId === machineId))
    .sort(compareAlarms);
}

export function countAlarms(model: AlarmListModel): AlarmCounts {
  const byPriority: Record<AlarmPriority, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  let annunciated = 0;
  let unacked = 0;
  let active = 0;
  let setAside = 0;
  let worstUnacked: AlarmPriority | null = null;
  let worstAny: AlarmPriority | null = null;
  const worse = (w: AlarmPriority | null, p: AlarmPriority) => (w === null || PRIORITY_RANK[p] < PRIORITY_RANK[w] ? p : w);
  for (const a of model.alarms.values()) {
    if (SET_ASIDE.includes(a.state)) {
      setAside++;
      continue;
    }
    if (!ANNUNCIATED.includes(a.state)) continue;
    annunciated++;
    byPriority[a.priority]++;
    worstAny = worse(worstAny, a.priority);
    if (a.state === 'active-unacked' || a.state === 'rtn-unacked') {
      unacked++;
      worstUnacked = worse(worstUnacked, a.priority);
    }
    if (a.state !== 'rtn-unacked') active++;
  }
  return { annunciated, unacked, active, setAside, byPriority, worst: worstUnacked ?? worstAny };
}

/** Machines with annunciated alarms and the worst priority on each (for markers in the 3D view). */
export function machinesInAlarm(model: AlarmListModel): Map<string, { priority: AlarmPriority; unacked: boolean }> {
  const out = new Map<string, { priority: AlarmPriority; unacked: boolean }>();
  for (const a of model.alarms.values()) {
    if (!ANNUNCIATED.includes(a.state)) continue;
    const cur = out.get(a.machineId);
    const unacked = !a.acked;
    if (!cur) out.set(a.machineId, { priority: a.priority, unacked });
    else out.set(a.machineId, { priority: PRIORITY_RANK[a.priority] < PRIORITY_RANK[cur.priority] ? a.priority : cur.priority, unacked: cur.unacked || unacked });
  }
  return out;
}

export interface AlarmActions {
  ack: boolean;
  shelve: boolean;
  unshelve: boolean;
  outOfService: boolean;
  inService: boolean;
  openCase: boolean;
}

/**
 * Which buttons an alarm gets for a session's role. Mirrors the route guards in
 * edge/api/alarm-routes.ts (ack, shelve, unshelve, cases: operator; out of service:
 * maintenance); the edge still refuses whatever the UI should not have offered.
 */
export function allowedActions(alarm: AlarmView, role: Role | null): AlarmActions {
  const op = role !== null && hasRole(role, 'operator');
  const mt = role !== null && hasRole(role, 'maintenance');
  const unackedState = alarm.state === 'active-unacked' || alarm.state === 'rtn-unacked';
  return {
    ack: op && unackedState,
    shelve: op && ANNUNCIATED.includes(alarm.state),
    unshelve: op && alarm.state === 'shelved',
    outOfService: mt && alarm.state !== 'out-of-service',
    inService: mt && alarm.state === 'out-of-service',
    openCase: op && alarm.occurrenceId !== null,
  };
}
