import { describe, expect, it } from 'vitest';
import { SampleBatch } from './sample-batch.js';
import type { TagSample } from './connector.js';

const samples: TagSample[] = [
  { tag: 'mill.state', value: 1, quality: 'good', ts: 1_764_400_000_000, receivedTs: 1_764_400_000_010 },
  { tag: 'mill.alarm', value: true, quality: 'uncertain', ts: 1_764_400_000_001, receivedTs: 1_764_400_000_011 },
  { tag: 'mill.program', value: 'O1234', quality: 'good', ts: 1_764_400_000_002.5, receivedTs: 1_764_400_000_012 },
  { tag: 'mill.power', value: null, quality: 'bad', ts: 1_764_400_000_003, receivedTs: 1_764_400_000_013 },
];

describe('SampleBatch: one read, column by column', () => {
  it('gives back every sample as it was pushed, past its initial capacity', () => {
    const batch = new SampleBatch(1);
    samples.forEach((s, i) => batch.push(s.tag, s.value, s.quality, s.ts, s.receivedTs, 10 + i));
    expect(batch.length).toBe(4);
    expect(batch.toSamples()).toEqual(samples);
    expect([0, 1, 2, 3].map((i) => batch.index(i))).toEqual([10, 11, 12, 13]);
    expect(batch.qualityCodeAt(3)).toBe(2);
    expect(batch.tagId(2)).toBe('mill.program');
  });

  it('marks samples without a plant index as unknown (-1)', () => {
    const batch = SampleBatch.of(samples);
    expect(batch.index(0)).toBe(-1);
    const seen: TagSample[] = [];
    batch.forEach((s) => seen.push(s));
    expect(seen).toEqual(samples);
  });

  it('is refilled from empty after clear(), with nothing left of the previous poll', () => {
    const batch = SampleBatch.of(samples);
    batch.clear();
    expect(batch.toSamples()).toEqual([]);
    batch.push('mill.state', 2, 'good', 5, 6, 0);
    expect(batch.toSamples()).toEqual([{ tag: 'mill.state', value: 2, quality: 'good', ts: 5, receivedTs: 6 }]);
  });
});
