// OPC UA Part 13 processed history for HistoryRead: Average, Minimum and Maximum of a tag's raw
// samples per processing interval. Pure; the server feeds it the historian's raw samples.
import type { RawPoint } from '../../shared/history-api.js';

export type AggregateKind = 'average' | 'minimum' | 'maximum';

export interface ProcessedValue {
  /** Start of the interval, epoch ms (Part 13 §5.4.3: the interval's timestamp is its start). */
  ts: number;
  value: number | null;
  /**
   * Good: every raw value in the interval was good. Uncertain: some were not (only the good ones
   * count, Part 13 §5.4.2.3 "non-good values are excluded"). BadNoData: no good value at all.
   */
  status: 'Good' | 'UncertainDataSubNormal' | 'BadNoData';
}

/** Most intervals one request may ask for: bounded work per HistoryRead. */
export const MAX_INTERVALS = 10_000;

/**
 * `points` oldest first, all within [start, end). Intervals of `intervalMs` from `start`; the last
 * one may be shorter. Average is the plain mean of the interval's good values (Part 13 §5.4.3.2
 * Average, not the time-weighted TimeAverage).
 */
export function processedHistory(points: readonly RawPoint[], start: number, end: number, intervalMs: number, kind: AggregateKind): ProcessedValue[] {
  if (!(intervalMs > 0) || end <= start) return [];
  const count = Math.ceil((end - start) / intervalMs);
  if (count > MAX_INTERVALS) throw new RangeError(`${count} intervals asked for; at most ${MAX_INTERVALS}: ask for a longer processing interval or a shorter window`);
  const out: ProcessedValue[] = [];
  let i = 0;
  for (let k = 0; k < count; k++) {
    const from = start + k * intervalMs;
    const to = Math.min(end, from + intervalMs);
    let n = 0;
    let other = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    while (i < points.length && points[i]!.ts < to) {
      const p = points[i++]!;
      if (p.ts < from) continue;
      if (p.quality !== 'good' || typeof p.value !== 'number' || !Number.isFinite(p.value)) {
        other++;
        continue;
      }
      n++;
      sum += p.value;
      if (p.value < min) min = p.value;
      if (p.value > max) max = p.value;
    }
    if (n === 0) {
      out.push({ ts: from, value: null, status: 'BadNoData' });
      continue;
    }
    const value = kind === 'average' ? sum / n : kind === 'minimum' ? min : max;
    out.push({ ts: from, value, status: other ? 'UncertainDataSubNormal' : 'Good' });
  }
  return out;
}
