// A two-machine plant and a hand-driven clock for the alarm unit tests.
import { parsePlant } from '../../edge/config/load-plant.js';
import { alarmSettings, type AlarmRuleInput, type AlarmSettingsInput } from '../../shared/alarm-rules.js';
import type { PlantConfig, MachineState } from '../../shared/plant-schema.js';
import type { ModelEvent } from '../../edge/model/plant-model.js';
import type { ModelEventSink } from '../../edge/model/model-event-sink.js';
import { TagChanges } from '../../edge/model/tag-changes.js';
import type { Quality } from '../../shared/live-protocol.js';
import { createAlarmService, type AlarmService } from '../../edge/alarms/alarm-service.js';
import { HealthMonitor } from '../../edge/diagnosis/health-monitor.js';
import { loadFaultCatalogue } from '../../edge/diagnosis/fault-catalogue.js';
import { ServiceCases } from '../../edge/service/service-cases.js';
import type { StateSpan } from '../../edge/service/reliability.js';
import { openDatabase } from '../../edge/store/database.js';

export const T0 = Date.parse('2025-03-03T08:00:00+08:00');

const tags = (base: number) => [
  { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: base } },
  { name: 'faultCode', role: 'faultCode', type: 'uint16', modbus: { table: 'holding', address: base + 1 } },
  { name: 'temperature', type: 'int16', unit: '°C', modbus: { table: 'holding', address: base + 2, scale: 0.1 } },
  { name: 'setpoint', type: 'int16', unit: '°C', modbus: { table: 'holding', address: base + 3, scale: 0.1 } },
  { name: 'vibration', type: 'float32', unit: 'mm/s', modbus: { table: 'holding', address: base + 4 } },
];

export function testPlant(alarms: AlarmSettingsInput & { rules?: AlarmRuleInput[] } = {}): PlantConfig {
  return parsePlant({
    site: { id: 'site', name: 'Site', timezone: 'Asia/Shanghai' },
    line: { id: 'line', name: 'Line' },
    calendar: { shifts: [{ name: 'Day', start: '06:00', end: '18:00' }] },
    devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1' }],
    machines: [
      { id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0 }, tags: tags(0) },
      { id: 'oven', name: 'Oven', type: 'washer', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 5, z: 0 }, tags: tags(100) },
    ],
    alarms: { defaultRules: false, ...alarms },
  }, 'test-plant.yaml');
}

export class FakeClock {
  constructor(public t = T0) {}
  now = () => this.t;
  advance(ms: number) { this.t += ms; return this.t; }
}

export function tagEvent(machineId: string, tag: string, value: number | boolean | null, ts: number, quality: Quality = 'good'): ModelEvent {
  return { kind: 'tags', changes: TagChanges.from([{ machineId, tagName: tag, value, quality, ts, receivedTs: ts }]) };
}

export function stateEvent(machineId: string, state: MachineState, ts: number, previous: MachineState = 'no-data', reason: string | null = null): ModelEvent {
  return { kind: 'state', machineId, state, previous, ts, reason };
}

/** Hands events to each sink in order, as the composition root does (here a sink's error fails the test). */
export const feedTo = (sinks: readonly ModelEventSink[]) => (events: readonly ModelEvent[]): void => {
  for (const s of sinks) s.onModelEvents(events);
};

export interface AlarmSystem {
  alarms: AlarmService;
  monitor: HealthMonitor;
  cases: ServiceCases;
  /** The model event sinks in the composition root's order: the health monitor, then the alarm service's. */
  sinks: readonly ModelEventSink[];
  /** Stops the alarm service (it saves the learned baselines) and closes both connections. */
  close(): void;
}

/**
 * The alarm system on a database file as edge/edge-runtime.ts composes it: the health monitor and
 * the fault catalogue (edge/diagnosis), the alarm service on a connection of its own, service
 * cases beside it on theirs.
 */
export function alarmSystem(o: { plant: PlantConfig; file: string; now: () => number; stateIntervals?: (machineId: string, from: number, to: number) => StateSpan[] }): AlarmSystem {
  const settings = alarmSettings(o.plant.alarms);
  const monitor = new HealthMonitor({ plant: o.plant, settings: settings.predictive, now: o.now });
  const catalogue = loadFaultCatalogue(settings.faultCatalogue);
  const alarmsDb = openDatabase(o.file);
  const casesDb = openDatabase(o.file);
  const alarms = createAlarmService({
    plant: o.plant, settings, sqlite: alarmsDb, now: o.now, log: () => {}, catalogue, monitor, recordingsInUse: () => cases.recordingsInUse(),
  });
  const cases = new ServiceCases({
    sqlite: casesDb, plant: o.plant, catalogue, now: o.now, stateIntervals: o.stateIntervals ?? (() => []),
    occurrence: (id) => alarms.occurrence(id), record: (machineId, r) => alarms.record(machineId, r),
  });
  return {
    alarms, monitor, cases, sinks: [monitor, ...alarms.sinks],
    close() {
      alarms.stop();
      casesDb.close();
      alarmsDb.close();
    },
  };
}
