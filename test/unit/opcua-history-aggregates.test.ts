// Part 13 Average/Minimum/Maximum per interval (edge/opcua-server/history-aggregates.ts), worked by hand.
import { describe, expect, it } from 'vitest';
import { MAX_INTERVALS, processedHistory } from '../../edge/opcua-server/history-aggregates.js';
import type { RawPoint } from '../../shared/history-api.js';

const p = (ts: number, value: number | null, quality: RawPoint['quality'] = 'good'): RawPoint => ({ ts, value, quality });
// Two 10 s intervals from t = 0: the first holds 2, 4, 9 (mean 5); the second 7 and a bad reading; then nothing.
const points = [p(0, 2), p(3_000, 4), p(9_999, 9), p(10_000, 7), p(15_000, 100, 'bad')];

describe('processed history', () => {
  it('average, minimum, maximum per interval; the interval is stamped with its start', () => {
    expect(processedHistory(points, 0, 30_000, 10_000, 'average')).toEqual([
      { ts: 0, value: 5, status: 'Good' },
      { ts: 10_000, value: 7, status: 'UncertainDataSubNormal' },
      { ts: 20_000, value: null, status: 'BadNoData' },
    ]);
    expect(processedHistory(points, 0, 20_000, 10_000, 'minimum').map((v) => v.value)).toEqual([2, 7]);
    expect(processedHistory(points, 0, 20_000, 10_000, 'maximum').map((v) => v.value)).toEqual([9, 7]);
  });

  it('a last interval cut short by the end, and a window starting mid-way', () => {
    expect(processedHistory(points, 3_000, 12_000, 5_000, 'average')).toEqual([
      { ts: 3_000, value: 4, status: 'Good' },
      { ts: 8_000, value: 8, status: 'Good' }, // 9 and 7: 8
    ]);
  });

  it('refuses more than the bounded number of intervals, naming what to change', () => {
    expect(() => processedHistory([], 0, (MAX_INTERVALS + 1) * 1000, 1000, 'average')).toThrow(/longer processing interval/);
    expect(processedHistory(points, 10, 10, 1000, 'average')).toEqual([]);
  });
});
