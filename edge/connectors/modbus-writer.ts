// The Modbus connector's write side: checks every value first (nothing is sent if one is
// refused), plans the requests (modbus-write-planner.ts: FC 5/6 for one coil/register, FC
// 15/16 for back-to-back ones) and sends them back to back on the device's serialised link.
import type { ModbusDeviceConfig } from '../../shared/plant-schema.js';
import type { TagValue } from '../../shared/live-protocol.js';
import type { BoundTag, TagId } from './connector.js';
import { planWrites, type CheckedWrite, type WriteRequest } from './modbus-write-planner.js';
import { checkWrite } from './write-check.js';

/** The part of a modbus-serial client the writer uses. */
export interface ModbusWriteClient {
  readonly isOpen: boolean;
  writeCoil(address: number, state: boolean): Promise<unknown>;
  writeCoils(address: number, states: boolean[]): Promise<unknown>;
  writeRegister(address: number, value: number): Promise<unknown>;
  writeRegisters(address: number, values: number[]): Promise<unknown>;
}

export interface TagWrite {
  tag: TagId;
  value: TagValue;
}

export interface ModbusWriterOptions {
  device: ModbusDeviceConfig;
  tags: readonly BoundTag[];
  /** The current client: the connector replaces it on every reconnect. */
  client(): ModbusWriteClient;
  /** The connector's one-request-at-a-time queue, shared with the polls. */
  serialise<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ModbusWriter {
  /** Writes several tags of this device, in as few requests as the addresses allow. */
  writeMany(writes: readonly TagWrite[]): Promise<WriteRequest[]>;
}

/** Sends one planned request with the function code it was planned for. */
export async function sendWrite(client: ModbusWriteClient, req: WriteRequest): Promise<void> {
  switch (req.fc) {
    case 5: await client.writeCoil(req.address, req.bits[0]!); break;
    case 15: await client.writeCoils(req.address, req.bits); break;
    case 6: await client.writeRegister(req.address, req.words[0]!); break;
    case 16: await client.writeRegisters(req.address, req.words); break;
  }
}

export function createModbusWriter(o: ModbusWriterOptions): ModbusWriter {
  const byId = new Map(o.tags.map((t) => [t.id, t]));
  return {
    async writeMany(writes) {
      const checked: CheckedWrite[] = writes.map(({ tag: id, value }) => {
        const tag = byId.get(id);
        if (!tag?.config.modbus) throw new Error(`tag ${id} is not on device ${o.device.id}`);
        return { tag, value: checkWrite(id, tag.config, value) };
      });
      const plan = planWrites(checked, { writeFunctions: o.device.writeFunctions });
      // One turn of the queue for the whole batch: no poll gets between its requests.
      await o.serialise(async () => {
        const done: TagId[] = [];
        for (const req of plan) {
          const client = o.client();
          if (!client.isOpen) throw new Error(`${o.device.id} is not connected; try again when the device is back${done.length ? ` (already written: ${done.join(', ')})` : ''}`);
          try {
            await sendWrite(client, req);
          } catch (err) {
            // Modbus has no transactions: say what did go through before the failure.
            const where = `FC ${req.fc} at ${req.table} ${req.address}${req.table === 'coil' ? `+${req.bits.length}` : `+${req.words.length}`}`;
            throw new Error(`writing ${req.tags.join(', ')} failed (${where}): ${(err as Error).message ?? String(err)}`
              + (done.length ? `; already written: ${done.join(', ')}` : ''));
          }
          done.push(...req.tags);
        }
      });
      return plan;
    },
  };
}
