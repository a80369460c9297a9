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
  /**
   * Unused registers a request may span to join two tags (reading them is cheaper than a
   * round trip). Bit tables allow 16× as many bits: the same bytes on the wire. The default
   * bridges any gap the protocol limits allow, which gives the fewest requests; lower it for
   * PLCs that answer "illegal data address" for unmapped registers.
   */
  maxGap: number;
}

export const DEFAULT_MAX_GAP = MAX_REGISTERS_PER_READ - 1;

export function tagSpan(tag: BoundTag): number {
  return tag.config.modbus!.table === 'coil' || tag.config.modbus!.table === 'discrete' ? 1 : registerCount(tag.config.type);
}

export function planReads(tags: readonly BoundTag[], options: PlannerOptions = { maxGap: DEFAULT_MAX_GAP }): ReadRequest[] {
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
    const bits = table === 'coil' || table === 'discrete';
    const limit = bits ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
    const maxGap = bits ? options.maxGap * 16 : options.maxGap;
    list.sort((a, b) => a.config.modbus!.address - b.config.modbus!.address);
    let current: ReadRequest | undefined;
    for (const tag of list) {
      const address = tag.config.modbus!.address;
      const length = tagSpan(tag);
      if (current) {
        const end = Math.max(current.address + current.length, address + length);
        const gap = address - (current.address + current.length);
        if (gap <= maxGap && end - current.address <= limit) {
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

/**
 * After an "illegal data address" on a merged request: first retry its tags as contiguous
 * blocks (no bridged gaps), and a block that still fails tag by tag.
 */
export function isolate(req: ReadRequest): ReadRequest[] {
  const contiguous = planReads(req.tags.map((t) => t.tag), { maxGap: 0 });
  if (contiguous.length > 1) return contiguous;
  return req.tags.map(({ tag, offset, length }) => ({
    table: req.table, address: req.address + offset, length, tags: [{ tag, offset: 0, length }],
  }));
}
