// The Modbus TCP connector against a real modbus-serial server on a real socket.
import { afterEach, describe, expect, it } from 'vitest';
import ModbusModule from 'modbus-serial';
import type { TagConfig } from '../../shared/plant-schema.js';
import { ModbusTcpDeviceSchema } from '../../shared/plant-schema.js';
import { createModbusTcpConnector } from '../../edge/connectors/modbus-tcp-connector.js';
import type { BoundTag, Connector, TagSample } from '../../edge/connectors/connector.js';
import type { SampleBatch } from '../../edge/connectors/sample-batch.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';

const { ServerTCP } = ModbusModule as unknown as { ServerTCP: new (vector: object, options: object) => { close(cb: () => void): void; on(e: string, cb: (...a: unknown[]) => void): void } };


function startServer(port: number, registers: Map<number, number>, illegal: Set<number>) {
  const server = new ServerTCP(
    {
      getHoldingRegister: (addr: number) => {
        if (illegal.has(addr)) throw { modbusErrorCode: 2, msg: 'illegal data address' };
        return registers.get(addr) ?? 0;
      },
      setRegister: (addr: number, value: number) => { registers.set(addr, value); },
    },
    { host: '127.0.0.1', port },
  );
  return new Promise<typeof server>((resolve) => server.on('initialized', () => resolve(server)));
}

const tag = (name: string, address: number, extra: Partial<TagConfig> = {}): BoundTag => ({
  id: `press.${name}`, machineId: 'press',
  config: { name, role: 'process', type: 'uint16', writable: false, modbus: { table: 'holding', address, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0 }, ...extra },
});

let connector: Connector | undefined;
let servers: { close(cb: () => void): void }[] = [];
afterEach(async () => {
  await connector?.stop();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  servers = [];
});

function collect() {
  const latest = new Map<string, TagSample>();
  const logs: string[] = [];
  return { latest, logs, onSamples: (b: SampleBatch) => b.forEach((s) => latest.set(s.tag, s)), log: (_l: string, m: string) => logs.push(m) };
}

describe('Modbus TCP connector', () => {
  it('an illegal address fails only that tag, and the log names it', async () => {
    const port = await freePort();
    servers.push(await startServer(port, new Map([[0, 11], [7, 77]]), new Set([5])));
    const c = collect();
    const device = ModbusTcpDeviceSchema.parse({ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1', port, pollIntervalMs: 100 });
    connector = createModbusTcpConnector({ device, tags: [tag('a', 0), tag('bad', 5), tag('b', 7)], now: Date.now, dataDir: '.', log: c.log });
    await connector.start(c.onSamples);
    await waitFor('good values around the bad address', () => c.latest.get('press.a')?.quality === 'good' && c.latest.get('press.b')?.quality === 'good');
    expect(c.latest.get('press.a')!.value).toBe(11);
    expect(c.latest.get('press.b')!.value).toBe(77);
    expect(c.latest.get('press.bad')!.quality).toBe('bad');
    expect(c.logs.filter((m) => m.includes('press.bad') && m.includes('illegal data address'))).toHaveLength(1);
    expect(connector.health().connected).toBe(true);
  });

  it('marks every tag bad when the device goes away and recovers when it returns', async () => {
    const port = await freePort();
    const registers = new Map([[0, 1]]);
    let server = await startServer(port, registers, new Set());
    const c = collect();
    const device = ModbusTcpDeviceSchema.parse({ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1', port, pollIntervalMs: 100, timeoutMs: 300 });
    connector = createModbusTcpConnector({ device, tags: [tag('a', 0)], now: Date.now, dataDir: '.', log: c.log });
    await connector.start(c.onSamples);
    await waitFor('first value', () => c.latest.get('press.a')?.value === 1);

    await new Promise<void>((r) => server.close(() => r()));
    await waitFor('tag marked bad after the device dropped', () => c.latest.get('press.a')?.quality === 'bad', 5000);
    expect(connector.health().connected).toBe(false);

    registers.set(0, 2);
    server = await startServer(port, registers, new Set());
    servers.push(server);
    await waitFor('values flow again after reconnect', () => c.latest.get('press.a')?.value === 2 && c.latest.get('press.a')?.quality === 'good', 10_000);
    expect(connector.health().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('writes a register within limits and refuses one outside them', async () => {
    const port = await freePort();
    const registers = new Map<number, number>();
    servers.push(await startServer(port, registers, new Set()));
    const c = collect();
    const device = ModbusTcpDeviceSchema.parse({ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1', port, pollIntervalMs: 100 });
    const speed = tag('speed', 3, { writable: true, min: 50, max: 120 });
    connector = createModbusTcpConnector({ device, tags: [speed], now: Date.now, dataDir: '.', log: c.log });
    await connector.start(c.onSamples);
    await waitFor('connected', () => connector!.health().connected);
    await connector.write('press.speed', 90);
    expect(registers.get(3)).toBe(90);
    await expect(connector.write('press.speed', 150)).rejects.toThrow(/above the limit 120/);
    expect(registers.get(3)).toBe(90);
  });
});
