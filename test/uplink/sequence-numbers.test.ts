// bdSeq and seq (Sparkplug B 3.0 §6.4.3–6.4.4) on a plain in-memory meta table.
import { describe, expect, it } from 'vitest';
import { createSequenceNumbers, type SequenceMemory } from '../../edge/uplink/sequence-numbers.js';

function memory(initial: Record<string, string> = {}): SequenceMemory & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getMeta: (k) => data[k], setMeta: (k, v) => { data[k] = v; } };
}

describe('sequence numbers', () => {
  it('numbers sessions from 0 on a new file and remembers each bdSeq before it is used', () => {
    const mem = memory();
    const s = createSequenceNumbers(mem);
    expect(s.bdSeq).toBe(-1);
    expect(s.nextSession()).toBe(0);
    expect(mem.data.bdSeq).toBe('0');
    expect(s.nextSession()).toBe(1);
    expect(mem.data.bdSeq).toBe('1');
  });

  it('continues from the previous run, so a late Will of that run never matches this NBIRTH', () => {
    const s = createSequenceNumbers(memory({ bdSeq: '41' }));
    expect(s.bdSeq).toBe(41);
    expect(s.nextSession()).toBe(42);
  });

  it('wraps bdSeq 255 → 0, and starts afresh from a stored value that is not a bdSeq', () => {
    expect(createSequenceNumbers(memory({ bdSeq: '255' })).nextSession()).toBe(0);
    expect(createSequenceNumbers(memory({ bdSeq: 'junk' })).nextSession()).toBe(0);
    expect(createSequenceNumbers(memory({ bdSeq: '300' })).nextSession()).toBe(0);
  });

  it('hands out seq 0…255, wrapping to 0, and restarts at 0 for an NBIRTH', () => {
    const s = createSequenceNumbers(memory());
    const taken = Array.from({ length: 258 }, () => s.take());
    expect(taken.slice(0, 3)).toEqual([0, 1, 2]);
    expect(taken.slice(254)).toEqual([254, 255, 0, 1]);
    expect(s.seq).toBe(2);
    s.restart();
    expect(s.take()).toBe(0);
  });
});
