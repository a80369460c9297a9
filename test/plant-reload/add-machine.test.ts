// Adding a machine without YAML (issue 21.4) over the routes the twin uses, against the real
// simulator: browse the OPC UA server's address space, pick a machine's variables with roles,
// add it. A bad entry is refused naming the field (the plant schema's path); a good one is
// appended to the plant file (the rest byte for byte as it was), audited, and acquiring after
// the edge is composed again.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import { waitFor } from '../support/wait-for.js';
import { plantFileWithSimulator, type PlantOnDisk, superviseEdge } from './support.js';

let disk: PlantOnDisk;
let supervisor: PlantSupervisor<RunningEdge>;
let token: string;

beforeAll(async () => {
  disk = await plantFileWithSimulator();
  supervisor = await superviseEdge({ file: disk.file, dir: disk.dir, logs: disk.logs });
  const login = await fetch(`${supervisor.edge().url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-demo' }) });
  token = ((await login.json()) as { token: string }).token;
});
afterAll(async () => {
  await supervisor?.stop();
  await disk?.sim.stop();
  if (disk) rmSync(disk.dir, { recursive: true, force: true });
});

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${supervisor.edge().url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

describe('adding a machine from the OPC UA address space', () => {
  it('browses, refuses a bad entry at its field, adds a good one that then acquires', async () => {
    const browse = await api<{ variables: { nodeId: string; path: string; suggestedName: string; type: string | null; unit: string | null }[] }>('GET', '/api/layout/devices/plc-opcua/browse');
    expect(browse.status).toBe(200);
    const pick = (nodeId: string) => {
      const v = browse.body.variables.find((x) => x.nodeId === nodeId);
      expect(v, `${nodeId} in the browse result`).toBeDefined();
      return v!;
    };
    const state = pick('ns=1;s=mill.State');
    const total = pick('ns=1;s=mill.TotalCount');
    const good = pick('ns=1;s=mill.GoodCount');
    const power = pick('ns=1;s=mill.Power');
    expect([state.type, total.type, power.type]).toEqual(['uint16', 'uint32', 'float32']);
    const machine = {
      id: 'mill-3', name: 'Mill (added in the twin)', type: 'cnc', device: 'plc-opcua', idealCycleTimeSeconds: 10,
      layout: { x: 6, z: 10, rotationDeg: 0 },
      tags: [
        { name: state.suggestedName, role: 'state', type: state.type, opcua: { nodeId: state.nodeId } },
        { name: total.suggestedName, role: 'totalCount', type: total.type, opcua: { nodeId: total.nodeId } },
        { name: good.suggestedName, role: 'goodCount', type: good.type, opcua: { nodeId: good.nodeId } },
        { name: power.suggestedName, role: 'power', type: power.type, unit: 'kW', opcua: { nodeId: power.nodeId } },
      ],
    };
    const before = readFileSync(disk.file, 'utf8');
    const read = async () => (await api<{ hash: string }>('GET', '/api/layout')).body.hash;

    const duplicate = await api<{ error: string; field?: string }>('POST', '/api/layout/machines', { baseHash: await read(), machine: { ...machine, id: 'mill' } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.field).toBe('machines[6].id');
    expect(duplicate.body.error).toContain('duplicate machine id "mill"');
    const noNode = await api<{ field?: string }>('POST', '/api/layout/machines', { baseHash: await read(), machine: { ...machine, tags: [{ name: 'state', role: 'state', type: 'uint16' }] } });
    expect(noNode.body.field).toBe('machines[6].tags[0].opcua');
    expect(readFileSync(disk.file, 'utf8')).toBe(before);

    const first = supervisor.edge();
    const added = await api<{ reload: { result: string; summary: string } }>('POST', '/api/layout/machines', { baseHash: await read(), machine });
    expect(added.status).toBe(200);
    expect(added.body.reload).toMatchObject({ result: 'recomposing', summary: 'machines added: mill-3' });
    const after = readFileSync(disk.file, 'utf8');
    const cut = before.indexOf('\n  - id: furnace');
    expect(after.slice(0, cut)).toBe(before.slice(0, cut));
    expect(after).toContain("      - { name: state, role: state, type: uint16, opcua: { nodeId: ns=1;s=mill.State } }");
    await waitFor('the edge composed again', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== first, 20_000);
    await waitFor('mill-3 acquiring', () => supervisor.edge().machines().find((m) => m.machineId === 'mill-3' && m.state !== 'no-data'), 20_000);
    const audit = supervisor.edge().audit.page({ after: 0, limit: 50, action: 'layout.add-machine' }).entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', target: 'mill-3', outcome: 'ok' });
  });

  it('test-reads a Modbus register table as the connector decodes it, and a row with a bad address answers alone', async () => {
    const loaderCount = () => supervisor.edge().machines().find((m) => m.machineId === 'loader')!.tags.totalCount?.value as number;
    await waitFor('the loader counted', () => supervisor.edge().machines().find((m) => m.machineId === 'loader')?.tags.totalCount?.quality === 'good', 20_000);
    const before = loaderCount();
    const read = await api<{ values: { name: string; value?: number; error?: string }[] }>('POST', '/api/layout/devices/plc-modbus/test-read', {
      tags: [
        { name: 'totalCount', type: 'uint32', modbus: { table: 'holding', address: 2 } },
        { name: 'power', type: 'float32', modbus: { table: 'holding', address: 6 } },
        { name: 'nowhere', type: 'uint16', modbus: { table: 'holding', address: 60000 } },
      ],
    });
    const after = loaderCount();
    expect(read.status).toBe(200);
    const [count, power, nowhere] = read.body.values;
    expect(count!.value).toBeGreaterThanOrEqual(before);
    expect(count!.value).toBeLessThanOrEqual(after + 1);
    expect(power!.value).toBeGreaterThanOrEqual(0);
    expect(nowhere!.error).toBeTruthy();
    const wrong = await api<{ field?: string }>('POST', '/api/layout/devices/plc-opcua/test-read', { tags: [{ name: 'x', type: 'uint16', modbus: { table: 'holding', address: 0 } }] });
    expect(wrong.status).toBe(404);
    expect(wrong.body.field).toBe('device');
  });
});
