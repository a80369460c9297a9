// Births (Sparkplug B 3.0 §6.4.2, §6.4.5): NBIRTH and one DBIRTH per machine carry every metric
// with its name, alias, type, unit and current value, so a host can rebuild the node from them
// alone; data messages after them carry aliases only. A machine that loses its data gets a
// DDEATH and no data until its next DBIRTH: `born` says which machines may send data now.
import { toPlantView, type Quality } from '../../shared/live-protocol.js';
import {
  coerceValue, COMMAND_REQUEST, COMMAND_RESULT, kpiSettingsOf, NODE_METRIC, qualityCode, SOFTWARE, type Catalogue, type MetricDef,
} from './metric-catalogue.js';
import type { MetricValues, UplinkSource } from './metric-values.js';
import type { ReportedValues } from './data-publisher.js';
import type { Metric, MetricValue } from './sparkplug-codec.js';

/** A birth's metrics and timestamp; the caller adds seq and publishes. */
export interface Birth {
  timestamp: number;
  metrics: Metric[];
}

export interface BirthsOptions {
  catalogue: Catalogue;
  source: UplinkSource;
  values: MetricValues;
  /** What a birth reports becomes the last reported value: data after it carries changes only. */
  reported: ReportedValues;
  /** The machine's last Command/Result (JSON), '' if none. */
  lastCommandResult(machineId: string): string;
  /** When the edge started (the node's Properties/Started At). */
  startedAt: number;
  now: () => number;
}

export interface Births {
  node(bdSeq: number): Birth;
  /** Null when the model does not know the machine. Marks it born. */
  device(machineId: string): Birth | null;
  isBorn(machineId: string): boolean;
  /** After its DDEATH. */
  died(machineId: string): void;
  /** A new round of births (NBIRTH): no machine is born until its DBIRTH. */
  reset(): void;
}

export function birthMetric(d: MetricDef, value: MetricValue, ts: number, quality?: Quality): Metric {
  const m: Metric = { name: d.name, alias: d.alias, type: d.type, value: coerceValue(d.type, value), timestamp: ts };
  if (d.unit || quality) {
    m.properties = {};
    if (quality) m.properties.Quality = { type: 'Int32', value: qualityCode(quality) };
    if (d.unit) m.properties.engUnit = { type: 'String', value: d.unit };
  }
  return m;
}

export function createBirths(options: BirthsOptions): Births {
  const { catalogue, source, values, reported, now } = options;
  const plantViewJson = JSON.stringify(toPlantView(source.plant));
  const kpiSettingsJson = JSON.stringify(kpiSettingsOf(source.plant));
  /** Machines with a DBIRTH in this session and no DDEATH since. */
  const born = new Set<string>();

  return {
    node(bdSeq) {
      const ts = now();
      const def = values.def;
      const metrics: Metric[] = [
        birthMetric(def(null, NODE_METRIC.bdSeq), bdSeq, ts),
        birthMetric(def(null, NODE_METRIC.rebirth), false, ts),
        birthMetric(def(null, NODE_METRIC.software), SOFTWARE, ts),
        birthMetric(def(null, NODE_METRIC.plantView), plantViewJson, ts),
        birthMetric(def(null, NODE_METRIC.kpiSettings), kpiSettingsJson, ts),
        birthMetric(def(null, NODE_METRIC.startedAt), options.startedAt, ts),
      ];
      for (const [d, v] of values.node()) {
        metrics.push(birthMetric(d, v, ts));
        reported.set(d.alias, coerceValue(d.type, v));
      }
      return { timestamp: ts, metrics };
    },
    device(machineId) {
      const live = source.machineLive(machineId);
      if (!live) return null;
      const ts = now();
      const metrics: Metric[] = [];
      for (const [d, raw] of values.machineFields(machineId, live)) {
        const v = coerceValue(d.type, raw);
        reported.set(d.alias, v);
        metrics.push(birthMetric(d, v, ts));
      }
      metrics.push(birthMetric(values.def(machineId, COMMAND_REQUEST), '', ts));
      metrics.push(birthMetric(values.def(machineId, COMMAND_RESULT), options.lastCommandResult(machineId), ts));
      for (const [d, v] of values.alarms(machineId)) {
        reported.set(d.alias, coerceValue(d.type, v));
        metrics.push(birthMetric(d, v, ts));
      }
      for (const d of catalogue.devices.get(machineId) ?? []) {
        if (d.tag === undefined) continue;
        const t = live.tags[d.tag];
        const quality: Quality = t ? t.quality : 'bad';
        reported.setQuality(d.alias, quality);
        metrics.push(birthMetric(d, t ? t.value : null, t ? t.ts : ts, quality));
      }
      born.add(machineId);
      return { timestamp: ts, metrics };
    },
    isBorn: (machineId) => born.has(machineId),
    died(machineId) { born.delete(machineId); },
    reset() { born.clear(); },
  };
}
