// The live plant model: current tag values per machine, and what they mean — state,
// part-count and energy deltas. Synchronous and deterministic; I/O lives elsewhere.
import type { MachineConfig, MachineState, PlantConfig, TagConfig, TagRole } from '../../shared/plant-schema.js';
import type { LiveTag, TagValue } from '../../shared/live-protocol.js';
import { tagId, type TagSample } from '../connectors/connector.js';
import { QUALITIES, SampleBatch } from '../connectors/sample-batch.js';
import { totalDelta } from './meter-delta.js';
import { TagChanges, type TagCatalogue, type TagChange } from './tag-changes.js';

export type ModelEvent =
  /** Tags whose value or quality changed, in sample order (apply() puts at most one such event first). */
  | { kind: 'tags'; changes: TagChanges }
  | { kind: 'state'; machineId: string; state: MachineState; previous: MachineState; ts: number; reason: string | null }
  | { kind: 'count'; machineId: string; deltaTotal: number; deltaGood: number; ts: number }
  | { kind: 'energy'; machineId: string; deltaKWh: number; ts: number };

/** The events about a machine as a whole (state, counts, energy), as the KPI engine takes them. */
export type MachineEvent = Exclude<ModelEvent, { kind: 'tags' }>;

/** The tag changes of an event list as plain objects, in order: for tests and code where clarity beats speed. */
export function tagChangesIn(events: readonly ModelEvent[]): TagChange[] {
  return events.flatMap((e) => (e.kind === 'tags' ? e.changes.toList() : []));
}

/** Every machine an event list is about, each once. */
export function machinesIn(events: readonly ModelEvent[]): Set<string> {
  const machines = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'tags') machines.add(e.machineId);
    else for (let i = 0; i < e.changes.length; i++) machines.add(e.changes.machineId(i));
  }
  return machines;
}

export interface MachineStatus {
  machineId: string;
  state: MachineState;
  stateSince: number;
  faultCode: number | null;
  tags: Record<string, LiveTag>;
  updatedAt: number;
}

interface MachineSlot {
  config: MachineConfig;
  /** Plant-wide index of its state tag, -1 without one. */
  stateIndex: number;
  status: MachineStatus;
  lastTotals: Partial<Record<TagRole, number>>;
  /** The apply() call that last touched this machine, so a batch lists each machine once without a Set. */
  touchedIn: number;
  /** Tags changed since `status.tags` was last brought up to date. */
  dirty: number[];
}

/** Quality codes as SampleBatch keeps them. */
const GOOD = 0;
const BAD = 2;
/** Whether a batch's plant indexes are this model's: checked on its first indexed row. */
const UNCHECKED = 0;
const OURS = 1;
const NOT_OURS = 2;

export interface PlantModel {
  /** Applies one batch of samples; returns what it changed, in order. */
  apply(batch: SampleBatch | readonly TagSample[]): ModelEvent[];
  machine(machineId: string): MachineStatus | undefined;
  machines(): MachineStatus[];
}

export function deriveState(slot: { config: MachineConfig }, stateTag: LiveTag | undefined): MachineState {
  // Comm loss is never silently counted as running or down.
  if (!stateTag || stateTag.quality === 'bad' || typeof stateTag.value !== 'number') return 'no-data';
  return slot.config.stateCodes[String(stateTag.value)] ?? 'no-data';
}

/** Tags whose deltas the model counts: part counters and energy meters. */
export const TOTAL_ROLES: readonly TagRole[] = ['totalCount', 'goodCount', 'energy'];

/**
 * `baseline`: last known raw totals by tag id (from the historian after a restart); without
 * one, a counter's first reading is its baseline.
 */
export function createPlantModel(plant: PlantConfig, startedAt: number, baseline: ReadonlyMap<string, number> = new Map()): PlantModel {
  const slots = new Map<string, MachineSlot>();
  // Current values live in flat arrays by plant-wide tag index, written per sample; the LiveTag
  // objects of `status.tags` are brought up to date when someone reads a machine. At tens of
  // thousands of changes a second, objects per tag touched per sample (a slot, a live tag, its
  // boxed time) cost more in cache misses than the work itself.
  const tagCount = plant.machines.reduce((n, m) => n + m.tags.length, 0);
  const ids: string[] = [];
  const names: string[] = [];
  const machineIds: string[] = [];
  const configs: TagConfig[] = [];
  const machineOf = new Int32Array(tagCount);
  const machineSlots: MachineSlot[] = [];
  /** 1: counter or meter; 2: fault code. */
  const flags = new Uint8Array(tagCount);
  /** 0: never seen; 1: the value is in `numbers`; 2: in `others`. */
  const kinds = new Uint8Array(tagCount);
  const numbers = new Float64Array(tagCount);
  const others: TagValue[] = new Array<TagValue>(tagCount).fill(null);
  const qualities = new Uint8Array(tagCount);
  const times = new Float64Array(tagCount);
  const dirty = new Uint8Array(tagCount);
  const lives: (LiveTag | undefined)[] = new Array<LiveTag | undefined>(tagCount).fill(undefined);
  /** The tag that followed each in the last batch: connectors send their tags in a fixed order, and a right guess saves a hash lookup. */
  const nextIndex = new Int32Array(tagCount).fill(-1);
  const indexOf = new Map<string, number>();
  for (const config of plant.machines) {
    const slot: MachineSlot = {
      config,
      stateIndex: -1,
      status: { machineId: config.id, state: 'no-data', stateSince: startedAt, faultCode: null, tags: {}, updatedAt: startedAt },
      lastTotals: {},
      touchedIn: 0,
      dirty: [],
    };
    slots.set(config.id, slot);
    for (const tag of config.tags) {
      const k = ids.length;
      const id = tagId(config, tag);
      ids.push(id);
      names.push(tag.name);
      machineIds.push(config.id);
      configs.push(tag);
      machineOf[k] = machineSlots.length;
      flags[k] = TOTAL_ROLES.includes(tag.role) ? 1 : tag.role === 'faultCode' ? 2 : 0;
      indexOf.set(id, k);
      if (tag.role === 'state' && slot.stateIndex < 0) slot.stateIndex = k;
      const known = baseline.get(id);
      if (known !== undefined && TOTAL_ROLES.includes(tag.role)) slot.lastTotals[tag.role] = known;
    }
    machineSlots.push(slot);
  }

  const catalogue: TagCatalogue = { ids, names, machineIds };

  /** Brings tag k's LiveTag up to date (updated in place; readers copy what they keep, see machine-diff.ts). */
  function refresh(k: number): LiveTag {
    const value = kinds[k] === 1 ? numbers[k]! : others[k]!;
    const quality = QUALITIES[qualities[k]!]!;
    let live = lives[k];
    if (live) {
      live.value = value;
      live.quality = quality;
      live.ts = times[k]!;
    } else {
      live = lives[k] = { value, quality, ts: times[k]! };
      machineSlots[machineOf[k]!]!.status.tags[names[k]!] = live;
    }
    dirty[k] = 0;
    return live;
  }

  function current(slot: MachineSlot): MachineStatus {
    for (const k of slot.dirty) if (dirty[k]) refresh(k);
    slot.dirty.length = 0;
    return slot.status;
  }

  let applied = 0;
  function apply(input: SampleBatch | readonly TagSample[]): ModelEvent[] {
    const batch = input instanceof SampleBatch ? input : SampleBatch.of(input);
    const events: ModelEvent[] = [];
    const changes = new TagChanges(catalogue, batch.length);
    const counted = new Map<string, { deltaTotal: number; deltaGood: number; ts: number }>();
    const touched: MachineSlot[] = [];
    const call = ++applied;
    let previous = -1;
    // Connectors say each tag's plant index (BoundTag.index). Taking it saves comparing tag ids:
    // a string comparison reads both strings, and at a thousand scattered strings per poll those
    // reads miss the cache. The first indexed row checks that the connector's plant is ours.
    let indexes = UNCHECKED;
    for (let i = 0; i < batch.length; i++) {
      let k = batch.index(i);
      if (k >= tagCount) k = -1;
      if (k >= 0 && indexes === UNCHECKED) indexes = ids[k] === batch.tag(i) ? OURS : NOT_OURS;
      if (indexes === NOT_OURS) k = -1;
      if (k < 0) {
        const id = batch.tag(i);
        k = previous >= 0 ? nextIndex[previous]! : -1;
        if (k < 0 || ids[k] !== id) {
          k = indexOf.get(id) ?? -1;
          if (k < 0) continue;
          if (previous >= 0) nextIndex[previous] = k;
        }
      }
      previous = k;
      const value = batch.value(i);
      const quality = batch.qualityCodeAt(i);
      const kind = kinds[k];
      if (kind !== 0 && qualities[k] === quality && (typeof value === 'number' ? kind === 1 && numbers[k] === value : kind === 2 && others[k] === value)) continue;
      if (typeof value === 'number') {
        numbers[k] = value;
        kinds[k] = 1;
      } else {
        others[k] = value;
        kinds[k] = 2;
      }
      qualities[k] = quality;
      const ts = batch.ts(i);
      const receivedTs = batch.receivedTs(i);
      times[k] = ts;
      const slot = machineSlots[machineOf[k]!]!;
      if (!dirty[k]) {
        dirty[k] = 1;
        slot.dirty.push(k);
      }
      if (receivedTs > slot.status.updatedAt) slot.status.updatedAt = receivedTs;
      if (slot.touchedIn !== call) {
        slot.touchedIn = call;
        touched.push(slot);
      }
      changes.add(k, value, quality, ts, receivedTs);
      const flag = flags[k];
      if (flag === 0) continue;

      if (flag === 2 && quality !== BAD) {
        slot.status.faultCode = typeof value === 'number' && value !== 0 ? value : null;
      }
      if (flag === 1 && quality === GOOD && typeof value === 'number') {
        const tag = configs[k]!;
        const last = slot.lastTotals[tag.role];
        slot.lastTotals[tag.role] = value;
        if (last === undefined) continue; // first reading is the baseline, not production
        const delta = totalDelta(tag, last, value);
        if (delta <= 0) continue;
        if (tag.role === 'energy') {
          events.push({ kind: 'energy', machineId: slot.config.id, deltaKWh: delta, ts });
        } else {
          const acc = counted.get(slot.config.id) ?? { deltaTotal: 0, deltaGood: 0, ts };
          if (tag.role === 'totalCount') acc.deltaTotal += delta;
          else acc.deltaGood += delta;
          acc.ts = Math.max(acc.ts, ts);
          counted.set(slot.config.id, acc);
        }
      }
    }
    if (changes.length) events.unshift({ kind: 'tags', changes });
    for (const [machineId, c] of counted) events.push({ kind: 'count', machineId, ...c });
    for (const slot of touched) {
      const k = slot.stateIndex;
      const live = k >= 0 && kinds[k] !== 0 ? refresh(k) : undefined;
      const state = deriveState(slot, live);
      if (state !== slot.status.state) {
        const previousState = slot.status.state;
        const ts = live?.ts ?? slot.status.updatedAt;
        const reason = state === 'down' && slot.status.faultCode !== null ? `fault ${slot.status.faultCode}` : null;
        slot.status.state = state;
        slot.status.stateSince = ts;
        events.push({ kind: 'state', machineId: slot.config.id, state, previous: previousState, ts, reason });
      }
    }
    return events;
  }

  return {
    apply,
    machine: (id) => {
      const slot = slots.get(id);
      return slot && current(slot);
    },
    machines: () => machineSlots.map(current),
  };
}
