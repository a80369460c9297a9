// Sparkplug B payloads through Eclipse Tahu's encoder (sparkplug-payload), with the 64-bit
// fields it decodes as Long objects turned back into plain numbers (epoch ms, seq, aliases and
// counters all fit in 2^53).
import sparkplug from 'sparkplug-payload';

const spb = sparkplug.get('spBv1.0');
if (!spb) throw new Error('sparkplug-payload does not know the spBv1.0 namespace');
const codec = spb;

type TahuPayload = Parameters<typeof codec.encodePayload>[0];
type TahuMetric = NonNullable<TahuPayload['metrics']>[number];

/** The Sparkplug B basic types twinline publishes. */
export type SparkplugType =
  | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'UInt8' | 'UInt16' | 'UInt32' | 'UInt64'
  | 'Float' | 'Double' | 'Boolean' | 'String' | 'DateTime' | 'Text';

export type MetricValue = number | boolean | string | null;

export interface PropertyValue {
  type: SparkplugType;
  value: MetricValue;
}

export interface Metric {
  name?: string;
  alias?: number;
  /**
   * Required to encode the value (Tahu picks the protobuf value field by it), so it is on the
   * wire in data messages too — Sparkplug 3.0 says SHOULD NOT there, not MUST NOT.
   */
  type: SparkplugType;
  value: MetricValue;
  timestamp?: number;
  isHistorical?: boolean;
  properties?: Record<string, PropertyValue>;
}

export interface Payload {
  timestamp: number;
  seq?: number;
  metrics: Metric[];
}

/** Sparkplug 3.0 §6.4.9.1 quality codes (property "Quality", Int32). */
export const QUALITY_CODE = { good: 192, uncertain: 500, bad: 0 } as const;

function toNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  if (typeof v === 'bigint') return Number(v);
  return Number(v);
}

function toValue(type: string, v: unknown): MetricValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  const n = toNumber(v);
  if (n === undefined || Number.isNaN(n)) return null;
  // Tahu's decoder reads UInt32 through a signed 32-bit view when it gets a Long.
  if (type === 'UInt32' && n < 0) return n + 2 ** 32;
  return n;
}

function toTahuMetric(m: Metric): TahuMetric {
  const out: Record<string, unknown> = { type: m.type, value: m.value };
  if (m.name !== undefined) out.name = m.name;
  if (m.alias !== undefined) out.alias = m.alias;
  if (m.timestamp !== undefined) out.timestamp = m.timestamp;
  if (m.isHistorical) out.isHistorical = true;
  if (m.properties) out.properties = m.properties;
  return out as unknown as TahuMetric;
}

export function encodePayload(payload: Payload): Uint8Array {
  const p: TahuPayload = { timestamp: payload.timestamp, metrics: payload.metrics.map(toTahuMetric) };
  if (payload.seq !== undefined) p.seq = payload.seq;
  return codec.encodePayload(p);
}

export function decodePayload(bytes: Uint8Array): Payload {
  const raw = codec.decodePayload(bytes);
  const metrics: Metric[] = (raw.metrics ?? []).map((m) => {
    const out: Metric = { type: m.type as SparkplugType, value: toValue(m.type, m.value) };
    if (m.name !== undefined && m.name !== null) out.name = m.name;
    const alias = toNumber(m.alias);
    if (alias !== undefined) out.alias = alias;
    const ts = toNumber(m.timestamp);
    if (ts !== undefined) out.timestamp = ts;
    if (m.isHistorical) out.isHistorical = true;
    if (m.properties) {
      out.properties = {};
      for (const [k, pv] of Object.entries(m.properties)) {
        out.properties[k] = { type: pv.type as SparkplugType, value: toValue(pv.type, pv.value) };
      }
    }
    return out;
  });
  const payload: Payload = { timestamp: toNumber(raw.timestamp) ?? 0, metrics };
  const seq = toNumber(raw.seq);
  if (seq !== undefined) payload.seq = seq;
  return payload;
}

/**
 * Adds `seq` to a payload encoded without one. Tahu's encoder writes fields in number order and
 * seq (field 3, varint) comes right after the metrics (field 2), so for payloads without uuid and
 * body the result is byte for byte what encodePayload({…, seq}) gives (test/uplink/codec.test.ts).
 * Store-and-forward uses it to replay stored payloads without decoding and re-encoding them.
 */
export function withSeq(encodedWithoutSeq: Uint8Array, seq: number): Buffer {
  if (!Number.isInteger(seq) || seq < 0 || seq > 255) throw new RangeError(`seq ${seq} is outside 0…255`);
  const tail = seq < 0x80 ? [0x18, seq] : [0x18, (seq & 0x7f) | 0x80, seq >> 7];
  return Buffer.concat([encodedWithoutSeq, Buffer.from(tail)]);
}
