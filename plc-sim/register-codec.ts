// Engineering value → Modbus register words, the way the simulated PLC stores them.
// Written independently of the edge's codec on purpose: the simulator stands for a foreign
// device, and a shared codec would hide a shared mistake.
import type { DataType } from '../shared/plant-schema.js';

export interface RegisterLayout {
  type: DataType;
  wordOrder: 'high-first' | 'low-first';
  scale: number;
  offset: number;
}

const WORDS: Record<DataType, number> = { bool: 1, int16: 1, uint16: 1, int32: 2, uint32: 2, float32: 2, float64: 4, string: 8 };

export function wordCount(type: DataType): number {
  return WORDS[type];
}

/**
 * Registers for a value. Integers are raw = round((value − offset) / scale), saturated to
 * the type's range (a PLC register cannot hold more); NaN in an integer register reads as
 * the type's maximum, like an analog card's overflow value. Words in wire order.
 */
export function encodeWords(value: number | boolean, layout: RegisterLayout): number[] {
  const n = WORDS[layout.type];
  const buf = Buffer.alloc(n * 2);
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const raw = (v - layout.offset) / layout.scale;
  const int = (min: number, max: number) => (Number.isNaN(raw) ? max : Math.min(max, Math.max(min, Math.round(raw))));
  switch (layout.type) {
    case 'bool': buf.writeUInt16BE(v ? 1 : 0, 0); break;
    case 'int16': buf.writeInt16BE(int(-0x8000, 0x7fff), 0); break;
    case 'uint16': buf.writeUInt16BE(int(0, 0xffff), 0); break;
    case 'int32': buf.writeInt32BE(int(-0x80000000, 0x7fffffff), 0); break;
    case 'uint32': buf.writeUInt32BE(int(0, 0xffffffff), 0); break;
    case 'float32': buf.writeFloatBE(raw, 0); break;
    case 'float64': buf.writeDoubleBE(raw, 0); break;
    case 'string': break;
  }
  const words: number[] = [];
  for (let i = 0; i < n; i++) words.push(buf.readUInt16BE(i * 2));
  return layout.wordOrder === 'low-first' ? words.reverse() : words;
}

/** A single written register → engineering value (only 16-bit tags are writable word by word). */
export function decodeWord(word: number, layout: RegisterLayout): number {
  const raw = layout.type === 'int16' ? (word << 16) >> 16 : word & 0xffff;
  return raw * layout.scale + layout.offset;
}
