// Walking skeleton end to end: real simulator (OPC UA + Modbus TCP sockets) → real edge
// (connectors, model, KPI, SQLite file) → real Socket.IO client and REST.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineSnapshot, MachineLive } from '../../shared/live-protocol.js';
import { startLine, waitFor, type LineHarness } from '../support/line-harness.js';

let line: LineHarness;

beforeAll(async () => {
  line = await startLine({ timeScale: 10, seed: 7 });
});
afterAll(async () => {
  await line?.stop();
});

describe('walking skeleton: sim → edge → socket client', () => {
  it('streams a state for every machine and part counts that increase', async () => {
    const socket = line.connectClient();
    let snapshot: LineSnapshot | undefined;
    const latest = new Map<string, MachineLive>();
    socket.on('snapshot', (s) => {
      snapshot = s;
      for (const m of s.machines) latest.set(m.machineId, m);
    });
    socket.on('delta', (d) => {
      for (const m of d.machines) latest.set(m.machineId, m);
    });
    await waitFor('snapshot', () => snapshot);
    expect(snapshot!.plant.machines.map((m) => m.id)).toEqual(line.plant.machines.map((m) => m.id));

    // every machine reports a real state (not "no data") once both protocols are flowing
    await waitFor('a state for every machine', () =>
      line.plant.machines.every((m) => latest.get(m.id) && latest.get(m.id)!.state !== 'no-data'), 20_000);

    const total = () => [...latest.values()].reduce((sum, m) => sum + m.counts.total, 0);
    const first = total();
    await waitFor('line part counts to increase', () => total() > first + 2, 20_000);
    // both protocols deliver counts: at least one OPC UA and one Modbus machine made parts
    const counted = (protocol: string) => line.plant.machines.some((m) =>
      line.plant.devices.find((d) => d.id === m.device)!.protocol === protocol && latest.get(m.id)!.counts.total > 0);
    await waitFor('counts over OPC UA and Modbus', () => counted('opcua') && counted('modbus-tcp'), 20_000);

    const mill = latest.get('mill')!;
    expect(mill.tags.spindleSpeed?.quality).toBe('good');
    expect(mill.oee.oee).toBeGreaterThanOrEqual(0);
    expect(mill.oee.oee).toBeLessThanOrEqual(1);
    expect(mill.shift).not.toBeNull();
  });

  it('answers the REST endpoints', async () => {
    expect(await (await fetch(`${line.edge.url}/api/health`)).json()).toEqual({ status: 'ok' });
    const health = await (await fetch(`${line.edge.url}/api/status`)).json();
    expect(health.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(['plc-modbus', 'plc-opcua']);
    await waitFor('both devices connected', () => line.edge.devices().every((d) => d.connected));
    const body = await (await fetch(`${line.edge.url}/api/machines`)).json();
    expect(body.machines).toHaveLength(line.plant.machines.length);
    for (const m of body.machines) expect(m).toHaveProperty('oee.availability');
    const missing = await fetch(`${line.edge.url}/api/machines/nope`);
    expect(missing.status).toBe(404);
  });

  it('writes samples and state changes to the SQLite file', async () => {
    line.edge.historian.flush();
    const db = new Database(`${line.dir}/twinline.db`, { readonly: true });
    try {
      const samples = db.prepare('SELECT count(*) AS n FROM tag_samples').get() as { n: number };
      const states = db.prepare('SELECT count(DISTINCT machine_id) AS n FROM machine_states').get() as { n: number };
      expect(samples.n).toBeGreaterThan(20);
      expect(states.n).toBe(line.plant.machines.length);
    } finally {
      db.close();
    }
  });
});
