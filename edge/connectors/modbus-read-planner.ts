// Merges tags into the fewest Modbus requests the protocol allows.
import { registerCount } from '../../shared/plant-schema.js';
import type { BoundTag } from './connector.js';

export type ModbusTable = 'coil' | 'discrete' | 'input' | 'holding';

/** Protocol limits per request (Modbus Application Protocol V1.1b3, §6.1–6.4). */
export const MAX_REGISTERS_PER_READ = 125;
export const MAX_BITS_PER_READ = 2000;

export interface ReadRequest {
  table: ModbusTable;
  address: number;
  length: number;
  /** Tags served by this request with their offset into it. */
  tags: { tag: BoundTag; offset: number; length: number }[];
}

export interface PlannerOptions {
  /** Unused registers/bits a request may span to join two tags (reading them is cheaper than a round trip). */
  maxGap: number;
}

export function tagSpan(tag: BoundTag): number {
  return tag.config.modbus!.table === 'coil' || tag.config.modbus!.table === 'discrete' ? 1 : registerCount(tag.config.type);
}

export function planReads(tags: readonly BoundTag[], options: PlannerOptions = { maxGap: 8 }): ReadRequest[] {
  const byTable = new Map<ModbusTable, BoundTag[]>();
  for (const tag of tags) {
    const source = tag.config.modbus;
    if (!source) continue;
    const list = byTable.get(source.table) ?? [];
    list.push(tag);
    byTable.set(source.table, list);
  }
  const requests: ReadRequest[] = [];
  for (const [table, list] of byTable) {
    const limit = table === 'coil' || table === 'discrete' ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
    list.sort((a, b) => a.config.modbus!.address - b.config.modbus!.address);
    let current: ReadRequest | undefined;
    for (const tag of list) {
      const address = tag.config.modbus!.address;
      const length = tagSpan(tag);
      if (current) {
        const end = Math.max(current.address + current.length, address + length);
        const gap = address - (current.address + current.length);
        if (gap <= options.maxGap && end - current.address <= limit) {
          current.length = end - current.address;
          current.tags.push({ tag, offset: address - current.address, length });
          continue;
        }
      }
      current = { table, address, length, tags: [{ tag, offset: 0, length }] };
      requests.push(current);
    }
  }
  return requests;
}

/** Splits a merged request into one request per tag. */
export function isolate(req: ReadRequest): ReadRequest[] {
  return req.tags.map(({ tag, offset, length }) => ({
    table: req.table, address: req.address + offset, length, tags: [{ tag, offset: 0, length }],
  }));
}
