// The current value of each computed metric, read from the running edge: the node's line KPIs,
// queue statistics, alarm flood and connector health, and each machine's fields and alarm
// summary. Births publish all of them, data messages the ones that changed.
import type { MachineLive } from '../../shared/live-protocol.js';
import type { AlarmList, AlarmView } from '../../shared/alarm-wire.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { DeviceHealth } from '../../shared/live-protocol.js';
import { alarmsByMachine, summariseAlarms } from './alarm-metrics.js';
import { ALARM_METRIC, DEVICE_FIELDS, deviceMetricName, MACHINE_FIELDS, NODE_METRIC, type Catalogue, type MetricDef } from './metric-catalogue.js';
import type { MetricValue } from './sparkplug-codec.js';

/** What the uplink reads from the running edge. */
export interface UplinkSource {
  plant: PlantConfig;
  machineLive(machineId: string): MachineLive | undefined;
  devices(): DeviceHealth[];
  /** Line KPIs of the current shift (bottleneck method), or null between shifts. */
  lineKpis(): { availability: number; performance: number; quality: number; oee: number; bottleneck: string } | null;
  /** When the edge (its KPI engine) started; default: when the uplink was created. */
  startedAt?: number;
  /** The standing alarm list (without diagnosis); absent on an edge without alarms: published as none. */
  alarms?(): AlarmList;
  /** The audit log's latest anchor as JSON (edge/audit/audit-log.ts latestAnchor), or null. */
  auditAnchor?(): string | null;
  /** The energy module's meters for the plant host (shared/energy-api.ts EnergyUplink) as JSON, or null without meters. */
  energy?(): string | null;
}

export type MetricReading = [MetricDef, MetricValue];

export interface MetricValues {
  /** The catalogue's entry; a missing one is a bug in the catalogue, not bad input. */
  def(device: string | null, name: string): MetricDef;
  /** Line KPIs, queue statistics, alarm flood, connector health. */
  node(): MetricReading[];
  /** A machine's fields (MACHINE_FIELDS, in catalogue order). */
  machineFields(machineId: string, live: MachineLive): MetricReading[];
  /** A machine's alarm summary (ALARM_METRIC). */
  alarms(machineId: string): MetricReading[];
}

export interface QueueFigures {
  queuedMetrics(): number;
  droppedMetrics(): number;
}

export function createMetricValues(catalogue: Catalogue, source: UplinkSource, queue: QueueFigures): MetricValues {
  const machineIds = source.plant.machines.map((m) => m.id);
  const def = (device: string | null, name: string): MetricDef => {
    const d = catalogue.byName(device, name);
    if (!d) throw new Error(`uplink: no metric "${name}" for ${device ?? 'the node'} in the catalogue`);
    return d;
  };

  /** The alarm list read once per flush (or birth), not once per machine. */
  let alarmCache: { byMachine: Map<string, AlarmView[]>; floodJson: string | null; siteJson: string | null } | null = null;
  const isMachine = new Set(machineIds);
  function alarmState() {
    if (alarmCache) return alarmCache;
    const list = source.alarms?.();
    const site = (list?.alarms ?? []).filter((a) => !isMachine.has(a.machineId));
    alarmCache = {
      byMachine: alarmsByMachine(list?.alarms ?? [], machineIds), floodJson: list ? JSON.stringify(list.flood) : null,
      siteJson: list ? summariseAlarms(site).listJson : null,
    };
    queueMicrotask(() => { alarmCache = null; });
    return alarmCache;
  }

  return {
    def,
    node() {
      const out: MetricReading[] = [];
      const line = source.lineKpis();
      out.push([def(null, NODE_METRIC.lineOee), line?.oee ?? null]);
      out.push([def(null, NODE_METRIC.lineAvailability), line?.availability ?? null]);
      out.push([def(null, NODE_METRIC.linePerformance), line?.performance ?? null]);
      out.push([def(null, NODE_METRIC.lineQuality), line?.quality ?? null]);
      out.push([def(null, NODE_METRIC.lineBottleneck), line?.bottleneck ?? null]);
      out.push([def(null, NODE_METRIC.queuedMetrics), queue.queuedMetrics()]);
      out.push([def(null, NODE_METRIC.droppedMetrics), queue.droppedMetrics()]);
      out.push([def(null, NODE_METRIC.alarmFlood), alarmState().floodJson]);
      out.push([def(null, NODE_METRIC.auditAnchor), source.auditAnchor?.() ?? null]);
      out.push([def(null, NODE_METRIC.energyMeters), source.energy?.() ?? null]);
      out.push([def(null, NODE_METRIC.siteAlarms), alarmState().siteJson]);
      const health = new Map(source.devices().map((h) => [h.deviceId, h]));
      for (const id of catalogue.deviceIds) {
        const h = health.get(id);
        for (const f of DEVICE_FIELDS) out.push([def(null, deviceMetricName(id, f.field)), h ? f.get(h) : null]);
      }
      return out;
    },
    machineFields(machineId, live) {
      const defs = catalogue.devices.get(machineId) ?? [];
      return MACHINE_FIELDS.map((f, i): MetricReading => [defs[i]!, f.get(live)]);
    },
    alarms(machineId) {
      const s = summariseAlarms(alarmState().byMachine.get(machineId) ?? []);
      return [
        [def(machineId, ALARM_METRIC.active), s.active],
        [def(machineId, ALARM_METRIC.unacknowledged), s.unacknowledged],
        [def(machineId, ALARM_METRIC.highestPriority), s.highestPriority],
        [def(machineId, ALARM_METRIC.list), s.listJson],
      ];
    },
  };
}
