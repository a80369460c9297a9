// The edge node against a real MQTT broker (aedes, in-process) and a subscriber that decodes
// what arrives: births, aliases, DDATA by exception, DDEATH/DBIRTH per machine, rebirth on
// NCMD, the NDEATH Will with bdSeq, seq wrapping, TLS and username/password.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { encodePayload } from '../../edge/uplink/sparkplug-codec.js';
import { UplinkSettingsSchema, type UplinkSettingsInput } from '../../shared/uplink-config.js';
import { waitFor } from '../support/wait-for.js';
import { FIXTURES, startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine, type ModelLine } from './support/model-line.js';
import { deviceOf, startProbe, typeOf, type Seen, type SparkplugProbe } from './support/sparkplug-probe.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const GROUP = 'plant-a';
const NODE = 'line-1';

function settings(url: string, extra: Partial<UplinkSettingsInput> = {}) {
  return UplinkSettingsSchema.parse({
    broker: { url, reconnectMinMs: 50, reconnectMaxMs: 300, ...(extra.broker ?? {}) },
    groupId: GROUP, edgeNodeId: NODE, publishIntervalMs: 10, refreshIntervalMs: 60_000,
    ...extra,
  });
}

let dir: string;
let broker: TestBroker;
let probe: SparkplugProbe;
let line: ModelLine;
let node: EdgeNode | null;
let logs: string[];

function startNode(extra: Partial<UplinkSettingsInput> = {}, env: NodeJS.ProcessEnv = {}, url = broker.url) {
  const n = createEdgeNode({ settings: settings(url, extra), source: line.source, dataDir: dir, log: (l, m) => logs.push(`${l} ${m}`), env });
  line.sink = n;
  n.start();
  node = n;
  return n;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-uplink-'));
  broker = await startTestBroker();
  probe = await startProbe(broker.url);
  line = modelLine(plant);
  node = null;
  logs = [];
});

afterEach(async () => {
  await node?.stop();
  await probe.close();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const births = () => probe.of('NBIRTH').length;
const metricByName = (s: Seen, name: string) => s.payload!.metrics.find((m) => m.name === name);

describe('Sparkplug B edge node', () => {
  it('births every metric with a name, type and unique alias, then sends DDATA by alias for changes only', async () => {
    line.allRunning();
    const n = startNode();
    await probe.waitFor('five DBIRTHs', () => probe.of('DBIRTH').length === plant.machines.length);
    const nbirth = probe.of('NBIRTH')[0]!;
    expect(nbirth.topic).toBe(`spBv1.0/${GROUP}/NBIRTH/${NODE}`);
    expect(nbirth.qos, 'uplink.qos defaults to 1 (see shared/uplink-config.ts)').toBe(1);
    expect(nbirth.retain).toBe(false);
    expect(nbirth.payload!.seq).toBe(0);
    expect(metricByName(nbirth, 'bdSeq')).toMatchObject({ type: 'UInt64', value: n.health().bdSeq });
    expect(metricByName(nbirth, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(JSON.parse(String(metricByName(nbirth, 'Twinline/Plant View')!.value as string)).line.id).toBe('line-1');

    const dbirths = probe.of('DBIRTH');
    expect(dbirths.map(deviceOf)).toEqual(plant.machines.map((m) => m.id));
    expect(dbirths.map((s) => s.payload!.seq)).toEqual(plant.machines.map((_, i) => i + 1));
    const aliases = [nbirth, ...dbirths].flatMap((s) => s.payload!.metrics.map((m) => m.alias));
    expect(aliases.every((a) => typeof a === 'number')).toBe(true);
    expect(new Set(aliases).size).toBe(aliases.length);
    for (const s of [nbirth, ...dbirths]) {
      for (const m of s.payload!.metrics) {
        expect(m.name, 'birth metrics carry names').toBeTruthy();
        expect(m.type, `${m.name} has a datatype`).toBeTruthy();
        expect(typeof m.timestamp).toBe('number');
      }
    }
    const mill = dbirths.find((s) => deviceOf(s) === 'mill')!;
    const millTags = plant.machines.find((m) => m.id === 'mill')!.tags.map((t) => `Tags/${t.name}`);
    expect(mill.payload!.metrics.map((m) => m.name)).toEqual(expect.arrayContaining([...millTags, 'State', 'OEE/OEE', 'Counts/Good', 'Energy/Shift kWh', 'Shift/Name']));
    expect(metricByName(mill, 'State')!.value).toBe('running');
    expect(metricByName(mill, 'Tags/spindleSpeed')).toMatchObject({ type: 'Double', value: 10, properties: { Quality: { type: 'Int32', value: 192 }, engUnit: { value: 'rpm' } } });
    // Scaled Modbus registers are published as engineering values (Double).
    expect(metricByName(dbirths.find((s) => deviceOf(s) === 'loader')!, 'Tags/energy')!.type).toBe('Double');

    const speedAlias = metricByName(mill, 'Tags/spindleSpeed')!.alias!;
    const updatedAlias = metricByName(mill, 'Updated At')!.alias!;
    const before = probe.seen.length;
    line.advance(1000);
    line.feed([{ tag: 'mill.spindleSpeed', value: 1234.5 }]);
    const ddata = await probe.waitFor('DDATA for the mill', (s) => typeOf(s) === 'DDATA' && deviceOf(s) === 'mill', 5000, before);
    expect(ddata.payload!.seq).toBe(plant.machines.length + 1);
    expect(ddata.payload!.metrics.every((m) => m.name === undefined), 'data metrics carry aliases only').toBe(true);
    const changed = ddata.payload!.metrics.map((m) => m.alias);
    expect(new Set(changed)).toEqual(new Set([speedAlias, updatedAlias]));
    expect(ddata.payload!.metrics.find((m) => m.alias === speedAlias)).toMatchObject({ value: 1234.5, timestamp: line.now() });
    // Only the mill changed: no DDATA for other machines.
    expect(probe.seen.slice(before).filter((s) => typeOf(s) === 'DDATA').map(deviceOf)).toEqual(['mill']);
  });

  it('sends DDEATH when a machine loses its data and DBIRTH when the data returns', async () => {
    line.allRunning();
    startNode();
    await probe.waitFor('DBIRTHs', () => probe.of('DBIRTH').length === plant.machines.length);
    const from = probe.seen.length;
    line.lose('washer');
    const death = await probe.waitFor('DDEATH washer', (s) => typeOf(s) === 'DDEATH' && deviceOf(s) === 'washer', 5000, from);
    // The data message before it says why: the state went to no-data, tags bad.
    const last = probe.seen.slice(from).filter((s) => typeOf(s) === 'DDATA' && deviceOf(s) === 'washer').at(-1)!;
    expect(last.payload!.metrics.some((m) => m.value === 'no-data')).toBe(true);
    expect(last.payload!.metrics.some((m) => m.properties?.Quality?.value === 0)).toBe(true);
    expect(death.payload!.seq).toBe(((last.payload!.seq ?? 0) + 1) % 256);
    // While dead, the washer publishes nothing; the others carry on.
    const afterDeath = probe.seen.length;
    line.advance(100);
    line.feed([{ tag: 'mill.spindleSpeed', value: 99 }]);
    await probe.waitFor('mill DDATA', (s) => typeOf(s) === 'DDATA' && deviceOf(s) === 'mill', 5000, afterDeath);
    line.advance(100);
    line.allRunning();
    const rebirth = await probe.waitFor('DBIRTH washer', (s) => typeOf(s) === 'DBIRTH' && deviceOf(s) === 'washer', 5000, afterDeath);
    expect(metricByName(rebirth, 'State')!.value).toBe('running');
    expect(probe.seen.slice(afterDeath).some((s) => typeOf(s) === 'DDATA' && deviceOf(s) === 'washer' && s.at < rebirth.at)).toBe(false);
  });

  it('machines without data at start are born, then declared dead', async () => {
    startNode();
    await probe.waitFor('DDEATH for every machine', () => probe.of('DDEATH').length === plant.machines.length);
    expect(probe.of('DBIRTH')).toHaveLength(plant.machines.length);
    expect(metricByName(probe.of('DBIRTH')[0]!, 'State')!.value).toBe('no-data');
  });

  it('answers NCMD Node Control/Rebirth with NBIRTH (seq 0, same bdSeq) and every DBIRTH', async () => {
    line.allRunning();
    const n = startNode();
    await probe.waitFor('DBIRTHs', () => probe.of('DBIRTH').length === plant.machines.length);
    const bdSeq = n.health().bdSeq;
    const from = probe.seen.length;
    const payload = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await probe.client.publishAsync(`spBv1.0/${GROUP}/NCMD/${NODE}`, Buffer.from(payload));
    const nbirth = await probe.waitFor('second NBIRTH', (s) => typeOf(s) === 'NBIRTH', 5000, from);
    expect(nbirth.payload!.seq).toBe(0);
    expect(metricByName(nbirth, 'bdSeq')!.value).toBe(bdSeq);
    await probe.waitFor('DBIRTHs again', () => probe.seen.slice(from).filter((s) => typeOf(s) === 'DBIRTH').length === plant.machines.length);
    expect(probe.seen.slice(from).filter((s) => typeOf(s) === 'DBIRTH').map((s) => s.payload!.seq)).toEqual(plant.machines.map((_, i) => i + 1));
    expect(n.health().rebirths).toBe(1);
  });

  it('registers NDEATH as the MQTT Will: a dropped connection publishes it with the NBIRTH bdSeq, then the node is born again with bdSeq + 1', async () => {
    line.allRunning();
    startNode();
    await probe.waitFor('DBIRTHs', () => probe.of('DBIRTH').length === plant.machines.length);
    const bdSeq = metricByName(probe.of('NBIRTH')[0]!, 'bdSeq')!.value as number;
    expect(broker.dropClient(`twinline-${GROUP}-${NODE}`)).toBe(true);
    const death = await probe.waitFor('NDEATH', (s) => typeOf(s) === 'NDEATH');
    expect(death.payload!.seq).toBeUndefined();
    expect(death.payload!.metrics).toEqual([expect.objectContaining({ name: 'bdSeq', type: 'UInt64', value: bdSeq })]);
    await waitFor('a second NBIRTH', () => births() === 2);
    expect(metricByName(probe.of('NBIRTH')[1]!, 'bdSeq')!.value).toBe((bdSeq + 1) % 256);
  });

  it('numbers messages 0…255 and wraps to 0', async () => {
    line.allRunning();
    startNode();
    await probe.waitFor('DBIRTHs', () => probe.of('DBIRTH').length === plant.machines.length);
    for (let i = 0; i < 60; i++) {
      const n = probe.seen.length;
      line.advance(10);
      line.feed(plant.machines.map((m) => ({ tag: `${m.id}.speedOverride`, value: 60 + i })));
      await waitFor('five DDATA', () => probe.seen.length >= n + 5, 5000, 5);
    }
    const seqs = probe.seen.filter((s) => s.payload?.seq !== undefined).map((s) => s.payload!.seq!);
    expect(seqs.length).toBeGreaterThan(300);
    seqs.forEach((s, i) => expect(s).toBe(i % 256));
  });

  it('connects with TLS and a username whose password comes from the environment; a wrong password stays offline', async () => {
    const tlsBroker = await startTestBroker({ tls: true, credentials: { username: 'edge-1', password: 's3cret' } });
    try {
      const tlsSettings = {
        broker: { url: tlsBroker.url, username: 'edge-1', passwordEnv: 'TEST_MQTT_PASSWORD', tls: { caFile: join(FIXTURES, 'broker-cert.pem') } },
      };
      const bad = startNode(tlsSettings, { TEST_MQTT_PASSWORD: 'wrong' }, tlsBroker.url);
      await waitFor('an authentication error', () => bad.health().lastError);
      expect(bad.health().online).toBe(false);
      expect(bad.health().lastError).toMatch(/not authori[sz]ed|bad user/i);
      await bad.stop();

      const tapSeen = tlsBroker.published.length;
      line.allRunning();
      const good = startNode(tlsSettings, { TEST_MQTT_PASSWORD: 's3cret' }, tlsBroker.url);
      await waitFor('online over TLS', () => good.health().online);
      await waitFor('NBIRTH at the broker', () => tlsBroker.published.slice(tapSeen).some((p) => p.topic.endsWith(`/NBIRTH/${NODE}`)));
      expect(() => startNode({ broker: { url: tlsBroker.url, username: 'edge-1', passwordEnv: 'UNSET_VAR_X' } }, {}, tlsBroker.url))
        .toThrow(/passwordEnv: the environment variable UNSET_VAR_X is not set/);
      node = good;
      // The CA must match: a broker certificate we do not trust is refused.
      const untrusted = createEdgeNode({
        settings: settings(tlsBroker.url, { broker: { url: tlsBroker.url, username: 'edge-1', passwordEnv: 'P', tls: {} } }),
        source: line.source, dataDir: join(dir, 'other'), log: () => {}, env: { P: 's3cret' },
      });
      untrusted.start();
      await waitFor('a certificate error', () => untrusted.health().lastError);
      expect(untrusted.health().lastError).toMatch(/self[- ]signed|certificate/i);
      await untrusted.stop();
      expect(readFileSync(join(FIXTURES, 'broker-cert.pem'), 'utf8')).toContain('BEGIN CERTIFICATE');
    } finally {
      await node?.stop();
      node = null;
      await tlsBroker.close();
    }
  });
});
