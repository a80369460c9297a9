// twinline as a Sparkplug B 3.0 primary host application: one MQTT connection that announces
// itself on spBv1.0/STATE/<host id> (JSON {online, timestamp}, retained, QoS 1, the offline
// one as the Will with the same timestamp), subscribes to the groups it serves, and keeps one
// EdgeMirror per edge node. It asks for rebirths (NCMD Node Control/Rebirth) when a mirror says
// so, at most once per node per `rebirthMinIntervalMs`, and sends DCMDs for the command path.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttBrokerConfig } from '../../shared/uplink-config.js';
import type { Log } from '../logger.js';
import { backoffDelay } from '../connectors/index.js';
import { brokerOptions, redactUrl } from '../uplink/index.js';
import { NODE_METRIC } from '../uplink/index.js';
import { decodePayload, encodePayload, type Metric, type Payload } from '../uplink/index.js';
import { deviceTopic, NAMESPACE, nodeTopic, parseHostState, parseTopic, stateTopic } from '../uplink/index.js';
import { EdgeMirror, type MirrorSink } from './edge-mirror.js';

export interface PrimaryHostOptions {
  hostId: string;
  broker: MqttBrokerConfig;
  /** Sparkplug groups to serve; empty = every group on the broker. */
  groups: readonly string[];
  /** Where the broker settings sit in the config file, for errors. */
  configPath: string;
  baseDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  log: Log;
  /** What the host does with a mirror's changes (line servers, historian). */
  sinkFor(mirror: EdgeMirror): Omit<MirrorSink, 'requestRebirth'>;
  rebirthMinIntervalMs?: number;
  random?: () => number;
  /** Whether a new edge node may become a line (edge/host/plant-lines.ts createLineAdmission): null = yes, else why not. */
  admitLine?: (groupId: string, edgeNodeId: string, linesKnown: number) => string | null;
  /**
   * Start as a standby of a redundant pair (edge/host/pg/primary-lease.ts): subscribe and mirror
   * every edge, but under a client id of its own, with no STATE, no Will and no commands — only
   * the primary speaks for the host id. It may still ask an edge for a rebirth (Sparkplug lets
   * any host application), so a standby started while the edges run is in step before it is
   * needed. setPassive(false) makes it the primary.
   */
  passive?: boolean;
}

export interface PrimaryHostHealth {
  hostId: string;
  broker: string;
  connected: boolean;
  stateTimestamp: number | null;
  edgeNodes: number;
  onlineEdgeNodes: number;
  rebirthRequestsSent: number;
  seqGaps: number;
  messages: number;
  lastError: string | null;
}

export interface PrimaryHost {
  start(): void;
  mirrors(): EdgeMirror[];
  /** Publishes NCMD Node Control/Rebirth (rate-limited per node unless `force`). Returns whether it went out. */
  requestRebirth(mirror: EdgeMirror, reason: string, force?: boolean): boolean;
  /** Publishes a DCMD to one machine of an edge node; false when the host is not connected. */
  sendDeviceCommand(mirror: EdgeMirror, machineId: string, metrics: Metric[]): boolean;
  health(): PrimaryHostHealth;
  /** Standby (true) or primary (false): reconnects under the other identity when it changes. */
  setPassive(passive: boolean): void;
  readonly passive: boolean;
  stop(): Promise<void>;
}

export function createPrimaryHost(options: PrimaryHostOptions): PrimaryHost {
  const { hostId, log } = options;
  const now = options.now ?? Date.now;
  const minInterval = options.rebirthMinIntervalMs ?? 5000;
  const label = redactUrl(options.broker.url);
  const baseOptions: IClientOptions = brokerOptions(options.broker, {
    path: options.configPath, clientId: `twinline-host-${hostId}`, env: options.env ?? process.env, baseDir: options.baseDir,
  });
  const mirrors = new Map<string, EdgeMirror>();
  const lastRebirth = new Map<string, number>();
  const deferred = new Map<string, ReturnType<typeof setTimeout>>();
  let client: MqttClient | null = null;
  let connected = false;
  let stopped = true;
  let stateTimestamp: number | null = null;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let lastError: string | null = null;
  let rebirthsSent = 0;
  const warnedPayload = new Set<string>();
  let passive = options.passive ?? false;

  const statePayload = (online: boolean, timestamp: number) => Buffer.from(JSON.stringify({ online, timestamp }));

  function mirrorFor(groupId: string, edgeNodeId: string): EdgeMirror {
    const key = `${groupId}/${edgeNodeId}`;
    let m = mirrors.get(key);
    if (m) return m;
    let sink: Omit<MirrorSink, 'requestRebirth'> | null = null;
    const proxy: MirrorSink = {
      touched: (ids) => sink?.touched(ids),
      events: (e, historical) => sink?.events(e, historical),
      lineChanged: () => sink?.lineChanged(),
      commandResult: (id, json) => sink?.commandResult(id, json),
      totals: (id, totals, ts) => sink?.totals?.(id, totals, ts),
      alarmsChanged: (id) => sink?.alarmsChanged?.(id),
      auditAnchor: (json) => sink?.auditAnchor?.(json),
      energy: (uplink) => sink?.energy?.(uplink),
      log: (level, msg) => log(level, `host: ${msg}`),
      requestRebirth: (reason) => void requestRebirth(m!, reason),
    };
    m = new EdgeMirror(groupId, edgeNodeId, proxy, now);
    mirrors.set(key, m);
    sink = options.sinkFor(m);
    log('info', `host: found edge node ${key}`);
    return m;
  }

  function requestRebirth(mirror: EdgeMirror, reason: string, force = false): boolean {
    const c = client;
    if (!c || !connected) return false;
    const t = now();
    const last = lastRebirth.get(mirror.key);
    if (!force && last !== undefined && t - last < minInterval) {
      // Held back, not dropped: a node that went quiet after the gap would otherwise never be asked.
      if (!deferred.has(mirror.key)) {
        deferred.set(mirror.key, setTimeout(() => {
          deferred.delete(mirror.key);
          if (mirror.expectedSeq === null) requestRebirth(mirror, reason);
        }, minInterval - (t - last)));
      }
      return false;
    }
    lastRebirth.set(mirror.key, t);
    const alias = mirror.nodeAlias(NODE_METRIC.rebirth);
    // Sparkplug 3.0: commands carry the alias alone once the NBIRTH gave one; before that, the name.
    const metric: Metric = alias !== undefined ? { alias, type: 'Boolean', value: true, timestamp: t } : { name: NODE_METRIC.rebirth, type: 'Boolean', value: true, timestamp: t };
    c.publish(nodeTopic('NCMD', mirror), Buffer.from(encodePayload({ timestamp: t, metrics: [metric] })), { qos: 0 });
    rebirthsSent++;
    log('info', `host: asked ${mirror.key} for a rebirth (${reason})`);
    return true;
  }

  function onMessage(topic: string, message: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return;
    if (t.kind === 'state') {
      if (t.hostId !== hostId || !connected || stateTimestamp === null || passive) return;
      const state = parseHostState(message);
      // Someone (an old Will, another instance) says we are offline: say we are not (Sparkplug 3.0 §5).
      if (state && !state.online) client?.publish(stateTopic(hostId), statePayload(true, stateTimestamp), { qos: 1, retain: true });
      return;
    }
    if (options.groups.length && !options.groups.includes(t.groupId)) return;
    if (options.admitLine && !mirrors.has(`${t.groupId}/${t.edgeNodeId}`)) {
      const refusal = options.admitLine(t.groupId, t.edgeNodeId, mirrors.size);
      if (refusal) {
        const key = `admit:${t.groupId}/${t.edgeNodeId}`;
        if (!warnedPayload.has(key) && warnedPayload.size < 10_000) log('warn', `host: ${refusal}`);
        if (warnedPayload.size < 10_000) warnedPayload.add(key);
        return;
      }
    }
    let payload: Payload;
    try {
      payload = decodePayload(message);
    } catch (err) {
      const key = `${t.groupId}/${t.edgeNodeId}`;
      if (!warnedPayload.has(key)) log('warn', `host: ${topic}: not a Sparkplug B payload (${(err as Error).message})`);
      warnedPayload.add(key);
      return;
    }
    const mirror = mirrorFor(t.groupId, t.edgeNodeId);
    if (t.kind === 'node') mirror.handleNode(t.type, payload);
    else mirror.handleDevice(t.type, t.deviceId, payload);
  }

  function connect(): void {
    reconnectTimer = null;
    if (stopped) return;
    // Sparkplug 3.0: the STATE birth carries the same timestamp as the Will of this CONNECT.
    const timestamp = now();
    const asStandby = passive;
    const c = mqtt.connect(options.broker.url, asStandby
      ? { ...baseOptions, clientId: `${baseOptions.clientId}-standby-${process.pid}-${Math.floor(Math.random() * 1e6)}` }
      : { ...baseOptions, will: { topic: stateTopic(hostId), payload: statePayload(false, timestamp), qos: 1, retain: true } });
    client = c;
    c.on('connect', () => {
      if (client !== c) return;
      connected = true;
      attempt = 0;
      if (lastError) log('info', `host: connected to ${label} again`);
      lastError = null;
      const topics = options.groups.length ? options.groups.map((g) => `${NAMESPACE}/${g}/#`) : [`${NAMESPACE}/#`];
      c.subscribe([stateTopic(hostId), ...topics], { qos: 1 }, (err) => {
        if (client !== c) return;
        if (err) {
          lastError = `subscribe failed: ${err.message}`;
          log('error', `host: ${lastError}`);
          c.end(true);
          return;
        }
        if (asStandby) {
          log('info', `host ${hostId}: standby on ${label}: mirroring every edge, the primary speaks for ${hostId}`);
          return;
        }
        stateTimestamp = timestamp;
        c.publish(stateTopic(hostId), statePayload(true, timestamp), { qos: 1, retain: true });
        log('info', `host ${hostId}: online on ${label} (${options.groups.length ? `groups ${options.groups.join(', ')}` : 'all groups'})`);
      });
    });
    c.on('message', (topic, message) => {
      if (client === c) onMessage(topic, message);
    });
    c.on('error', (err) => {
      if (client !== c) return;
      if (!lastError) log('error', `host: broker ${label}: ${err.message}; retrying`);
      lastError = err.message;
    });
    c.on('close', () => {
      if (client !== c) return;
      client = null;
      const was = connected;
      connected = false;
      stateTimestamp = null;
      c.removeAllListeners('message');
      c.on('error', () => {});
      c.end(true);
      if (was) {
        lastError ??= 'connection closed';
        log('error', `host: lost the broker ${label}; every line is stale until the edges are born again`);
        for (const m of mirrors.values()) m.brokerLost();
      }
      if (!stopped) {
        reconnectTimer = setTimeout(connect, backoffDelay(attempt++, {
          initialDelayMs: options.broker.reconnectMinMs, maxDelayMs: options.broker.reconnectMaxMs, factor: 2, jitter: 0.2,
        }, options.random));
      }
    });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      connect();
    },
    mirrors: () => [...mirrors.values()],
    requestRebirth,
    sendDeviceCommand(mirror, machineId, metrics) {
      const c = client;
      if (!c || !connected || passive) return false;
      c.publish(deviceTopic('DCMD', mirror, machineId), Buffer.from(encodePayload({ timestamp: now(), metrics })), { qos: 0 });
      return true;
    },
    health: () => {
      const all = [...mirrors.values()];
      return {
        hostId, broker: label, connected, stateTimestamp,
        edgeNodes: all.length, onlineEdgeNodes: all.filter((m) => m.online).length,
        rebirthRequestsSent: rebirthsSent,
        seqGaps: all.reduce((n, m) => n + m.stats.seqGaps, 0),
        messages: all.reduce((n, m) => n + m.stats.messages, 0),
        lastError,
      };
    },
    get passive() {
      return passive;
    },
    setPassive(next) {
      if (next === passive) return;
      passive = next;
      log('info', `host ${hostId}: ${next ? 'standing by (another host is the primary)' : 'taking over as the primary host'}`);
      if (stopped) return;
      // A new identity is a new connection: the primary's CONNECT carries the STATE Will.
      const c = client;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      if (c) {
        client = null;
        const was = connected;
        connected = false;
        const ts = stateTimestamp;
        stateTimestamp = null;
        c.removeAllListeners('message');
        c.removeAllListeners('close');
        c.on('error', () => {});
        if (was) for (const m of mirrors.values()) m.brokerLost();
        // Stepping down: say offline first, so edges stop sending to a host that no longer stores.
        if (next && was && ts !== null) c.publish(stateTopic(hostId), statePayload(false, ts), { qos: 1, retain: true }, () => c.end(false));
        else c.end(true);
      }
      connect();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const timer of deferred.values()) clearTimeout(timer);
      deferred.clear();
      const c = client;
      client = null;
      if (!c) return;
      c.removeAllListeners('close');
      c.on('error', () => {});
      if (connected && stateTimestamp !== null) {
        // Our own offline STATE, then a DISCONNECT (which makes the broker drop the Will).
        const ts = stateTimestamp;
        await new Promise<void>((resolve) => c.publish(stateTopic(hostId), statePayload(false, ts), { qos: 1, retain: true }, () => resolve()));
      }
      connected = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { c.end(true); resolve(); }, 2000);
        c.end(false, {}, () => { clearTimeout(timer); resolve(); });
      });
    },
  };
}
