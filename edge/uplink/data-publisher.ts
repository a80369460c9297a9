// Data messages by exception (Sparkplug B 3.0 §6.4.6): between flushes the uplink gathers the
// tag changes the model reports and which machines changed; a flush turns them into one DDATA
// per machine (plus NDATA for the node) holding only metrics whose value differs from the last
// one reported — live when the session is online, into the store-and-forward queue when not.
// A machine whose state goes no-data gets its DDEATH after its last data; one that is not born
// gets its DBIRTH (with current values) instead of data, followed by the samples older than the
// birth flagged historical.
import type { MachineLive, Quality } from '../../shared/live-protocol.js';
import type { ModelEvent } from '../model/index.js';
import { coerceValue, NODE_METRIC, qualityCode, TAG_PREFIX, type Catalogue, type MetricDef } from './metric-catalogue.js';
import type { MetricReading, MetricValues, UplinkSource } from './metric-values.js';
import type { Metric, MetricValue } from './sparkplug-codec.js';

/** The last value (and quality) reported per alias, live or queued: what "changed" is measured against. */
export class ReportedValues {
  private readonly values = new Map<number, MetricValue>();
  private readonly qualities = new Map<number, Quality>();

  set(alias: number, value: MetricValue): void {
    this.values.set(alias, value);
  }

  /** Records the value; false when it equals the one last reported. */
  changed(alias: number, value: MetricValue): boolean {
    if (this.values.has(alias) && this.values.get(alias) === value) return false;
    this.values.set(alias, value);
    return true;
  }

  setQuality(alias: number, quality: Quality): void {
    this.qualities.set(alias, quality);
  }

  /** Records the quality; false when it equals the one last reported. */
  qualityChanged(alias: number, quality: Quality): boolean {
    if (this.qualities.get(alias) === quality) return false;
    this.qualities.set(alias, quality);
    return true;
  }
}

/** Where a flush sends what it found. */
export interface DataOutlet {
  online(): boolean;
  isBorn(machineId: string): boolean;
  birth(machineId: string): void;
  death(machineId: string): void;
  publish(device: string | null, metrics: Metric[]): void;
  queue(device: string | null, metrics: Metric[]): void;
}

export interface DataPublisherOptions {
  catalogue: Catalogue;
  source: UplinkSource;
  values: MetricValues;
  reported: ReportedValues;
  outlet: DataOutlet;
  now: () => number;
}

export interface DataPublisher {
  /** Gathers a batch of model events; true if there is something to flush. */
  collect(events: readonly ModelEvent[]): boolean;
  /** Every machine and the node are looked at in the next flush (the periodic refresh, births). */
  markAll(): void;
  /** A birth carries the machine's current values: the changes gathered before it are not sent again. */
  forget(machineId: string): void;
  flush(): void;
}

/** Queue statistics describe the live session; storing them while offline would only describe the queue to itself. */
const LIVE_ONLY_NODE_METRICS = new Set<string>([NODE_METRIC.queuedMetrics, NODE_METRIC.droppedMetrics]);

export function createDataPublisher(options: DataPublisherOptions): DataPublisher {
  const { catalogue, source, values, reported, outlet, now } = options;
  const pendingTags = new Map<string, Metric[]>();
  const dirty = new Set<string>();
  let nodeDirty = false;

  function changedMetrics(readings: MetricReading[], ts: number, out: Metric[]): void {
    for (const [d, raw] of readings) {
      const value = coerceValue(d.type, raw);
      if (!reported.changed(d.alias, value)) continue;
      out.push({ alias: d.alias, type: d.type, value, timestamp: ts });
    }
  }

  function tagMetric(d: MetricDef, value: Parameters<typeof coerceValue>[1], quality: Quality, ts: number): Metric {
    const m: Metric = { alias: d.alias, type: d.type, value: coerceValue(d.type, value), timestamp: ts };
    if (reported.qualityChanged(d.alias, quality)) m.properties = { Quality: { type: 'Int32', value: qualityCode(quality) } };
    return m;
  }

  /**
   * A DBIRTH states each tag's current value only. Samples gathered since the last flush that are
   * older than it (a machine's first data came in several samples, or it came back after its
   * DDEATH) follow the birth flagged historical, so the host stores every one of them without
   * taking them for the current value (Sparkplug B 3.0 §6.4.4 is_historical).
   */
  function beforeBirth(tags: Metric[], live: MachineLive): Metric[] {
    const earlier: Metric[] = [];
    for (const m of tags) {
      const tag = catalogue.byAlias(m.alias!)?.tag;
      const current = tag === undefined ? undefined : live.tags[tag];
      if (current && (m.timestamp ?? 0) < current.ts) earlier.push({ ...m, isHistorical: true });
    }
    return earlier;
  }

  return {
    collect(events) {
      for (const e of events) {
        if (e.kind !== 'tags') {
          dirty.add(e.machineId);
          continue;
        }
        for (const c of e.changes) {
          dirty.add(c.machineId);
          const d = catalogue.byName(c.machineId, TAG_PREFIX + c.tagName);
          if (!d) continue;
          let list = pendingTags.get(c.machineId);
          if (!list) pendingTags.set(c.machineId, (list = []));
          list.push(tagMetric(d, c.value, c.quality, c.ts));
        }
      }
      return events.length > 0;
    },
    markAll() {
      for (const m of source.plant.machines) dirty.add(m.id);
      nodeDirty = true;
    },
    forget(machineId) {
      pendingTags.delete(machineId);
    },
    flush() {
      const ts = now();
      const online = outlet.online();
      for (const machineId of dirty) {
        const live = source.machineLive(machineId);
        const tags = pendingTags.get(machineId) ?? [];
        pendingTags.delete(machineId);
        if (!live) continue;
        const alive = live.state !== 'no-data';
        if (online && !outlet.isBorn(machineId)) {
          if (!alive) continue; // dead since its DDEATH: the next DBIRTH brings it back
          outlet.birth(machineId);
          const earlier = beforeBirth(tags, live);
          if (earlier.length) outlet.publish(machineId, earlier);
          continue;
        }
        const metrics = tags;
        changedMetrics(values.machineFields(machineId, live), ts, metrics);
        changedMetrics(values.alarms(machineId), ts, metrics);
        if (!online) {
          if (metrics.length) outlet.queue(machineId, metrics);
          continue;
        }
        if (metrics.length) outlet.publish(machineId, metrics);
        if (!alive) outlet.death(machineId);
      }
      dirty.clear();
      if (!nodeDirty) return;
      nodeDirty = false;
      const changed: Metric[] = [];
      const readings = online ? values.node() : values.node().filter(([d]) => !LIVE_ONLY_NODE_METRICS.has(d.name));
      changedMetrics(readings, ts, changed);
      if (!changed.length) return;
      if (online) outlet.publish(null, changed);
      else outlet.queue(null, changed);
    },
  };
}
