import { describe, expect, it } from 'vitest';
import { counterDelta, counterStep } from './counter.js';

describe('counterDelta', () => {
  it.each([
    // [prev, next, bits, delta, kind, why]
    [100, 105, 16, 5, 'forward', 'normal counting'],
    [100, 100, 16, 0, 'forward', 'no change'],
    [65530, 3, 16, 9, 'wrap', '16-bit wrap: 65530 → 65535 is 5, → 0 is 6, → 3 is 9'],
    [65535, 0, 16, 1, 'wrap', 'wrap by exactly one'],
    [4294967290, 10, 32, 16, 'wrap', '32-bit wrap'],
    [30000, 5, 16, 5, 'reset', 'operator reset mid-range, 5 parts made since'],
    [40000, 0, 16, 0, 'reset', 'reset to zero, nothing made yet'],
    [4294967290, 2_000_000_000, 32, 2_000_000_000, 'reset', 'drop to a large value is not a wrap'],
    [123456789, 7, 32, 7, 'reset', '32-bit reset'],
  ] as const)('%d → %d (%d-bit) = %d, %s: %s', (prev, next, bits, delta, kind, _why) => {
    expect(counterStep(prev, next, bits)).toEqual({ delta, kind });
    expect(counterDelta(prev, next, bits)).toBe(delta);
  });

  it('never returns a negative delta or double-counts across a wrap and a reset', () => {
    // A 16-bit counter making 7 parts per poll, wrapping twice and reset once.
    let raw = 65000;
    let truth = 0;
    let counted = 0;
    let smallest = Infinity;
    for (let i = 0; i < 30_000; i++) {
      const prev = raw;
      if (i === 12_345) {
        raw = 3; // reset, then 3 parts
        truth += 3;
      } else {
        raw = (raw + 7) % 65536;
        truth += 7;
      }
      const d = counterDelta(prev, raw, 16);
      smallest = Math.min(smallest, d);
      counted += d;
    }
    expect(smallest).toBeGreaterThanOrEqual(0);
    expect(counted).toBe(truth);
  });

  it('honours a custom wrap window', () => {
    expect(counterStep(60000, 100, 16, { maxWrapStep: 1000 }).kind).toBe('reset');
    expect(counterStep(60000, 100, 16, { maxWrapStep: 10000 }).kind).toBe('wrap');
  });

  it('rejects values that are not raw counter readings', () => {
    expect(() => counterDelta(-1, 5, 16)).toThrow(/integers in \[0, 65535\]/);
    expect(() => counterDelta(1, 65536, 16)).toThrow(RangeError);
    expect(() => counterDelta(1.5, 2, 32)).toThrow(RangeError);
  });
});
