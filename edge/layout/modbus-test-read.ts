// The Modbus form's test read (issue 21.4): reads each row of a register table once, on a
// connection of its own to the device (Modbus TCP servers take several clients; a serial line
// is the running connector's alone, so RTU is refused), decoded exactly as the connector will.
import ModbusModule from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';
import { registerCount, type ModbusTcpDeviceConfig, type TagConfig } from '../../shared/plant-schema.js';
import { decodeRegisters } from '../connectors/index.js';

type ModbusClass = new () => ModbusClient;
const mod = ModbusModule as unknown as ModbusClass & { default?: ModbusClass };
const ModbusRTU: ModbusClass = mod.default ?? mod;

export type RegisterRow = Pick<TagConfig, 'name' | 'type'> & { modbus: NonNullable<TagConfig['modbus']> };
export interface TestReadResult { name: string; value?: number | boolean | string; error?: string }

export async function testRead(device: ModbusTcpDeviceConfig, rows: readonly RegisterRow[]): Promise<TestReadResult[]> {
  const client = new ModbusRTU();
  await client.connectTCP(device.host, { port: device.port });
  client.setID(device.unitId);
  client.setTimeout(device.timeoutMs);
  try {
    const out: TestReadResult[] = [];
    for (const row of rows) {
      const { table, address } = row.modbus;
      const length = table === 'coil' || table === 'discrete' ? 1 : registerCount(row.type);
      try {
        if (table === 'coil' || table === 'discrete') {
          const bits = table === 'coil' ? await client.readCoils(address, 1) : await client.readDiscreteInputs(address, 1);
          out.push({ name: row.name, value: bits.data[0] ?? false });
        } else {
          const words = table === 'holding' ? await client.readHoldingRegisters(address, length) : await client.readInputRegisters(address, length);
          out.push({ name: row.name, value: decodeRegisters(words.data, { type: row.type, wordOrder: row.modbus.wordOrder, byteOrder: row.modbus.byteOrder, scale: row.modbus.scale, offset: row.modbus.offset }) });
        }
      } catch (err) {
        // An exception response (illegal address…) is this row's answer, not the whole read's.
        out.push({ name: row.name, error: (err as Error).message });
      }
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}
