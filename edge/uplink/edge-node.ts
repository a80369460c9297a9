// The edge as a Sparkplug B 3.0 edge node: one Sparkplug device per machine.
//
// Session (per MQTT connection): CONNECT with the NDEATH Will (bdSeq), subscribe to NCMD/DCMD
// (and the primary host's STATE), then NBIRTH (seq 0) and one DBIRTH per machine with every
// metric, its alias and current value; then DDATA with aliases for changes only. A machine that
// loses its data (state no-data) gets a DDEATH, and a DBIRTH when data returns. NCMD
// `Node Control/Rebirth` repeats the births. seq runs 0…255 over every message but NDEATH.
//
// Store-and-forward: whenever the session is not up (broker unreachable, or the primary host
// offline), data messages go to SQLite instead, flagged historical; after the next births they
// are replayed in order (QoS 1, each forgotten only on the broker's PUBACK). Live data messages
// the broker had not acknowledged when the connection dropped join the queue the same way.
import { join, isAbsolute } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { toPlantView, type DeviceHealth, type MachineLive, type Quality } from '../../shared/live-protocol.js';
import type { UplinkSettings } from '../../shared/uplink-config.js';
import type { AlarmList, AlarmView } from '../../shared/alarm-wire.js';
import type { ModelEvent } from '../model/plant-model.js';
import type { Log } from '../logger.js';
import { backoffDelay } from '../connectors/backoff.js';
import { brokerOptions, redactUrl } from './mqtt-options.js';
import { openForwardStore, type ForwardStore } from './forward-store.js';
import {
  ALARM_METRIC, buildCatalogue, coerceValue, COMMAND_REQUEST, COMMAND_RESULT, DEVICE_FIELDS, deviceMetricName, kpiSettingsOf, MACHINE_FIELDS,
  NODE_METRIC, qualityCode, SOFTWARE, TAG_PREFIX, type Catalogue, type MetricDef,
} from './metric-catalogue.js';
import { alarmsByMachine, summariseAlarms } from './alarm-metrics.js';
import { decodePayload, encodePayload, withSeq, type Metric, type MetricValue, type Payload } from './sparkplug-codec.js';
import { deviceTopic, nextSeq, nodeTopic, parseHostState, parseTopic, stateTopic, type NodeAddress } from './sparkplug-topics.js';

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
}

/** Who sent a command over DCMD, as far as Sparkplug can tell (the broker's ACL vouches for the host). */
export interface RemoteCommandOrigin {
  groupId: string;
  edgeNodeId: string;
  machineId: string;
  /** The user the host names in a Command/Request (absent for a plain metric write). */
  user: string | null;
  hostId: string | null;
}

export interface RemoteCommandOutcome {
  ok: boolean;
  message: string;
  status?: number;
  code?: string;
  auditId?: number;
  outcome?: string;
}

/**
 * The seam to the edge's command service: `request` is the parsed JSON of a Command/Request
 * (or a write-setpoint built from a DCMD on a Tags/<name> metric); it is validated there.
 */
export type RemoteCommandHandler = (request: unknown, origin: RemoteCommandOrigin) => Promise<RemoteCommandOutcome>;

export interface EdgeNodeOptions {
  settings: UplinkSettings;
  source: UplinkSource;
  /** Folder for the store-and-forward file (data/). */
  dataDir: string;
  now?: () => number;
  log: Log;
  env?: NodeJS.ProcessEnv;
  /** Without it, DCMD commands are answered "no command service on this edge". */
  commands?: RemoteCommandHandler;
  random?: () => number;
}

export interface UplinkHealth {
  broker: string;
  groupId: string;
  edgeNodeId: string;
  connected: boolean;
  /** Births sent: data goes out live (else it is queued). */
  online: boolean;
  primaryHostOnline: boolean | null;
  bdSeq: number;
  seq: number;
  messagesPublished: number;
  metricsPublished: number;
  /** Historical messages the broker acknowledged since start. */
  historicalReplayed: number;
  /** …and the metrics in them. */
  historicalMetricsReplayed: number;
  queuedMetrics: number;
  droppedMetrics: number;
  replaying: boolean;
  rebirths: number;
  connects: number;
  lastError: string | null;
}

export interface EdgeNode {
  start(): void;
  /** Hand every batch of model events here (after the model applied them). */
  onEvents(events: readonly ModelEvent[]): void;
  /** Births again, as on NCMD Node Control/Rebirth. */
  rebirth(): void;
  health(): UplinkHealth;
  /** Publishes pending data and NDEATH, disconnects; whatever the broker has not taken stays queued. */
  stop(): Promise<void>;
}

interface InFlight {
  /** Live message: stored as historical if the broker never acknowledges it. */
  live?: { device: string | null; metrics: Metric[] };
  /** Replayed message: its row in the queue, and how many metrics it holds. */
  rowId?: number;
  rowMetrics?: number;
}

/** Queue statistics describe the live session; storing them while offline would only describe the queue to itself. */
const LIVE_ONLY_NODE_METRICS = new Set<string>([NODE_METRIC.queuedMetrics, NODE_METRIC.droppedMetrics]);

export function createEdgeNode(options: EdgeNodeOptions): EdgeNode {
  const { settings, source, log } = options;
  const now = options.now ?? Date.now;
  const plant = source.plant;
  const node: NodeAddress = { groupId: settings.groupId, edgeNodeId: settings.edgeNodeId ?? plant.line.id };
  const catalogue: Catalogue = buildCatalogue(plant);
  const plantViewJson = JSON.stringify(toPlantView(plant));
  const kpiSettingsJson = JSON.stringify(kpiSettingsOf(plant));
  const startedAt = source.startedAt ?? now();
  const machineIds = plant.machines.map((m) => m.id);
  const brokerLabel = redactUrl(settings.broker.url);
  const clientOptions: IClientOptions = brokerOptions(settings.broker, {
    path: 'uplink.broker',
    clientId: `twinline-${node.groupId}-${node.edgeNodeId}`,
    env: options.env ?? process.env,
    baseDir: options.dataDir,
  });
  const sfFile = settings.storeAndForward.file
    ? (isAbsolute(settings.storeAndForward.file) ? settings.storeAndForward.file : join(options.dataDir, settings.storeAndForward.file))
    : join(options.dataDir, `uplink-${node.edgeNodeId}.db`);
  const store: ForwardStore = openForwardStore({ file: sfFile, maxMetrics: settings.storeAndForward.maxMetrics, now, log });
  // Queued payloads carry aliases: after a plant-file change they are translated by metric name.
  if (store.getMeta('catalogue') !== catalogue.fingerprint) {
    if (store.queuedMetrics() > 0) requeueWithNewAliases(store, store.getMeta('catalogue_names'), catalogue, log);
    store.setMeta('catalogue', catalogue.fingerprint);
    store.setMeta('catalogue_names', JSON.stringify(catalogueNames(catalogue)));
  }

  // ---- session state ------------------------------------------------------------------
  let client: MqttClient | null = null;
  let connected = false;
  let online = false;
  let stopped = true;
  let primaryHostOnline: boolean | null = settings.primaryHostId ? false : null;
  let lastStateTs = -Infinity;
  // bdSeq survives restarts: a late Will from the previous process must not match our NBIRTH.
  let bdSeq = Number(store.getMeta('bdSeq') ?? -1);
  let seq = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let connects = 0;
  let lastError: string | null = null;
  let errorLogged = false;
  /** Machines with a DBIRTH in this session and no DDEATH since. */
  const born = new Set<string>();
  const inflight = new Map<number, InFlight>();
  let inflightSeq = 0;
  let replaying = false;
  let replayInFlight = 0;
  let replayAfterId = 0;
  let replayedSinceOnline = 0;
  const stats = { messages: 0, metrics: 0, historical: 0, historicalMetrics: 0, rebirths: 0 };

  // ---- data gathered between flushes ------------------------------------------------------
  const pendingTags = new Map<string, Metric[]>();
  const dirty = new Set<string>();
  let nodeDirty = false;
  /** Last value reported per alias (published live, or queued): DDATA carries only changes. */
  const lastValue = new Map<number, MetricValue>();
  const lastQuality = new Map<number, Quality>();
  const lastCommandResult = new Map<string, string>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let refreshTimer: ReturnType<typeof setInterval> | null = null;

  /** The alarm list read once per flush (or birth), not once per machine. */
  let alarmCache: { byMachine: Map<string, AlarmView[]>; floodJson: string | null } | null = null;
  function alarmState() {
    if (alarmCache) return alarmCache;
    const list = source.alarms?.();
    alarmCache = { byMachine: alarmsByMachine(list?.alarms ?? [], machineIds), floodJson: list ? JSON.stringify(list.flood) : null };
    queueMicrotask(() => { alarmCache = null; });
    return alarmCache;
  }
  function alarmValues(machineId: string): Array<[MetricDef, MetricValue]> {
    const s = summariseAlarms(alarmState().byMachine.get(machineId) ?? []);
    return [
      [def(machineId, ALARM_METRIC.active), s.active],
      [def(machineId, ALARM_METRIC.unacknowledged), s.unacknowledged],
      [def(machineId, ALARM_METRIC.highestPriority), s.highestPriority],
      [def(machineId, ALARM_METRIC.list), s.listJson],
    ];
  }

  const deviceDefs = (machineId: string) => catalogue.devices.get(machineId) ?? [];
  const def = (device: string | null, name: string): MetricDef => {
    const d = catalogue.byName(device, name);
    if (!d) throw new Error(`uplink: no metric "${name}" for ${device ?? 'the node'} in the catalogue`);
    return d;
  };

  function noteError(message: string) {
    lastError = message;
    // First failure as an error, repeats quietly, recovery as info (Home Assistant's rule).
    if (!errorLogged) log('error', `uplink ${brokerLabel}: ${message}; data is queued (store-and-forward) until the broker is back`);
    errorLogged = true;
  }

  // ---- value sources ----------------------------------------------------------------------
  function nodeValues(): Array<[MetricDef, MetricValue]> {
    const out: Array<[MetricDef, MetricValue]> = [];
    const line = source.lineKpis();
    out.push([def(null, NODE_METRIC.lineOee), line?.oee ?? null]);
    out.push([def(null, NODE_METRIC.lineAvailability), line?.availability ?? null]);
    out.push([def(null, NODE_METRIC.linePerformance), line?.performance ?? null]);
    out.push([def(null, NODE_METRIC.lineQuality), line?.quality ?? null]);
    out.push([def(null, NODE_METRIC.lineBottleneck), line?.bottleneck ?? null]);
    out.push([def(null, NODE_METRIC.queuedMetrics), store.queuedMetrics()]);
    out.push([def(null, NODE_METRIC.droppedMetrics), store.droppedMetrics()]);
    out.push([def(null, NODE_METRIC.alarmFlood), alarmState().floodJson]);
    const health = new Map(source.devices().map((h) => [h.deviceId, h]));
    for (const id of catalogue.deviceIds) {
      const h = health.get(id);
      for (const f of DEVICE_FIELDS) out.push([def(null, deviceMetricName(id, f.field)), h ? f.get(h) : null]);
    }
    return out;
  }

  function machineFieldMetrics(machineId: string, live: MachineLive, ts: number, changedOnly: boolean): Metric[] {
    const out: Metric[] = [];
    const defs = deviceDefs(machineId);
    for (let i = 0; i < MACHINE_FIELDS.length; i++) {
      const d = defs[i]!;
      const value = coerceValue(d.type, MACHINE_FIELDS[i]!.get(live));
      if (changedOnly && lastValue.has(d.alias) && lastValue.get(d.alias) === value) continue;
      lastValue.set(d.alias, value);
      out.push({ alias: d.alias, type: d.type, value, timestamp: ts });
    }
    for (const [d, raw] of alarmValues(machineId)) {
      const value = coerceValue(d.type, raw);
      if (changedOnly && lastValue.has(d.alias) && lastValue.get(d.alias) === value) continue;
      lastValue.set(d.alias, value);
      out.push({ alias: d.alias, type: d.type, value, timestamp: ts });
    }
    return out;
  }

  // ---- publishing -------------------------------------------------------------------------
  function takeSeq(): number {
    const s = seq;
    seq = nextSeq(seq);
    return s;
  }

  /** Every message of the session goes out at one QoS (see UplinkSettings.qos): brokers keep order only within a QoS. */
  function publishRaw(topic: string, payload: Uint8Array, track?: InFlight): void {
    const c = client!;
    const qos = settings.qos;
    stats.messages++;
    if (!track) {
      c.publish(topic, Buffer.from(payload), { qos, retain: false });
      return;
    }
    // QoS 1: settled by the broker's PUBACK; QoS 0: by the write to the socket.
    const id = ++inflightSeq;
    inflight.set(id, track);
    c.publish(topic, Buffer.from(payload), { qos, retain: false }, (err) => settle(id, !err));
  }

  function settle(id: number, ok: boolean) {
    const entry = inflight.get(id);
    if (!entry) return; // already moved to the queue when the connection dropped
    inflight.delete(id);
    if (entry.rowId !== undefined) {
      replayInFlight--;
      if (ok) {
        store.remove(entry.rowId);
        stats.historical++;
        stats.historicalMetrics += entry.rowMetrics ?? 0;
        replayedSinceOnline++;
        pumpReplay();
      }
    } else if (!ok && entry.live) {
      queue(entry.live.device, entry.live.metrics);
    }
  }

  const topicOf = (device: string | null, type: 'DATA' | 'BIRTH' | 'DEATH') =>
    device === null ? nodeTopic(`N${type}`, node) : deviceTopic(`D${type}`, node, device);

  function publishData(device: string | null, metrics: Metric[]): void {
    const payload: Payload = { timestamp: now(), seq: takeSeq(), metrics };
    stats.metrics += metrics.length;
    publishRaw(topicOf(device, 'DATA'), encodePayload(payload), { live: { device, metrics } });
  }

  /** Into store-and-forward, flagged historical (Sparkplug 3.0 §6.4.4 is_historical). */
  function queue(device: string | null, metrics: Metric[]): void {
    if (!metrics.length) return;
    const historical = metrics.map((m) => ({ ...m, isHistorical: true }));
    store.append([{ device, metrics: historical.length, payload: encodePayload({ timestamp: now(), metrics: historical }) }]);
  }

  function birthMetric(d: MetricDef, value: MetricValue, ts: number, quality?: Quality): Metric {
    const m: Metric = { name: d.name, alias: d.alias, type: d.type, value: coerceValue(d.type, value), timestamp: ts };
    if (d.unit || quality) {
      m.properties = {};
      if (quality) m.properties.Quality = { type: 'Int32', value: qualityCode(quality) };
      if (d.unit) m.properties.engUnit = { type: 'String', value: d.unit };
    }
    return m;
  }

  function publishNodeBirth(): void {
    const ts = now();
    seq = 0;
    const metrics: Metric[] = [
      birthMetric(def(null, NODE_METRIC.bdSeq), bdSeq, ts),
      birthMetric(def(null, NODE_METRIC.rebirth), false, ts),
      birthMetric(def(null, NODE_METRIC.software), SOFTWARE, ts),
      birthMetric(def(null, NODE_METRIC.plantView), plantViewJson, ts),
      birthMetric(def(null, NODE_METRIC.kpiSettings), kpiSettingsJson, ts),
      birthMetric(def(null, NODE_METRIC.startedAt), startedAt, ts),
    ];
    for (const [d, v] of nodeValues()) {
      metrics.push(birthMetric(d, v, ts));
      lastValue.set(d.alias, coerceValue(d.type, v));
    }
    publishRaw(nodeTopic('NBIRTH', node), encodePayload({ timestamp: ts, seq: takeSeq(), metrics }));
    stats.metrics += metrics.length;
  }

  function publishDeviceBirth(machineId: string): void {
    const live = source.machineLive(machineId);
    if (!live) return;
    const ts = now();
    const defs = deviceDefs(machineId);
    const metrics: Metric[] = [];
    MACHINE_FIELDS.forEach((f, i) => {
      const d = defs[i]!;
      const v = coerceValue(d.type, f.get(live));
      lastValue.set(d.alias, v);
      metrics.push(birthMetric(d, v, ts));
    });
    metrics.push(birthMetric(def(machineId, COMMAND_REQUEST), '', ts));
    metrics.push(birthMetric(def(machineId, COMMAND_RESULT), lastCommandResult.get(machineId) ?? '', ts));
    for (const [d, v] of alarmValues(machineId)) {
      lastValue.set(d.alias, coerceValue(d.type, v));
      metrics.push(birthMetric(d, v, ts));
    }
    for (const d of defs) {
      if (d.tag === undefined) continue;
      const t = live.tags[d.tag];
      const quality: Quality = t ? t.quality : 'bad';
      lastQuality.set(d.alias, quality);
      metrics.push(birthMetric(d, t ? t.value : null, t ? t.ts : ts, quality));
    }
    pendingTags.delete(machineId); // the birth carries the current values
    publishRaw(deviceTopic('DBIRTH', node, machineId), encodePayload({ timestamp: ts, seq: takeSeq(), metrics }));
    stats.metrics += metrics.length;
    born.add(machineId);
  }

  function publishDeviceDeath(machineId: string): void {
    publishRaw(deviceTopic('DDEATH', node, machineId), encodePayload({ timestamp: now(), seq: takeSeq(), metrics: [] }));
    born.delete(machineId);
  }

  function ndeathPayload(): Uint8Array {
    return encodePayload({ timestamp: now(), metrics: [{ name: NODE_METRIC.bdSeq, type: 'UInt64', value: bdSeq }] });
  }

  /** NBIRTH, then a DBIRTH for every machine; machines without data get their DDEATH at the next flush. */
  function births(): void {
    born.clear();
    publishNodeBirth();
    for (const m of plant.machines) publishDeviceBirth(m.id);
    for (const m of plant.machines) dirty.add(m.id);
    nodeDirty = true;
    scheduleFlush();
  }

  function goOnline(): void {
    if (!connected || online || (settings.primaryHostId && !primaryHostOnline)) return;
    flush(); // still offline: what was gathered so far joins the queue, before the births
    online = true;
    replayedSinceOnline = 0;
    births();
    const queued = store.queuedMetrics();
    if (queued) log('info', `uplink: online as ${node.groupId}/${node.edgeNodeId} (bdSeq ${bdSeq}); replaying ${queued} queued metric(s)`);
    else log('info', `uplink: online as ${node.groupId}/${node.edgeNodeId} on ${brokerLabel} (bdSeq ${bdSeq})`);
    replaying = true;
    replayAfterId = 0;
    replayInFlight = 0;
    pumpReplay();
  }

  function pumpReplay(): void {
    if (!online || !replaying) return;
    const window = settings.storeAndForward.replayWindow;
    while (replayInFlight < window) {
      const rows = store.peek(window - replayInFlight, replayAfterId);
      if (!rows.length) break;
      for (const row of rows) {
        replayAfterId = row.id;
        replayInFlight++;
        stats.metrics += row.metrics;
        publishRaw(topicOf(row.device, 'DATA'), withSeq(row.payload, takeSeq()), { rowId: row.id, rowMetrics: row.metrics });
      }
    }
    if (replayInFlight === 0 && store.queuedMessages() === 0) {
      replaying = false;
      if (replayedSinceOnline) log('info', `uplink: replayed ${replayedSinceOnline} historical message(s)`);
    }
  }

  // ---- the flush: pending changes → DDATA (online) or the queue (offline) -----------------------
  function scheduleFlush(): void {
    if (flushTimer || stopped) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flush();
    }, settings.publishIntervalMs);
  }

  function flush(): void {
    const ts = now();
    for (const machineId of dirty) {
      const live = source.machineLive(machineId);
      const tags = pendingTags.get(machineId) ?? [];
      pendingTags.delete(machineId);
      if (!live) continue;
      const alive = live.state !== 'no-data';
      if (online) {
        if (!born.has(machineId)) {
          if (alive) publishDeviceBirth(machineId);
          continue; // dead since its DDEATH: the next DBIRTH brings it back
        }
        const metrics = tags.concat(machineFieldMetrics(machineId, live, ts, true));
        if (metrics.length) publishData(machineId, metrics);
        if (!alive) publishDeviceDeath(machineId);
      } else {
        queue(machineId, tags.concat(machineFieldMetrics(machineId, live, ts, true)));
      }
    }
    dirty.clear();
    if (nodeDirty) {
      nodeDirty = false;
      const changed: Metric[] = [];
      for (const [d, raw] of nodeValues()) {
        if (!online && LIVE_ONLY_NODE_METRICS.has(d.name)) continue;
        const v = coerceValue(d.type, raw);
        if (lastValue.has(d.alias) && lastValue.get(d.alias) === v) continue;
        lastValue.set(d.alias, v);
        changed.push({ alias: d.alias, type: d.type, value: v, timestamp: ts });
      }
      if (changed.length) {
        if (online) publishData(null, changed);
        else queue(null, changed);
      }
    }
  }

  function onEvents(events: readonly ModelEvent[]): void {
    for (const e of events) {
      if (e.kind !== 'tags') {
        dirty.add(e.machineId);
        continue;
      }
      const changes = e.changes;
      for (let i = 0; i < changes.length; i++) {
        const machineId = changes.machineId(i);
        dirty.add(machineId);
        const d = catalogue.byName(machineId, TAG_PREFIX + changes.tagName(i));
        if (!d) continue;
        const quality = changes.quality(i);
        const m: Metric = { alias: d.alias, type: d.type, value: coerceValue(d.type, changes.value(i)), timestamp: changes.ts(i) };
        if (lastQuality.get(d.alias) !== quality) {
          lastQuality.set(d.alias, quality);
          m.properties = { Quality: { type: 'Int32', value: qualityCode(quality) } };
        }
        let list = pendingTags.get(machineId);
        if (!list) pendingTags.set(machineId, (list = []));
        list.push(m);
      }
    }
    if (events.length) scheduleFlush();
  }

  // ---- commands from the host ---------------------------------------------------------------
  function publishCommandResult(machineId: string, result: Record<string, unknown>): void {
    const json = JSON.stringify(result);
    lastCommandResult.set(machineId, json);
    const d = def(machineId, COMMAND_RESULT);
    lastValue.set(d.alias, json);
    const metrics: Metric[] = [{ alias: d.alias, type: d.type, value: json, timestamp: now() }];
    if (online && born.has(machineId)) publishData(machineId, metrics);
  }

  async function handleDeviceCommand(machineId: string, payload: Payload): Promise<void> {
    if (!catalogue.devices.has(machineId)) {
      log('warn', `uplink: DCMD for unknown machine "${machineId}" ignored`);
      return;
    }
    for (const m of payload.metrics) {
      const d = m.alias !== undefined ? catalogue.byAlias(m.alias) : m.name !== undefined ? catalogue.byName(machineId, m.name) : undefined;
      if (!d || d.device !== machineId) {
        log('warn', `uplink: DCMD ${machineId}: unknown metric ${m.name ?? `alias ${m.alias}`} ignored`);
        continue;
      }
      let request: unknown;
      let user: string | null = null;
      let hostId: string | null = null;
      let correlation: unknown = null;
      if (d.name === COMMAND_REQUEST) {
        try {
          const body = JSON.parse(String(m.value)) as { id?: unknown; user?: unknown; hostId?: unknown; request?: unknown };
          request = body.request;
          correlation = body.id ?? null;
          user = typeof body.user === 'string' ? body.user.slice(0, 64) : null;
          hostId = typeof body.hostId === 'string' ? body.hostId.slice(0, 64) : null;
        } catch {
          publishCommandResult(machineId, { id: null, ok: false, status: 400, error: 'Command/Request is not JSON: send {"id","user","request":{...}}' });
          continue;
        }
      } else if (d.tag !== undefined && d.writable) {
        request = { kind: 'write-setpoint', machineId, tag: d.tag, value: m.value, reason: 'written by a Sparkplug host (DCMD)' };
      } else {
        publishCommandResult(machineId, { id: null, ok: false, status: 403, error: `${d.name} is not writable` });
        continue;
      }
      const origin: RemoteCommandOrigin = { ...node, machineId, user, hostId };
      if (!settings.commands.enabled) {
        log('warn', `uplink: DCMD ${machineId} ${d.name} refused: remote commands are off (uplink.commands.enabled)`);
        publishCommandResult(machineId, { id: correlation, ok: false, status: 403, error: 'remote commands are disabled on this edge (uplink.commands.enabled: false)' });
        continue;
      }
      if (!options.commands) {
        publishCommandResult(machineId, { id: correlation, ok: false, status: 503, error: 'this edge has no command service wired to its uplink' });
        continue;
      }
      try {
        const outcome = await options.commands(request, origin);
        publishCommandResult(machineId, { id: correlation, ...outcome });
      } catch (err) {
        publishCommandResult(machineId, { id: correlation, ok: false, status: 500, error: (err as Error).message });
      }
    }
  }

  function onMessage(topic: string, message: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return;
    if (t.kind === 'state') {
      if (t.hostId !== settings.primaryHostId) return;
      const state = parseHostState(message);
      if (!state || state.timestamp < lastStateTs) return; // an older STATE arriving late says nothing
      lastStateTs = state.timestamp;
      primaryHostOnline = state.online;
      if (state.online) goOnline();
      else if (online) {
        // Sparkplug 3.0 §5: the primary host going offline means NDEATH, disconnect, start over.
        log('warn', `uplink: primary host ${settings.primaryHostId} went offline: storing data until it is back`);
        void endSession('primary host offline');
      }
      return;
    }
    if (t.groupId !== node.groupId || t.edgeNodeId !== node.edgeNodeId) return;
    let payload: Payload;
    try {
      payload = decodePayload(message);
    } catch (err) {
      log('warn', `uplink: ${topic}: payload is not Sparkplug B (${(err as Error).message})`);
      return;
    }
    if (t.kind === 'node' && t.type === 'NCMD') {
      for (const m of payload.metrics) {
        const isRebirth = m.name === NODE_METRIC.rebirth || (m.alias !== undefined && catalogue.byAlias(m.alias)?.name === NODE_METRIC.rebirth);
        if (isRebirth && m.value === true) {
          log('info', 'uplink: rebirth requested (NCMD Node Control/Rebirth)');
          rebirth();
        } else {
          log('warn', `uplink: NCMD ${m.name ?? `alias ${m.alias}`} is not supported; ignored`);
        }
      }
    } else if (t.kind === 'device' && t.type === 'DCMD') {
      void handleDeviceCommand(t.deviceId, payload);
    }
  }

  function rebirth(): void {
    if (!online) return;
    stats.rebirths++;
    flush();
    births();
  }

  // ---- connection --------------------------------------------------------------------------
  function connect(): void {
    reconnectTimer = null;
    if (stopped) return;
    bdSeq = (bdSeq + 1) & 0xff;
    store.setMeta('bdSeq', String(bdSeq));
    connects++;
    const c = mqtt.connect(settings.broker.url, {
      ...clientOptions,
      will: { topic: nodeTopic('NDEATH', node), payload: Buffer.from(ndeathPayload()), qos: 1, retain: false },
    });
    client = c;
    c.on('connect', () => {
      if (client !== c) return;
      connected = true;
      attempt = 0;
      if (lastError) log('info', `uplink: connected to ${brokerLabel} again`);
      lastError = null;
      errorLogged = false;
      const subs = [nodeTopic('NCMD', node), deviceTopic('DCMD', node, '+')];
      if (settings.primaryHostId) subs.push(stateTopic(settings.primaryHostId));
      c.subscribe(subs, { qos: 1 }, (err) => {
        if (client !== c) return;
        if (err) {
          noteError(`subscribe failed: ${err.message}`);
          void lostConnection('subscribe failed');
          return;
        }
        if (!settings.primaryHostId) goOnline();
      });
    });
    c.on('message', (topic, message) => {
      if (client === c) onMessage(topic, message);
    });
    c.on('error', (err) => {
      if (client === c) noteError(err.message);
    });
    c.on('close', () => {
      if (client === c) void lostConnection('connection closed');
    });
  }

  /** The connection is gone: unacknowledged live messages join the queue, reconnect later. */
  function lostConnection(why: string, graceful = false): Promise<void> {
    const c = client;
    client = null;
    const wasOnline = online;
    connected = false;
    online = false;
    replaying = false;
    for (const [id, entry] of [...inflight]) {
      inflight.delete(id);
      if (entry.live) queue(entry.live.device, entry.live.metrics);
    }
    replayInFlight = 0;
    if (wasOnline && !graceful) noteError(why);
    if (!stopped) {
      const delay = backoffDelay(attempt++, { initialDelayMs: settings.broker.reconnectMinMs, maxDelayMs: settings.broker.reconnectMaxMs, factor: 2, jitter: 0.2 }, options.random);
      reconnectTimer = setTimeout(connect, delay);
    }
    if (!c) return Promise.resolve();
    c.removeAllListeners('close');
    c.removeAllListeners('message');
    c.on('error', () => {});
    // A DISCONNECT makes the broker discard the Will (we sent NDEATH ourselves); a dead link is just dropped.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => { c.end(true); resolve(); }, 2000);
      c.end(!graceful, {}, () => { clearTimeout(timer); resolve(); });
    });
  }

  /** Ends the session on purpose: NDEATH first, since the Will is not sent for a clean disconnect. */
  async function endSession(why: string): Promise<void> {
    const c = client;
    if (c && connected) {
      await new Promise<void>((resolve) => c.publish(nodeTopic('NDEATH', node), Buffer.from(ndeathPayload()), { qos: 0, retain: false }, () => resolve()));
    }
    await lostConnection(why, true);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
      refreshTimer = setInterval(() => {
        for (const m of plant.machines) dirty.add(m.id);
        nodeDirty = true;
        flush();
      }, settings.refreshIntervalMs);
      refreshTimer.unref();
    },
    onEvents,
    rebirth,
    health: () => ({
      broker: brokerLabel,
      groupId: node.groupId,
      edgeNodeId: node.edgeNodeId,
      connected,
      online,
      primaryHostOnline,
      bdSeq,
      seq,
      messagesPublished: stats.messages,
      metricsPublished: stats.metrics,
      historicalReplayed: stats.historical,
      historicalMetricsReplayed: stats.historicalMetrics,
      queuedMetrics: store.queuedMetrics(),
      droppedMetrics: store.droppedMetrics(),
      replaying,
      rebirths: stats.rebirths,
      connects,
      lastError,
    }),
    async stop() {
      if (stopped) return;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (refreshTimer) clearInterval(refreshTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      flush();
      stopped = true;
      // Let the broker acknowledge what is in flight (bounded); what it does not stays queued.
      const deadline = Date.now() + 2000;
      while (inflight.size && connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await endSession('stopped');
      store.close();
    },
  };
}

type CatalogueNames = Array<[alias: number, device: string | null, name: string, type: string]>;

function catalogueNames(catalogue: Catalogue): CatalogueNames {
  return [...catalogue.node, ...[...catalogue.devices.values()].flat()].map((d) => [d.alias, d.device, d.name, d.type]);
}

/** Maps queued metrics from the aliases they were queued with to this plant file's; metrics it no longer has are dropped (counted). */
function requeueWithNewAliases(store: ForwardStore, oldNamesJson: string | undefined, catalogue: Catalogue, log: Log): void {
  const reason = 'because the plant file no longer has their metrics';
  let old: Map<number, { device: string | null; name: string; type: string }> | null = null;
  try {
    old = new Map((JSON.parse(oldNamesJson ?? 'null') as CatalogueNames).map(([alias, device, name, type]) => [alias, { device, name, type }]));
  } catch {
    old = null;
  }
  if (!old) {
    store.clear('because the plant file changed and the queue does not say which metrics its aliases meant');
    return;
  }
  const before = store.queuedMetrics();
  store.rewrite((row) => {
    const payload = decodePayload(row.payload);
    const metrics = payload.metrics.flatMap((m) => {
      const was = m.alias !== undefined ? old!.get(m.alias) : undefined;
      const now = was ? catalogue.byName(was.device, was.name) : undefined;
      return now && now.type === was!.type && (now.device ?? null) === row.device ? [{ ...m, alias: now.alias }] : [];
    });
    return metrics.length ? { payload: encodePayload({ timestamp: payload.timestamp, metrics }), metrics: metrics.length } : null;
  }, reason);
  log('info', `uplink: the plant file changed while ${before} metric(s) were queued: re-addressed them to the new aliases (${store.queuedMetrics()} kept)`);
}
