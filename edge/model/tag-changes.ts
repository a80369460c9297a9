// What the model's tag values did in one apply(): the samples that changed a value or quality,
// column by column (see sample-batch.ts for why not objects). A row names its tag by index
// into a catalogue (the model's plant-wide tag list), not by three strings.
// A fresh list per apply(), never changed afterwards, so a consumer may keep it (the historian
// queues it until its next commit).
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { TagId } from '../connectors/connector.js';
import { SampleColumns, qualityCode } from '../connectors/sample-batch.js';

/** Plant-wide tags by index. */
export interface TagCatalogue {
  ids: readonly TagId[];
  names: readonly string[];
  machineIds: readonly string[];
}

export interface TagChange { machineId: string; tag: string; value: TagValue; quality: Quality; ts: number; receivedTs: number }

export class TagChanges extends SampleColumns {
  constructor(private readonly catalogue: TagCatalogue, capacity: number) {
    super(capacity);
  }

  /** For tests and for the host, which rebuilds changes from uplink messages. */
  static from(changes: readonly TagChange[]): TagChanges {
    const catalogue = {
      ids: changes.map((c) => `${c.machineId}.${c.tag}`), names: changes.map((c) => c.tag), machineIds: changes.map((c) => c.machineId),
    };
    const list = new TagChanges(catalogue, changes.length);
    changes.forEach((c, k) => list.add(k, c.value, qualityCode(c.quality), c.ts, c.receivedTs));
    return list;
  }

  /** `tag`: the tag's catalogue index; `quality`: 0 good, 1 uncertain, 2 bad. */
  add(tag: number, value: TagValue, quality: number, ts: number, receivedTs: number): void {
    this.row(tag, value, quality, ts, receivedTs);
  }

  /** The plant-wide tag id (`machine.tag`). */
  tag(i: number): TagId { return this.catalogue.ids[this.tagIndexes[i]!]!; }
  machineId(i: number): string { return this.catalogue.machineIds[this.tagIndexes[i]!]!; }
  /** The tag's name within its machine. */
  tagName(i: number): string { return this.catalogue.names[this.tagIndexes[i]!]!; }

  /** Each change as a plain object: for tests and code where clarity beats speed. */
  toList(): TagChange[] {
    return Array.from({ length: this.length }, (_, i) => ({
      machineId: this.machineId(i), tag: this.tagName(i), value: this.value(i), quality: this.quality(i), ts: this.ts(i), receivedTs: this.receivedTs(i),
    }));
  }
}
