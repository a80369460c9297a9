// Host mode against a real broker (aedes): which edge nodes may become lines (allow-list and
// cap), line files whose names cannot collide, and one edge's bad messages — garbage bytes,
// payloads this host cannot read, and messages that break the host's own processing of that
// line — do not stop the host from mirroring the other edges.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrimaryHost, type PrimaryHost } from '../../edge/host/primary-host.js';
import { createLineAdmission, lineFileName } from '../../edge/host/plant-lines.js';
import { encodePayload, type Metric, type Payload } from '../../edge/uplink/sparkplug-codec.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import type { PlantView } from '../../shared/live-protocol.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';

const GROUP = 'plant-r';
const view = (lineId: string): PlantView => ({
  site: { id: 's', name: 'S', timezone: 'UTC' },
  line: { id: lineId, name: lineId },
  machines: [{ id: 'mill', name: 'Mill', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0, rotationDeg: 0 }, tags: [{ name: 'speed', role: 'process', type: 'float64', writable: false }] }],
});
const now = () => Date.now();
const nbirth = (lineId: string): Payload => ({
  timestamp: now(), seq: 0, metrics: [
    { name: 'bdSeq', alias: 0, type: 'UInt64', value: 0, timestamp: now() },
    { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false, timestamp: now() },
    { name: 'Twinline/Plant View', alias: 2, type: 'String', value: JSON.stringify(view(lineId)), timestamp: now() },
  ],
});
const speed = (value: number, alias = true): Metric => ({ ...(alias ? { alias: 13 } : { name: 'Tags/speed', alias: 13 }), type: 'Double', value, timestamp: now() });
const dbirth = (seq: number): Payload => ({ timestamp: now(), seq, metrics: [{ name: 'State', alias: 10, type: 'String', value: 'running', timestamp: now() }, speed(100, false)] });

let broker: TestBroker;
let host: PrimaryHost;
let edge: MqttClient;
const logs: string[] = [];

const publish = (topic: string, payload: Payload | Buffer) =>
  new Promise<void>((resolve, reject) => edge.publish(`spBv1.0/${GROUP}/${topic}`, Buffer.isBuffer(payload) ? payload : Buffer.from(encodePayload(payload)), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
const mirror = (node: string) => host.mirrors().find((m) => m.edgeNodeId === node);

beforeAll(async () => {
  broker = await startTestBroker();
  const config = parseHostConfig({ host: { id: 'host-r', groups: [GROUP], allowedLines: [`${GROUP}/good`, `${GROUP}/bad`, `${GROUP}/extra`], maxLines: 2 }, broker: { url: broker.url } }, 'host.yaml');
  const admission = createLineAdmission({ allowed: config.host.allowedLines, maxLines: config.host.maxLines });
  host = createPrimaryHost({
    hostId: config.host.id, broker: config.broker, groups: config.host.groups, configPath: 'broker', baseDir: '.', log: (l, m) => logs.push(`${l} ${m}`),
    rebirthMinIntervalMs: 100, admitLine: admission.admit,
    sinkFor: (m) => {
      // The bad edge's messages also break what the host does with them (as a sink that cannot store them would).
      const fail = m.edgeNodeId === 'bad' ? () => { throw new Error('cannot store this'); } : () => {};
      return { touched: fail, events: fail, lineChanged: fail, commandResult: fail, log: (l, msg) => logs.push(`${l} ${msg}`) };
    },
  });
  host.start();
  await waitFor('the host online', () => host.health().stateTimestamp !== null, 10_000);
  edge = mqtt.connect(broker.url, { clientId: 'test-edges', reconnectPeriod: 0 });
  await new Promise((resolve) => edge.once('connect', resolve));
}, 30_000);

afterAll(async () => {
  edge?.end(true);
  await host?.stop();
  await broker?.close();
});

describe('host mode', () => {
  it('keeps mirroring the good edge while another sends garbage and messages that break its line', async () => {
    await publish('NBIRTH/good', nbirth('good'));
    await publish('DBIRTH/good/mill', dbirth(1));
    await waitFor('the good line', () => mirror('good')?.machines.get('mill')?.tags.speed?.value === 100);

    const random = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104729) % 251));
    for (let i = 0; i < 20; i++) await publish('NBIRTH/bad', random(10 + i * 37, i));
    await publish('NBIRTH/bad', { timestamp: now(), seq: 0, metrics: [{ name: 'Twinline/Plant View', type: 'String', value: '{"not":"a plant view"', timestamp: now() }] });
    await publish('NBIRTH/bad', nbirth('bad'));
    await publish('DBIRTH/bad/mill', dbirth(1));
    await publish('DDATA/bad/mill', { timestamp: now(), seq: 2, metrics: Array.from({ length: 500 }, (_, i) => speed(i)) });
    await publish('DDATA/bad/nope', { timestamp: now(), seq: 3, metrics: [speed(1)] });

    let seq = 2;
    for (const v of [101, 102, 103]) await publish('DDATA/good/mill', { timestamp: now(), seq: seq++, metrics: [speed(v)] });
    await waitFor('the good line to go on', () => mirror('good')?.machines.get('mill')?.tags.speed?.value === 103, 10_000);
    expect(mirror('good')!.online).toBe(true);
    expect(mirror('bad')!.rejected).toBeGreaterThan(0);
    expect(logs.some((l) => /bad: a .* could not be applied \(cannot store this\)/.test(l))).toBe(true);
  });

  it('shows only allowed lines, and no more than maxLines', async () => {
    await publish('NBIRTH/stranger', nbirth('stranger'));
    await publish('NBIRTH/extra', nbirth('extra')); // allowed, but good and bad already make two
    await publish('DDATA/good/mill', { timestamp: now(), seq: 5, metrics: [speed(104)] });
    await waitFor('the good line', () => mirror('good')?.machines.get('mill')?.tags.speed?.value === 104, 10_000);
    expect(host.mirrors().map((m) => m.edgeNodeId).sort()).toEqual(['bad', 'good']);
    expect(logs.join('\n')).toMatch(/plant-r\/stranger is not in host\.allowedLines/);
    expect(logs.join('\n')).toMatch(/already shows 2 lines \(host\.maxLines\): plant-r\/extra is ignored/);
  });
});

describe('line files', () => {
  it('never share a name, whatever the ids', () => {
    const pairs: Array<[string, string]> = [['a:b', 'x'], ['a_b', 'x'], ['a--b', 'c'], ['a', 'b--c'], ['Line', 'x'], ['line', 'x'], ['工厂', 'x'], ['__', 'x']];
    const names = pairs.map(([g, n]) => lineFileName(g, n));
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(pairs.length);
    expect(names.every((n) => /^line-[A-Za-z0-9_.-]+--[A-Za-z0-9_.-]+-[0-9a-f]{12}\.db$/.test(n))).toBe(true);
    expect(lineFileName('plant-a', 'line-1')).toMatch(/^line-plant-a--line-1-[0-9a-f]{12}\.db$/);
  });

  it('the host file refuses an allowed line that is not group/node', () => {
    expect(() => parseHostConfig({ host: { id: 'h', allowedLines: ['line-1'] }, broker: { url: 'mqtt://b:1883' } }, 'host.yaml'))
      .toThrow(/host\.yaml: host\.allowedLines\[0\]: use "group\/node" or "group\/\*"/);
  });
});
