// The live plant model: current tag values per machine, and what they mean — state,
// part-count and energy deltas. Synchronous and deterministic; I/O lives elsewhere.
import type { MachineConfig, MachineState, PlantConfig, TagConfig, TagRole } from '../../shared/plant-schema.js';
import type { LiveTag } from '../../shared/live-protocol.js';
import { tagId, type TagSample } from '../connectors/connector.js';
import { totalDelta } from './meter-delta.js';

export type ModelEvent =
  | { kind: 'tag'; machineId: string; tag: string; sample: TagSample }
  | { kind: 'state'; machineId: string; state: MachineState; previous: MachineState; ts: number; reason: string | null }
  | { kind: 'count'; machineId: string; deltaTotal: number; deltaGood: number; ts: number }
  | { kind: 'energy'; machineId: string; deltaKWh: number; ts: number };

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
  stateTag: TagConfig | undefined;
  status: MachineStatus;
  lastTotals: Partial<Record<TagRole, number>>;
  /** The apply() call that last touched this machine, so a batch lists each machine once without a Set. */
  touchedIn: number;
}

/** Where a tag lives, resolved once instead of per sample. */
interface TagSlot {
  id: string;
  /** The tag that followed this one in the last batch: connectors send their tags in a fixed order. */
  next: TagSlot | undefined;
  slot: MachineSlot;
  tag: TagConfig;
  name: string;
  total: boolean;
  fault: boolean;
  /** Its entry in `status.tags`, updated in place (see apply). */
  live: LiveTag | undefined;
}

export interface PlantModel {
  /** Applies one batch of samples; returns what it changed, in order. */
  apply(batch: readonly TagSample[]): ModelEvent[];
  machine(machineId: string): MachineStatus | undefined;
  machines(): MachineStatus[];
}

export function deriveState(slot: Pick<MachineSlot, 'config' | 'status'>, stateTag: LiveTag | undefined): MachineState {
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
  /** Tag id → where it lives, resolved once instead of per sample. */
  const byTagId = new Map<string, TagSlot>();
  for (const config of plant.machines) {
    const slot: MachineSlot = {
      config,
      stateTag: config.tags.find((t) => t.role === 'state'),
      status: { machineId: config.id, state: 'no-data', stateSince: startedAt, faultCode: null, tags: {}, updatedAt: startedAt },
      lastTotals: {},
      touchedIn: 0,
    };
    slots.set(config.id, slot);
    for (const tag of config.tags) {
      const id = tagId(config, tag);
      byTagId.set(id, { id, next: undefined, slot, tag, name: tag.name, total: TOTAL_ROLES.includes(tag.role), fault: tag.role === 'faultCode', live: undefined });
      const known = baseline.get(id);
      if (known !== undefined && TOTAL_ROLES.includes(tag.role)) slot.lastTotals[tag.role] = known;
    }
  }

  let applied = 0;
  function apply(batch: readonly TagSample[]): ModelEvent[] {
    const events: ModelEvent[] = [];
    const counted = new Map<string, { deltaTotal: number; deltaGood: number; ts: number }>();
    const touched: MachineSlot[] = [];
    const call = ++applied;
    let previous: TagSlot | undefined;
    for (const sample of batch) {
      // A guess from the last batch's order saves a hash lookup per sample when it is right.
      let target = previous?.next;
      if (target?.id !== sample.tag) {
        target = byTagId.get(sample.tag);
        if (!target) continue;
        if (previous) previous.next = target;
      }
      previous = target;
      const { slot, tag, name, total, fault } = target;
      const live = target.live;
      if (live) {
        if (live.value === sample.value && live.quality === sample.quality) continue;
        // In place: a new object per change would live until the next change, long enough to be
        // promoted out of the young generation, so tens of thousands of changes a second kept the
        // collector busy. Readers copy what they keep (machine-diff.ts).
        live.value = sample.value;
        live.quality = sample.quality;
        live.ts = sample.ts;
      } else {
        slot.status.tags[name] = target.live = { value: sample.value, quality: sample.quality, ts: sample.ts };
      }
      if (sample.receivedTs > slot.status.updatedAt) slot.status.updatedAt = sample.receivedTs;
      if (slot.touchedIn !== call) {
        slot.touchedIn = call;
        touched.push(slot);
      }
      events.push({ kind: 'tag', machineId: slot.config.id, tag: name, sample });

      if (fault && sample.quality !== 'bad') {
        slot.status.faultCode = typeof sample.value === 'number' && sample.value !== 0 ? sample.value : null;
      }
      if (total && sample.quality === 'good' && typeof sample.value === 'number') {
        const last = slot.lastTotals[tag.role];
        slot.lastTotals[tag.role] = sample.value;
        if (last === undefined) continue; // first reading is the baseline, not production
        const delta = totalDelta(tag, last, sample.value);
        if (delta <= 0) continue;
        if (tag.role === 'energy') {
          events.push({ kind: 'energy', machineId: slot.config.id, deltaKWh: delta, ts: sample.ts });
        } else {
          const acc = counted.get(slot.config.id) ?? { deltaTotal: 0, deltaGood: 0, ts: sample.ts };
          if (tag.role === 'totalCount') acc.deltaTotal += delta;
          else acc.deltaGood += delta;
          acc.ts = Math.max(acc.ts, sample.ts);
          counted.set(slot.config.id, acc);
        }
      }
    }
    for (const [machineId, c] of counted) events.push({ kind: 'count', machineId, ...c });
    for (const slot of touched) {
      const live = slot.stateTag ? slot.status.tags[slot.stateTag.name] : undefined;
      const state = deriveState(slot, live);
      if (state !== slot.status.state) {
        const previous = slot.status.state;
        const ts = live?.ts ?? slot.status.updatedAt;
        const reason = state === 'down' && slot.status.faultCode !== null ? `fault ${slot.status.faultCode}` : null;
        slot.status.state = state;
        slot.status.stateSince = ts;
        events.push({ kind: 'state', machineId: slot.config.id, state, previous, ts, reason });
      }
    }
    return events;
  }

  return {
    apply,
    machine: (id) => slots.get(id)?.status,
    machines: () => [...slots.values()].map((s) => s.status),
  };
}
