// Fuzzes inbound Sparkplug B on both sides of a real broker (aedes, in-process): the real edge
// (its own process, real simulator, uplink to the broker, remote commands on) gets hostile
// NCMD/DCMD/STATE; the real plant host gets hostile NBIRTH/NDATA/DBIRTH/DDATA/NDEATH/STATE,
// also spoofing the real edge's node id. Payloads: random bytes, real captured payloads mutated
// at byte and metric level, wrong metric types, huge metric lists and strings.
// After each batch: the edge's invariants (support/invariants.ts), its uplink still answers a
// rebirth, and the host still mirrors the real edge and answers its health check within 1 s.
// The same host's REST API is fuzzed here too (plant routes and a line's under /lines/…), with
// its routes read from its Fastify apps as the edge's are.
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { ROLES } from '../../shared/auth-api.js';
import { withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from '../uplink/support/aedes-broker.js';
import { startEdgeProcess, type EdgeProcess } from './support/edge-process.js';
import { baseline, HEALTH_DEADLINE_MS, invariantProblems, type InvariantState } from './support/invariants.js';
import { send } from './support/raw-http.js';
import { commandRequestJson, hostilePayload } from './support/sparkplug-payloads.js';
import { encodePayload } from '../../edge/uplink/sparkplug-codec.js';
import { nastyString } from './support/json-schema-arbitrary.js';
import { Findings } from './support/findings.js';
import { catalogueEntry, type CatalogueRoute } from './support/route-catalogue.js';
import { describeRequest, documented5xx, fuzzRequest, leak, routeModels, type Credentials, type RouteModel } from './support/rest-requests.js';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { FUZZ_SEED, fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const GROUP = 'plant-a';
const NODE = 'line-1';
const HOST_ID = 'host-1';
const ATTACKER = 'fuzz-attacker';
const LINE_KEY = `${GROUP}/${NODE}`;
const base = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
const machineIds = base.machines.map((m) => m.id);
const writableTags = base.machines.flatMap((m) => m.tags.filter((t) => t.writable).map((t) => t.name));
const tagMetricNames = base.machines.flatMap((m) => m.tags.map((t) => `Tags/${t.name}`));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;
let broker: TestBroker;
let host: RunningHost;
let edge: EdgeProcess;
let attacker: MqttClient;
let state: InvariantState;
let hostHeapBaseline = 0;
const seeds: Record<string, Uint8Array[]> = {};
const findings = new Findings('Sparkplug');
const hostLogs: string[] = [];

/** The host's Fastify apps as they are created: the plant app while startHost runs, then one per line server. */
const hostApps: Array<{ plant: boolean; routes: CatalogueRoute[] }> = [];
let hostStarting = true;
subscribe('fastify.initialization', (message) => {
  const { fastify } = message as { fastify: FastifyInstance };
  const app = { plant: hostStarting, routes: [] as CatalogueRoute[] };
  hostApps.push(app);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) app.routes.push(catalogueEntry(method, route));
  });
});

const fromEdge = (type: string) => broker.published.filter((p) => p.clientId !== ATTACKER && p.topic.split('/')[2] === type && p.topic.split('/')[3] === NODE);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-spb-'));
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: HOST_ID, groups: [GROUP], rebirthMinIntervalSeconds: 0.2 },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' }, auth: { mode: 'required' },
    }, 'fuzz-host.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, env: { TWINLINE_SECRET: `fuzz-host-secret-${FUZZ_SEED}-0123456789abcdef` },
    log: (l, m) => { hostLogs.push(`${l} ${m}`); if (hostLogs.length > 100) hostLogs.shift(); },
  });
  hostStarting = false;
  const uplink = UplinkSettingsSchema.parse({
    broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
    groupId: GROUP, edgeNodeId: NODE, primaryHostId: HOST_ID, publishIntervalMs: 50, refreshIntervalMs: 500,
    // Commands on, over a plain uplink, so that DCMD reaches the command service and is fuzzed there too.
    commands: { enabled: true, role: 'maintenance', allowInsecureCommands: true },
  });
  edge = await startEdgeProcess({
    plant: { ...base, uplink }, simulate: base.devices.map((d) => d.id), secret: `fuzz-secret-${FUZZ_SEED}-0123456789abcdefghijklmnop`,
    users: ROLES.map((role) => ({ username: `fz-${role}`, role, password: 'fuzzing passphrase long enough' })),
  });
  await waitFor('the host mirrors the edge', () => host.line(LINE_KEY)?.mirror.online, 60_000);
  await waitFor('DDATA from the edge', () => fromEdge('DDATA').length > 0, 30_000);
  for (const type of ['NBIRTH', 'DBIRTH', 'NDATA', 'DDATA']) seeds[type] = fromEdge(type).slice(0, 10).map((p) => p.payload);
  attacker = mqtt.connect(broker.url, { clientId: ATTACKER, reconnectPeriod: 100 });
  await new Promise<void>((resolve) => attacker.once('connect', () => resolve()));
  state = await baseline(edge);
  gc();
  hostHeapBaseline = process.memoryUsage().heapUsed;
}, 180_000);

afterAll(async () => {
  findings.report(seedNote);
  attacker?.end(true);
  await edge?.stop();
  await host?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Message {
  topic: string;
  payload: Buffer;
}

const describeMessage = (m: Message) => `${m.topic.slice(0, 120)} (${m.payload.length} bytes: ${m.payload.subarray(0, 24).toString('hex')}…)`;

async function publish(batch: Message[]) {
  for (const m of batch) await attacker.publishAsync(m.topic, m.payload, { qos: 0 });
  // Past the broker: a message sent after the batch on a topic both clients see arrives after it.
  await attacker.publishAsync(`spBv1.0/${GROUP}/fuzz-fence`, Buffer.alloc(0), { qos: 1 });
}

/** The edge's uplink is alive when a valid rebirth request gets a fresh NBIRTH. */
async function uplinkAnswersRebirth(): Promise<boolean> {
  const before = fromEdge('NBIRTH').length;
  const rebirth = encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
  await attacker.publishAsync(`spBv1.0/${GROUP}/NCMD/${NODE}`, Buffer.from(rebirth), { qos: 1 });
  return waitFor('NBIRTH', () => fromEdge('NBIRTH').length > before, 5000).then(() => true, () => false);
}

const hostUrl = () => host.url.replace('localhost', '127.0.0.1');

async function hostProblems(): Promise<string[]> {
  const problems: string[] = [];
  const health = await send(host.url.replace('localhost', '127.0.0.1'), { method: 'GET', target: '/api/health', headers: {} }, HEALTH_DEADLINE_MS);
  if (health.kind !== 'answer' || health.status !== 200) problems.push(`host /api/health: ${health.kind === 'answer' ? health.status : health.kind}`);
  const mirrored = await waitFor('the host mirrors the real edge again', () => host.line(LINE_KEY)?.mirror.online && host.line(LINE_KEY)!.mirror.machines.size === machineIds.length, 8000).then(() => true, () => false);
  if (!mirrored) problems.push(`the host no longer mirrors ${LINE_KEY} (online ${host.line(LINE_KEY)?.mirror.online}); host log: ${hostLogs.slice(-3).join(' | ')}`);
  gc();
  const growth = process.memoryUsage().heapUsed - hostHeapBaseline;
  if (growth > 192 * 1024 * 1024) problems.push(`host heap after GC grew by ${(growth / 1048576).toFixed(0)} MB`);
  return problems;
}

/**
 * STATE payloads. A forged STATE offline NEWER than the real host's sends the edge into
 * store-and-forward until the host reconnects (Sparkplug 3.0 trusts the broker's ACL on
 * spBv1.0/STATE/#; found by the long run, seed 777, and listed in docs/security.md): so the
 * timestamps here are older than the host's, and what is fuzzed is the parsing.
 */
const stateJson = () => {
  const hostStamp = host.primary.health().stateTimestamp ?? Date.now();
  return fc.oneof(
    fc.record({ online: fc.boolean(), timestamp: fc.oneof(fc.integer({ min: hostStamp - 3_600_000, max: hostStamp - 1 }), fc.nat({ max: hostStamp - 1 }), fc.constantFrom(-1, 0, -1e15)) }).map((v) => Buffer.from(JSON.stringify(v))),
    fc.oneof(fc.constantFrom('ONLINE', 'OFFLINE', '{}', '{"online":"yes"}', 'null', '[]'), nastyString()).map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  );
};

const edgeInbound = (): fc.Arbitrary<Message> => {
  const names = ['Node Control/Rebirth', 'bdSeq', 'Command/Request', ...tagMetricNames];
  return fc.oneof(
    { weight: 3, arbitrary: hostilePayload([...(seeds.NBIRTH ?? []), ...(seeds.NDATA ?? [])], names).map((payload) => ({ topic: `spBv1.0/${GROUP}/NCMD/${NODE}`, payload })) },
    {
      weight: 4, arbitrary: fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...machineIds) }, { weight: 1, arbitrary: nastyString().map((s) => s.replace(/[+#/\u0000]/g, '_').slice(0, 200) || 'x') }), hostilePayload([...(seeds.DBIRTH ?? []), ...(seeds.DDATA ?? [])], names))
        .map(([device, payload]) => ({ topic: `spBv1.0/${GROUP}/DCMD/${NODE}/${device}`, payload })),
    },
    {
      weight: 3, arbitrary: fc.tuple(fc.constantFrom(...machineIds), commandRequestJson(machineIds, writableTags), fc.constantFrom('String', 'Text', 'Int32', 'Boolean'))
        .map(([device, json, type]) => ({ topic: `spBv1.0/${GROUP}/DCMD/${NODE}/${device}`, payload: Buffer.from(encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Command/Request', type: type as 'String', value: type === 'String' || type === 'Text' ? json : type === 'Boolean' ? true : 7 }] })) })),
    },
    { weight: 1, arbitrary: stateJson().map((payload) => ({ topic: `spBv1.0/STATE/${HOST_ID}`, payload })) },
  );
};

const hostInbound = (): fc.Arbitrary<Message> => {
  const nodeIds = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(NODE, 'fz-1', 'fz-2') }, { weight: 1, arbitrary: nastyString().map((s) => s.replace(/[+#/\u0000]/g, '_').slice(0, 100) || 'x') });
  // Energy/Meters: the meters' totals the host keeps and aggregates (edge/host/plant-energy.ts).
  const names = ['bdSeq', 'Node Control/Rebirth', 'Twinline/Plant View', 'Twinline/KPI Settings', 'Alarms/List', 'Command/Result', 'Energy/Meters', ...tagMetricNames];
  const nodeMsg = fc.tuple(fc.constantFrom('NBIRTH', 'NDATA', 'NDEATH'), nodeIds).chain(([type, node]) =>
    hostilePayload(seeds[type] ?? seeds.NBIRTH ?? [], names).map((payload) => ({ topic: `spBv1.0/${GROUP}/${type}/${node}`, payload })));
  const deviceMsg = fc.tuple(fc.constantFrom('DBIRTH', 'DDATA', 'DDEATH'), nodeIds, fc.oneof(fc.constantFrom(...machineIds), fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[+#/]/g, '_')))).chain(([type, node, device]) =>
    hostilePayload(seeds[type] ?? seeds.DBIRTH ?? [], names).map((payload) => ({ topic: `spBv1.0/${GROUP}/${type}/${node}/${device}`, payload })));
  return fc.oneof({ weight: 3, arbitrary: nodeMsg }, { weight: 4, arbitrary: deviceMsg }, { weight: 1, arbitrary: stateJson().map((payload) => ({ topic: `spBv1.0/STATE/${HOST_ID}`, payload })) });
};

describe(`Sparkplug B inbound under fuzz (${seedNote})`, () => {
  it('the edge takes hostile NCMD, DCMD and STATE: alive, invariants hold, its uplink still answers a rebirth', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edgeInbound(), { minLength: 1, maxLength: 6 }), async (batch) => {
        await publish(batch);
        const last = describeMessage(batch.at(-1)!);
        if (edge.death()) {
          findings.add('edge death', `after ${batch.map(describeMessage).join('; ')}: the edge died: ${edge.death()}`);
          throw new Error(edge.death()!);
        }
        for (const p of await invariantProblems(edge, state)) findings.add(`edge invariant ${p.slice(0, 40)}`, `after a batch ending ${last}: ${p}`);
        if (!(await uplinkAnswersRebirth())) findings.add('edge uplink', `after ${batch.map(describeMessage).join('; ')}: the edge's uplink no longer answers a rebirth request`);
      }),
      fuzzParameters(12, 0.35),
    );
    expect(findings.list()).toEqual([]);
  }, fuzzTimeout(60_000, 0.35));

  it('the host takes hostile births, data, deaths and STATE (also spoofing the real edge): alive, health within 1 s, still mirrors the real edge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostInbound(), { minLength: 1, maxLength: 6 }), async (batch) => {
        await publish(batch);
        // A spoofed death or birth of the real edge is repaired by its next birth: ask for one.
        await uplinkAnswersRebirth();
        for (const p of await hostProblems()) findings.add(`host ${p.slice(0, 30)}`, `after ${batch.map(describeMessage).join('; ')}: ${p}`);
      }),
      fuzzParameters(12, 0.35),
    );
    expect(findings.list()).toEqual([]);
  }, fuzzTimeout(60_000, 0.35));
});

describe(`plant host REST under fuzz (${seedNote})`, () => {
  it('answers every request to the plant API and to a line under /lines/… without a hang, an undocumented 5xx or a leak', async () => {
    const linePrefix = `/lines/${GROUP}/${NODE}`;
    const catalogue = hostApps.flatMap((app) => (app.plant ? app.routes : app.routes.map((r) => ({ ...r, url: r.url === '/' ? `${linePrefix}/` : `${linePrefix}${r.url}` }))));
    const routes: RouteModel[] = routeModels(catalogue, null);
    expect(routes.some((r) => r.url.startsWith(linePrefix)), 'a line server\'s routes were seen').toBe(true);
    const tokens: Record<string, string> = {};
    for (const role of ROLES) {
      await host.auth.users.add({ username: `fz-host-${role}`, role, password: 'fuzzing passphrase long enough', now: Date.now() });
      const a = await send(hostUrl(), { method: 'POST', target: '/api/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `fz-host-${role}`, password: 'fuzzing passphrase long enough' }) });
      if (a.kind === 'answer' && a.status === 200) tokens[role] = (JSON.parse(a.body) as { token: string }).token;
    }
    const creds: Credentials = { tokens, expired: 'v1.e30.x' };
    const known = [...machineIds, 'line-1', GROUP, NODE, '1'];
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzRequest(routes, creds, known, Number(new URL(hostUrl()).port)), { minLength: 1, maxLength: 8 }), async (batch) => {
        for (const r of batch) {
          const a = await send(hostUrl(), r.request, 5000);
          const where = `${r.route.method} ${r.route.url} [${r.spelling}]`;
          if (a.kind === 'hung') findings.add(`host hang ${where}`, `host: ${describeRequest(r)} → no answer within 5000 ms`);
          else if (a.kind === 'answer') {
            if (a.status >= 500 && !documented5xx(routes, r).includes(a.status)) findings.add(`host ${a.status} ${where}`, `host: ${describeRequest(r)} → ${a.status} ${a.body.slice(0, 200)}`);
            const l = leak(routes, r, a.status);
            if (l) findings.add(`host leak ${where} ${r.caller.kind}`, `host: ${describeRequest(r)} → LEAK: ${l}`);
          }
        }
        for (const p of await hostProblems()) findings.add(`host ${p.slice(0, 30)}`, `after host REST ${describeRequest(batch.at(-1)!)}: ${p}`);
      }),
      fuzzParameters(10, 0.3),
    );
    expect(findings.list()).toEqual([]);
  }, fuzzTimeout(60_000, 0.3));
});
