// What the model's tag values did in one apply(): the readings that changed a tag's value or
// quality, in the order they came. Read them with `for (const c of changes)`.
//
// Kept column by column, a row naming its tag by position in a catalogue (the model's tag
// table), and read through one cursor object that moves from row to row: a burst of tens of
// thousands of changes a second then costs no object per change (see sample-batch.ts).
// A fresh list per apply(), never changed afterwards, so a consumer may keep the list (the
// historian queues it until its next commit) — but not the cursor: copy what you keep from it.
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { TagId } from '../connectors/index.js';
import { QUALITIES } from '../connectors/index.js';

/** One tag change. `tagName` is the tag's name within its machine, `tagId` the plant-wide `machine.tag`. */
export interface TagChange {
  machineId: string;
  tagName: string;
  tagId: TagId;
  value: TagValue;
  quality: Quality;
  /** Source timestamp (device clock where the protocol has one, else receive time), epoch ms. */
  ts: number;
  /** When the edge received it, epoch ms. */
  receivedTs: number;
}

/** A change as the plant host rebuilds it from uplink messages: its plant-wide id follows from machine and name. */
export type TagReading = Omit<TagChange, 'tagId'>;

/** Plant-wide tags by position. */
export interface TagCatalogue {
  readonly ids: readonly TagId[];
  readonly names: readonly string[];
  readonly machineIds: readonly string[];
}

export class TagChanges implements Iterable<Readonly<TagChange>> {
  length = 0;
  private positions: Int32Array;
  private values: TagValue[];
  /** Index into QUALITIES. */
  private qualities: Uint8Array;
  private times: Float64Array;
  private receiveTimes: Float64Array;

  constructor(private readonly catalogue: TagCatalogue, capacity: number) {
    const n = Math.max(1, capacity);
    this.positions = new Int32Array(n);
    this.values = new Array<TagValue>(n);
    this.qualities = new Uint8Array(n);
    this.times = new Float64Array(n);
    this.receiveTimes = new Float64Array(n);
  }

  /** For tests and for the host, which rebuilds changes from uplink messages. */
  static from(changes: readonly TagReading[]): TagChanges {
    const catalogue = {
      ids: changes.map((c) => `${c.machineId}.${c.tagName}`), names: changes.map((c) => c.tagName), machineIds: changes.map((c) => c.machineId),
    };
    const list = new TagChanges(catalogue, changes.length);
    changes.forEach((c, k) => list.add(k, c.value, QUALITIES.indexOf(c.quality), c.ts, c.receivedTs));
    return list;
  }

  /** The model's writer. `position`: the tag's position in the catalogue; `quality`: its index in QUALITIES. */
  add(position: number, value: TagValue, quality: number, ts: number, receivedTs: number): void {
    const i = this.length++;
    if (i === this.times.length) this.grow(2 * i);
    this.positions[i] = position;
    this.values[i] = value;
    this.qualities[i] = quality;
    this.times[i] = ts;
    this.receiveTimes[i] = receivedTs;
  }

  /** The changes in order, through one cursor that moves on each step: copy what you keep. */
  [Symbol.iterator](): Iterator<Readonly<TagChange>> {
    const cursor: TagChange = { machineId: '', tagName: '', tagId: '', value: null, quality: 'good', ts: 0, receivedTs: 0 };
    const step: IteratorResult<TagChange> = { done: false, value: cursor };
    const { ids, names, machineIds } = this.catalogue;
    let i = 0;
    return {
      next: () => {
        if (i >= this.length) return { done: true, value: undefined };
        const k = this.positions[i]!;
        cursor.machineId = machineIds[k]!;
        cursor.tagName = names[k]!;
        cursor.tagId = ids[k]!;
        cursor.value = this.values[i]!;
        cursor.quality = QUALITIES[this.qualities[i]!]!;
        cursor.ts = this.times[i]!;
        cursor.receivedTs = this.receiveTimes[i]!;
        i++;
        return step;
      },
    };
  }

  /** Each change as its own object: for tests and code where clarity beats speed. */
  toList(): TagChange[] {
    const list: TagChange[] = [];
    for (const c of this) list.push({ ...c });
    return list;
  }

  private grow(capacity: number): void {
    const widen = <T extends Int32Array | Uint8Array | Float64Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.positions = widen(this.positions, new Int32Array(capacity));
    this.qualities = widen(this.qualities, new Uint8Array(capacity));
    this.times = widen(this.times, new Float64Array(capacity));
    this.receiveTimes = widen(this.receiveTimes, new Float64Array(capacity));
  }
}
