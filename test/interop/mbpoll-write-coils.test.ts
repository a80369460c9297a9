// Function code 15 between foreign and own parts: mbpoll (Debian's Modbus master) writes
// several coils of the simulator in one FC 15 request, the edge's connector reads them; the
// connector writes them in one FC 15, mbpoll reads them back with FC 1.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusTcpDeviceSchema } from '../../shared/plant-schema.js';
import { createModbusTcpConnector } from '../../edge/connectors/modbus-tcp-connector.js';
import { tagsOfDevice, type Connector, type TagSample } from '../../edge/connectors/connector.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { plantWithStackLight, startModbusRelay } from '../sim/modbus-write-fixtures.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const LAMPS = ['washer.lampRed', 'washer.lampAmber', 'washer.lampGreen'];

describe('FC 15 interop with mbpoll', () => {
  const plant = plantWithStackLight();
  let dir: string;
  let sim: RunningSimulator;
  let relay: Awaited<ReturnType<typeof startModbusRelay>>;
  let connector: Connector;
  const latest = new Map<string, TagSample>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-mbpoll-fc15-'));
    sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, seed: 5, startTime: Date.parse('2025-03-03T06:30:00+08:00'), pkiDir: join(dir, 'pki') });
    relay = await startModbusRelay(sim.modbusPort);
    const device = ModbusTcpDeviceSchema.parse({ id: 'plc-modbus', protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.modbusPort, unitId: 1, pollIntervalMs: 100 });
    connector = createModbusTcpConnector({ device, tags: tagsOfDevice(plant, 'plc-modbus'), now: Date.now, dataDir: dir, log: () => {} });
    await connector.start((batch) => batch.forEach((s) => latest.set(s.tag, s)));
  });

  afterAll(async () => {
    await connector?.stop();
    await relay?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mbpoll writes three coils in one FC 15; the edge reads them', async () => {
    // -t 0: coils; -r 121: reference 121 = coil address 120 (mbpoll counts from 1); three values = FC 15.
    const mark = relay.seen.length;
    const { stdout } = await run('mbpoll', ['-m', 'tcp', '-a', '1', '-t', '0', '-r', '121', '-p', String(relay.port), '127.0.0.1', '1', '0', '1'], { timeout: 10_000 });
    expect(stdout).toMatch(/Written 3 references/i);
    expect(relay.seen.slice(mark).filter((r) => r.fc === 15)).toEqual([{ fc: 15, address: 120, quantity: 3 }]);
    await waitFor('the edge to read the coils mbpoll wrote', () => LAMPS.map((t) => latest.get(t)?.value).join() === 'true,false,true');
  });

  it('the edge writes three coils in one FC 15; mbpoll reads them back with FC 1', async () => {
    await connector.writeMany!([{ tag: 'washer.lampRed', value: false }, { tag: 'washer.lampAmber', value: true }, { tag: 'washer.lampGreen', value: false }]);
    const { stdout } = await run('mbpoll', ['-m', 'tcp', '-a', '1', '-t', '0', '-r', '121', '-c', '3', '-1', '-p', String(relay.port), '127.0.0.1'], { timeout: 10_000 });
    const bits = [...stdout.matchAll(/^\[(\d+)\]:\s+([01])/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(bits).toEqual([[121, 0], [122, 1], [123, 0]]);
    expect(relay.seen.filter((r) => r.fc === 1 && r.address === 120 && r.quantity === 3).length).toBeGreaterThan(0);
  });
});
