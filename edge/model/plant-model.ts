// The live plant model: current tag values per machine, and what they mean — state,
// part-count and energy deltas. Synchronous and deterministic; I/O lives elsewhere.
// Outside sees machines (machine(), machines()) and what each apply() changed (ModelEvents;
// tag changes are read with `for (const c of changes)`); how values are held and tags are
// found is the tag table's business (tag-table.ts, private to this folder).
import type { MachineConfig, MachineState, PlantConfig, TagConfig, TagRole } from '../../shared/plant-schema.js';
import type { LiveTag } from '../../shared/live-protocol.js';
import { countingModeOf, partsOf, type CountingMode } from '../../shared/count-roles.js';
import { tagId, type TagSample } from '../connectors/index.js';
import { QUALITIES, SampleBatch } from '../connectors/index.js';
import { totalDelta } from './meter-delta.js';
import { TagChanges, type TagChange } from './tag-changes.js';
import { TagTable } from './tag-table.js';

export type { TagChange, TagChanges } from './tag-changes.js';

export type ModelEvent =
  /** Tags whose value or quality changed, in sample order (apply() puts at most one such event first). */
  | { kind: 'tags'; changes: TagChanges }
  | { kind: 'state'; machineId: string; state: MachineState; previous: MachineState; ts: number; reason: string | null }
  /** deltaGood may be negative: booked scrap, or a reject counter ticking a poll after the total (shared/count-roles.ts). */
  | { kind: 'count'; machineId: string; deltaTotal: number; deltaGood: number; ts: number }
  | { kind: 'energy'; machineId: string; deltaKWh: number; ts: number };

/** The events about a machine as a whole (state, counts, energy), as the KPI engine takes them. */
export type MachineEvent = Exclude<ModelEvent, { kind: 'tags' }>;

/** The tag changes of an event list as plain objects, in order: for tests and code where clarity beats speed. */
export function tagChangesIn(events: readonly ModelEvent[]): TagChange[] {
  return events.flatMap((e) => (e.kind === 'tags' ? e.changes.toList() : []));
}

/** Every machine an event list is about, each once (added to `into` when given). */
export function machinesIn(events: readonly ModelEvent[], into = new Set<string>()): Set<string> {
  for (const e of events) {
    if (e.kind !== 'tags') into.add(e.machineId);
    else for (const c of e.changes) into.add(c.machineId);
  }
  return into;
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
  /** Position of its state tag in the tag table, -1 without one. */
  stateTag: number;
  status: MachineStatus;
  lastTotals: Partial<Record<TagRole, number>>;
  /** Which counters the machine has, so its deltas become total and good parts. */
  counting: CountingMode;
  /** The apply() call that last touched this machine, so a batch lists each machine once without a Set. */
  touchedIn: number;
}

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
export const TOTAL_ROLES: readonly TagRole[] = ['totalCount', 'goodCount', 'scrapCount', 'energy'];

/** What a tag means to the model besides its value (kept per tag in the tag table). */
const PLAIN = 0;
const TOTAL = 1;
const FAULT_CODE = 2;
const meaningOf = (tag: TagConfig) => (TOTAL_ROLES.includes(tag.role) ? TOTAL : tag.role === 'faultCode' ? FAULT_CODE : PLAIN);

/** Quality as the tag table keeps it: its index in QUALITIES. */
const GOOD = QUALITIES.indexOf('good');
const BAD = QUALITIES.indexOf('bad');

/**
 * `baseline`: last known raw totals by tag id (from the historian after a restart); without
 * one, a counter's first reading is its baseline.
 */
export function createPlantModel(plant: PlantConfig, startedAt: number, baseline: ReadonlyMap<string, number> = new Map()): PlantModel {
  const tags = new TagTable(plant, meaningOf);
  const slots: MachineSlot[] = plant.machines.map((config, m) => {
    const slot: MachineSlot = {
      config,
      stateTag: -1,
      status: { machineId: config.id, state: 'no-data', stateSince: startedAt, faultCode: null, tags: tags.liveTags[m]!, updatedAt: startedAt },
      lastTotals: {},
      counting: countingModeOf(config),
      touchedIn: 0,
    };
    for (const tag of config.tags) {
      if (tag.role === 'state' && slot.stateTag < 0) slot.stateTag = tags.position(tagId(config, tag));
      const known = baseline.get(tagId(config, tag));
      if (known !== undefined && TOTAL_ROLES.includes(tag.role)) slot.lastTotals[tag.role] = known;
    }
    return slot;
  });
  const slotOf = new Map(slots.map((slot, m) => [slot.config.id, m]));

  function current(m: number): MachineStatus {
    tags.refreshMachine(m);
    return slots[m]!.status;
  }

  let applied = 0;
  function apply(input: SampleBatch | readonly TagSample[]): ModelEvent[] {
    const batch = input instanceof SampleBatch ? input : SampleBatch.of(input);
    const events: ModelEvent[] = [];
    const changes = new TagChanges(tags, batch.length);
    const counted = new Map<MachineSlot, { total: number; good: number; scrap: number; ts: number }>();
    const touched: MachineSlot[] = [];
    const call = ++applied;
    tags.startBatch();
    for (let i = 0; i < batch.length; i++) {
      const k = tags.find(batch, i);
      if (k < 0) continue;
      const value = batch.value(i);
      const quality = batch.qualityCodeAt(i);
      const ts = batch.ts(i);
      if (!tags.write(k, value, quality, ts)) continue;
      const receivedTs = batch.receivedTs(i);
      const slot = slots[tags.machineOfTag(k)]!;
      if (receivedTs > slot.status.updatedAt) slot.status.updatedAt = receivedTs;
      if (slot.touchedIn !== call) {
        slot.touchedIn = call;
        touched.push(slot);
      }
      changes.add(k, value, quality, ts, receivedTs);
      const meaning = tags.meaning(k);
      if (meaning === PLAIN) continue;

      if (meaning === FAULT_CODE && quality !== BAD) {
        slot.status.faultCode = typeof value === 'number' && value !== 0 ? value : null;
      }
      if (meaning === TOTAL && quality === GOOD && typeof value === 'number') {
        const tag = tags.configs[k]!;
        const last = slot.lastTotals[tag.role];
        slot.lastTotals[tag.role] = value;
        if (last === undefined) continue; // first reading is the baseline, not production
        const delta = totalDelta(tag, last, value);
        if (delta <= 0) continue;
        if (tag.role === 'energy') {
          events.push({ kind: 'energy', machineId: slot.config.id, deltaKWh: delta, ts });
        } else {
          const acc = counted.get(slot) ?? { total: 0, good: 0, scrap: 0, ts };
          if (tag.role === 'totalCount') acc.total += delta;
          else if (tag.role === 'goodCount') acc.good += delta;
          else acc.scrap += delta;
          acc.ts = Math.max(acc.ts, ts);
          counted.set(slot, acc);
        }
      }
    }
    if (changes.length) events.unshift({ kind: 'tags', changes });
    for (const [slot, c] of counted) {
      const parts = partsOf(slot.counting, c);
      if (parts.deltaTotal !== 0 || parts.deltaGood !== 0) events.push({ kind: 'count', machineId: slot.config.id, ...parts, ts: c.ts });
    }
    for (const slot of touched) {
      const live = slot.stateTag >= 0 ? tags.live(slot.stateTag) : undefined;
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
      const m = slotOf.get(id);
      return m === undefined ? undefined : current(m);
    },
    machines: () => slots.map((_, m) => current(m)),
  };
}
