// Which Modbus function code a write goes out with, and what it carries.
import { describe, expect, it } from 'vitest';
import { MAX_COILS_PER_WRITE, MAX_REGISTERS_PER_WRITE, WritePlanError, planWrites, type CheckedWrite } from '../../edge/connectors/modbus-write-planner.js';
import type { BoundTag } from '../../edge/connectors/connector.js';
import type { TagConfig } from '../../shared/plant-schema.js';

function tag(name: string, table: 'holding' | 'coil' | 'input' | 'discrete', address: number, type: TagConfig['type'] = table === 'coil' || table === 'discrete' ? 'bool' : 'uint16', modbus: Partial<NonNullable<TagConfig['modbus']>> = {}): BoundTag {
  return {
    id: `m.${name}`, machineId: 'm',
    config: { name, role: 'process', type, writable: true, modbus: { table, address, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0, ...modbus } },
  };
}
const w = (t: BoundTag, value: CheckedWrite['value']): CheckedWrite => ({ tag: t, value });
const shape = (writes: CheckedWrite[], writeFunctions: 'single' | 'multiple' = 'single') =>
  planWrites(writes, { writeFunctions }).map((r) => [r.fc, r.address, r.table === 'coil' ? r.bits : r.words, r.tags]);

describe('Modbus write planner', () => {
  it.each([
    ['one coil', [w(tag('a', 'coil', 7), true)], 'single', [[5, 7, [true], ['m.a']]]],
    ['one coil on a device without FC 5', [w(tag('a', 'coil', 7), true)], 'multiple', [[15, 7, [true], ['m.a']]]],
    ['one 16-bit register', [w(tag('a', 'holding', 3), 90)], 'single', [[6, 3, [90], ['m.a']]]],
    ['one 16-bit register on a device without FC 6', [w(tag('a', 'holding', 3), 90)], 'multiple', [[16, 3, [90], ['m.a']]]],
    ['one 32-bit value (two registers, high word first)', [w(tag('a', 'holding', 3, 'uint32'), 0x12345)], 'single', [[16, 3, [0x1, 0x2345], ['m.a']]]],
  ] as const)('%s', (_name, writes, fns, expected) => {
    expect(shape([...writes], fns)).toEqual(expected);
  });

  it('writes back-to-back coils in one FC 15 request, in address order, whatever order they were given in', () => {
    const writes = [w(tag('c', 'coil', 12), true), w(tag('a', 'coil', 10), true), w(tag('b', 'coil', 11), false)];
    expect(shape(writes)).toEqual([[15, 10, [true, false, true], ['m.a', 'm.b', 'm.c']]]);
  });

  it('never bridges a gap: a coil in between nobody asked to write stays untouched', () => {
    const writes = [w(tag('a', 'coil', 10), true), w(tag('b', 'coil', 11), true), w(tag('c', 'coil', 13), false)];
    expect(shape(writes)).toEqual([[15, 10, [true, true], ['m.a', 'm.b']], [5, 13, [false], ['m.c']]]);
  });

  it('merges back-to-back registers of mixed types into one FC 16 request with each tag encoded its own way', () => {
    const writes = [
      w(tag('speed', 'holding', 10), 110),
      w(tag('setpoint', 'holding', 11, 'float32', { wordOrder: 'low-first' }), 1.5), // 0x3FC00000, low word first
      w(tag('temp', 'holding', 13, 'int16', { scale: 0.1 }), -2.5),
    ];
    expect(shape(writes)).toEqual([[16, 10, [110, 0x0000, 0x3fc0, 0xffe7], ['m.speed', 'm.setpoint', 'm.temp']]]);
  });

  it('coils and registers go in separate requests, coils first', () => {
    expect(shape([w(tag('r', 'holding', 0), 1), w(tag('c', 'coil', 0), true)]).map((r) => r[0])).toEqual([5, 6]);
  });

  it('splits at the protocol limits: 1968 coils per FC 15, 123 registers per FC 16', () => {
    const coils = Array.from({ length: MAX_COILS_PER_WRITE + 10 }, (_, i) => w(tag(`c${i}`, 'coil', i), i % 2 === 0));
    const plan = planWrites(coils);
    expect(plan.map((r) => [r.fc, r.address, r.table === 'coil' ? r.bits.length : 0])).toEqual([[15, 0, 1968], [15, 1968, 10]]);
    // A 32-bit value is never cut in two: the request closes before it.
    const regs = [...Array.from({ length: MAX_REGISTERS_PER_WRITE - 1 }, (_, i) => w(tag(`r${i}`, 'holding', i), i)), w(tag('big', 'holding', 122, 'uint32'), 7)];
    expect(planWrites(regs).map((r) => [r.fc, r.address, r.table === 'holding' ? r.words.length : 0])).toEqual([[16, 0, 122], [16, 122, 2]]);
  });

  it('refuses two writes to the same address, and tables Modbus cannot write, naming the tags', () => {
    expect(() => planWrites([w(tag('a', 'coil', 5), true), w(tag('b', 'coil', 5), false)])).toThrow(new WritePlanError('m.b and m.a write the same address 5: send them in separate writes'));
    expect(() => planWrites([w(tag('a', 'holding', 4, 'uint32'), 1), w(tag('b', 'holding', 5), 1)])).toThrow(/m\.b and m\.a write the same address 5/);
    expect(() => planWrites([w(tag('a', 'discrete', 5), true)])).toThrow('m.a is in the discrete table, which Modbus cannot write');
    expect(() => planWrites([w(tag('a', 'input', 5), 1)])).toThrow('m.a is in the input table, which Modbus cannot write');
  });
});
