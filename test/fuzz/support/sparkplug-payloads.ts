// Hostile Sparkplug B payloads: random bytes, real payloads (captured from the real edge) mutated
// at the byte level or at the metric level (wrong types, wrong values, unknown aliases, huge
// metric lists and strings), and crafted command metrics (Command/Request JSON, writable tags).
import fc from 'fast-check';
import { decodePayload, encodePayload, type Metric, type Payload, type SparkplugType } from '../../../edge/uplink/sparkplug-codec.js';
import { anyJson, nastyNumber, nastyString } from './json-schema-arbitrary.js';

const TYPES: SparkplugType[] = ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double', 'Boolean', 'String', 'DateTime', 'Text'];

/** Encodes if Tahu's encoder accepts the combination, else the bytes of `fallback`. */
function encodeOr(payload: Payload, fallback: Uint8Array): Buffer {
  try {
    return Buffer.from(encodePayload(payload));
  } catch {
    return Buffer.from(fallback);
  }
}

const metricValue = (): fc.Arbitrary<Metric['value']> =>
  fc.oneof(nastyNumber(), fc.boolean(), nastyString().map((s) => s.slice(0, 20_000)), fc.constant(null), anyJson(3).map((v) => JSON.stringify(v)));

const metricArb = (names: string[]): fc.Arbitrary<Metric> =>
  fc.record({
    name: fc.option(fc.oneof(fc.constantFrom(...names), nastyString().map((s) => s.slice(0, 300))), { nil: undefined }),
    alias: fc.option(fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 53 - 1)), { nil: undefined }),
    type: fc.constantFrom(...TYPES),
    value: metricValue(),
    timestamp: fc.option(fc.oneof(fc.constant(Date.now()), fc.nat(), fc.constantFrom(2 ** 53 - 1)), { nil: undefined }),
  }, { requiredKeys: ['type', 'value'] });

function mutateBytes(bytes: Uint8Array, ops: Array<[number, number, number]>): Buffer {
  let b = Buffer.from(bytes);
  for (const [op, at, v] of ops) {
    const i = b.length ? at % b.length : 0;
    if (op === 0 && b.length) b[i] = v & 0xff;
    else if (op === 1) b = b.subarray(0, i);
    else if (op === 2) b = Buffer.concat([b.subarray(0, i), Buffer.from([v & 0xff, (v >> 8) & 0xff]), b.subarray(i)]);
    else if (op === 3) b = Buffer.concat([b, b.subarray(i, i + 64)]);
    else if (op === 4) b = Buffer.concat([b.subarray(0, i), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), b.subarray(i)]); // a varint length of 4 GB
  }
  return b;
}

/**
 * Payloads for one message. `seeds` are real payloads of this message type (or any), `names`
 * metric names worth aiming at (the catalogue's, writable tags, Command/Request).
 */
export function hostilePayload(seeds: Uint8Array[], names: string[]): fc.Arbitrary<Buffer> {
  const seed = seeds.length ? fc.constantFrom(...seeds) : fc.constant(encodePayload({ timestamp: Date.now(), metrics: [] }));
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)) },
    { weight: 3, arbitrary: fc.tuple(seed, fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 })).map(([s, ops]) => mutateBytes(s, ops)) },
    {
      weight: 4, arbitrary: fc.tuple(seed, fc.array(fc.tuple(fc.nat(), metricArb(names)), { maxLength: 6 }), fc.option(fc.nat({ max: 1000 }), { nil: undefined }), fc.option(fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(2 ** 53 - 1)), { nil: undefined }))
        .map(([s, replacements, keepFirst, seq]) => {
          let decoded: Payload;
          try {
            decoded = decodePayload(s);
          } catch {
            return Buffer.from(s);
          }
          const metrics = decoded.metrics.slice(0, keepFirst ?? decoded.metrics.length);
          for (const [at, m] of replacements) metrics.splice(metrics.length ? at % (metrics.length + 1) : 0, 1, m);
          return encodeOr({ timestamp: decoded.timestamp, ...(seq !== undefined ? { seq } : decoded.seq !== undefined ? { seq: decoded.seq } : {}), metrics }, s);
        }),
    },
    { weight: 2, arbitrary: fc.tuple(fc.array(metricArb(names), { maxLength: 8 }), fc.option(fc.nat({ max: 255 }), { nil: undefined })).map(([metrics, seq]) => encodeOr({ timestamp: Date.now(), ...(seq !== undefined ? { seq } : {}), metrics }, new Uint8Array())) },
    {
      weight: 1, arbitrary: fc.tuple(fc.constantFrom(20_000, 60_000), metricArb(names)).map(([n, m]) => {
        // Huge: tens of thousands of metrics in one message (the broker's default limit is far above).
        const metrics = Array.from({ length: n }, (_, i) => ({ ...m, alias: i }));
        return encodeOr({ timestamp: Date.now(), seq: 1, metrics }, new Uint8Array());
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...names).map((name) => encodeOr({ timestamp: Date.now(), metrics: [{ name, type: 'String', value: 'x'.repeat(2_000_000) }] }, new Uint8Array())) },
  );
}

/** Command/Request metric values: JSON commands (valid-looking, mutated, garbage). */
export const commandRequestJson = (machineIds: string[], tags: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    fc.record({
      id: fc.oneof(fc.uuid(), nastyString(), fc.constant(null)),
      user: fc.oneof(fc.constantFrom('admin', 'fz-admin', ''), nastyString()),
      request: fc.oneof(
        fc.record({ kind: fc.constantFrom('write-setpoint', 'reset-fault', 'speed-override', 'ack-alarm', 'shelve-alarm', 'nope'), machineId: fc.oneof(fc.constantFrom(...machineIds), nastyString()), tag: fc.oneof(fc.constantFrom(...tags), nastyString()), value: fc.oneof(nastyNumber(), fc.boolean(), nastyString()), reason: fc.oneof(fc.constant('fuzz test write'), nastyString()), alarmKey: nastyString(), minutes: nastyNumber(), percent: nastyNumber() }, { requiredKeys: ['kind'] }),
        anyJson(3),
      ),
    }).map((v) => JSON.stringify(v)),
    nastyString(),
    anyJson(4).map((v) => JSON.stringify(v)),
  );
