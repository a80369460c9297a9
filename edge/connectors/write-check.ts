// Every write to a device passes here first: only writable tags, only values of the tag's
// type, only within its configured limits. Pure, so the rules are unit-tested.
import type { TagConfig } from '../../shared/plant-schema.js';
import type { TagValue } from '../../shared/live-protocol.js';

export class WriteRejected extends Error {
  constructor(readonly tag: string, reason: string) {
    super(`write to ${tag} refused: ${reason}`);
    this.name = 'WriteRejected';
  }
}

const INTEGER_RANGES: Partial<Record<TagConfig['type'], [number, number]>> = {
  int16: [-0x8000, 0x7fff], uint16: [0, 0xffff], int32: [-0x80000000, 0x7fffffff], uint32: [0, 0xffffffff],
};

const FLOAT32_MAX = 3.4028234663852886e38;

/** Returns the value to write (coerced to the tag's type) or throws WriteRejected. */
export function checkWrite(tagId: string, tag: TagConfig, value: TagValue): number | boolean | string {
  if (!tag.writable) throw new WriteRejected(tagId, 'the plant file does not mark this tag writable');
  if (value === null) throw new WriteRejected(tagId, 'a value is required');
  if (tag.type === 'bool') {
    if (typeof value !== 'boolean') throw new WriteRejected(tagId, `expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (tag.type === 'string') {
    if (typeof value !== 'string') throw new WriteRejected(tagId, `expected text, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new WriteRejected(tagId, `expected a number, got ${JSON.stringify(value)}`);
  if (tag.min !== undefined && value < tag.min) throw new WriteRejected(tagId, `${value} is below the limit ${tag.min}${tag.unit ? ` ${tag.unit}` : ''}`);
  if (tag.max !== undefined && value > tag.max) throw new WriteRejected(tagId, `${value} is above the limit ${tag.max}${tag.unit ? ` ${tag.unit}` : ''}`);
  const range = INTEGER_RANGES[tag.type];
  if (range) {
    const raw = tag.modbus ? (value - tag.modbus.offset) / tag.modbus.scale : value;
    if (!Number.isInteger(Math.round(raw * 1e9) / 1e9)) throw new WriteRejected(tagId, `${value} is not a whole step of a ${tag.type} register`);
    if (raw < range[0] || raw > range[1]) throw new WriteRejected(tagId, `${value} does not fit ${tag.type}`);
  }
  // A float32 register cannot hold what a JSON number can: past its range the PLC would get Infinity.
  if (tag.type === 'float32') {
    const raw = tag.modbus ? (value - tag.modbus.offset) / tag.modbus.scale : value;
    if (Math.abs(raw) > FLOAT32_MAX) throw new WriteRejected(tagId, `${value} does not fit float32`);
  }
  return value;
}
