// Modbus writes against the real simulator, with the function codes seen on the wire: a
// small TCP relay between the edge's connector and the simulator records each request's
// function code, start address and quantity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusTcpDeviceSchema } from '../../shared/plant-schema.js';
import { createModbusTcpConnector } from '../../edge/connectors/modbus-tcp-connector.js';
import { tagsOfDevice, type Connector, type TagSample } from '../../edge/connectors/connector.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { connectModbus } from '../sim/sim-clients.js';
import { waitFor } from '../support/wait-for.js';
import { plantWithStackLight, startModbusRelay } from '../sim/modbus-write-fixtures.js';

const START = Date.parse('2025-03-03T06:30:00+08:00');

describe('Modbus writes with function codes 5, 6, 15 and 16 against the simulator', () => {
  const plant = plantWithStackLight();
  let dir: string;
  let sim: RunningSimulator;
  let relay: Awaited<ReturnType<typeof startModbusRelay>>;
  const connectors: Connector[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-fc15-'));
    // No OPC UA needed here, but the plant has OPC UA devices: keep its PKI in the temp dir.
    sim = await startSimulator({ plant, opcuaPort: 0, modbusPort: 0, seed: 5, timeScale: 1, startTime: START, pkiDir: join(dir, 'pki') });
    relay = await startModbusRelay(sim.modbusPort);
  }, 60_000);

  afterAll(async () => {
    for (const c of connectors) await c.stop().catch(() => {});
    await relay?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(writeFunctions: 'single' | 'multiple') {
    const device = ModbusTcpDeviceSchema.parse({ id: 'plc-modbus', protocol: 'modbus-tcp', host: '127.0.0.1', port: relay.port, unitId: 1, pollIntervalMs: 100, writeFunctions });
    const latest = new Map<string, TagSample>();
    const connector = createModbusTcpConnector({ device, tags: tagsOfDevice(plant, 'plc-modbus'), now: Date.now, dataDir: dir, log: () => {} });
    connectors.push(connector);
    await connector.start((batch) => batch.forEach((s) => latest.set(s.tag, s)));
    await waitFor('the connector polling', () => connector.health().connected && latest.get('washer.lampRed')?.quality === 'good');
    return { connector, latest };
  }

  /** Requests with a write function code seen since `from`. */
  const writesSince = (from: number) => relay.seen.slice(from).filter((r) => [5, 6, 15, 16].includes(r.fc));

  it('writes three back-to-back coils in one FC 15 request; the simulator keeps them and the poll reads them back', async () => {
    const { connector, latest } = await connect('single');
    const mark = relay.seen.length;
    await connector.writeMany!([
      { tag: 'washer.lampGreen', value: true }, { tag: 'washer.lampRed', value: true }, { tag: 'washer.lampAmber', value: false },
    ]);
    expect(writesSince(mark)).toEqual([{ fc: 15, address: 120, quantity: 3 }]);
    expect([sim.tagValue('washer.lampRed'), sim.tagValue('washer.lampAmber'), sim.tagValue('washer.lampGreen')]).toEqual([true, false, true]);
    await waitFor('the poll to read the written coils back', () =>
      latest.get('washer.lampRed')?.value === true && latest.get('washer.lampAmber')?.value === false && latest.get('washer.lampGreen')?.value === true);
    // A foreign client (FC 1) agrees.
    const other = await connectModbus(sim.modbusPort);
    try {
      expect((await other.readCoils(120, 3)).data.slice(0, 3)).toEqual([true, false, true]);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }

    // Then everything off again, one request; and a single coil goes by FC 5.
    const mark2 = relay.seen.length;
    await connector.writeMany!([{ tag: 'washer.lampRed', value: false }, { tag: 'washer.lampAmber', value: false }, { tag: 'washer.lampGreen', value: false }]);
    await connector.write('washer.lampAmber', true);
    expect(writesSince(mark2)).toEqual([{ fc: 15, address: 120, quantity: 3 }, { fc: 5, address: 121, quantity: 0xff00 }]);
    await waitFor('amber alone on', () =>
      latest.get('washer.lampRed')?.value === false && latest.get('washer.lampAmber')?.value === true && latest.get('washer.lampGreen')?.value === false);
  }, 60_000);

  it('merges back-to-back registers into one FC 16 request; a lone register goes by FC 6', async () => {
    const { connector, latest } = await connect('single');
    const mark = relay.seen.length;
    await connector.writeMany!([{ tag: 'washer.recipe', value: 12 }, { tag: 'washer.batchSize', value: 250 }]);
    await connector.write('washer.speedOverride', 95);
    expect(writesSince(mark)).toEqual([{ fc: 16, address: 120, quantity: 2 }, { fc: 6, address: 110, quantity: 95 }]);
    await waitFor('the registers read back', () => latest.get('washer.recipe')?.value === 12 && latest.get('washer.batchSize')?.value === 250);
    expect(sim.machines().find((m) => m.id === 'washer')?.speedOverride).toBe(95);
  }, 60_000);

  it('with writeFunctions: multiple, a single coil goes by FC 15 and a single register by FC 16 (devices without 5 and 6)', async () => {
    const { connector, latest } = await connect('multiple');
    const mark = relay.seen.length;
    await connector.write('washer.lampGreen', true);
    await connector.write('washer.recipe', 7);
    expect(writesSince(mark)).toEqual([{ fc: 15, address: 122, quantity: 1 }, { fc: 16, address: 120, quantity: 1 }]);
    await waitFor('the values read back', () => latest.get('washer.lampGreen')?.value === true && latest.get('washer.recipe')?.value === 7);
  }, 60_000);

  it('checks every value before sending anything: one refused value, no request at all', async () => {
    const { connector } = await connect('single');
    const before = [sim.tagValue('washer.lampRed'), sim.tagValue('washer.recipe')];
    const mark = relay.seen.length;
    await expect(connector.writeMany!([{ tag: 'washer.lampRed', value: !before[0] }, { tag: 'washer.recipe', value: 100 }]))
      .rejects.toThrow('write to washer.recipe refused: 100 is above the limit 99');
    await expect(connector.writeMany!([{ tag: 'washer.lampRed', value: true }, { tag: 'washer.state', value: 1 }]))
      .rejects.toThrow('write to washer.state refused: the plant file does not mark this tag writable');
    expect(writesSince(mark)).toEqual([]);
    expect([sim.tagValue('washer.lampRed'), sim.tagValue('washer.recipe')]).toEqual(before);
  }, 60_000);
});
