import { describe, expect, it } from 'vitest';
import { planReads } from '../../edge/connectors/modbus-read-planner.js';
import type { BoundTag } from '../../edge/connectors/connector.js';
import type { TagConfig } from '../../shared/plant-schema.js';

function tag(name: string, table: 'holding' | 'coil' | 'input', address: number, type: TagConfig['type'] = 'uint16'): BoundTag {
  return {
    id: `m.${name}`, machineId: 'm',
    config: { name, role: 'process', type, writable: false, modbus: { table, address, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0 } },
  };
}

describe('Modbus read planner', () => {
  it('merges adjacent registers into one request', () => {
    const plan = planReads([tag('a', 'holding', 0), tag('b', 'holding', 1, 'uint32'), tag('c', 'holding', 3, 'float32')]);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ table: 'holding', address: 0, length: 5 });
  });

  it('bridges a gap up to maxGap and splits beyond it', () => {
    const tags = [tag('a', 'holding', 0), tag('b', 'holding', 10)];
    expect(planReads(tags, { maxGap: 9 })).toHaveLength(1);
    expect(planReads(tags, { maxGap: 8 })).toHaveLength(2);
  });

  it('after an illegal address, retries contiguous blocks before single tags', async () => {
    const { isolate } = await import('../../edge/connectors/modbus-read-planner.js');
    const [merged] = planReads([tag('a', 'holding', 0), tag('b', 'holding', 1), tag('c', 'holding', 50)]);
    const blocks = isolate(merged!);
    expect(blocks.map((r) => [r.address, r.length])).toEqual([[0, 2], [50, 1]]);
    expect(isolate(blocks[0]!).map((r) => [r.address, r.length])).toEqual([[0, 1], [1, 1]]);
  });

  it('never exceeds 125 registers per request', () => {
    const tags = Array.from({ length: 300 }, (_, i) => tag(`t${i}`, 'holding', i));
    const plan = planReads(tags);
    expect(plan.map((r) => r.length)).toEqual([125, 125, 50]);
    expect(plan.flatMap((r) => r.tags)).toHaveLength(300);
  });

  it('never exceeds 2000 coils per request', () => {
    const tags = Array.from({ length: 2500 }, (_, i) => tag(`c${i}`, 'coil', i, 'bool'));
    expect(planReads(tags).map((r) => r.length)).toEqual([2000, 500]);
  });

  it('keeps tables apart and sorts by address', () => {
    const plan = planReads([tag('h2', 'holding', 5), tag('c', 'coil', 0, 'bool'), tag('h1', 'holding', 0), tag('i', 'input', 0)]);
    expect(plan.map((r) => r.table).sort()).toEqual(['coil', 'holding', 'input']);
    const holding = plan.find((r) => r.table === 'holding')!;
    expect(holding.tags.map((t) => [t.tag.config.name, t.offset])).toEqual([['h1', 0], ['h2', 5]]);
  });

  it('plans the demo line Modbus PLC in the minimum number of requests', async () => {
    const { loadPlantFile } = await import('../../edge/config/load-plant.js');
    const { tagsOfDevice } = await import('../../edge/connectors/connector.js');
    const plant = loadPlantFile('config/demo-plant.yaml');
    const plan = planReads(tagsOfDevice(plant, 'plc-modbus'));
    // holding 0–350 (the machines' blocks and the furnace's analysers from 320) needs three
    // 125-register windows; coils 0–200 fit one request
    expect(plan).toHaveLength(4);
    expect(plan.filter((r) => r.table === 'holding').every((r) => r.length <= 125)).toBe(true);
    // a PLC that refuses unmapped registers: maxGap 8 keeps the five holding blocks (0, 100, 200,
    // 300, 320) apart; coils still merge (100 bits < 8×16)
    expect(planReads(tagsOfDevice(plant, 'plc-modbus'), { maxGap: 8 })).toHaveLength(6);
  });
});
