// Every injected fault is observable by a real client: Modbus TCP (modbus-serial), OPC UA
// (node-opcua) and the HTTP control API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { parseFaultFlag } from '../../plc-sim/fault-injection.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { connectModbus, connectOpcUa, readUa, waitUntil, type UaSession } from './sim-clients.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const START = Date.parse('2025-03-03T06:30:00+08:00');

function floatHighFirst(words: number[]): number {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(words[0]!, 0);
  b.writeUInt16BE(words[1]!, 2);
  return b.readFloatBE(0);
}

function timeout<T>(p: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([p, new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), ms))]);
}

describe('fault injection, seen by real clients', () => {
  let dir: string;
  let sim: RunningSimulator;
  let ua: UaSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-simfault-'));
    sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, controlPort: 0, seed: 3, timeScale: 60, startTime: START, pkiDir: join(dir, 'pki') });
    ua = await connectOpcUa(sim.opcuaEndpoint, join(dir, 'pki'));
  });
  afterEach(() => sim.clearFaults());
  afterAll(async () => {
    await ua?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses the CLI form of every fault kind', () => {
    expect(parseFaultFlag('latency:plc-modbus:300')).toEqual({ kind: 'latency', device: 'plc-modbus', ms: 300 });
    expect(parseFaultFlag('drop:plc-opcua@5000')).toEqual({ kind: 'drop', device: 'plc-opcua', durationMs: 5000 });
    expect(parseFaultFlag('exception:plc-modbus:6')).toEqual({ kind: 'exception', device: 'plc-modbus', code: 6 });
    expect(parseFaultFlag('breakdown:mill:301:10')).toEqual({ kind: 'breakdown', machine: 'mill', code: 301, minutes: 10 });
    expect(parseFaultFlag('freeze:mill')).toEqual({ kind: 'freeze', tag: 'mill' });
    expect(() => parseFaultFlag('wobble:mill')).toThrow(/unknown kind "wobble"/);
    expect(() => parseFaultFlag('latency:plc-modbus:abc')).toThrow(/ms/);
  });

  it('Modbus: exception codes, latency and silence', async () => {
    const client = await connectModbus(sim.modbusPort, 800);
    try {
      sim.inject({ kind: 'exception', device: 'plc-modbus', code: 4 });
      await expect(client.readHoldingRegisters(0, 2)).rejects.toMatchObject({ modbusCode: 4 });
      sim.clearFaults();
      sim.inject({ kind: 'latency', device: 'plc-modbus', ms: 300 });
      const t0 = performance.now();
      await client.readHoldingRegisters(0, 2);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      sim.clearFaults();
      sim.inject({ kind: 'silence', device: 'plc-modbus' });
      await expect(client.readHoldingRegisters(0, 2)).rejects.toThrow(/Timed out/);
    } finally {
      client.close(() => {});
    }
    sim.clearFaults();
    const again = await connectModbus(sim.modbusPort);
    expect((await again.readHoldingRegisters(0, 1)).data).toHaveLength(1);
    again.close(() => {});
  });

  it('Modbus: a dropped connection closes, and new ones are refused while the drop lasts', async () => {
    const client = await connectModbus(sim.modbusPort);
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    sim.inject({ kind: 'drop', device: 'plc-modbus', durationMs: 1500 });
    expect(await timeout(closed, 2000)).toBeUndefined();
    const refused = await connectModbus(sim.modbusPort, 500).then((c) => c.readHoldingRegisters(0, 1)).then(() => 'answered', () => 'refused');
    expect(refused).toBe('refused');
    await waitUntil('the drop to end', () => sim.faults().length === 0, 5000);
    const back = await connectModbus(sim.modbusPort);
    expect((await back.readHoldingRegisters(0, 1)).data).toHaveLength(1);
    back.close(() => {});
  });

  it('NaN, out-of-range and frozen values, over both protocols', async () => {
    const client = await connectModbus(sim.modbusPort);
    try {
      sim.inject({ kind: 'nan', tag: 'loader.power' });
      expect(floatHighFirst((await client.readHoldingRegisters(6, 2)).data)).toBeNaN();
      sim.inject({ kind: 'out-of-range', tag: 'loader.axisTemperature' });
      expect((await client.readHoldingRegisters(11, 1)).data[0]).toBe(0x7fff); // int16 ×0.1 → 3276.7 °C
      sim.inject({ kind: 'nan', tag: 'mill.power' });
      expect((await readUa(ua.session, 'ns=1;s=mill.Power')).value.value).toBeNaN();
      sim.inject({ kind: 'freeze', tag: 'mill' });
      const frozen = (await readUa(ua.session, 'ns=1;s=mill.TotalCount')).value.value as number;
      const t = sim.clock.now();
      await waitUntil('60 simulated seconds', () => sim.clock.now() > t + 60_000);
      expect(sim.machines().find((m) => m.id === 'mill')!.totalCount).toBeGreaterThan(frozen);
      expect((await readUa(ua.session, 'ns=1;s=mill.TotalCount')).value.value).toBe(frozen);
      sim.clearFaults();
      await waitUntil('mill TotalCount to move again', async () => (await readUa(ua.session, 'ns=1;s=mill.TotalCount')).value.value !== frozen);
      expect(floatHighFirst((await client.readHoldingRegisters(6, 2)).data)).not.toBeNaN();
    } finally {
      client.close(() => {});
    }
  });

  it('OPC UA: latency, silence and a dropped connection', async () => {
    sim.inject({ kind: 'latency', device: 'plc-opcua', ms: 400 });
    const t0 = performance.now();
    await readUa(ua.session, 'ns=1;s=mill.State');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    sim.clearFaults();
    sim.inject({ kind: 'silence', device: 'plc-opcua' });
    expect(await timeout(readUa(ua.session, 'ns=1;s=mill.State'), 1500)).toBe('timed out');
    sim.clearFaults();
    // A fresh session works again once the server answers.
    const other = await connectOpcUa(sim.opcuaEndpoint, join(dir, 'pki'));
    const lost = new Promise<void>((resolve) => (other.session as unknown as { on(e: string, f: () => void): void }).on('session_closed', resolve));
    const clientLost = new Promise<void>((resolve) => {
      const c = (other.session as unknown as { _client?: { on(e: string, f: () => void): void } })._client;
      c?.on('connection_lost', resolve);
    });
    sim.inject({ kind: 'drop', device: 'plc-opcua' });
    expect(await timeout(Promise.race([lost, clientLost]), 3000)).toBeUndefined();
    await other.close().catch(() => {});
  });

  it('control API: inject, list and clear faults; read truth and clock', async () => {
    const base = sim.controlUrl!;
    const bad = await fetch(`${base}/api/faults`, { method: 'POST', body: JSON.stringify({ kind: 'latency', device: 'plc-modbus' }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('ms');
    const unknown = await fetch(`${base}/api/faults`, { method: 'POST', body: JSON.stringify({ kind: 'silence', device: 'nope' }) });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(/no device "nope"/);
    const made = await fetch(`${base}/api/faults`, { method: 'POST', body: JSON.stringify({ kind: 'exception', device: 'plc-modbus', code: 6 }) });
    expect(made.status).toBe(201);
    const { id } = await made.json() as { id: number };
    const client = await connectModbus(sim.modbusPort);
    await expect(client.readHoldingRegisters(0, 1)).rejects.toMatchObject({ modbusCode: 6 });
    expect(await (await fetch(`${base}/api/faults`)).json()).toHaveLength(1);
    expect((await fetch(`${base}/api/faults/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await client.readHoldingRegisters(0, 1)).data).toHaveLength(1);
    client.close(() => {});
    const clock = await (await fetch(`${base}/api/clock`)).json() as { now: number; timeScale: number };
    expect(clock.timeScale).toBe(60);
    expect(clock.now).toBeGreaterThan(START);
    const truth = await (await fetch(`${base}/api/truth?from=${START}`)).json() as { machines: { machineId: string; counts: { total: number } }[] };
    expect(truth.machines.map((m) => m.machineId)).toEqual(plant.machines.map((m) => m.id));
    expect(truth.machines[0]!.counts.total).toBeGreaterThan(0);
    const reset = await fetch(`${base}/api/machines/mill/commands`, { method: 'POST', body: JSON.stringify({ kind: 'speedOverride', value: 90 }) });
    expect(reset.status).toBe(200);
    expect((await readUa(ua.session, 'ns=1;s=mill.SpeedOverride')).value.value).toBe(90);
  });
});
