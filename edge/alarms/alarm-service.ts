// The alarm system as the edge runs it: the alarm engine and the flight recorder wired to the
// alarm module's own tables (its journal, recordings, shelving points, learned baselines) and one
// outgoing stream of wire events for the live server. What it uses from other modules is handed
// in by the composition root (edge/edge-runtime.ts): the health monitor (edge/diagnosis) as the
// engine's anomaly scorer, the fault catalogue, and which recordings service cases still need.
// The root registers its model event sinks (`sinks`) after the health monitor and starts its
// timer; REST routes and the command path call its methods with the acting user.
import type Database from 'better-sqlite3';
import type { AlarmSettings } from '../../shared/alarm-rules.js';
import { historianSettings } from '../../shared/historian-config.js';
import { lookupFault, type FaultCatalogue } from '../../shared/alarm-fault-catalogue.js';
import type {
  AlarmDiagnosis, AlarmEvent, AlarmKpis, AlarmList, AlarmOccurrence, AlarmView, MachineHealth, Recording, RecordingSummary,
} from '../../shared/alarm-wire.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { shiftAt, shiftsBetween } from '../../shared/kpi/index.js';
import type { ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import type { HealthMonitor } from '../diagnosis/index.js';
import { createAlarmEngine, type AlarmEngine, type DerivedSignal, type DerivedSignalSpec, type EngineEvent } from './alarm-engine.js';
import { alarmKpis } from './alarm-kpis.js';
import { FlightRecorder, type Capture } from './flight-recorder.js';
import { AlarmStore } from './store/alarm-store.js';

export interface AlarmServiceOptions {
  plant: PlantConfig;
  /** alarmSettings(plant.alarms): the root reads them once, the health monitor takes its part too. */
  settings: AlarmSettings;
  /** A connection of the alarm module's own (edge/store/database.ts openDatabase); it applies its migrations on it. */
  sqlite: Database.Database;
  now: () => number;
  log: Log;
  /** The plant's fault catalogue (edge/diagnosis loadFaultCatalogue): advice in en/zh-CN with each alarm. */
  catalogue: FaultCatalogue;
  /**
   * The machines' health (edge/diagnosis): the engine's anomaly scorer and the health in each
   * diagnosis. Ticked before the engine, its learned baselines kept in the alarm module's table.
   */
  monitor: HealthMonitor;
  /** Recordings something else still refers to (service cases), kept past recorder.keepDays. */
  recordingsInUse?: () => readonly number[];
  /** How often time-driven checks run (delays, shelving expiry, recordings). Default 1000 ms. */
  tickMs?: number;
}

export type KpiPeriod =
  | { shift: 'current' }
  | { shift: 'previous' }
  | { date: string; name: string }
  | { from: number; to: number };

export class UnknownPeriodError extends Error {
  override name = 'UnknownPeriodError';
}

export interface AlarmService {
  readonly settings: AlarmSettings;
  readonly engine: AlarmEngine;
  readonly store: AlarmStore;
  readonly catalogue: FaultCatalogue;
  readonly recorder: FlightRecorder;
  /**
   * Its model event sinks in order: the flight recorder, then the alarm engine. They come after
   * the health monitor's in the root's list (the engine reads the monitor's anomaly scores).
   */
  readonly sinks: readonly ModelEventSink[];
  tick(): void;
  start(): void;
  stop(): void;
  onAlarmEvent(listener: (event: AlarmEvent) => void): () => void;
  list(options?: { all?: boolean; machineId?: string; diagnosis?: boolean }): AlarmList;
  /** One occurrence from the journal, with the diagnosis of its machine now. */
  occurrence(id: number): (AlarmOccurrence & { diagnosis: AlarmDiagnosis }) | null;
  history(q: { from: number; to: number; machineId?: string; limit?: number }): AlarmOccurrence[];
  kpis(period: KpiPeriod): AlarmKpis;
  diagnosis(machineId: string, faultCode?: number | null): AlarmDiagnosis;
  health(machineId: string): MachineHealth | undefined;
  ack(key: string, by: string): AlarmView;
  ackAll(by: string, machineId?: string): AlarmView[];
  shelve(key: string, by: string, minutes: number, reason: string): AlarmView;
  unshelve(key: string, by: string): AlarmView;
  removeFromService(key: string, by: string, reason: string): AlarmView;
  returnToService(key: string, by: string): AlarmView;
  /** An alarm point a module feeds (energy demand, emissions): same list, ack, shelve and journal as the rules' alarms. */
  derive(spec: DerivedSignalSpec): DerivedSignal;
  /** Starts a flight recording on demand; it completes postSeconds later. */
  record(machineId: string, options: { by: string; note?: string; preSeconds?: number; postSeconds?: number }): RecordingSummary;
  recording(id: number): Recording | null;
  recordings(q?: { machineId?: string; alarmId?: number; limit?: number }): RecordingSummary[];
}

export function createAlarmService(options: AlarmServiceOptions): AlarmService {
  const { plant, settings, catalogue, monitor, now, log } = options;
  const recordingsInUse = options.recordingsInUse ?? (() => []);
  const store = new AlarmStore(options.sqlite);
  const startedAt = now();
  const leftOpen = store.closeLeftOpen(startedAt);
  if (leftOpen) log('info', `alarms: ${leftOpen} occurrence(s) left open by the previous run closed; standing conditions are raised again`);
  store.closeUnfinishedRecordings();
  const keepMs = settings.recorder.keepDays * 86_400_000;
  let lastPrune = -Infinity;
  /** Journal retention: the plant file's historian.retention.alarmsDays (the historian pruned it when it held the journal). */
  const journalKeepMs = historianSettings(plant.historian).retention.alarmsDays * 86_400_000;
  /** Recordings past recorder.keepDays, and occurrences past the journal's retention. */
  function prune(t: number) {
    if (t - lastPrune < 6 * 3_600_000) return;
    lastPrune = t;
    const recordings = store.pruneRecordings(t - keepMs, recordingsInUse());
    const occurrences = store.pruneOccurrences(t - journalKeepMs);
    if (recordings || occurrences) log('info', `alarms: pruned ${recordings} recording(s) older than ${settings.recorder.keepDays} days and ${occurrences} journal occurrence(s) past retention`);
  }

  const restoredBaselines = monitor.restoreBaselines(store.baselines());
  if (restoredBaselines) log('info', `alarms: ${restoredBaselines} learned tag baseline(s) restored; they score again after a warm-up`);
  let lastBaselineSave = startedAt;
  const saveBaselines = (t: number) => {
    lastBaselineSave = t;
    store.saveBaselines(monitor.exportBaselines(), t);
  };
  const engine = createAlarmEngine({
    plant, settings, now,
    anomaly: (machineId, tags) => monitor.score(machineId, tags),
    firstOccurrenceId: store.nextOccurrenceId(),
    restore: store.restorePoints(),
  });
  const recorder = new FlightRecorder(plant.machines.map((m) => m.id), settings.recorder.preSeconds * 1000, now);
  const machineType = new Map(plant.machines.map((m) => [m.id, m.type]));
  const listeners = new Set<(e: AlarmEvent) => void>();

  function diagnosis(machineId: string, faultCode?: number | null): AlarmDiagnosis {
    const type = machineType.get(machineId);
    const advice = type && faultCode ? [lookupFault(catalogue, type, faultCode, 'en'), lookupFault(catalogue, type, faultCode, 'zh-CN')] : [];
    return { advice, health: monitor.health(machineId) ?? null };
  }

  const withDiagnosis = (v: AlarmView): AlarmView => ({ ...v, diagnosis: diagnosis(v.machineId, v.faultCode) });

  function send(event: AlarmEvent) {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        log('warn', `alarm event listener failed: ${(err as Error).message}`);
      }
    }
  }

  function startCapture(c: Omit<Capture, 'id' | 'from' | 'to' | 'initial' | 'samples'>): Capture {
    const capture = recorder.start(c);
    // Persisted at once with the pre-trigger part: if the edge dies now, that part is kept.
    capture.id = store.createRecording({
      machineId: capture.machineId, trigger: capture.trigger, alarmId: capture.alarmId, alarmKey: capture.alarmKey, note: capture.note,
      triggerTs: capture.triggerTs, from: capture.from, to: capture.to, status: 'recording', sampleCount: capture.samples.length,
      initial: capture.initial, samples: capture.samples,
    });
    return capture;
  }

  engine.onEvent((e: EngineEvent) => {
    const ts = e.ts;
    let occurrence = e.occurrence;
    // A derived alarm has no machine whose signals could be recorded.
    if (e.type === 'raised' && occurrence && e.view && machineType.has(occurrence.machineId) && settings.recorder.priorities.includes(occurrence.priority)) {
      const capture = startCapture({
        machineId: occurrence.machineId, trigger: 'alarm', triggerTs: occurrence.activeTs,
        preMs: settings.recorder.preSeconds * 1000, postMs: settings.recorder.postSeconds * 1000,
        alarmId: occurrence.id, alarmKey: occurrence.key, note: occurrence.message,
      });
      engine.attachRecording(occurrence.key, occurrence.id, capture.id);
      occurrence = { ...occurrence, recordingId: capture.id };
      e.view.recordingId = capture.id;
    }
    if (occurrence) store.writeOccurrence(occurrence, ts);
    if (e.view && ['shelved', 'unshelved', 'out-of-service', 'in-service'].includes(e.type)) {
      store.savePoint({ key: e.view.key, shelved: e.view.shelved, outOfService: e.view.outOfService }, ts);
    }
    send({ type: e.type, ts, alarm: e.view ? withDiagnosis(e.view) : null, flood: e.flood, by: e.by });
  });

  function finish(captures: Capture[]) {
    for (const c of captures) {
      store.finishRecording(c.id, { to: c.to, initial: c.initial, samples: c.samples, status: 'complete' });
      const summary: RecordingSummary = {
        id: c.id, machineId: c.machineId, trigger: c.trigger, alarmId: c.alarmId, alarmKey: c.alarmKey, note: c.note,
        triggerTs: c.triggerTs, from: c.from, to: c.to, status: 'complete', sampleCount: c.samples.length,
      };
      send({ type: 'recording', ts: now(), alarm: null, flood: null, by: null, recording: summary });
    }
  }

  function period(p: KpiPeriod): { from: number; to: number; shift: { name: string; date: string } | null } {
    const t = now();
    const { calendar, site } = plant;
    if ('from' in p) return { from: p.from, to: p.to, shift: null };
    if ('date' in p) {
      const day = Date.parse(`${p.date}T12:00:00Z`);
      const found = Number.isFinite(day) ? shiftsBetween(calendar, site.timezone, day - 2 * 86_400_000, day + 2 * 86_400_000).find((s) => s.date === p.date && s.name === p.name) : undefined;
      if (!found) throw new UnknownPeriodError(`no shift "${p.name}" on ${p.date} in the calendar (shifts: ${calendar.shifts.map((s) => s.name).join(', ')})`);
      return { from: found.start, to: Math.min(found.end, t + 1), shift: { name: found.name, date: found.date } };
    }
    const current = shiftAt(calendar, site.timezone, t);
    if (p.shift === 'current') {
      if (!current) throw new UnknownPeriodError('no shift is running now; ask for shift=previous or a from/to window');
      // Up to and including this instant: an alarm raised now belongs to the shift.
      return { from: current.start, to: t + 1, shift: { name: current.name, date: current.date } };
    }
    const before = shiftsBetween(calendar, site.timezone, t - 14 * 86_400_000, t).filter((s) => s.end <= t).at(-1);
    if (!before) throw new UnknownPeriodError('no finished shift in the last 14 days');
    return { from: before.start, to: before.end, shift: { name: before.name, date: before.date } };
  }

  let timer: NodeJS.Timeout | undefined;
  const service: AlarmService = {
    settings, engine, store, catalogue, recorder,
    sinks: [recorder, engine],
    tick() {
      monitor.tick();
      engine.tick();
      finish(recorder.tick());
      const t = now();
      prune(t);
      if (t - lastBaselineSave >= 10 * 60_000) saveBaselines(t);
    },
    start() {
      // At start, not at construction: what recordingsInUse asks (service cases) is built after the alarms.
      prune(now());
      timer ??= setInterval(() => {
        try {
          service.tick();
        } catch (err) {
          log('error', `alarm tick failed: ${(err as Error).stack ?? String(err)}`);
        }
      }, options.tickMs ?? 1000);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      // Recordings in progress keep what they have.
      finish(recorder.flush());
      saveBaselines(now());
    },
    onAlarmEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    list(o = {}) {
      const alarms = engine.list({ all: o.all, machineId: o.machineId });
      return { alarms: o.diagnosis === false ? alarms : alarms.map(withDiagnosis), flood: engine.flood(), ts: now() };
    },
    occurrence(id) {
      const o = store.occurrence(id);
      return o ? { ...o, diagnosis: diagnosis(o.machineId, o.faultCode) } : null;
    },
    history: (q) => store.occurrences(q),
    kpis(p) {
      const { from, to, shift } = period(p);
      return alarmKpis({
        from, to, shift,
        occurrences: store.occurrences({ from, to }),
        operators: settings.operators,
        floodCount: settings.flood.count,
        staleAfterMs: settings.staleAfterHours * 3_600_000,
        shelvedNow: engine.list().filter((a) => a.state === 'shelved').length,
      });
    },
    diagnosis,
    health: (machineId) => monitor.health(machineId),
    ack: (key, by) => engine.ack(key, by),
    ackAll: (by, machineId) => engine.ackAll(by, machineId),
    shelve: (key, by, minutes, reason) => engine.shelve(key, by, minutes, reason),
    unshelve: (key, by) => engine.unshelve(key, by),
    removeFromService: (key, by, reason) => engine.removeFromService(key, by, reason),
    returnToService: (key, by) => engine.returnToService(key, by),
    derive: (spec) => engine.derive(spec),
    record(machineId, o) {
      if (!machineType.has(machineId)) throw new RangeError(`no machine "${machineId}" (known: ${[...machineType.keys()].join(', ')})`);
      const t = now();
      const c = startCapture({
        machineId, trigger: 'manual', triggerTs: t,
        preMs: (o.preSeconds ?? settings.recorder.preSeconds) * 1000, postMs: (o.postSeconds ?? settings.recorder.postSeconds) * 1000,
        alarmId: null, alarmKey: null, note: o.note ? `${o.note} (${o.by})` : `on demand by ${o.by}`,
      });
      if (c.to <= t) finish(recorder.tick());
      return {
        id: c.id, machineId, trigger: 'manual', alarmId: null, alarmKey: null, note: c.note, triggerTs: c.triggerTs,
        from: c.from, to: c.to, status: c.to <= t ? 'complete' : 'recording', sampleCount: c.samples.length,
      };
    },
    recording: (id) => store.recording(id),
    recordings: (q) => store.recordings(q),
  };
  return service;
}
