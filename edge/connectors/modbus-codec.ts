// Register words ↔ engineering values. Pure, so the byte/word-order table is unit-tested.
import type { DataType } from '../../shared/plant-schema.js';
import { registerCount } from '../../shared/plant-schema.js';

export interface RegisterFormat {
  type: DataType;
  wordOrder: 'high-first' | 'low-first';
  /** Byte order inside each register; absent means the Modbus standard (big). */
  byteOrder?: 'big' | 'little';
  scale: number;
  offset: number;
}

const swapBytes = (w: number) => ((w & 0xff) << 8) | ((w >> 8) & 0xff);

function wordsToBuffer(words: readonly number[], wordOrder: RegisterFormat['wordOrder'], byteOrder: RegisterFormat['byteOrder'] = 'big'): Buffer {
  const ordered = wordOrder === 'low-first' ? [...words].reverse() : words;
  const buf = Buffer.alloc(ordered.length * 2);
  ordered.forEach((w, i) => buf.writeUInt16BE((byteOrder === 'little' ? swapBytes(w) : w) & 0xffff, i * 2));
  return buf;
}

// Every poll decodes every tag: numbers go through one reused 8-byte scratch buffer rather
// than a slice and a fresh Buffer per tag (decoding is synchronous, so sharing it is safe).
const scratch = Buffer.alloc(8);

/** Copies `need` registers from `words[start…]` into the scratch buffer in big-endian order. */
function fillScratch(words: readonly number[], start: number, need: number, format: RegisterFormat): void {
  const little = format.byteOrder === 'little';
  const reversed = format.wordOrder === 'low-first';
  for (let i = 0; i < need; i++) {
    const w = words[start + (reversed ? need - 1 - i : i)]! & 0xffff;
    scratch.writeUInt16BE(little ? swapBytes(w) : w, i * 2);
  }
}

/** Decodes the raw (unscaled) number a tag's registers hold. */
export function decodeRaw(words: readonly number[], format: RegisterFormat, start = 0): number | string {
  const need = registerCount(format.type);
  if (words.length - start < need) throw new RangeError(`${format.type} needs ${need} registers, got ${Math.max(0, words.length - start)}`);
  if (format.type === 'string') return wordsToBuffer(words.slice(start, start + need), 'high-first', format.byteOrder).toString('latin1').replace(/\0+$/, '');
  if (need === 1) {
    // One register, the common case: plain integer arithmetic, no buffer.
    const raw = words[start]! & 0xffff;
    const w = format.byteOrder === 'little' ? swapBytes(raw) : raw;
    if (format.type === 'int16') return (w << 16) >> 16;
    return format.type === 'bool' ? (w !== 0 ? 1 : 0) : w;
  }
  fillScratch(words, start, need, format);
  switch (format.type) {
    case 'bool': return scratch.readUInt16BE(0) !== 0 ? 1 : 0;
    case 'int16': return scratch.readInt16BE(0);
    case 'uint16': return scratch.readUInt16BE(0);
    case 'int32': return scratch.readInt32BE(0);
    case 'uint32': return scratch.readUInt32BE(0);
    case 'float32': return scratch.readFloatBE(0);
    case 'float64': return scratch.readDoubleBE(0);
  }
}

/** `start`: where the tag's registers begin in `words` (a planned read covers many tags). */
export function decodeRegisters(words: readonly number[], format: RegisterFormat, start = 0): number | boolean | string {
  const raw = decodeRaw(words, format, start);
  if (typeof raw === 'string') return raw;
  if (format.type === 'bool') return raw !== 0;
  return raw * format.scale + format.offset;
}

/** Engineering value → registers, for writes. Throws RangeError when the value does not fit. */
export function encodeRegisters(value: number | boolean, format: RegisterFormat): number[] {
  const need = registerCount(format.type);
  const buf = Buffer.alloc(need * 2);
  const raw = typeof value === 'boolean' ? (value ? 1 : 0) : (value - format.offset) / format.scale;
  const int = Math.round(raw);
  const check = (min: number, max: number) => {
    if (int < min || int > max) throw new RangeError(`${value} does not fit ${format.type} (raw ${int})`);
  };
  switch (format.type) {
    case 'bool': buf.writeUInt16BE(int ? 1 : 0, 0); break;
    case 'int16': check(-0x8000, 0x7fff); buf.writeInt16BE(int, 0); break;
    case 'uint16': check(0, 0xffff); buf.writeUInt16BE(int, 0); break;
    case 'int32': check(-0x80000000, 0x7fffffff); buf.writeInt32BE(int, 0); break;
    case 'uint32': check(0, 0xffffffff); buf.writeUInt32BE(int, 0); break;
    case 'float32': buf.writeFloatBE(raw, 0); break;
    case 'float64': buf.writeDoubleBE(raw, 0); break;
    case 'string': throw new RangeError('string tags are read-only');
  }
  const words: number[] = [];
  for (let i = 0; i < need; i++) words.push(buf.readUInt16BE(i * 2));
  const swapped = format.byteOrder === 'little' ? words.map(swapBytes) : words;
  return format.wordOrder === 'low-first' ? swapped.reverse() : swapped;
}
