// A two-machine plant and a hand-driven clock for the alarm unit tests.
import { parsePlant } from '../../edge/config/load-plant.js';
import type { AlarmRuleInput, AlarmSettingsInput } from '../../shared/alarm-rules.js';
import type { PlantConfig, MachineState } from '../../shared/plant-schema.js';
import type { ModelEvent } from '../../edge/model/plant-model.js';
import type { ModelEventSink } from '../../edge/model/model-event-sink.js';
import { TagChanges } from '../../edge/model/tag-changes.js';
import type { Quality } from '../../shared/live-protocol.js';

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
