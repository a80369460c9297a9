// Beyond our own simulator: the Modbus connector reads a pymodbus server (Debian's
// python3-pymodbus), a Modbus stack written by other people in another language.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusTcpDeviceSchema, type TagConfig } from '../../shared/plant-schema.js';
import { createModbusTcpConnector } from '../../edge/connectors/modbus-tcp-connector.js';
import type { BoundTag, TagSample } from '../../edge/connectors/connector.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';

let server: ChildProcess;
let port: number;


async function listening(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(p, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  port = await freePort();
  server = spawn('/usr/bin/python3', ['test/interop/pymodbus_server.py', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (c) => { stderr += c; });
  const deadline = Date.now() + 15_000;
  while (!(await listening(port))) {
    if (server.exitCode !== null) throw new Error(`pymodbus server exited: ${stderr} (is python3-pymodbus installed? apt-get install python3-pymodbus)`);
    if (Date.now() > deadline) throw new Error('pymodbus server did not start listening');
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => { server?.kill(); });

const tag = (name: string, type: TagConfig['type'], table: 'holding' | 'coil', address: number, wordOrder: 'high-first' | 'low-first' = 'high-first'): BoundTag => ({
  id: `foreign.${name}`, machineId: 'foreign',
  config: { name, role: 'process', type, writable: false, modbus: { table, address, wordOrder, byteOrder: 'big', scale: 1, offset: 0 } },
});

describe('Modbus connector against pymodbus', () => {
  it('reads every documented type and word order', async () => {
    const latest = new Map<string, TagSample>();
    const device = ModbusTcpDeviceSchema.parse({ id: 'pymodbus', protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, pollIntervalMs: 100 });
    const connector = createModbusTcpConnector({
      device, now: Date.now, dataDir: '.', log: () => {},
      tags: [
        tag('u16', 'uint16', 'holding', 0), tag('u32', 'uint32', 'holding', 1), tag('f32', 'float32', 'holding', 3),
        tag('u32low', 'uint32', 'holding', 5, 'low-first'), tag('i16', 'int16', 'holding', 7),
        tag('coilOn', 'bool', 'coil', 0), tag('coilOff', 'bool', 'coil', 1),
      ],
    });
    try {
      await connector.start((b) => b.forEach((s) => latest.set(s.tag, s)));
      await waitFor('all values', () => latest.size === 7 && [...latest.values()].every((s) => s.quality === 'good'), 10_000);
      expect(latest.get('foreign.u16')!.value).toBe(1234);
      expect(latest.get('foreign.u32')!.value).toBe(100000);
      expect(latest.get('foreign.f32')!.value).toBeCloseTo(3.14159, 5);
      expect(latest.get('foreign.u32low')!.value).toBe(100000);
      expect(latest.get('foreign.i16')!.value).toBe(-200);
      expect(latest.get('foreign.coilOn')!.value).toBe(true);
      expect(latest.get('foreign.coilOff')!.value).toBe(false);
    } finally {
      await connector.stop();
    }
  });
});
