// Hostile devices: the real edge (its own process, required-login mode, real SQLite file) reads
// the real simulator for the demo line AND two more machines from hostile devices — a raw-socket
// Modbus TCP server answering malformed, truncated, wrong-length, wrong-transaction-id,
// wrong-unit, wrong-function-code and exception frames, and a node-opcua server serving wrong
// types, NaN, huge strings and arrays, Bad/Uncertain status codes. After each batch: the edge's
// invariants hold, the hostile machines' tags are never a garbage value shown as good, and the
// simulator's devices keep running (connected, their machines' tags still moving).
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { PlantSchema, type PlantConfig } from '../../shared/plant-schema.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import { ROLES } from '../../shared/auth-api.js';
import { withoutBreaks } from '../support/line-harness.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { startEdgeProcess, type EdgeProcess } from './support/edge-process.js';
import { baseline, invariantProblems, type InvariantState } from './support/invariants.js';
import { MODBUS_BEHAVIOURS, startHostileModbus, type HostileModbus, type ModbusBehaviour } from './support/hostile-modbus.js';
import { OPCUA_BEHAVIOURS, OPCUA_GOOD_NUMBER, startHostileOpcUa, type HostileOpcUa, type OpcUaBehaviour } from './support/hostile-opcua.js';
import { Findings } from './support/findings.js';
import { FUZZ_SEED, fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const base = withoutBreaks(loadPlantFile('config/demo-plant.yaml'));
const modbusTemplate = base.machines.find((m) => base.devices.find((d) => d.id === m.device)?.protocol === 'modbus-tcp')!;
const opcuaTemplate = base.machines.find((m) => base.devices.find((d) => d.id === m.device)?.protocol === 'opcua')!;
const opcuaNames = opcuaTemplate.tags.map((t) => /s=[^.]+\.(.+)$/.exec(t.opcua!.nodeId)![1]!);
const REAL_DEVICES = base.devices.map((d) => d.id);
const realMachines = new Set(base.machines.map((m) => m.id));

let dir: string;
let modbus: HostileModbus;
let opcua: HostileOpcUa;
let edge: EdgeProcess;
let state: InvariantState;
const findings = new Findings('hostile devices');

function hostilePlant(modbusPort: number, opcuaEndpoint: string): PlantConfig {
  const doc = structuredClone(base) as PlantConfig;
  doc.devices.push(
    { id: 'evil-modbus', protocol: 'modbus-tcp', host: '127.0.0.1', port: modbusPort, unitId: 1, pollIntervalMs: 50, timeoutMs: 200 } as never,
    { id: 'evil-opcua', protocol: 'opcua', endpointUrl: opcuaEndpoint, samplingIntervalMs: 50, publishingIntervalMs: 100 } as never,
  );
  doc.machines.push(
    { ...structuredClone(modbusTemplate), id: 'evil-loader', name: 'Hostile Modbus machine', device: 'evil-modbus', layout: { x: 0, z: 12, rotationDeg: 0 } },
    {
      ...structuredClone(opcuaTemplate), id: 'evil-mill', name: 'Hostile OPC UA machine', device: 'evil-opcua', layout: { x: 6, z: 12, rotationDeg: 0 },
      tags: opcuaTemplate.tags.map((t, i) => ({ ...t, opcua: { ...t.opcua!, nodeId: `ns=1;s=evil.${opcuaNames[i]}` } })),
    },
  );
  return PlantSchema.parse(doc);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-dev-'));
  modbus = await startHostileModbus();
  opcua = await startHostileOpcUa(await freePort(), join(dir, 'pki-evil'), opcuaNames, 'evil');
  edge = await startEdgeProcess({
    plant: hostilePlant(modbus.port, opcua.endpoint), simulate: REAL_DEVICES, secret: `fuzz-secret-${FUZZ_SEED}-0123456789abcdefghijklmnop`,
    users: ROLES.map((role) => ({ username: `fz-${role}`, role, password: 'fuzzing passphrase long enough' })),
  });
  const devices = () => edge.devices();
  await waitFor('every device connected', async () => (await devices()).every((d) => d.connected), 60_000).catch(() => {});
  state = await baseline(edge);
}, 120_000);

afterAll(async () => {
  findings.report(seedNote);
  await edge?.stop();
  await opcua?.stop();
  await modbus?.close();
  rmSync(dir, { recursive: true, force: true });
});

const latestRealTagTs = (machines: MachineLive[]) =>
  Math.max(...machines.filter((m) => realMachines.has(m.machineId)).flatMap((m) => Object.values(m.tags).map((t) => t.ts)));

/** Problems with what the edge shows for the hostile machines, given what their devices answered. */
function shownProblems(machines: MachineLive[], modbusScript: ModbusBehaviour[]): string[] {
  const problems: string[] = [];
  const loader = machines.find((m) => m.machineId === 'evil-loader');
  if (loader && !modbusScript.includes('valid')) {
    const good = Object.entries(loader.tags).filter(([, t]) => t.quality === 'good').map(([name, t]) => `${name}=${JSON.stringify(t.value)}`);
    if (good.length) problems.push(`evil-loader: tags still good although every answer was broken (${modbusScript.join(', ')}): ${good.join(', ')}`);
  }
  const mill = machines.find((m) => m.machineId === 'evil-mill');
  for (const tag of opcuaTemplate.tags) {
    const shown = mill?.tags[tag.name];
    if (!shown || shown.quality !== 'good') continue;
    const b: OpcUaBehaviour = opcua.behaviourOf(opcuaNames[opcuaTemplate.tags.indexOf(tag)]!);
    const numeric = tag.type !== 'bool' && tag.type !== 'string';
    if (b === 'bad-status' || b === 'uncertain') problems.push(`evil-mill.${tag.name}: device said ${b}, edge shows good ${JSON.stringify(shown.value)}`);
    else if (numeric && !(typeof shown.value === 'number' && Number.isFinite(shown.value))) problems.push(`evil-mill.${tag.name} (${tag.type}): device sent ${b}, edge shows good ${JSON.stringify(shown.value).slice(0, 80)}`);
    else if (numeric && !OPCUA_GOOD_NUMBER.has(b) && b !== 'datetime') problems.push(`evil-mill.${tag.name} (${tag.type}): device sent ${b}, edge shows good ${JSON.stringify(shown.value).slice(0, 80)}`);
  }
  return problems;
}

describe(`hostile devices under fuzz (${seedNote})`, () => {
  it('marks what hostile devices send bad, never garbage as good, and the other devices keep running', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...MODBUS_BEHAVIOURS), { minLength: 1, maxLength: 4 }),
        fc.array(fc.constantFrom(...OPCUA_BEHAVIOURS), { minLength: 1, maxLength: 4 }),
        fc.nat({ max: 1000 }),
        async (modbusScript, opcuaScript, salt) => {
          const what = `Modbus [${modbusScript.join(', ')}], OPC UA [${opcuaScript.join(', ')}], salt ${salt}`;
          const before = latestRealTagTs(await edge.machines());
          modbus.script(modbusScript, salt);
          opcua.script(opcuaScript, salt);
          const requests = modbus.requests();
          // Long enough for a dozen Modbus polls (the edge reconnects after a close) and a few OPC UA publishes.
          await waitFor('hostile polls', () => modbus.requests() >= requests + 12, 4000).catch(() => {});
          await new Promise((r) => setTimeout(r, 600)); // OPC UA publishes by subscription: no request to count
          if (edge.death()) {
            findings.add('death', `${what}: the edge died: ${edge.death()}`);
            throw new Error(edge.death()!);
          }
          const machines = await edge.machines();
          for (const p of shownProblems(machines, modbusScript)) findings.add(p.split(':')[0]! + p.split('(')[0]!.slice(-20), `${what}: ${p}`);
          const devices = await edge.devices();
          for (const d of devices.filter((x) => REAL_DEVICES.includes(x.deviceId) && !x.connected)) findings.add(`real device ${d.deviceId}`, `${what}: ${d.deviceId} (simulator) disconnected: ${d.lastError}`);
          if (!(latestRealTagTs(machines) > before)) findings.add('real tags stalled', `${what}: no tag of the simulator's machines changed during the batch`);
          for (const p of await invariantProblems(edge, state)) findings.add(`invariant ${p.slice(0, 40)}`, `${what}: ${p}`);
        },
      ),
      fuzzParameters(5),
    );
    expect(findings.list()).toEqual([]);
  }, fuzzTimeout(90_000));
});
