import { describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters, type RegisterFormat } from '../../edge/connectors/modbus-codec.js';

const fmt = (type: RegisterFormat['type'], wordOrder: RegisterFormat['wordOrder'] = 'high-first', scale = 1, offset = 0, byteOrder: RegisterFormat['byteOrder'] = 'big'): RegisterFormat => ({ type, wordOrder, byteOrder, scale, offset });

// Word patterns worked out by hand from IEEE 754 / two's complement, high word first.
const table: [string, RegisterFormat, number[], number | boolean | string][] = [
  ['uint16', fmt('uint16'), [0xfffe], 65534],
  ['int16 negative', fmt('int16'), [0xff38], -200],
  ['int16 scaled 0.1', fmt('int16', 'high-first', 0.1), [0x02d5], 72.5],
  ['uint32 high-first', fmt('uint32'), [0x0001, 0x86a0], 100000],
  ['uint32 low-first', fmt('uint32', 'low-first'), [0x86a0, 0x0001], 100000],
  ['int32 negative', fmt('int32'), [0xffff, 0xfffe], -2],
  ['float32 high-first', fmt('float32'), [0x4049, 0x0fdb], Math.fround(Math.PI)],
  ['float32 low-first', fmt('float32', 'low-first'), [0x0fdb, 0x4049], Math.fround(Math.PI)],
  ['float64 high-first', fmt('float64'), [0x4009, 0x21fb, 0x5444, 0x2d18], Math.PI],
  ['float64 low-first', fmt('float64', 'low-first'), [0x2d18, 0x5444, 0x21fb, 0x4009], Math.PI],
  ['uint32 scaled energy', fmt('uint32', 'high-first', 0.01), [0x0000, 0x3039], 123.45],
  // the four 32-bit layouts of 3.14159274 (0x40490FDB): ABCD, CDAB, BADC, DCBA
  ['float32 ABCD', fmt('float32', 'high-first'), [0x4049, 0x0fdb], Math.fround(Math.PI)],
  ['float32 CDAB', fmt('float32', 'low-first'), [0x0fdb, 0x4049], Math.fround(Math.PI)],
  ['float32 BADC', fmt('float32', 'high-first', 1, 0, 'little'), [0x4940, 0xdb0f], Math.fround(Math.PI)],
  ['float32 DCBA', fmt('float32', 'low-first', 1, 0, 'little'), [0xdb0f, 0x4940], Math.fround(Math.PI)],
  ['uint16 byte-swapped', fmt('uint16', 'high-first', 1, 0, 'little'), [0x3412], 0x1234],
  ['int16 byte-swapped negative', fmt('int16', 'high-first', 1, 0, 'little'), [0x38ff], -200],
  ['bool', fmt('bool'), [1], true],
];

describe('Modbus register codec', () => {
  it.each(table)('decodes %s', (_name, format, words, expected) => {
    const value = decodeRegisters(words, format);
    if (typeof expected === 'number') expect(value).toBeCloseTo(expected, 10);
    else expect(value).toBe(expected);
  });

  it.each(table.filter(([, f]) => f.type !== 'bool'))('round-trips %s through encode', (_name, format, words, expected) => {
    expect(encodeRegisters(expected as number, format)).toEqual(words);
  });

  it('refuses values that do not fit the register', () => {
    expect(() => encodeRegisters(70000, fmt('uint16'))).toThrow(RangeError);
    expect(() => encodeRegisters(-1, fmt('uint32'))).toThrow(/does not fit/);
  });
});
