// Per-minute aggregates of one write batch. The batch's buckets are upserted in the same
// transaction as its raw samples and merged with what the minute already holds
// (min of mins, sum of sums, …), so nothing lives across batches: a failed batch is simply
// recomputed on retry, and a restart mid-minute merges exactly.
export const MINUTE_MS = 60_000;

export interface MinuteBucket {
  tagId: number;
  /** Start of the minute, epoch ms. */
  minute: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTs: number;
}

export function minuteOf(ts: number): number {
  return ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

export class MinuteRollup {
  /** The open bucket per tag id (ids are small dense integers: an array beats a Map on the hot path). */
  private open: (MinuteBucket | undefined)[] = [];
  private touched: number[] = [];
  private readonly done: MinuteBucket[] = [];

  add(tagId: number, ts: number, value: number): void {
    const minute = ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    const b = this.open[tagId];
    if (b !== undefined && b.minute === minute) {
      if (value < b.min) b.min = value;
      if (value > b.max) b.max = value;
      b.sum += value;
      b.count++;
      if (ts >= b.lastTs) {
        b.last = value;
        b.lastTs = ts;
      }
      return;
    }
    if (b !== undefined) this.done.push(b);
    else this.touched.push(tagId);
    this.open[tagId] = { tagId, minute, min: value, max: value, sum: value, count: 1, last: value, lastTs: ts };
  }

  /** Everything added since the last drain, one bucket per (tag, minute) run; the rollup is empty afterwards. */
  drain(): MinuteBucket[] {
    const out = this.done.splice(0);
    for (const id of this.touched) out.push(this.open[id]!);
    this.open = [];
    this.touched = [];
    return out;
  }

  get size(): number {
    return this.done.length + this.touched.length;
  }
}
