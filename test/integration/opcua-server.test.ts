// The edge's OPC UA server (edge/opcua-server) seen by a node-opcua client, with the real
// simulator behind the edge: the Machinery structure, live values that match the simulator,
// a subscription, twinline logins, and writes only through the command service's roles and limits.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeIds, BrowseDirection, ClientSubscription, DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy,
  AggregateFunction, HistoryReadRequest, ReadRawModifiedDetails, StatusCodes, TimestampsToReturn, UserTokenType, constructEventFilter, type BrowsePathResult, type ClientSession, type HistoryData, type HistoryReadResult, type Variant,
} from 'node-opcua';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { OpcUaServerSettingsSchema } from '../../shared/opcua-server-schema.js';
import { PlantSchema } from '../../shared/plant-schema.js';
import { SEVERITY } from '../../edge/opcua-server/alarm-conditions.js';
import { retarget, withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';

const PASSWORD = 'a-long-enough-password-1';
let dir: string;
let sim: RunningSimulator;
let edge: RunningEdge;
let endpoint: string;
let ns: number;
const clients: OPCUAClient[] = [];
const logs: string[] = [];

async function connect(identity: { user?: string; password?: string } = {}, secure = false): Promise<ClientSession> {
  const client = OPCUAClient.create({
    endpointMustExist: false, connectionStrategy: { maxRetry: 0 },
    securityMode: secure ? MessageSecurityMode.SignAndEncrypt : MessageSecurityMode.None,
    securityPolicy: secure ? SecurityPolicy.Basic256Sha256 : SecurityPolicy.None,
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki-client'), automaticallyAcceptUnknownCertificate: true }),
  });
  clients.push(client);
  await client.connect(endpoint);
  return identity.user
    ? client.createSession({ type: UserTokenType.UserName, userName: identity.user, password: identity.password ?? PASSWORD })
    : client.createSession();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-uasrv-'));
  // The demo plant, plus an alarm that fires at once (the demo's own wait 10-60 s on purpose).
  const raw = parseYaml(readFileSync('config/demo-plant.yaml', 'utf8'));
  raw.alarms.rules.push({ id: 'spindle-overheat', machine: 'mill', kind: 'high', tag: 'spindleTemperature', limit: 60, onDelaySeconds: 0, priority: 'critical' });
  const base = withoutBreaks(PlantSchema.parse(raw));
  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 3, timeScale: 1, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  const plant = {
    ...retarget(base, sim),
    // The test client's certificate is new each run: trusting unknown clients stands in for an admin copying it to trusted/.
    opcuaServer: OpcUaServerSettingsSchema.parse({ port: 0, trustUnknownClients: true, kpiRefreshMs: 200 }),
  };
  edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: (level, m) => { if (level !== 'info') logs.push(m); }, auth: { mode: 'required', secret: 'test-secret-of-at-least-thirty-two-characters' },
  });
  await edge.auth.users.add({ username: 'olga', role: 'operator', password: PASSWORD, now: Date.now() });
  await edge.auth.users.add({ username: 'max', role: 'maintenance', password: PASSWORD, now: Date.now() });
  endpoint = edge.opcuaServer!.endpointUrl.replace(/\/\/[^:/]+:/, '//127.0.0.1:');
  await waitFor('the line running', () => edge.machines().every((m) => m.state !== 'no-data'), 30_000);
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.disconnect().catch(() => {});
  await edge?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the edge as an OPC UA server', () => {
  let maxSession: ClientSession;

  it('refuses anonymous sessions (the plant file does not allow them) and wrong passwords', async () => {
    await expect(connect()).rejects.toThrow();
    await expect(connect({ user: 'max', password: 'wrong-password' })).rejects.toThrow(/BadUserAccessDenied|BadIdentityToken/);
  });

  it('a twinline user logs in over SignAndEncrypt and finds the plant as OPC 40001-1 Machinery', async () => {
    maxSession = await connect({ user: 'max' }, true);
    const nsArray = (await maxSession.readNamespaceArray());
    const mi = nsArray.indexOf('http://opcfoundation.org/UA/Machinery/');
    const di = nsArray.indexOf('http://opcfoundation.org/UA/DI/');
    ns = nsArray.indexOf(edge.opcuaServer!.namespaceUri);
    expect(mi).toBeGreaterThan(0);
    expect(ns).toBeGreaterThan(0);
    const machines = await maxSession.browse({ nodeId: `ns=${mi};i=1001`, browseDirection: BrowseDirection.Forward, referenceTypeId: 'Organizes', includeSubtypes: true, resultMask: 63 });
    const plant = loadPlantFile('config/demo-plant.yaml');
    expect(machines.references!.map((r) => r.browseName.name).sort()).toEqual(plant.machines.map((m) => m.id).sort());

    const mill = plant.machines.find((m) => m.id === 'mill')!;
    const paths = await maxSession.translateBrowsePath([
      { startingNode: `ns=${ns};s=mill`, relativePath: { elements: [{ targetName: { namespaceIndex: di, name: 'Identification' } }, { targetName: { namespaceIndex: di, name: 'Manufacturer' } }] } },
      { startingNode: `ns=${ns};s=mill`, relativePath: { elements: [{ targetName: { namespaceIndex: di, name: 'Identification' } }, { targetName: { namespaceIndex: di, name: 'SerialNumber' } }] } },
      { startingNode: `ns=${ns};s=mill`, relativePath: { elements: [{ targetName: { namespaceIndex: mi, name: 'MachineryBuildingBlocks' } }, { targetName: { namespaceIndex: mi, name: 'MachineryItemState' } }, { targetName: { namespaceIndex: 0, name: 'CurrentState' } }] } },
    ] as never) as unknown as BrowsePathResult[];
    for (const p of paths) expect(p.statusCode.name).toBe('Good');
    const [manufacturer, serial, state] = await maxSession.read(paths.map((p) => ({ nodeId: p.targets![0]!.targetId, attributeId: AttributeIds.Value })));
    expect(manufacturer!.value.value.text).toBe(mill.manufacturer);
    expect(serial!.value.value).toBe(mill.serialNumber);
    expect(['Executing', 'NotExecuting', 'OutOfService']).toContain(state!.value.value.text);
  });

  it('live values match the simulator, with engineering units, and the current shift KPIs are there', async () => {
    const simClient = OPCUAClient.create({
      endpointMustExist: false, connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki-client2'), automaticallyAcceptUnknownCertificate: true }),
    });
    clients.push(simClient);
    await simClient.connect(sim.opcuaEndpoint);
    const simSession = await simClient.createSession();
    const [atSim] = await simSession.read([{ nodeId: 'ns=1;s=mill.SpeedOverride', attributeId: AttributeIds.Value }]);
    const [atEdge] = await maxSession.read([{ nodeId: `ns=${ns};s=mill.speedOverride`, attributeId: AttributeIds.Value }]);
    expect(atEdge!.statusCode.name).toBe('Good');
    expect(atEdge!.value.value).toBe(atSim!.value.value);
    // A part counter: the edge's copy is at most a publishing interval or two behind the PLC's.
    const [countSim] = await simSession.read([{ nodeId: 'ns=1;s=mill.TotalCount', attributeId: AttributeIds.Value }]);
    const [countEdge] = await maxSession.read([{ nodeId: `ns=${ns};s=mill.totalCount`, attributeId: AttributeIds.Value }]);
    expect(Math.abs(countEdge!.value.value - countSim!.value.value)).toBeLessThanOrEqual(1);

    const eu = await maxSession.translateBrowsePath({ startingNode: `ns=${ns};s=mill.spindleSpeed`, relativePath: { elements: [{ targetName: { namespaceIndex: 0, name: 'EngineeringUnits' } }] } } as never);
    const [units] = await maxSession.read([{ nodeId: eu.targets![0]!.targetId, attributeId: AttributeIds.Value }]);
    // UNECE Rec. 20: revolutions per minute is RPM, shown as r/min.
    expect(units!.value.value.displayName.text).toBe('r/min');

    await waitFor('the mill\'s shift KPIs', () => edge.kpi.machine('mill').counts.total > 0, 30_000);
    const names = ['OEE', 'Availability', 'TotalCount', 'ShiftName'];
    const kpis = await maxSession.read(names.map((n) => ({ nodeId: `ns=${ns};s=mill.CurrentShift.${n}`, attributeId: AttributeIds.Value })));
    expect(kpis.map((k) => k.statusCode.name)).toEqual(['Good', 'Good', 'Good', 'Good']);
    expect(kpis[0]!.value.value).toBeGreaterThanOrEqual(0);
    expect(kpis[0]!.value.value).toBeLessThanOrEqual(1);
    expect(kpis[2]!.value.value).toBeLessThanOrEqual(edge.kpi.machine('mill').counts.total);
    expect(kpis[3]!.value.value).toBe(edge.kpi.machine('mill').shift!.name);
    const [lineOee] = await maxSession.read([{ nodeId: `ns=${ns};s=line.${loadPlantFile('config/demo-plant.yaml').line.id}.CurrentShift.OEE`, attributeId: AttributeIds.Value }]);
    expect(lineOee!.statusCode.name).toBe('Good');
  });

  it('a subscription sees a part counter change', async () => {
    const sub = ClientSubscription.create(maxSession, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 20, publishingEnabled: true });
    const item = await sub.monitor({ nodeId: `ns=${ns};s=mill.totalCount`, attributeId: AttributeIds.Value }, { samplingInterval: 100, queueSize: 10 }, TimestampsToReturn.Both);
    const seen: number[] = [];
    item.on('changed', (dv) => seen.push(dv.value.value as number));
    await waitFor('two counter values', () => new Set(seen).size >= 2, 30_000);
    expect(seen[seen.length - 1]!).toBeGreaterThan(seen[0]!);
    await sub.terminate();
  });

  it('writes go through the command service: operator refused, maintenance within limits, out of range refused', async () => {
    const olga = await connect({ user: 'olga' });
    const write = (session: ClientSession, value: number) =>
      session.write({ nodeId: `ns=${ns};s=mill.speedOverride`, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.UInt16, value } } });
    expect((await write(olga, 90)).name).toBe(StatusCodes.BadUserAccessDenied.name);
    expect((await write(maxSession, 500)).name).toBe(StatusCodes.BadOutOfRange.name);
    expect((await write(maxSession, 90)).name).toBe('Good');
    const [back] = await maxSession.read([{ nodeId: `ns=${ns};s=mill.speedOverride`, attributeId: AttributeIds.Value }]);
    expect(back!.value.value).toBe(90);
    const { entries } = edge.audit.page({ after: 0, limit: 1000 });
    expect(entries.some((e) => e.actor === 'max' && e.outcome === 'ok' && e.details?.transport === 'opcua')).toBe(true);
    expect(entries.some((e) => e.actor === 'olga' && e.outcome === 'refused')).toBe(true);
  });

  it('an alarm arrives as an Alarms & Conditions event; Acknowledge runs twinline\'s ack-alarm command', async () => {
    const sub = ClientSubscription.create(maxSession, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 20, publishingEnabled: true });
    const fields = ['EventId', 'ConditionName', 'SourceName', 'Message', 'Severity', 'ActiveState.Id', 'AckedState.Id', 'Retain'];
    const item = await sub.monitor(
      { nodeId: 'i=2253', attributeId: AttributeIds.EventNotifier },
      { samplingInterval: 0, queueSize: 100, filter: constructEventFilter(fields) }, TimestampsToReturn.Both,
    );
    const seen: Array<Record<string, unknown>> = [];
    item.on('changed', (values: unknown) => {
      const list = values as Variant[];
      seen.push(Object.fromEntries(fields.map((f, i) => [f, list[i]!.value])));
    });
    const fault = sim.inject({ kind: 'out-of-range', tag: 'mill.spindleTemperature' });
    try {
      const raised = await waitFor('spindle-overheat raised as a condition event', () =>
        seen.find((e) => e.ConditionName === 'spindle-overheat' && String(e.SourceName).endsWith('mill') && e['ActiveState.Id'] === true && e['AckedState.Id'] === false), 20_000).catch((err) => {
        const conditionEvents = seen.filter((e) => e.ConditionName !== null).map((e) => ({ ...e, EventId: undefined }));
        (err as Error).message += `; condition events seen: ${JSON.stringify(conditionEvents)}; the mill's alarms: ${JSON.stringify(edge.alarms.list({ all: true, machineId: 'mill' }).alarms.map((x) => [x.key, x.state]))}; ${logs.join(' | ')}`;
        throw err;
      });
      const view = edge.alarms.list().alarms.find((a) => a.key === 'spindle-overheat@mill')!;
      expect(raised.Severity).toBe(SEVERITY[view.priority]);
      expect(raised.Severity).toBe(900); // critical
      expect(raised.Retain).toBe(true);

      const olga = await connect({ user: 'olga' });
      const result = await olga.call({
        objectId: `ns=${ns};s=mill.Alarms.spindle-overheat`, methodId: 'i=9111',
        inputArguments: [{ dataType: DataType.ByteString, value: raised.EventId }, { dataType: DataType.LocalizedText, value: { text: 'seen on the OPC UA client' } }],
      });
      expect(result.statusCode.name, logs.join('\n')).toBe('Good');
      await waitFor('the alarm engine acknowledged it', () => edge.alarms.list().alarms.find((a) => a.key === 'spindle-overheat@mill')?.acked === true, 10_000);
      await waitFor('the acknowledgement as a condition event', () =>
        seen.find((e) => e.ConditionName === 'spindle-overheat' && String(e.SourceName).endsWith('mill') && e['AckedState.Id'] === true), 10_000);
      const { entries } = edge.audit.page({ after: 0, limit: 1000 });
      expect(entries.some((e) => e.actor === 'olga' && e.action.includes('ack') && e.details?.transport === 'opcua')).toBe(true);
    } finally {
      sim.clearFault(fault.id);
      await sub.terminate();
    }
  }, 60_000);

  it('HistoryRead: raw values are the historian\'s, processed Average/Minimum/Maximum are theirs per interval', async () => {
    const end = Date.now();
    const start = end - 120_000;
    edge.historian.queries.catchUp();
    const stored = edge.historian.queries.raw('mill.power', start, end).filter((p) => p.quality === 'good');
    expect(stored.length).toBeGreaterThan(1);
    const raw = await maxSession.readHistoryValue({ nodeId: `ns=${ns};s=mill.power` }, new Date(start), new Date(end));
    expect(raw.statusCode.name).toBe('Good');
    const values = (raw.historyData as HistoryData).dataValues!;
    const good = values.filter((v) => v.statusCode.name === 'Good');
    expect(good.slice(0, stored.length).map((v) => [v.sourceTimestamp!.getTime(), v.value.value])).toEqual(
      stored.map((p) => [p.ts, Math.fround(p.value as number)]));

    // One interval over the stored samples: the mean, least and greatest of the good values.
    const from = stored[0]!.ts;
    const to = stored[stored.length - 1]!.ts + 1;
    const inWindow = edge.historian.queries.raw('mill.power', from, to).filter((p) => p.quality === 'good').map((p) => p.value as number);
    const expected = {
      [AggregateFunction.Average]: inWindow.reduce((a, b) => a + b, 0) / inWindow.length,
      [AggregateFunction.Minimum]: Math.min(...inWindow),
      [AggregateFunction.Maximum]: Math.max(...inWindow),
    };
    for (const fn of [AggregateFunction.Average, AggregateFunction.Minimum, AggregateFunction.Maximum] as const) {
      const r = await maxSession.readAggregateValue({ nodeId: `ns=${ns};s=mill.power` }, new Date(from), new Date(to), fn, to - from);
      expect(r.statusCode.name).toBe('Good');
      const [v] = (r.historyData as HistoryData).dataValues!;
      expect(v!.value.value).toBeCloseTo(expected[fn], 9);
      expect(v!.sourceTimestamp!.getTime()).toBe(from);
    }
    const unsupported = await maxSession.readAggregateValue({ nodeId: `ns=${ns};s=mill.power` }, new Date(from), new Date(to), AggregateFunction.Count, to - from);
    expect(unsupported.statusCode.name).toBe('BadAggregateNotSupported');
  });

  it('HistoryRead pages through a long range with continuation points, and releases one on request', async () => {
    // A closed range in the past: samples still on their way cannot land in it between pages.
    const start = Date.now() - 120_000;
    const count = () => { edge.historian.queries.catchUp(); return edge.historian.queries.raw('mill.power', start, Date.now() - 2_000).length; };
    await waitFor('a few stored samples', () => count() > 5, 30_000);
    const end = Date.now() - 2_000;
    const details = new ReadRawModifiedDetails({ startTime: new Date(start), endTime: new Date(end), numValuesPerNode: 2, returnBounds: false });
    const page = async (continuationPoint: Buffer | null, releaseContinuationPoints = false): Promise<HistoryReadResult> => {
      const response = await maxSession.historyRead(new HistoryReadRequest({
        historyReadDetails: details, releaseContinuationPoints, timestampsToReturn: TimestampsToReturn.Source,
        nodesToRead: [{ nodeId: `ns=${ns};s=mill.power`, ...(continuationPoint ? { continuationPoint } : {}) }],
      }));
      return response.results![0]!;
    };
    const pages: number[][] = [];
    let continuationPoint: Buffer | null = null;
    do {
      const r = await page(continuationPoint);
      expect(r.statusCode.name).toBe('Good');
      pages.push((r.historyData as HistoryData).dataValues!.map((v) => v.sourceTimestamp!.getTime()));
      continuationPoint = r.continuationPoint?.length ? r.continuationPoint : null;
    } while (continuationPoint && pages.length < 1_000);
    // Every page but the last is full, and together they are the historian's samples in order, none twice.
    edge.historian.queries.catchUp();
    const stored = edge.historian.queries.raw('mill.power', start, end);
    expect(stored.length).toBeGreaterThan(5);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    expect(pages.flat()).toEqual(stored.map((p) => p.ts));

    // A point handed back with ReleaseContinuationPoints is gone: using it again is refused.
    const point = (await page(null)).continuationPoint!;
    expect(point.length).toBeGreaterThan(0);
    expect((await page(point, true)).statusCode.name).toBe('Good');
    expect((await page(point)).statusCode.name).toBe('BadContinuationPointInvalid');
  });

  it('the CNC mill is an OPC 40501-1 machine tool: operation mode, active program state, feed override and spindle follow the machine', async () => {
    const nsArray = await maxSession.readNamespaceArray();
    const mt = nsArray.indexOf('http://opcfoundation.org/UA/MachineTool/');
    expect(mt).toBeGreaterThan(0);
    const [typeDef] = await maxSession.read([{ nodeId: `ns=${ns};s=mill`, attributeId: AttributeIds.BrowseName }]);
    expect(typeDef!.value.value.name).toBe('mill');
    const refs = await maxSession.browse({ nodeId: `ns=${ns};s=mill`, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HasTypeDefinition', resultMask: 63 });
    expect(refs.references![0]!.browseName.name).toBe('MachineToolType');
    const path = (...names: Array<[number, string]>) => ({ startingNode: `ns=${ns};s=mill`, relativePath: { elements: names.map(([namespaceIndex, name]) => ({ targetName: { namespaceIndex, name } })) } });
    const read = async () => {
      const paths = await maxSession.translateBrowsePath([
        path([mt, 'Monitoring'], [mt, 'MachineTool'], [mt, 'OperationMode']),
        path([mt, 'Production'], [mt, 'ActiveProgram'], [mt, 'State'], [0, 'CurrentState']),
        path([mt, 'Monitoring'], [mt, 'MachineTool'], [mt, 'FeedOverride']),
        path([mt, 'Monitoring'], [mt, 'Spindle'], [mt, 'IsRotating']),
      ] as never) as unknown as BrowsePathResult[];
      for (const p of paths) expect(p.statusCode.name).toBe('Good');
      return maxSession.read(paths.map((p) => ({ nodeId: p.targets![0]!.targetId, attributeId: AttributeIds.Value })));
    };
    // The simulator's mill runs most of the time; its state is read where the edge read it.
    await waitFor('the mill running', () => edge.machines().find((m) => m.machineId === 'mill')?.state === 'running', 60_000);
    const [mode, program, feed, rotating] = await read();
    // OPC 40501-1 MachineOperationMode: 1 = Automatic; a running program is Running.
    expect(mode!.value.value).toBe(1);
    expect(program!.value.value.text).toBe('Running');
    const simClient = OPCUAClient.create({
      endpointMustExist: false, connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki-client3'), automaticallyAcceptUnknownCertificate: true }),
    });
    clients.push(simClient);
    await simClient.connect(sim.opcuaEndpoint);
    const simSession = await simClient.createSession();
    const [override, speed] = await simSession.read([{ nodeId: 'ns=1;s=mill.SpeedOverride', attributeId: AttributeIds.Value }, { nodeId: 'ns=1;s=mill.SpindleSpeed', attributeId: AttributeIds.Value }]);
    expect(feed!.statusCode.name).toBe('Good');
    expect(feed!.value.value).toBe(override!.value.value);
    expect(rotating!.statusCode.name).toBe('Good');
    expect(rotating!.value.value).toBe(speed!.value.value > 0);
  });
});

