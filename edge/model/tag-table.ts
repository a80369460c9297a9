// The plant model's tag table — private to edge/model: nothing outside this folder imports it.
//
// Every plant tag has a position (machines in file order, each machine's tags in order: the
// `BoundTag.index` connectors carry) and its current value, quality and time live in flat
// arrays by that position. At tens of thousands of changes a second, objects per tag touched
// per sample (a slot, a live tag, its boxed time) cost more in cache misses than the work
// itself; so the LiveTag objects readers see are brought up to date only when a machine is read.
import type { PlantConfig, TagConfig } from '../../shared/plant-schema.js';
import type { LiveTag, TagValue } from '../../shared/live-protocol.js';
import { tagId, type TagId } from '../connectors/index.js';
import { QUALITIES, type SampleBatch } from '../connectors/index.js';
import type { TagCatalogue } from './tag-changes.js';

/** Whether a batch's positions are this table's: decided on its first row that has one. */
const UNCHECKED = 0;
const OURS = 1;
const NOT_OURS = 2;

/** How a value is held: not yet seen, in `numbers`, or in `others` (text, booleans, null). */
const UNSEEN = 0;
const NUMBER = 1;
const OTHER = 2;

export class TagTable implements TagCatalogue {
  readonly ids: TagId[] = [];
  readonly names: string[] = [];
  readonly machineIds: string[] = [];
  readonly configs: TagConfig[] = [];
  readonly size: number;
  /** Per machine (plant order): its LiveTags by tag name, as MachineStatus.tags shows them. */
  readonly liveTags: Record<string, LiveTag>[] = [];
  /** Machine (plant order) of each tag. */
  private readonly machineOf: Int32Array;
  /** What the model does with each tag besides keeping its value (the model's own small codes). */
  private readonly meanings: Uint8Array;
  private readonly held: Uint8Array;
  private readonly numbers: Float64Array;
  private readonly others: TagValue[];
  /** Quality as an index into QUALITIES. */
  private readonly qualities: Uint8Array;
  private readonly times: Float64Array;
  /** Changed since its LiveTag was last brought up to date. */
  private readonly stale: Uint8Array;
  private readonly lives: (LiveTag | undefined)[];
  /** Per machine: its stale tags. */
  private readonly staleOf: number[][] = [];
  /** The tag that followed each in the last batch: connectors send their tags in a fixed order, and a right guess saves a hash lookup. */
  private readonly next: Int32Array;
  private readonly positionOfId = new Map<TagId, number>();
  private previous = -1;
  private positions = UNCHECKED;

  constructor(plant: PlantConfig, meaningOf: (tag: TagConfig) => number) {
    this.size = plant.machines.reduce((n, m) => n + m.tags.length, 0);
    const n = this.size;
    this.machineOf = new Int32Array(n);
    this.meanings = new Uint8Array(n);
    this.held = new Uint8Array(n);
    this.numbers = new Float64Array(n);
    this.others = new Array<TagValue>(n).fill(null);
    this.qualities = new Uint8Array(n);
    this.times = new Float64Array(n);
    this.stale = new Uint8Array(n);
    this.lives = new Array<LiveTag | undefined>(n).fill(undefined);
    this.next = new Int32Array(n).fill(-1);
    plant.machines.forEach((machine, m) => {
      this.liveTags.push({});
      this.staleOf.push([]);
      for (const tag of machine.tags) {
        const k = this.ids.length;
        const id = tagId(machine, tag);
        this.ids.push(id);
        this.names.push(tag.name);
        this.machineIds.push(machine.id);
        this.configs.push(tag);
        this.machineOf[k] = m;
        this.meanings[k] = meaningOf(tag);
        this.positionOfId.set(id, k);
      }
    });
  }

  /** Position of a tag id, -1 if it is not a plant tag. */
  position(id: TagId): number {
    return this.positionOfId.get(id) ?? -1;
  }

  /** Call before the rows of a new batch: positions are checked per batch. */
  startBatch(): void {
    this.previous = -1;
    this.positions = UNCHECKED;
  }

  /**
   * Position of row i's tag, -1 if it is not a plant tag. Connectors say each tag's position
   * (BoundTag.index): taking it saves comparing tag ids — a string comparison reads both
   * strings, and at a thousand scattered strings per poll those reads miss the cache. The
   * first row with a position checks that the connector's plant is this one.
   */
  find(batch: SampleBatch, i: number): number {
    let k = batch.index(i);
    if (k >= this.size) k = -1;
    if (k >= 0 && this.positions === UNCHECKED) this.positions = this.ids[k] === batch.tagId(i) ? OURS : NOT_OURS;
    if (this.positions === NOT_OURS) k = -1;
    if (k < 0) {
      const id = batch.tagId(i);
      const previous = this.previous;
      k = previous >= 0 ? this.next[previous]! : -1;
      if (k < 0 || this.ids[k] !== id) {
        k = this.positionOfId.get(id) ?? -1;
        if (k < 0) return -1;
        if (previous >= 0) this.next[previous] = k;
      }
    }
    this.previous = k;
    return k;
  }

  /** Stores a reading of tag k; false when it changes neither value nor quality (then nothing is stored). */
  write(k: number, value: TagValue, quality: number, ts: number): boolean {
    const held = this.held[k];
    if (held !== UNSEEN && this.qualities[k] === quality && (typeof value === 'number' ? held === NUMBER && this.numbers[k] === value : held === OTHER && this.others[k] === value)) {
      return false;
    }
    if (typeof value === 'number') {
      this.numbers[k] = value;
      this.held[k] = NUMBER;
    } else {
      this.others[k] = value;
      this.held[k] = OTHER;
    }
    this.qualities[k] = quality;
    this.times[k] = ts;
    if (!this.stale[k]) {
      this.stale[k] = 1;
      this.staleOf[this.machineOf[k]!]!.push(k);
    }
    return true;
  }

  /** Machine (plant order) of tag k. */
  machineOfTag(k: number): number {
    return this.machineOf[k]!;
  }

  meaning(k: number): number {
    return this.meanings[k]!;
  }

  /** Tag k's LiveTag brought up to date, undefined before its first reading (one object per tag, updated in place). */
  live(k: number): LiveTag | undefined {
    return this.held[k] === UNSEEN ? undefined : this.refresh(k);
  }

  /** Brings machine m's LiveTags up to date. */
  refreshMachine(m: number): Record<string, LiveTag> {
    const stale = this.staleOf[m]!;
    for (const k of stale) if (this.stale[k]) this.refresh(k);
    stale.length = 0;
    return this.liveTags[m]!;
  }

  private refresh(k: number): LiveTag {
    const value = this.held[k] === NUMBER ? this.numbers[k]! : this.others[k]!;
    const quality = QUALITIES[this.qualities[k]!]!;
    let live = this.lives[k];
    if (live) {
      live.value = value;
      live.quality = quality;
      live.ts = this.times[k]!;
    } else {
      live = this.lives[k] = { value, quality, ts: this.times[k]! };
      this.liveTags[this.machineOf[k]!]![this.names[k]!] = live;
    }
    this.stale[k] = 0;
    return live;
  }
}
