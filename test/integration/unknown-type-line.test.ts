// A machine of a type twinline has no figures for (issue 21): the demo line with its inspection
// station declared a "press". The simulator runs it, the edge acquires it and counts its parts
// as the PLC does, and the edge's OPC UA server (Machinery) publishes it like any other machine.
// (Its fault codes' advice: test/unit/machine-visual.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowseDirection, OPCUAClient, OPCUACertificateManager, UserTokenType, type ClientSession } from 'node-opcua';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { OpcUaServerSettingsSchema } from '../../shared/opcua-server-schema.js';
import { retarget, withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';

let dir: string;
let sim: RunningSimulator;
let edge: RunningEdge;
let client: OPCUAClient | undefined;
let session: ClientSession | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-press-'));
  const demo = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
  const base = { ...demo, machines: demo.machines.map((m) => (m.id === 'inspection' ? { ...m, type: 'press', visual: { footprint: { w: 1.8, d: 1.4 }, height: 2.6 } } : m)) };
  sim = await startSimulator({ plant: base, opcuaPort: 0, modbusPort: 0, seed: 11, timeScale: 20, pkiDir: join(dir, 'pki-sim'), log: () => {} });
  edge = await startEdge({
    plant: { ...retarget(base, sim), opcuaServer: OpcUaServerSettingsSchema.parse({ port: 0, trustUnknownClients: true }) },
    port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: () => {}, auth: { mode: 'required', secret: 'press-test-secret-of-at-least-thirty-two-chars' },
  });
  await edge.auth.users.add({ username: 'olga', role: 'operator', password: 'a-long-enough-password-1', now: Date.now() });
}, 120_000);

afterAll(async () => {
  await session?.close().catch(() => {});
  await client?.disconnect().catch(() => {});
  await edge?.stop();
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a "press" on the demo line', () => {
  it('is simulated and acquired: the parts the edge counts are the parts the simulated PLC counted', async () => {
    const press = () => edge.machines().find((m) => m.machineId === 'inspection')!;
    await waitFor('the press to report', () => press().state !== 'no-data', 60_000);
    const [edge0, plc0] = [press().counts.total, sim.tagValue('inspection.totalCount') as number];
    await waitFor('the press to make parts', () => press().counts.total >= edge0 + 5, 60_000);
    const [edge1, plc1] = [press().counts.total, sim.tagValue('inspection.totalCount') as number];
    // The edge lags the PLC by a poll or two (a part or two at 20× time).
    expect(Math.abs((plc1 - plc0) - (edge1 - edge0))).toBeLessThanOrEqual(3);
    const live = press();
    expect(live.oee.oee).toBeGreaterThanOrEqual(0);
    expect(live.oee.oee).toBeLessThanOrEqual(1);
  }, 90_000);

  it('is published by the edge\'s OPC UA server under Machines', async () => {
    const endpoint = edge.opcuaServer!.endpointUrl.replace(/\/\/[^:/]+:/, '//127.0.0.1:');
    client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 }, clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'pki-client'), automaticallyAcceptUnknownCertificate: true }) });
    await client.connect(endpoint);
    session = await client.createSession({ type: UserTokenType.UserName, userName: 'olga', password: 'a-long-enough-password-1' });
    // Machinery: Objects → Machines → one object per machine.
    const objects = await session.browse({ nodeId: 'ns=0;i=85', browseDirection: BrowseDirection.Forward, resultMask: 63 });
    const machines = objects.references!.find((r) => r.browseName.name === 'Machines');
    expect(machines, 'a Machines folder').toBeDefined();
    const list = await session.browse({ nodeId: machines!.nodeId, browseDirection: BrowseDirection.Forward, resultMask: 63 });
    const names = list.references!.map((r) => r.browseName.name ?? '');
    expect(names.some((n) => /inspection|Vision/i.test(n)), names.join(', ')).toBe(true);
  }, 60_000);
});
