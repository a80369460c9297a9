// Samples column by column. A poll of a thousand registers, fifty times a second, would
// otherwise make an object per register plus two boxed timestamps (epoch ms do not fit V8's
// small integers): that allocation cost more than the decoding. Columns are sized up front
// and written by index: growing six arrays push by push showed in profiles too.
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { TagId, TagSample } from './connector.js';

/** The edge's qualities in the order the columns (and the model's tag table) keep them: a quality is held as its index here. */
export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];
const indexOfQuality = (q: Quality): number => (q === 'good' ? 0 : q === 'bad' ? 2 : 1);

/** One device read's samples (a poll, a publish response), in the order they were read. */
export class SampleBatch {
  length = 0;
  private ids: TagId[];
  private positions: Int32Array;
  private values: TagValue[];
  private qualities: Uint8Array;
  private sourceTimes: Float64Array;
  private receiveTimes: Float64Array;

  /** `capacity`: how many rows are expected (the columns grow past that if needed). */
  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.ids = new Array<TagId>(n);
    this.positions = new Int32Array(n);
    this.values = new Array<TagValue>(n);
    this.qualities = new Uint8Array(n);
    this.sourceTimes = new Float64Array(n);
    this.receiveTimes = new Float64Array(n);
  }

  static of(samples: readonly TagSample[]): SampleBatch {
    const batch = new SampleBatch(samples.length);
    for (const s of samples) batch.push(s.tag, s.value, s.quality, s.ts, s.receivedTs);
    return batch;
  }

  /** `index`: the tag's position in the plant (BoundTag.index), -1 if unknown. */
  push(tag: TagId, value: TagValue, quality: Quality, ts: number, receivedTs: number, index = -1): void {
    const i = this.length++;
    if (i === this.sourceTimes.length) this.grow(2 * i);
    this.ids[i] = tag;
    this.positions[i] = index;
    this.values[i] = value;
    this.qualities[i] = indexOfQuality(quality);
    this.sourceTimes[i] = ts;
    this.receiveTimes[i] = receivedTs;
  }

  /** Empties the batch, keeping its columns: a connector fills one batch per poll. */
  clear(): void {
    this.length = 0;
  }

  /** The plant-wide tag id (`machine.tag`). */
  tagId(i: number): TagId { return this.ids[i]!; }
  /** The tag's position in the plant, -1 if the connector did not say. */
  index(i: number): number { return this.positions[i]!; }
  value(i: number): TagValue { return this.values[i]!; }
  quality(i: number): Quality { return QUALITIES[this.qualities[i]!]!; }
  /** The quality as its index in QUALITIES. */
  qualityCodeAt(i: number): number { return this.qualities[i]!; }
  /** Source timestamp (device clock where the protocol has one, else receive time), epoch ms. */
  ts(i: number): number { return this.sourceTimes[i]!; }
  /** When the edge received it, epoch ms. */
  receivedTs(i: number): number { return this.receiveTimes[i]!; }

  /** Row i as an object, for code where clarity beats speed (tests, logs). */
  sample(i: number): TagSample {
    return { tag: this.tagId(i), value: this.value(i), quality: this.quality(i), ts: this.ts(i), receivedTs: this.receivedTs(i) };
  }

  forEach(fn: (sample: TagSample, i: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.sample(i), i);
  }

  toSamples(): TagSample[] {
    return Array.from({ length: this.length }, (_, i) => this.sample(i));
  }

  private grow(capacity: number): void {
    const widen = <T extends Int32Array | Uint8Array | Float64Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.positions = widen(this.positions, new Int32Array(capacity));
    this.qualities = widen(this.qualities, new Uint8Array(capacity));
    this.sourceTimes = widen(this.sourceTimes, new Float64Array(capacity));
    this.receiveTimes = widen(this.receiveTimes, new Float64Array(capacity));
  }
}
