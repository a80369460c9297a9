// The alarm engine: rule conditions → on/off delays → the ISA-18.2 lifecycle (ANSI/ISA-18.2-
// 2016 figure 5), with shelving, suppression by machine state, out of service, chatter and
// flood detection. Pure and synchronous: fed ModelEvents, timed by an injected clock
// (`tick()` evaluates delays, durations, shelving expiry); it hands out events and never
// does I/O. Operator commands (ack, shelve…) are plain methods; the command/audit path and
// persistence sit around it (alarm-service.ts).
import type { AlarmPriority, AlarmSettings } from '../../shared/alarm-rules.js';
import type { AlarmEventType, AlarmOccurrence, AlarmState, AlarmView, FloodStatus } from '../../shared/alarm-wire.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import { evaluateCondition, RateWindow, type AnomalyScorer, type MachineInputs } from './conditions.js';
import { alarmMessage, expandRules, type AlarmPoint, type DerivedRule } from './rule-set.js';

export interface EngineEvent {
  type: AlarmEventType;
  ts: number;
  view: AlarmView | null;
  /** The occurrence this step opened, changed or closed. */
  occurrence: AlarmOccurrence | null;
  flood: FloodStatus | null;
  by: string | null;
}

/** A command that cannot be carried out; `status` is the HTTP status that fits. */
export class AlarmCommandError extends Error {
  override name = 'AlarmCommandError';
  constructor(message: string, readonly status: 400 | 404 | 409) {
    super(message);
  }
}

export interface RestoredPoint {
  key: string;
  shelved: AlarmView['shelved'];
  outOfService: AlarmView['outOfService'];
}

export interface AlarmEngineOptions {
  plant: PlantConfig;
  settings: AlarmSettings;
  now: () => number;
  /** Scores for anomaly rules (edge/diagnosis); without it anomaly rules never fire. */
  anomaly?: AnomalyScorer;
  /** Id of the next occurrence (continue the journal's numbering after a restart). */
  firstOccurrenceId?: number;
  /** Shelving and out-of-service decisions that outlive a restart. */
  restore?: readonly RestoredPoint[];
}

/**
 * A named signal a module computes (energy demand forecast, emission limits) and feeds to the
 * engine; it gets the lifecycle of every other alarm (list, ack, shelve, out of service, journal).
 */
export interface DerivedSignalSpec {
  /** The alarm's rule id, e.g. `demand`. */
  id: string;
  /** Where it stands in the alarm list in place of a machine, e.g. `energy`; the key is `<id>@<source>`. */
  source: string;
  priority: AlarmPriority;
  /** `{value}` and `{limit}` are filled in. */
  message: string;
  limit?: number | null;
  onDelaySeconds?: number;
  offDelaySeconds?: number;
  /** A fault-catalogue code whose advice (en/zh-CN) goes with the alarm, as a fault alarm's code does. */
  code?: number | null;
}

export interface DerivedSignal {
  readonly key: string;
  /** The condition as the module sees it now, and the value that decides it (kept in the message while it stands). */
  set(active: boolean, value: number | null): void;
}

/** As a model event sink it takes tag values and machine states; it must come after the health monitor (anomaly scores). */
export interface AlarmEngine extends ModelEventSink {
  readonly points: readonly AlarmPoint[];
  /** Evaluates everything that depends on time alone. Call it about once a second. */
  tick(): void;
  ack(key: string, by: string): AlarmView;
  /** Acknowledges every unacknowledged alarm (of one machine); returns what it acknowledged. */
  ackAll(by: string, machineId?: string): AlarmView[];
  shelve(key: string, by: string, minutes: number, reason: string): AlarmView;
  unshelve(key: string, by: string): AlarmView;
  removeFromService(key: string, by: string, reason: string): AlarmView;
  returnToService(key: string, by: string): AlarmView;
  /** Points that are not plainly normal (default), or every point. */
  list(options?: { all?: boolean; machineId?: string }): AlarmView[];
  view(key: string): AlarmView | undefined;
  /** Notes the flight recording of an occurrence that is still open; false if it has closed. */
  attachRecording(key: string, occurrenceId: number, recordingId: number): boolean;
  flood(): FloodStatus;
  /** Adds an alarm point fed by a module (see DerivedSignalSpec). */
  derive(spec: DerivedSignalSpec): DerivedSignal;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}

interface PointRuntime {
  point: AlarmPoint;
  machineName: string;
  raw: boolean;
  rawSince: number;
  active: boolean;
  value: number | null;
  code: number | null;
  worstTag: string | null;
  acked: boolean;
  occ: AlarmOccurrence | null;
  shelved: AlarmView['shelved'];
  outOfService: AlarmView['outOfService'];
  suppressed: boolean;
  raises: number[];
  chattering: boolean;
  rate: RateWindow | undefined;
}

export function createAlarmEngine(options: AlarmEngineOptions): AlarmEngine {
  const { plant, settings, now } = options;
  const anomaly: AnomalyScorer = options.anomaly ?? (() => null);
  const listeners = new Set<(e: EngineEvent) => void>();
  let nextId = options.firstOccurrenceId ?? 1;
  const startedAt = now();

  const points = expandRules(plant, settings);
  const inputs = new Map<string, MachineInputs>();
  const faultTagOf = new Map<string, string>();
  for (const m of plant.machines) {
    inputs.set(m.id, { machineId: m.id, state: 'no-data', stateSince: startedAt, faultCode: null, tags: new Map() });
    const ft = m.tags.find((t) => t.role === 'faultCode');
    if (ft) faultTagOf.set(m.id, ft.name);
  }
  const names = new Map(plant.machines.map((m) => [m.id, m.name]));
  const restored = new Map((options.restore ?? []).map((r) => [r.key, r]));

  const runtimes = new Map<string, PointRuntime>();
  const byMachine = new Map<string, PointRuntime[]>();
  const rateByTag = new Map<string, PointRuntime[]>();
  for (const point of points) addRuntime(point);

  function addRuntime(point: AlarmPoint): PointRuntime {
    const r = restored.get(point.key);
    const rt: PointRuntime = {
      point, machineName: names.get(point.machineId) ?? point.machineId,
      raw: false, rawSince: startedAt, active: false, value: null, code: null, worstTag: null,
      acked: true, occ: null, shelved: r?.shelved ?? null, outOfService: r?.outOfService ?? null,
      suppressed: point.suppressIn.has('no-data'), raises: [], chattering: false,
      rate: point.rule.kind === 'rate' ? new RateWindow(point.rule.windowSeconds * 1000) : undefined,
    };
    runtimes.set(point.key, rt);
    byMachine.set(point.machineId, [...(byMachine.get(point.machineId) ?? []), rt]);
    if (rt.rate) {
      const k = `${point.machineId}.${point.tag}`;
      rateByTag.set(k, [...(rateByTag.get(k) ?? []), rt]);
    }
    return rt;
  }

  // ---- flood: annunciated alarms on the line in a sliding window ---------------------
  const floodWindowMs = settings.flood.windowMinutes * 60_000;
  const lineRaises: number[] = [];
  let floodSince: number | null = null;
  const floodStatus = (): FloodStatus => ({
    active: floodSince !== null, since: floodSince, count: lineRaises.length, windowMinutes: settings.flood.windowMinutes, limit: settings.flood.count,
  });
  const chatterWindowMs = settings.chatter.windowSeconds * 1000;

  function emit(type: AlarmEventType, ts: number, rt: PointRuntime | null, by: string | null, occurrence: AlarmOccurrence | null = rt?.occ ?? null) {
    const event: EngineEvent = { type, ts, view: rt ? viewOf(rt) : null, occurrence: occurrence ? { ...occurrence } : null, flood: rt ? null : floodStatus(), by };
    for (const l of listeners) l(event);
  }

  function stateOf(rt: PointRuntime): AlarmState {
    if (rt.outOfService) return 'out-of-service';
    if (rt.shelved) return 'shelved';
    if (rt.suppressed) return 'suppressed';
    if (!rt.occ) return 'normal';
    if (!rt.active) return 'rtn-unacked';
    return rt.acked ? 'active-acked' : 'active-unacked';
  }

  function messageOf(rt: PointRuntime): string {
    return alarmMessage(rt.point, rt.machineName, { value: rt.value, code: rt.code, tag: rt.worstTag });
  }

  function viewOf(rt: PointRuntime): AlarmView {
    const occ = rt.occ;
    return {
      key: rt.point.key, ruleId: rt.point.rule.id, kind: rt.point.rule.kind, machineId: rt.point.machineId,
      tag: rt.worstTag ?? rt.point.tag, priority: rt.point.rule.priority,
      message: occ?.message ?? messageOf(rt),
      state: stateOf(rt), active: rt.active, acked: occ ? rt.acked : true,
      occurrenceId: occ?.id ?? null, activeTs: occ?.activeTs ?? null, ackTs: occ?.ackTs ?? null, ackBy: occ?.ackBy ?? null,
      returnTs: occ?.returnTs ?? null, value: rt.value, faultCode: occ?.faultCode ?? (rt.point.rule.kind === 'fault' || rt.point.rule.kind === 'derived' ? rt.code : null),
      shelved: rt.shelved, outOfService: rt.outOfService, suppressed: rt.suppressed, chattering: rt.chattering,
      recordingId: occ?.recordingId ?? null,
    };
  }

  const annunciable = (rt: PointRuntime) => !rt.outOfService && !rt.shelved && !rt.suppressed;

  /** Ends the current occurrence (it stops being annunciated) with `state` as its last state. */
  function closeOccurrence(rt: PointRuntime, ts: number, state: AlarmState) {
    if (!rt.occ) return;
    rt.occ.state = state;
    rt.occ.closedTs = ts;
    rt.occ = null;
    rt.acked = true;
  }

  function raise(rt: PointRuntime, ts: number) {
    rt.raises.push(ts);
    while (rt.raises.length && rt.raises[0]! <= ts - chatterWindowMs) rt.raises.shift();
    const startsChatter = !rt.chattering && rt.raises.length >= settings.chatter.count;
    if (startsChatter) rt.chattering = true;
    rt.acked = false;
    rt.occ = {
      id: nextId++, key: rt.point.key, ruleId: rt.point.rule.id, kind: rt.point.rule.kind, machineId: rt.point.machineId,
      tag: rt.worstTag ?? rt.point.tag, priority: rt.point.rule.priority, message: messageOf(rt), state: 'active-unacked',
      faultCode: rt.point.rule.kind === 'fault' || rt.point.rule.kind === 'derived' ? rt.code : null, activeTs: ts, ackTs: null, ackBy: null, returnTs: null,
      closedTs: null, chattering: rt.chattering, recordingId: null,
    };
    emit('raised', ts, rt, null);
    if (startsChatter) emit('chatter-started', ts, rt, null);
    lineRaises.push(ts);
    pruneFlood(ts);
    if (floodSince === null && lineRaises.length > settings.flood.count) {
      floodSince = ts;
      emit('flood-started', ts, null, null);
    }
  }

  function pruneFlood(ts: number) {
    while (lineRaises.length && lineRaises[0]! <= ts - floodWindowMs) lineRaises.shift();
  }

  /** Brings the lifecycle in line with the condition and the annunciation blocks. */
  function reconcile(rt: PointRuntime, ts: number) {
    if (!annunciable(rt)) return;
    if (rt.active) {
      if (rt.occ && rt.occ.returnTs !== null) {
        // Back before anyone acknowledged the return (D → B): a new activation, a new occurrence.
        closeOccurrence(rt, ts, 'rtn-unacked');
      }
      if (!rt.occ) raise(rt, ts);
      return;
    }
    if (rt.occ && rt.occ.returnTs === null) {
      rt.occ.returnTs = ts;
      if (rt.acked) {
        rt.occ.state = 'normal';
        const occ = rt.occ;
        closeOccurrence(rt, ts, 'normal');
        emit('normal', ts, rt, null, occ);
      } else {
        rt.occ.state = 'rtn-unacked';
        emit('cleared', ts, rt, null);
      }
    }
  }

  /** On/off delays: the raw condition becomes the alarm's condition once it has held long enough. */
  function applyDelays(rt: PointRuntime, ts: number) {
    const rule = rt.point.rule;
    if (!rt.active && rt.raw && ts - rt.rawSince >= rule.onDelaySeconds * 1000) rt.active = true;
    else if (rt.active && !rt.raw && ts - rt.rawSince >= rule.offDelaySeconds * 1000) rt.active = false;
  }

  function evaluate(rt: PointRuntime, ts: number) {
    if (rt.point.rule.kind === 'derived') {
      // Its module decided the raw condition (derive().set); no machine state suppresses it.
      applyDelays(rt, ts);
      reconcile(rt, ts);
      return;
    }
    const m = inputs.get(rt.point.machineId)!;
    // Suppression by design follows the machine state (ISA-18.2 §12.3 state-based alarming).
    const suppressed = rt.point.suppressIn.has(m.state);
    const unsuppressing = rt.suppressed && !suppressed;
    if (suppressed && !rt.suppressed) {
      rt.suppressed = true;
      const mattered = rt.occ !== null || rt.active;
      const occ = rt.occ;
      closeOccurrence(rt, ts, 'suppressed');
      if (mattered) emit('suppressed', ts, rt, null, occ);
    }
    if (unsuppressing) {
      // Out of suppression the alarm qualifies afresh with its on-delay: a machine that
      // toggles between a suppressing state and a normal one (starved/running every cycle)
      // must not re-raise the alarm at every toggle.
      rt.active = false;
      rt.raw = false;
      rt.rawSince = ts;
    }
    const verdict = evaluateCondition(rt.point, rt.raw, m, { now: ts, anomaly, rate: rt.rate });
    if (verdict.raw !== 'hold') {
      if (verdict.raw !== rt.raw) {
        rt.raw = verdict.raw;
        rt.rawSince = ts;
      }
      // Keep the value that made the alarm while it stands; show the live one otherwise.
      if (verdict.raw || !rt.active) {
        rt.value = verdict.value;
        if (verdict.code !== undefined && verdict.code !== null) rt.code = verdict.code;
        if (verdict.tag) rt.worstTag = verdict.tag;
      }
    }
    applyDelays(rt, ts);
    if (unsuppressing) {
      rt.suppressed = false;
      // Only a condition that is still there is news; it is annunciated anew just below.
      if (rt.active) emit('unsuppressed', ts, rt, null, null);
    }
    reconcile(rt, ts);
  }

  function onModelEvents(events: readonly ModelEvent[]) {
    const ts = now();
    const touched = new Set<string>();
    for (const e of events) {
      if (e.kind === 'tags') {
        for (const c of e.changes) {
          const m = inputs.get(c.machineId);
          if (!m) continue;
          touched.add(c.machineId);
          const raw = c.value;
          const bad = c.quality === 'bad';
          const value = !bad && typeof raw === 'number' && Number.isFinite(raw) ? raw : !bad && typeof raw === 'boolean' ? Number(raw) : null;
          m.tags.set(c.tagName, { value, ts: c.ts });
          if (faultTagOf.get(c.machineId) === c.tagName && !bad) m.faultCode = value === null || value === 0 ? null : value;
          if (value !== null) for (const rt of rateByTag.get(c.tagId) ?? []) rt.rate!.push(c.receivedTs, value);
        }
        continue;
      }
      const m = inputs.get(e.machineId);
      if (!m) continue;
      touched.add(e.machineId);
      if (e.kind === 'state') {
        m.state = e.state;
        m.stateSince = ts;
      }
    }
    for (const id of touched) for (const rt of byMachine.get(id) ?? []) evaluate(rt, ts);
  }

  function tick() {
    const ts = now();
    for (const rt of runtimes.values()) {
      if (rt.shelved && rt.shelved.until <= ts) {
        // Shelving is time-limited (ISA-18.2 §11.4): the alarm comes back by itself.
        rt.shelved = null;
        emit('unshelved', ts, rt, 'system (shelving expired)');
      }
      evaluate(rt, ts);
      if (rt.chattering && (rt.raises.length === 0 || rt.raises[rt.raises.length - 1]! <= ts - chatterWindowMs)) {
        rt.chattering = false;
        rt.raises.length = 0;
        emit('chatter-ended', ts, rt, null);
      }
    }
    pruneFlood(ts);
    if (floodSince !== null && lineRaises.length <= settings.flood.endCount) {
      floodSince = null;
      emit('flood-ended', ts, null, null);
    }
  }

  function get(key: string): PointRuntime {
    const rt = runtimes.get(key);
    if (!rt) throw new AlarmCommandError(`no alarm "${key}" (keys look like <ruleId>@<machineId>, e.g. ${points[0]?.key ?? 'fault@mill'}; GET /api/alarms?all=1 lists them)`, 404);
    return rt;
  }

  function ackOne(rt: PointRuntime, by: string, ts: number) {
    const occ = rt.occ!;
    rt.acked = true;
    occ.ackTs = ts;
    occ.ackBy = by;
    if (!rt.active) {
      // C/D → A: acknowledging a returned alarm ends it.
      occ.state = 'normal';
      closeOccurrence(rt, ts, 'normal');
      emit('acknowledged', ts, rt, by, occ);
    } else {
      occ.state = 'active-acked';
      emit('acknowledged', ts, rt, by);
    }
  }

  const engine: AlarmEngine = {
    name: 'alarm engine',
    points,
    onModelEvents,
    tick,
    ack(key, by) {
      const rt = get(key);
      if (!rt.occ || rt.acked) throw new AlarmCommandError(`alarm "${key}" has nothing to acknowledge (it is ${stateOf(rt)})`, 409);
      ackOne(rt, by, now());
      return viewOf(rt);
    },
    ackAll(by, machineId) {
      const ts = now();
      const done: AlarmView[] = [];
      for (const rt of runtimes.values()) {
        if (machineId && rt.point.machineId !== machineId) continue;
        if (rt.occ && !rt.acked) {
          ackOne(rt, by, ts);
          done.push(viewOf(rt));
        }
      }
      return done;
    },
    shelve(key, by, minutes, reason) {
      const rt = get(key);
      if (!(minutes > 0) || minutes > settings.maxShelveMinutes) {
        throw new AlarmCommandError(`shelve for 0 < minutes ≤ ${settings.maxShelveMinutes} (alarms.maxShelveMinutes); got ${minutes}`, 400);
      }
      if (rt.outOfService) throw new AlarmCommandError(`alarm "${key}" is out of service; return it to service before shelving`, 409);
      const ts = now();
      rt.shelved = { by, at: ts, until: ts + minutes * 60_000, reason };
      const occ = rt.occ;
      closeOccurrence(rt, ts, 'shelved');
      emit('shelved', ts, rt, by, occ);
      return viewOf(rt);
    },
    unshelve(key, by) {
      const rt = get(key);
      if (!rt.shelved) throw new AlarmCommandError(`alarm "${key}" is not shelved`, 409);
      const ts = now();
      rt.shelved = null;
      emit('unshelved', ts, rt, by);
      evaluate(rt, ts);
      return viewOf(rt);
    },
    removeFromService(key, by, reason) {
      const rt = get(key);
      const ts = now();
      rt.shelved = null;
      rt.outOfService = { by, at: ts, reason };
      const occ = rt.occ;
      closeOccurrence(rt, ts, 'out-of-service');
      emit('out-of-service', ts, rt, by, occ);
      return viewOf(rt);
    },
    returnToService(key, by) {
      const rt = get(key);
      if (!rt.outOfService) throw new AlarmCommandError(`alarm "${key}" is in service`, 409);
      const ts = now();
      rt.outOfService = null;
      emit('in-service', ts, rt, by);
      evaluate(rt, ts);
      return viewOf(rt);
    },
    list(options = {}) {
      const out: AlarmView[] = [];
      for (const rt of runtimes.values()) {
        if (options.machineId && rt.point.machineId !== options.machineId) continue;
        const standing = rt.occ !== null || rt.shelved !== null || rt.outOfService !== null || (rt.suppressed && rt.active);
        if (options.all || standing) out.push(viewOf(rt));
      }
      return out;
    },
    view: (key) => {
      const rt = runtimes.get(key);
      return rt ? viewOf(rt) : undefined;
    },
    attachRecording(key, occurrenceId, recordingId) {
      const occ = runtimes.get(key)?.occ;
      if (!occ || occ.id !== occurrenceId) return false;
      occ.recordingId = recordingId;
      return true;
    },
    flood: floodStatus,
    derive(spec) {
      const key = `${spec.id}@${spec.source}`;
      if (runtimes.has(key)) throw new Error(`alarm point "${key}" exists already: give the derived signal another id or source`);
      const rule: DerivedRule = {
        id: spec.id, kind: 'derived', priority: spec.priority, message: spec.message, limit: spec.limit ?? null,
        onDelaySeconds: spec.onDelaySeconds ?? 0, offDelaySeconds: spec.offDelaySeconds ?? 0,
      };
      const point: AlarmPoint = { key, rule, machineId: spec.source, tag: null, suppressIn: new Set() };
      points.push(point);
      const rt = addRuntime(point);
      rt.code = spec.code ?? null;
      return {
        key,
        set(active, value) {
          const ts = now();
          if (active !== rt.raw) {
            rt.raw = active;
            rt.rawSince = ts;
          }
          if (active || !rt.active) rt.value = value;
          evaluate(rt, ts);
        },
      };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return engine;
}
