// Pure pieces of the uplink: payload round trips through Tahu's encoder, the seq splice used by
// store-and-forward, topics, value coercion, and the alias catalogue.
import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, withSeq, type Metric } from '../../edge/uplink/sparkplug-codec.js';
import { nextSeq, parseHostState, parseTopic } from '../../edge/uplink/sparkplug-topics.js';
import { buildCatalogue, coerceValue, qualityFromCode, tagMetricType } from '../../edge/uplink/metric-catalogue.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';

const metrics: Metric[] = [
  { alias: 7, type: 'UInt32', value: 4_000_000_000, timestamp: 1_767_600_000_123, isHistorical: true },
  { alias: 8, type: 'Int64', value: 123_456_789_012, timestamp: 1_767_600_000_124 },
  { alias: 9, type: 'Double', value: null, timestamp: 1_767_600_000_125, properties: { Quality: { type: 'Int32', value: 0 } } },
  { alias: 10, type: 'Boolean', value: true, timestamp: 1 },
  { alias: 11, type: 'String', value: 'running', timestamp: 2 },
  { alias: 12, type: 'Int16', value: -42, timestamp: 3 },
];

describe('Sparkplug payload codec', () => {
  it('round-trips every type twinline uses, 64-bit fields as plain numbers', () => {
    const decoded = decodePayload(encodePayload({ timestamp: 1_767_600_000_000, seq: 200, metrics }));
    expect(decoded.timestamp).toBe(1_767_600_000_000);
    expect(decoded.seq).toBe(200);
    expect(decoded.metrics).toEqual(metrics);
  });

  it.each([0, 1, 127, 128, 200, 255])('withSeq(seq %i) gives exactly the bytes of encodePayload with that seq', (seq) => {
    const base = { timestamp: 1_767_600_000_000, metrics };
    expect(Buffer.from(withSeq(encodePayload(base), seq))).toEqual(Buffer.from(encodePayload({ ...base, seq })));
    expect(decodePayload(withSeq(encodePayload(base), seq)).seq).toBe(seq);
  });

  it('refuses a seq outside 0…255', () => {
    expect(() => withSeq(new Uint8Array(), 256)).toThrow(RangeError);
  });
});

describe('Sparkplug topics', () => {
  it.each([
    ['spBv1.0/plant/NBIRTH/line-1', { kind: 'node', type: 'NBIRTH', groupId: 'plant', edgeNodeId: 'line-1' }],
    ['spBv1.0/plant/DDATA/line-1/mill', { kind: 'device', type: 'DDATA', groupId: 'plant', edgeNodeId: 'line-1', deviceId: 'mill' }],
    ['spBv1.0/STATE/host-1', { kind: 'state', hostId: 'host-1' }],
    ['spBv1.0/plant/DDATA/line-1', null],
    ['spBv1.0/plant/NDATA/line-1/extra', null],
    ['spBv1.0/plant/XDATA/line-1', null],
    ['spAv1.0/plant/NBIRTH/line-1', null],
  ])('%s', (topic, expected) => {
    expect(parseTopic(topic)).toEqual(expected);
  });

  it('seq wraps after 255', () => {
    expect(nextSeq(254)).toBe(255);
    expect(nextSeq(255)).toBe(0);
  });

  it('reads Sparkplug 3.0 STATE JSON and ignores anything else', () => {
    expect(parseHostState(Buffer.from('{"online":true,"timestamp":5}'))).toEqual({ online: true, timestamp: 5 });
    expect(parseHostState(Buffer.from('ONLINE'))).toBeNull();
    expect(parseHostState(Buffer.from('{"online":"yes","timestamp":5}'))).toBeNull();
  });
});

describe('metric catalogue', () => {
  const plant = loadPlantFile('config/demo-plant.yaml');

  it('gives every node and machine metric an alias unique across the edge node, the same for the same plant file', () => {
    const a = buildCatalogue(plant);
    const all = [...a.node, ...[...a.devices.values()].flat()];
    expect(new Set(all.map((d) => d.alias)).size).toBe(all.length);
    expect(buildCatalogue(plant).fingerprint).toBe(a.fingerprint);
    const changed = { ...plant, machines: plant.machines.map((m, i) => (i === 0 ? { ...m, tags: m.tags.slice(1) } : m)) };
    expect(buildCatalogue(changed).fingerprint).not.toBe(a.fingerprint);
    expect(a.byName('mill', 'Tags/spindleSpeed')).toMatchObject({ type: 'Double', unit: 'rpm', tag: 'spindleSpeed' });
    expect(a.byAlias(a.byName('mill', 'State')!.alias)!.name).toBe('State');
  });

  it('types scaled Modbus registers as Double and plain ones by their register type', () => {
    const loader = plant.machines.find((m) => m.id === 'loader')!;
    const byName = (n: string) => loader.tags.find((t) => t.name === n)!;
    expect(tagMetricType(byName('energy'))).toBe('Double');
    expect(tagMetricType(byName('state'))).toBe('UInt16');
    expect(tagMetricType(byName('totalCount'))).toBe('UInt32');
    expect(tagMetricType(byName('power'))).toBe('Float');
    expect(tagMetricType(byName('resetFault'))).toBe('Boolean');
  });

  it.each([
    ['UInt16', 70_000, null], ['UInt16', 5, 5], ['Int16', 1.5, null], ['Boolean', 1, true], ['Double', 'x', null],
    ['String', 12, '12'], ['UInt32', -1, null], ['Int64', true, 1],
  ] as const)('coerces %s %j to %j', (type, value, expected) => {
    expect(coerceValue(type, value)).toBe(expected);
  });

  it('maps Sparkplug quality codes back (absent means good)', () => {
    expect(qualityFromCode(undefined)).toBe('good');
    expect(qualityFromCode(192)).toBe('good');
    expect(qualityFromCode(500)).toBe('uncertain');
    expect(qualityFromCode(0)).toBe('bad');
  });
});
