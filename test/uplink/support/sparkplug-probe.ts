// A plain MQTT client that records every Sparkplug message under spBv1.0/#, decoded, in arrival
// order: what a host or a broker tap would see. Tests wait on it instead of sleeping.
import mqtt, { type MqttClient } from 'mqtt';
import { decodePayload, type Payload } from '../../../edge/uplink/sparkplug-codec.js';
import { parseTopic, type ParsedTopic } from '../../../edge/uplink/sparkplug-topics.js';
import { waitFor } from '../../support/wait-for.js';

export interface Seen {
  topic: string;
  parsed: ParsedTopic;
  /** Null for STATE (JSON) messages. */
  payload: Payload | null;
  raw: Buffer;
  retain: boolean;
  qos: number;
  at: number;
}

export interface SparkplugProbe {
  client: MqttClient;
  seen: Seen[];
  of(type: string, deviceId?: string): Seen[];
  waitFor(what: string, pred: (s: Seen) => boolean, timeoutMs?: number, from?: number): Promise<Seen>;
  clear(): void;
  close(): Promise<void>;
}

export async function startProbe(url: string, options: { username?: string; password?: string; ca?: Buffer } = {}): Promise<SparkplugProbe> {
  const client = await mqtt.connectAsync(url, { clientId: `probe-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200, ...options });
  const seen: Seen[] = [];
  client.on('message', (topic, raw, packet) => {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    let payload: Payload | null = null;
    if (parsed.kind !== 'state') {
      try {
        payload = decodePayload(raw);
      } catch {
        payload = null;
      }
    }
    seen.push({ topic, parsed, payload, raw, retain: packet.retain, qos: packet.qos, at: Date.now() });
  });
  await client.subscribeAsync('spBv1.0/#', { qos: 1 });
  const typeOf = (s: Seen) => (s.parsed.kind === 'state' ? 'STATE' : s.parsed.type);
  return {
    client,
    seen,
    of: (type, deviceId) => seen.filter((s) => typeOf(s) === type && (deviceId === undefined || (s.parsed.kind === 'device' && s.parsed.deviceId === deviceId))),
    waitFor: (what, pred, timeoutMs = 10_000, from = 0) => waitFor(what, () => seen.slice(from).find(pred), timeoutMs, 20),
    clear: () => void (seen.length = 0),
    close: async () => {
      await client.endAsync(true);
    },
  };
}

export const typeOf = (s: Seen) => (s.parsed.kind === 'state' ? 'STATE' : s.parsed.type);
export const deviceOf = (s: Seen) => (s.parsed.kind === 'device' ? s.parsed.deviceId : null);
