// The MQTT session alone against a real broker (aedes, in-process) and a probe subscriber: the
// Will carries the session's bdSeq, online comes after the subscription (and the primary host's
// STATE), a dropped link reconnects with the next bdSeq, commands to this node are handed on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMqttSession, type MqttSession, type SessionEvents } from '../../edge/uplink/mqtt-session.js';
import { createSequenceNumbers } from '../../edge/uplink/sequence-numbers.js';
import { encodePayload, type Payload } from '../../edge/uplink/sparkplug-codec.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { startProbe, typeOf, type SparkplugProbe } from './support/sparkplug-probe.js';

const node = { groupId: 'plant-a', edgeNodeId: 'line-1' };
const CLIENT_ID = 'session-under-test';

let broker: TestBroker;
let probe: SparkplugProbe;
let session: MqttSession | null;
let calls: string[];
let commands: Array<{ deviceId: string | null; payload: Payload }>;
let logs: string[];

function start(primaryHostId?: string) {
  const meta = new Map<string, string>();
  const sequence = createSequenceNumbers({ getMeta: (k) => meta.get(k), setMeta: (k, v) => void meta.set(k, v) });
  const events: SessionEvents = {
    beforeOnline: () => calls.push('beforeOnline'),
    online: () => calls.push('online'),
    lost: () => calls.push('lost'),
    nodeCommand: (payload) => commands.push({ deviceId: null, payload }),
    deviceCommand: (deviceId, payload) => commands.push({ deviceId, payload }),
  };
  const s = createMqttSession({
    settings: UplinkSettingsSchema.parse({ broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 200 }, groupId: node.groupId, primaryHostId }),
    node, clientOptions: { clientId: CLIENT_ID, protocolVersion: 4, clean: true, reconnectPeriod: 0 }, brokerLabel: broker.url,
    sequence, events, now: () => 1000, log: (l, m) => logs.push(`${l} ${m}`),
  });
  session = s;
  s.start();
  return { session: s, sequence };
}

const bdSeqOf = (p: Payload | null) => p?.metrics.find((m) => m.name === 'bdSeq')?.value;

beforeEach(async () => {
  broker = await startTestBroker();
  probe = await startProbe(broker.url);
  session = null;
  calls = [];
  commands = [];
  logs = [];
});

afterEach(async () => {
  session?.stop();
  await session?.end('test over');
  await probe.close();
  await broker.close();
});

describe('MQTT session', () => {
  it('goes online after subscribing; a dropped link publishes the Will with that bdSeq, then reconnects with the next', async () => {
    const { session: s, sequence } = start();
    await waitFor('online', () => s.online);
    expect(calls).toEqual(['beforeOnline', 'online']);
    expect(sequence.bdSeq).toBe(0);
    s.publish('spBv1.0/plant-a/NDATA/line-1', encodePayload({ timestamp: 1, seq: 0, metrics: [] }));
    await probe.waitFor('NDATA', (x) => typeOf(x) === 'NDATA');
    expect(s.messagesPublished).toBe(1);

    expect(broker.dropClient(CLIENT_ID)).toBe(true);
    const will = await probe.waitFor('the Will (NDEATH)', (x) => typeOf(x) === 'NDEATH');
    expect(bdSeqOf(will.payload)).toBe(0);
    await waitFor('online again', () => calls.filter((c) => c === 'online').length === 2);
    expect(calls).toEqual(['beforeOnline', 'online', 'lost', 'beforeOnline', 'online']);
    expect(sequence.bdSeq).toBe(1);
    expect(s.connects).toBe(2);
    expect(s.lastError).toBeNull();
  });

  it('with a primary host: online only after its STATE says online; its going offline ends the session with NDEATH; an older STATE is ignored', async () => {
    const host = probe.client;
    const state = (online: boolean, timestamp: number) => host.publishAsync('spBv1.0/STATE/scada', JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
    const { session: s } = start('scada');
    await waitFor('connected', () => s.connected);
    expect(s.online).toBe(false);
    expect(s.primaryHostOnline).toBe(false);
    await state(true, 10);
    await waitFor('online', () => s.online);
    const from = probe.seen.length;
    await state(false, 20);
    const ndeath = await probe.waitFor('NDEATH', (x) => typeOf(x) === 'NDEATH', 5000, from);
    expect(bdSeqOf(ndeath.payload)).toBe(0);
    await waitFor('reconnected', () => s.connects === 2 && s.connected);
    await state(true, 15); // older than the offline STATE: says nothing
    await state(false, 20);
    expect(s.online).toBe(false);
    await state(true, 30);
    await waitFor('online again', () => s.online);
    expect(calls.filter((c) => c === 'online')).toHaveLength(2);
  });

  it('hands on NCMD and DCMD to this node, ignores other nodes, and warns on a payload that is not Sparkplug', async () => {
    const { session: s } = start();
    await waitFor('online', () => s.online);
    const cmd = encodePayload({ timestamp: 1, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await probe.client.publishAsync('spBv1.0/plant-a/NCMD/other-node', Buffer.from(cmd), { qos: 1 });
    await probe.client.publishAsync('spBv1.0/plant-a/DCMD/line-1/mill', Buffer.from('not protobuf at all, really'), { qos: 1 });
    await probe.client.publishAsync('spBv1.0/plant-a/NCMD/line-1', Buffer.from(cmd), { qos: 1 });
    await probe.client.publishAsync('spBv1.0/plant-a/DCMD/line-1/mill', Buffer.from(cmd), { qos: 1 });
    await waitFor('two commands', () => commands.length === 2);
    expect(commands.map((c) => c.deviceId)).toEqual([null, 'mill']);
    expect(commands[0]!.payload.metrics[0]).toMatchObject({ name: 'Node Control/Rebirth', value: true });
    expect(logs.filter((l) => l.includes('is not Sparkplug B'))).toHaveLength(1);
  });

  it('end() publishes NDEATH itself (a clean DISCONNECT discards the Will) and, stopped, does not reconnect', async () => {
    const { session: s } = start();
    await waitFor('online', () => s.online);
    s.stop();
    await s.end('stopped');
    const ndeath = await probe.waitFor('NDEATH', (x) => typeOf(x) === 'NDEATH');
    expect(bdSeqOf(ndeath.payload)).toBe(0);
    expect(s.connected).toBe(false);
    expect(calls.at(-1)).toBe('lost');
    expect(s.connects).toBe(1);
    expect(probe.of('NDEATH')).toHaveLength(1);
    session = null;
  });
});
