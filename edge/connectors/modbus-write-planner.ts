// Turns checked tag writes into Modbus write requests: function code, start address and the
// bits or words to send. Pure, so the choice of function code is unit-tested.
//
// Unlike reads, writes never bridge a gap: writing an address nobody asked to write would
// overwrite whatever the PLC keeps there. So only tags that sit back to back share a request.
import type { ModbusDeviceConfig } from '../../shared/plant-schema.js';
import type { BoundTag, TagId } from './connector.js';
import { encodeRegisters } from './modbus-codec.js';

/** Quantity limits of the write functions (Modbus Application Protocol V1.1b3 §6.11, §6.12). */
export const MAX_COILS_PER_WRITE = 0x7b0; // 1968
export const MAX_REGISTERS_PER_WRITE = 0x7b; // 123

/** 5 write single coil, 6 write single register, 15 write multiple coils, 16 write multiple registers. */
export type WriteFunctionCode = 5 | 6 | 15 | 16;

export type WriteRequest =
  | { fc: 5 | 15; table: 'coil'; address: number; bits: boolean[]; tags: TagId[] }
  | { fc: 6 | 16; table: 'holding'; address: number; words: number[]; tags: TagId[] };

/** A value already passed checkWrite (writable, right type, within limits). */
export interface CheckedWrite {
  tag: BoundTag;
  value: number | boolean | string;
}

export interface WritePlanOptions {
  /**
   * `single` (default): one coil by FC 5, one register by FC 6, more by 15/16.
   * `multiple`: always 15/16, for devices that do not implement 5 and 6.
   */
  writeFunctions: ModbusDeviceConfig['writeFunctions'];
}

export class WritePlanError extends Error {
  override name = 'WritePlanError';
}

interface Item { id: TagId; address: number; bits?: boolean[]; words?: number[] }

function itemOf({ tag, value }: CheckedWrite): Item {
  const src = tag.config.modbus;
  if (!src) throw new WritePlanError(`${tag.id} has no modbus address`);
  if (src.table === 'coil') return { id: tag.id, address: src.address, bits: [value === true] };
  if (src.table !== 'holding') throw new WritePlanError(`${tag.id} is in the ${src.table} table, which Modbus cannot write`);
  if (typeof value === 'string') throw new WritePlanError(`${tag.id}: string tags are read-only`);
  const words = encodeRegisters(value, { type: tag.config.type, wordOrder: src.wordOrder, byteOrder: src.byteOrder, scale: src.scale, offset: src.offset });
  return { id: tag.id, address: src.address, words };
}

/** Groups back-to-back items of one table into runs no longer than `limit`. */
function runs(items: Item[], size: (i: Item) => number, limit: number): Item[][] {
  const sorted = [...items].sort((a, b) => a.address - b.address);
  const out: Item[][] = [];
  let current: Item[] = [];
  let end = -1;
  let length = 0;
  for (const item of sorted) {
    const n = size(item);
    if (item.address < end) {
      const other = current.find((c) => item.address < c.address + size(c)) ?? current[current.length - 1]!;
      throw new WritePlanError(`${item.id} and ${other.id} write the same address ${item.address}: send them in separate writes`);
    }
    if (current.length && item.address === end && length + n <= limit) {
      current.push(item);
    } else {
      current = [item];
      out.push(current);
      length = 0;
    }
    length += n;
    end = item.address + n;
  }
  return out;
}

/** The fewest write requests, in address order (coils first), that carry exactly these writes. */
export function planWrites(writes: readonly CheckedWrite[], options: WritePlanOptions = { writeFunctions: 'single' }): WriteRequest[] {
  const items = writes.map(itemOf);
  const single = options.writeFunctions !== 'multiple';
  const requests: WriteRequest[] = [];
  for (const run of runs(items.filter((i) => i.bits), () => 1, MAX_COILS_PER_WRITE)) {
    const bits = run.flatMap((i) => i.bits!);
    requests.push({ fc: single && bits.length === 1 ? 5 : 15, table: 'coil', address: run[0]!.address, bits, tags: run.map((i) => i.id) });
  }
  for (const run of runs(items.filter((i) => i.words), (i) => i.words!.length, MAX_REGISTERS_PER_WRITE)) {
    const words = run.flatMap((i) => i.words!);
    requests.push({ fc: single && words.length === 1 ? 6 : 16, table: 'holding', address: run[0]!.address, words, tags: run.map((i) => i.id) });
  }
  return requests;
}
