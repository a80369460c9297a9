// The edge as a Sparkplug B 3.0 edge node: one Sparkplug device per machine. This file wires the
// parts; each has one job:
//   mqtt-session.ts       the MQTT session: CONNECT with the NDEATH Will, subscriptions, the
//                         primary host's STATE, reconnect with backoff, NDEATH on purpose
//   sequence-numbers.ts   bdSeq per session (kept across restarts) and seq per message
//   births.ts             NBIRTH and DBIRTHs with every metric of the catalogue (metric-catalogue.ts)
//                         and its current value (metric-values.ts); which machines are born
//   data-publisher.ts     DDATA/NDATA by exception: what changed since it was last reported
//   store-and-forward.ts  data while offline goes to SQLite (forward-store.ts), flagged
//                         historical, and is replayed in order after the next births
//   host-commands.ts      NCMD rebirth and DCMD commands to the edge's command service
//
// Session: NBIRTH (seq 0) and one DBIRTH per machine, then DDATA with aliases for changes only.
// A machine that loses its data (state no-data) gets a DDEATH, and a DBIRTH when data returns.
// NCMD `Node Control/Rebirth` repeats the births. seq runs 0…255 over every message but NDEATH.
import { join, isAbsolute } from 'node:path';
import type { UplinkSettings } from '../../shared/uplink-config.js';
import type { ModelEvent, ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import { brokerOptions, redactUrl } from './mqtt-options.js';
import { openForwardStore } from './forward-store.js';
import { buildCatalogue, COMMAND_RESULT } from './metric-catalogue.js';
import { encodePayload, withSeq, type Metric } from './sparkplug-codec.js';
import { deviceTopic, nodeTopic, type NodeAddress } from './sparkplug-topics.js';
import { createSequenceNumbers } from './sequence-numbers.js';
import { createMqttSession } from './mqtt-session.js';
import { createMetricValues, type UplinkSource } from './metric-values.js';
import { createBirths, type Birth } from './births.js';
import { createDataPublisher, ReportedValues } from './data-publisher.js';
import { adoptCatalogue, createStoreAndForward } from './store-and-forward.js';
import { createHostCommands, type RemoteCommandHandler } from './host-commands.js';

export type { UplinkSource } from './metric-values.js';
export type { RemoteCommandHandler, RemoteCommandOrigin, RemoteCommandOutcome } from './host-commands.js';

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

/** A model event sink (edge/model/model-event-sink.ts): every apply()'s events come in through onModelEvents. */
export interface EdgeNode extends ModelEventSink {
  start(): void;
  /** Births again, as on NCMD Node Control/Rebirth. */
  rebirth(): void;
  health(): UplinkHealth;
  /** Publishes pending data and NDEATH, disconnects; whatever the broker has not taken stays queued. */
  stop(): Promise<void>;
}

export function createEdgeNode(options: EdgeNodeOptions): EdgeNode {
  const { settings, source, log } = options;
  const now = options.now ?? Date.now;
  const plant = source.plant;
  const node: NodeAddress = { groupId: settings.groupId, edgeNodeId: settings.edgeNodeId ?? plant.line.id };
  const catalogue = buildCatalogue(plant);
  const brokerLabel = redactUrl(settings.broker.url);
  const clientOptions = brokerOptions(settings.broker, {
    path: 'uplink.broker',
    clientId: `twinline-${node.groupId}-${node.edgeNodeId}`,
    env: options.env ?? process.env,
    baseDir: options.dataDir,
  });
  const sfFile = settings.storeAndForward.file
    ? (isAbsolute(settings.storeAndForward.file) ? settings.storeAndForward.file : join(options.dataDir, settings.storeAndForward.file))
    : join(options.dataDir, `uplink-${node.edgeNodeId}.db`);
  const store = openForwardStore({ file: sfFile, maxMetrics: settings.storeAndForward.maxMetrics, now, log });
  adoptCatalogue(store, catalogue, log);

  const sequence = createSequenceNumbers(store);
  const stats = { metrics: 0, rebirths: 0 };
  const reported = new ReportedValues();
  const values = createMetricValues(catalogue, source, store);
  const commandResults = new Map<string, string>();
  const births = createBirths({
    catalogue, source, values, reported, now,
    lastCommandResult: (machineId) => commandResults.get(machineId) ?? '',
    startedAt: source.startedAt ?? now(),
  });

  const topicOf = (device: string | null, type: 'DATA' | 'BIRTH' | 'DEATH') =>
    device === null ? nodeTopic(`N${type}`, node) : deviceTopic(`D${type}`, node, device);

  function publishBirth(topic: string, birth: Birth, settled?: (ok: boolean) => void): void {
    session.publish(topic, encodePayload({ timestamp: birth.timestamp, seq: sequence.take(), metrics: birth.metrics }), settled);
    stats.metrics += birth.metrics.length;
  }

  function publishNodeBirth(): void {
    sequence.restart();
    publishBirth(nodeTopic('NBIRTH', node), births.node(sequence.bdSeq));
  }

  function publishDeviceBirth(machineId: string): void {
    const birth = births.device(machineId);
    if (!birth) return;
    data.forget(machineId); // the birth carries the current values
    // Its tag values may be samples the host has nowhere else (a machine's first data): tracked
    // like data, so a birth the broker did not take leaves them in the queue as history.
    const samples = birth.metrics.filter((m) => m.value !== null && catalogue.byAlias(m.alias!)?.tag !== undefined);
    publishBirth(deviceTopic('DBIRTH', node, machineId), birth, samples.length ? forward.trackLive(machineId, samples) : undefined);
  }

  function publishData(device: string | null, metrics: Metric[]): void {
    const payload = encodePayload({ timestamp: now(), seq: sequence.take(), metrics });
    stats.metrics += metrics.length;
    session.publish(topicOf(device, 'DATA'), payload, forward.trackLive(device, metrics));
  }

  const forward = createStoreAndForward({
    store, now, log,
    replayWindow: settings.storeAndForward.replayWindow,
    online: () => session.online,
    replay(row, settled) {
      stats.metrics += row.metrics;
      session.publish(topicOf(row.device, 'DATA'), withSeq(row.payload, sequence.take()), settled);
    },
  });

  const data = createDataPublisher({
    catalogue, source, values, reported, now,
    outlet: {
      online: () => session.online,
      isBorn: births.isBorn,
      birth: publishDeviceBirth,
      death(machineId) {
        session.publish(deviceTopic('DDEATH', node, machineId), encodePayload({ timestamp: now(), seq: sequence.take(), metrics: [] }));
        births.died(machineId);
      },
      publish: publishData,
      queue: forward.queue,
    },
  });

  const commands = createHostCommands({
    node, catalogue, log,
    enabled: settings.commands.enabled,
    handler: options.commands,
    rebirth,
    result(machineId, result) {
      const json = JSON.stringify(result);
      commandResults.set(machineId, json);
      const d = values.def(machineId, COMMAND_RESULT);
      reported.set(d.alias, json);
      if (session.online && births.isBorn(machineId)) publishData(machineId, [{ alias: d.alias, type: d.type, value: json, timestamp: now() }]);
    },
  });

  const session = createMqttSession({
    settings, node, clientOptions, brokerLabel, sequence, now, log, random: options.random,
    events: {
      beforeOnline: () => flush(), // still offline: what was gathered so far joins the queue, before the births
      online() {
        sendBirths();
        const queued = store.queuedMetrics();
        if (queued) log('info', `uplink: online as ${node.groupId}/${node.edgeNodeId} (bdSeq ${sequence.bdSeq}); replaying ${queued} queued metric(s)`);
        else log('info', `uplink: online as ${node.groupId}/${node.edgeNodeId} on ${brokerLabel} (bdSeq ${sequence.bdSeq})`);
        forward.startReplay();
      },
      lost: () => forward.connectionLost(),
      nodeCommand: (payload) => commands.onNodeCommand(payload),
      deviceCommand: (deviceId, payload) => void commands.onDeviceCommand(deviceId, payload),
    },
  });

  // ---- timers: the flush after changes, the periodic full look -------------------------------
  let stopped = true;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let refreshTimer: ReturnType<typeof setInterval> | null = null;

  function flush(): void {
    data.flush();
  }

  function scheduleFlush(): void {
    if (flushTimer || stopped) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      flush();
    }, settings.publishIntervalMs);
  }

  /** NBIRTH, then a DBIRTH for every machine; machines without data get their DDEATH at the next flush. */
  function sendBirths(): void {
    births.reset();
    publishNodeBirth();
    for (const m of plant.machines) publishDeviceBirth(m.id);
    data.markAll();
    scheduleFlush();
  }

  function rebirth(): void {
    if (!session.online) return;
    stats.rebirths++;
    flush();
    sendBirths();
  }

  return {
    name: 'uplink',
    start() {
      if (!stopped) return;
      stopped = false;
      session.start();
      refreshTimer = setInterval(() => {
        data.markAll();
        flush();
      }, settings.refreshIntervalMs);
      refreshTimer.unref();
    },
    onModelEvents(events: readonly ModelEvent[]) {
      if (data.collect(events)) scheduleFlush();
    },
    rebirth,
    health: () => ({
      broker: brokerLabel,
      groupId: node.groupId,
      edgeNodeId: node.edgeNodeId,
      connected: session.connected,
      online: session.online,
      primaryHostOnline: session.primaryHostOnline,
      bdSeq: sequence.bdSeq,
      seq: sequence.seq,
      messagesPublished: session.messagesPublished,
      metricsPublished: stats.metrics,
      historicalReplayed: forward.replayed.messages,
      historicalMetricsReplayed: forward.replayed.metrics,
      queuedMetrics: store.queuedMetrics(),
      droppedMetrics: store.droppedMetrics(),
      replaying: forward.replaying,
      rebirths: stats.rebirths,
      connects: session.connects,
      lastError: session.lastError,
    }),
    async stop() {
      if (stopped) return;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      if (refreshTimer) clearInterval(refreshTimer);
      session.stop();
      flush();
      stopped = true;
      // Let the broker acknowledge what is in flight (bounded); what it does not stays queued.
      const deadline = Date.now() + 2000;
      while (forward.inFlight() && session.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await session.end('stopped');
      store.close();
    },
  };
}
