// The edge node's MQTT session (Sparkplug B 3.0 §5, §7): CONNECT with the NDEATH Will carrying
// the session's bdSeq, subscribe to NCMD/DCMD (and the primary host's STATE), and go online when
// the subscription holds and the primary host, if one is named, says it is online. A lost
// connection reconnects with backoff, each time with a new Will (the next bdSeq): that is why
// MQTT.js's own reconnect is off (mqtt-options.ts). Ending on purpose publishes NDEATH first,
// since a broker discards the Will on a clean DISCONNECT.
//
// The session knows nothing of metrics: it tells its owner when to send births (`online`), when
// the session is gone (`lost`), and hands on the commands addressed to this node.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { UplinkSettings } from '../../shared/uplink-config.js';
import type { Log } from '../logger.js';
import { backoffDelay } from '../connectors/index.js';
import { NODE_METRIC } from './metric-catalogue.js';
import { decodePayload, encodePayload, type Payload } from './sparkplug-codec.js';
import { deviceTopic, nodeTopic, parseHostState, parseTopic, stateTopic, type NodeAddress } from './sparkplug-topics.js';
import type { SequenceNumbers } from './sequence-numbers.js';

export interface SessionEvents {
  /**
   * The session is about to go online: anything gathered while offline should join the
   * store-and-forward queue now, before the births.
   */
  beforeOnline(): void;
  /** Online: send the births (NBIRTH, DBIRTHs), then replay the queue. */
  online(): void;
  /** The connection is gone (or ended): unacknowledged data joins the queue. */
  lost(): void;
  nodeCommand(payload: Payload): void;
  deviceCommand(deviceId: string, payload: Payload): void;
}

export interface MqttSessionOptions {
  settings: Pick<UplinkSettings, 'broker' | 'qos' | 'primaryHostId'>;
  node: NodeAddress;
  clientOptions: IClientOptions;
  /** The broker URL without credentials, for logs. */
  brokerLabel: string;
  sequence: SequenceNumbers;
  events: SessionEvents;
  now: () => number;
  log: Log;
  random?: () => number;
}

export interface MqttSession {
  start(): void;
  /** Connected to the broker (subscribed or not). */
  readonly connected: boolean;
  /** Births sent: data goes out live. */
  readonly online: boolean;
  readonly primaryHostOnline: boolean | null;
  readonly connects: number;
  readonly lastError: string | null;
  readonly messagesPublished: number;
  /**
   * Every message of the session goes out at one QoS (UplinkSettings.qos): brokers keep order
   * only within a QoS. `settled` hears whether the broker took it (QoS 1: PUBACK; QoS 0: the
   * socket write).
   */
  publish(topic: string, payload: Uint8Array, settled?: (ok: boolean) => void): void;
  /** Ends the session on purpose (NDEATH, DISCONNECT); reconnects later unless stopped. */
  end(why: string): Promise<void>;
  /** No reconnecting from now on; the session itself ends with end(). */
  stop(): void;
}

export function createMqttSession(options: MqttSessionOptions): MqttSession {
  const { settings, node, sequence, events, log, now, brokerLabel } = options;
  let client: MqttClient | null = null;
  let connected = false;
  let online = false;
  let stopped = true;
  let primaryHostOnline: boolean | null = settings.primaryHostId ? false : null;
  let lastStateTs = -Infinity;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let connects = 0;
  let lastError: string | null = null;
  let errorLogged = false;
  let messages = 0;

  function noteError(message: string) {
    lastError = message;
    // First failure as an error, repeats quietly, recovery as info (Home Assistant's rule).
    if (!errorLogged) log('error', `uplink ${brokerLabel}: ${message}; data is queued (store-and-forward) until the broker is back`);
    errorLogged = true;
  }

  function ndeathPayload(): Uint8Array {
    return encodePayload({ timestamp: now(), metrics: [{ name: NODE_METRIC.bdSeq, type: 'UInt64', value: sequence.bdSeq }] });
  }

  function goOnline(): void {
    if (!connected || online || (settings.primaryHostId && !primaryHostOnline)) return;
    events.beforeOnline();
    online = true;
    events.online();
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
        void end('primary host offline');
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
    if (t.kind === 'node' && t.type === 'NCMD') events.nodeCommand(payload);
    else if (t.kind === 'device' && t.type === 'DCMD') events.deviceCommand(t.deviceId, payload);
  }

  function connect(): void {
    reconnectTimer = null;
    if (stopped) return;
    sequence.nextSession();
    connects++;
    const c = mqtt.connect(settings.broker.url, {
      ...options.clientOptions,
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

  /** The connection is gone: the owner re-queues what the broker did not take; reconnect later. */
  function lostConnection(why: string, graceful = false): Promise<void> {
    const c = client;
    client = null;
    const wasOnline = online;
    connected = false;
    online = false;
    events.lost();
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

  async function end(why: string): Promise<void> {
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
    },
    get connected() { return connected; },
    get online() { return online; },
    get primaryHostOnline() { return primaryHostOnline; },
    get connects() { return connects; },
    get lastError() { return lastError; },
    get messagesPublished() { return messages; },
    publish(topic, payload, settled) {
      const c = client!;
      messages++;
      if (!settled) {
        c.publish(topic, Buffer.from(payload), { qos: settings.qos, retain: false });
        return;
      }
      c.publish(topic, Buffer.from(payload), { qos: settings.qos, retain: false }, (err) => settled(!err));
    },
    end,
    stop() {
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
    },
  };
}
