import { describe, expect, it } from 'vitest';
import { checkWrite, WriteRejected } from '../../edge/connectors/write-check.js';
import type { TagConfig } from '../../shared/plant-schema.js';

const speed: TagConfig = { name: 'speedOverride', role: 'speedOverride', type: 'uint16', unit: '%', writable: true, min: 50, max: 120, modbus: { table: 'holding', address: 10, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0 } };
const reset: TagConfig = { name: 'resetFault', role: 'resetFault', type: 'bool', writable: true };
const power: TagConfig = { name: 'power', role: 'power', type: 'float32', unit: 'kW', writable: false };
const temp: TagConfig = { name: 'setpoint', role: 'process', type: 'int16', unit: '°C', writable: true, modbus: { table: 'holding', address: 1, wordOrder: 'high-first', byteOrder: 'big', scale: 0.1, offset: 0 } };

describe('write checks', () => {
  it('passes a value of the right type within limits', () => {
    expect(checkWrite('m.speedOverride', speed, 80)).toBe(80);
    expect(checkWrite('m.resetFault', reset, true)).toBe(true);
    expect(checkWrite('m.setpoint', temp, 72.5)).toBe(72.5);
  });

  it.each([
    ['a read-only tag', power, 3, /not mark this tag writable/],
    ['below the limit', speed, 49, /below the limit 50 %/],
    ['above the limit', speed, 121, /above the limit 120 %/],
    ['a string for a number', speed, '80', /expected a number/],
    ['NaN', speed, Number.NaN, /expected a number/],
    ['a number for a bool', reset, 1, /expected true or false/],
    ['null', speed, null, /value is required/],
    ['a fraction for an integer register', speed, 80.5, /whole step/],
    ['a value beyond the register', temp, 4000, /does not fit int16/],
  ] as const)('refuses %s', (_label, tag, value, message) => {
    expect(() => checkWrite('m.x', tag, value)).toThrow(WriteRejected);
    expect(() => checkWrite('m.x', tag, value)).toThrow(message);
  });
});
