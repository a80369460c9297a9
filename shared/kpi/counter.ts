// Wrap- and reset-safe deltas for PLC counters (part counters, energy meter totals).
// Pure and browser-safe.
//
// A PLC counter register is an unsigned integer modulo 2^bits. Two things make a raw
// reading go backwards:
//   - a wrap: the counter passed its top (65535 or 4294967295) and continued from 0;
//   - a reset: an operator, a program download or a power cycle set it back to 0,
//     after which it counted up again to the value we now read.
//
// Heuristic (documented in docs/kpi.md):
//   - next >= prev                                  → forward, delta = next − prev
//   - next <  prev and the forward distance across
//     the modulus, (M − prev) + next, is at most
//     `maxWrapStep` (default M / 16)               → wrap,    delta = (M − prev) + next
//   - otherwise                                     → reset,   delta = next
// i.e. a wrap is a backwards jump from near the top of the range to near zero; any
// other drop is a reset, and the parts counted since the reset (the new value) are
// the delta. A reset is never negative and never re-counts the parts from before it.
// M / 16 is 4096 parts for a 16-bit counter: far more than any machine makes between
// two polls, and far fewer than a reset from mid-range would look like.

export type CounterBits = 16 | 32;

export type CounterStepKind = 'forward' | 'wrap' | 'reset';

export interface CounterStep {
  delta: number;
  kind: CounterStepKind;
}

export interface CounterOptions {
  /** Largest forward distance across the modulus still taken as a wrap; default 2^bits / 16. */
  maxWrapStep?: number;
}

export function counterModulus(bits: CounterBits): number {
  return bits === 16 ? 0x1_0000 : 0x1_0000_0000;
}

/** Classifies one counter step and gives its delta (always >= 0). */
export function counterStep(prev: number, next: number, bits: CounterBits, options: CounterOptions = {}): CounterStep {
  const modulus = counterModulus(bits);
  if (!isCounterValue(prev, modulus) || !isCounterValue(next, modulus)) {
    throw new RangeError(`counter values must be integers in [0, ${modulus - 1}] for a ${bits}-bit counter (got ${prev} → ${next})`);
  }
  if (next >= prev) return { delta: next - prev, kind: 'forward' };
  const maxWrapStep = options.maxWrapStep ?? modulus / 16;
  const acrossTop = modulus - prev + next;
  if (acrossTop <= maxWrapStep) return { delta: acrossTop, kind: 'wrap' };
  return { delta: next, kind: 'reset' };
}

/** Wrap/reset-safe delta between two raw counter readings (see the heuristic above). */
export function counterDelta(prev: number, next: number, bits: CounterBits, options?: CounterOptions): number {
  return counterStep(prev, next, bits, options).delta;
}

function isCounterValue(value: number, modulus: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < modulus;
}
