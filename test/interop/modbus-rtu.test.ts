// The Modbus RTU connector against the simulator's RTU line: a socat pseudo-terminal pair
// (apt-get install socat) standing in for an RS-485 adapter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusRtuDeviceSchema } from '../../shared/plant-schema.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { tagsOfDevice, type TagSample } from '../../edge/connectors/connector.js';
import { createConnector } from '../../edge/connectors/registry.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { waitFor } from '../support/wait-for.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const dir = mkdtempSync(join(tmpdir(), 'twinline-rtu-'));
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, seed: 3, timeScale: 20, rtu: {}, pkiDir: join(dir, 'pki'), log: () => {} });
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Modbus RTU connector', () => {
  it('reads the Modbus machines over the serial line, the same values as over TCP', async () => {
    const device = ModbusRtuDeviceSchema.parse({
      id: 'plc-modbus', protocol: 'modbus-rtu', path: sim.rtu!.clientPath!, baudRate: sim.rtu!.baudRate, parity: 'none', pollIntervalMs: 200,
    });
    const tags = tagsOfDevice(plant, 'plc-modbus');
    const latest = new Map<string, TagSample>();
    const connector = createConnector({ device, tags, now: Date.now, dataDir: dir, log: () => {} });
    try {
      await connector.start((b) => b.forEach((s) => latest.set(s.tag, s)));
      await waitFor('every Modbus tag good over RTU', () => tags.every((t) => latest.get(t.id)?.quality === 'good'), 20_000);
      // freeze the loader so what RTU reads can be compared with what the simulator publishes
      sim.inject({ kind: 'freeze', tag: 'loader' });
      const frozen = sim.tagValue('loader.totalCount');
      await waitFor('the frozen counter read over RTU', () => latest.get('loader.totalCount')?.value === frozen, 10_000);
      expect(latest.get('loader.power')!.value as number).toBeCloseTo(sim.tagValue('loader.power') as number, 3);
      expect(connector.health()).toMatchObject({ connected: true, protocol: 'modbus-rtu' });
    } finally {
      await connector.stop();
    }
  });
});
