// The edge's real plant model fed with tag samples by the test (no PLCs): the uplink sees the
// same ModelEvents and MachineLive views it sees in the running edge, on a clock the test owns.
import type { PlantConfig } from '../../../shared/plant-schema.js';
import type { DeviceHealth, MachineLive, TagValue, Quality } from '../../../shared/live-protocol.js';
import { createPlantModel, type ModelEvent } from '../../../edge/model/plant-model.js';
import type { ModelEventSink } from '../../../edge/model/model-event-sink.js';
import type { UplinkSource } from '../../../edge/uplink/edge-node.js';
import type { TagSample } from '../../../edge/connectors/connector.js';

export interface ModelLine {
  source: UplinkSource;
  /** Applies samples to the model and hands the events to `sink` (the uplink). */
  feed(samples: Array<{ tag: string; value: TagValue; quality?: Quality; ts?: number }>): ModelEvent[];
  /** Every machine: state 1 (running) plus a value for each numeric tag. */
  allRunning(ts?: number): ModelEvent[];
  /** The machine's tags go bad, as on a lost connection. */
  lose(machineId: string, ts?: number): ModelEvent[];
  sink: ModelEventSink | null;
  now(): number;
  advance(ms: number): void;
}

export function modelLine(plant: PlantConfig, start = Date.UTC(2026, 0, 5, 8, 0, 0)): ModelLine {
  let t = start;
  const model = createPlantModel(plant, t);
  const devices: DeviceHealth[] = plant.devices.map((d) => ({
    deviceId: d.id, protocol: d.protocol, connected: true, lastError: null, latencyMs: 3, readsPerSecond: 2, reconnects: 0,
  }));
  const line: ModelLine = {
    sink: null,
    now: () => t,
    advance(ms) { t += ms; },
    source: {
      plant,
      machineLive(id): MachineLive | undefined {
        const s = model.machine(id);
        if (!s) return undefined;
        return { ...s, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0, oee: { availability: 0, performance: 0, quality: 1, oee: 0 }, shift: null };
      },
      devices: () => devices,
      lineKpis: () => null,
    },
    feed(samples) {
      const batch: TagSample[] = samples.map((s) => ({ tag: s.tag, value: s.value, quality: s.quality ?? 'good', ts: s.ts ?? t, receivedTs: t }));
      const events = model.apply(batch);
      line.sink?.onModelEvents(events);
      return events;
    },
    allRunning(ts = t) {
      const samples = plant.machines.flatMap((m) => m.tags.map((tag) => ({
        tag: `${m.id}.${tag.name}`,
        value: tag.role === 'state' ? 1 : tag.type === 'bool' ? false : tag.role === 'faultCode' ? 0 : 10,
        ts,
      })));
      return line.feed(samples);
    },
    lose(machineId, ts = t) {
      const m = plant.machines.find((x) => x.id === machineId)!;
      return line.feed(m.tags.map((tag) => ({ tag: `${m.id}.${tag.name}`, value: null, quality: 'bad' as const, ts })));
    },
  };
  return line;
}
