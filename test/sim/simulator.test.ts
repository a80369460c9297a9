// The simulator behind real sockets: a real Modbus TCP client and a real OPC UA client read
// the demo plant's documented addresses and see the line produce parts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, StatusCodes } from 'node-opcua';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { connectModbus, connectOpcUa, readUa, waitUntil, type UaSession } from './sim-clients.js';

const plant = loadPlantFile('config/demo-plant.yaml');
// 06:30 in Shanghai on a working day: inside the Early shift, away from its break.
const START = Date.parse('2025-03-03T06:30:00+08:00');

describe('simulator over real sockets', () => {
  let dir: string;
  let sim: RunningSimulator;
  let ua: UaSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-sim-'));
    sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, seed: 7, timeScale: 5, startTime: START, pkiDir: join(dir, 'pki') });
    ua = await connectOpcUa(sim.opcuaEndpoint, join(dir, 'pki'));
  });

  afterAll(async () => {
    await ua?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the real ports it listens on', () => {
    expect(sim.opcuaPort).toBeGreaterThan(0);
    expect(sim.modbusPort).toBeGreaterThan(0);
    expect(sim.opcuaEndpoint).toBe(`opc.tcp://127.0.0.1:${sim.opcuaPort}`);
  });

  it('runs its clock at the time scale, and says how it relates to wall time', async () => {
    const wall0 = Date.now();
    const sim0 = sim.clock.now();
    await waitUntil('a second of wall time', () => Date.now() - wall0 >= 1000);
    sim.sync();
    const ran = sim.clock.now() - sim0;
    // 5× real time, give or take a tick and a publish interval on a busy machine.
    expect(ran).toBeGreaterThan(4 * (Date.now() - wall0) - 1500);
    expect(ran).toBeLessThan(5 * (Date.now() - wall0) + 1500);
    expect(Math.abs(sim.clock.simAt(Date.now()) - sim.clock.now())).toBeLessThan(1500);
  });

  it('serves the loader over Modbus TCP: state code and a uint32 total count that increases', async () => {
    const client = await connectModbus(sim.modbusPort);
    try {
      const first = await client.readHoldingRegisters(0, 12);
      expect([1, 2, 3, 4, 5]).toContain(first.data[0]);
      const total = (words: number[]) => words[2]! * 0x10000 + words[3]!; // uint32, high word first
      const start = total(first.data);
      await waitUntil('loader totalCount to increase over Modbus', async () => total((await client.readHoldingRegisters(0, 12)).data) > start);
      // Speed override is writable and bounded by the plant file's min/max.
      await client.writeRegister(10, 110);
      expect((await client.readHoldingRegisters(10, 1)).data[0]).toBe(110);
      await expect(client.writeRegister(10, 300)).rejects.toThrow(/Illegal data value/i);
    } finally {
      client.close(() => {});
    }
  });

  it('serves the mill over OPC UA with the plant\'s data types and a total count that increases', async () => {
    const state = await readUa(ua.session, 'ns=1;s=mill.State');
    expect(state.statusCode).toBe(StatusCodes.Good);
    expect(state.value.dataType).toBe(DataType.UInt16);
    const power = await readUa(ua.session, 'ns=1;s=mill.Power');
    expect(power.value.dataType).toBe(DataType.Float);
    const energy = await readUa(ua.session, 'ns=1;s=mill.Energy');
    expect(energy.value.dataType).toBe(DataType.Double);
    const reset = await readUa(ua.session, 'ns=1;s=mill.ResetFault');
    expect(reset.value.dataType).toBe(DataType.Boolean);
    const first = await readUa(ua.session, 'ns=1;s=mill.TotalCount');
    expect(first.value.dataType).toBe(DataType.UInt32);
    await waitUntil('mill TotalCount to increase over OPC UA', async () => (await readUa(ua.session, 'ns=1;s=mill.TotalCount')).value.value > first.value.value);
    // Source timestamps come from the simulated clock, which started on 2025-03-03.
    const again = await readUa(ua.session, 'ns=1;s=mill.TotalCount');
    expect(again.sourceTimestamp!.getTime()).toBeGreaterThanOrEqual(START);
    expect(again.sourceTimestamp!.getTime()).toBeLessThanOrEqual(sim.clock.now());
  });

  it('clears a fault when resetFault is written', async () => {
    const fault = sim.inject({ kind: 'breakdown', machine: 'mill', code: 301, minutes: 600 });
    // Let simulated time pass, so the down interval has a length before the operator resets it.
    await waitUntil('simulated clock to move on', () => sim.clock.now() > fault.since + 1000);
    await waitUntil('mill down with fault 301', async () => (await readUa(ua.session, 'ns=1;s=mill.FaultCode')).value.value === 301);
    expect((await readUa(ua.session, 'ns=1;s=mill.State')).value.value).toBe(3);
    const status = await ua.session.write({ nodeId: 'ns=1;s=mill.ResetFault', attributeId: 13, value: { value: { dataType: DataType.Boolean, value: true } } });
    expect(status).toBe(StatusCodes.Good);
    expect((await readUa(ua.session, 'ns=1;s=mill.FaultCode')).value.value).toBe(0);
    expect((await readUa(ua.session, 'ns=1;s=mill.State')).value.value).not.toBe(3);
    const truth = sim.truth();
    const mill = truth.machines.find((m) => m.machineId === 'mill')!;
    const down = mill.intervals.find((i) => i.faultCode === 301 && i.state === 'down' && i.reason === 'breakdown');
    expect(down).toBeDefined();
    expect(down!.end - down!.start).toBeLessThan(600 * 60_000); // ended by the reset, not by the repair time
  });
});
