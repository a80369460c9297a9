// The PLC's view of the model: one published value per plant tag, typed and wrapped the way
// the tag's register or variable holds it, with the simulated instant it last changed.
// Both protocol servers read from here; fault injection overrides act here too.
import type { DataType, MachineConfig, PlantConfig, TagConfig } from '../shared/plant-schema.js';
import type { LineModel, MachineSnapshot } from './line-model.js';
import type { ResolvedBehaviour } from './scenario.js';

export type TagValue = number | boolean;

export interface PublishedTag {
  /** `<machineId>.<tagName>`, the key fault injection and the control API use. */
  key: string;
  machine: MachineConfig;
  tag: TagConfig;
  value: TagValue;
  /** Simulated epoch ms of the last change (the OPC UA source timestamp). */
  changedAt: number;
  /** A fault injection holds this value (freeze) or replaces it (NaN, out of range). */
  override?: { kind: 'freeze' | 'nan' | 'out-of-range'; value: TagValue };
  /** Last value a client wrote to a writable tag the model gives no meaning (PLC memory: a flag, a setpoint). */
  written?: TagValue;
}

const UINT_RANGE: Partial<Record<DataType, number>> = { uint16: 0x10000, uint32: 0x100000000 };

/** A counter as a register of this type holds it: unsigned registers wrap, like the PLC's. */
export function wrapCounter(count: number, type: DataType): number {
  const range = UINT_RANGE[type];
  if (range) return count % range;
  if (type === 'int16') return ((count + 0x8000) % 0x10000) - 0x8000;
  if (type === 'int32') return ((count + 0x80000000) % 0x100000000) - 0x80000000;
  return count;
}

/**
 * The meter as its register holds it. An integer register of `scale` kWh per count wraps at
 * its size (uint32 × 0.01 kWh wraps after 42 949 672.96 kWh); a float has no wrap of its
 * own, so the scenario may give one (`energyWrapKWh`, like a 6-digit meter display).
 */
export function meterReading(kWh: number, tag: TagConfig, wrapKWh: number | null): number {
  const scale = tag.modbus?.scale ?? 1;
  const range = UINT_RANGE[tag.type];
  if (range) {
    const raw = Math.floor(kWh / scale + 1e-9) % range;
    return Number((raw * scale).toFixed(6));
  }
  return wrapKWh ? kWh % wrapKWh : kWh;
}

function valueFor(tag: TagConfig, m: MachineSnapshot, behaviour: ResolvedBehaviour): TagValue {
  switch (tag.role) {
    case 'state': return m.stateCode;
    case 'faultCode': return m.faultCode;
    case 'totalCount': return wrapCounter(m.totalCount, tag.type);
    case 'goodCount': return wrapCounter(m.goodCount, tag.type);
    case 'scrapCount': return wrapCounter(m.totalCount - m.goodCount, tag.type);
    case 'orderId': return m.order;
    case 'productId': return m.productCode;
    case 'power': return round(m.powerKW, tag.type);
    case 'energy': return meterReading(m.energyKWh, tag, behaviour.energyWrapKWh);
    case 'speedOverride': return m.speedOverride;
    case 'resetFault': return false; // a pulse: the PLC clears it once it has acted
    case 'process': return round(m.signals[tag.name] ?? 0, tag.type, tag.modbus?.scale);
  }
}

/** Scaled integer registers hold whole counts of `scale`: publish what a client will read back. */
function round(value: number, type: DataType, scale = 1): number {
  if (type === 'float32') return Math.fround(value);
  if (type === 'float64') return value;
  return Math.round(value / scale) * scale;
}

export class TagImage {
  readonly tags: PublishedTag[] = [];
  private readonly byKey = new Map<string, PublishedTag>();
  /** Simulated ms of the last update: the source timestamp of a client write. */
  private lastUpdate: number;

  constructor(private readonly plant: PlantConfig, private readonly behaviours: Map<string, ResolvedBehaviour>, now: number) {
    this.lastUpdate = now;
    for (const machine of plant.machines) {
      for (const tag of machine.tags) {
        const t: PublishedTag = { key: `${machine.id}.${tag.name}`, machine, tag, value: tag.type === 'bool' ? false : 0, changedAt: now };
        this.tags.push(t);
        this.byKey.set(t.key, t);
      }
    }
  }

  get(key: string): PublishedTag {
    const t = this.byKey.get(key);
    if (!t) throw new RangeError(`no tag "${key}" (use <machineId>.<tagName>, e.g. ${this.tags[0]?.key})`);
    return t;
  }

  /** Publishes the model's current values; only changes move a tag's source timestamp. */
  update(model: LineModel): void {
    const now = model.now();
    this.lastUpdate = now;
    const snaps = new Map(model.snapshot().map((s) => [s.id, s]));
    for (const t of this.tags) {
      if (t.override?.kind === 'freeze') continue;
      const v = t.written ?? valueFor(t.tag, snaps.get(t.machine.id)!, this.behaviours.get(t.machine.id)!);
      if (!Object.is(v, t.value)) {
        t.value = v;
        t.changedAt = now;
      }
    }
  }

  /**
   * Keeps a client's write to a tag that is PLC memory (writable, role `process`): it reads
   * back until the next write, the way a PLC keeps a flag or setpoint it does not act on itself.
   */
  store(t: PublishedTag, value: TagValue): void {
    if (!t.tag.writable || t.tag.role !== 'process') throw new RangeError(`${t.key} is not a writable process tag`);
    t.written = value;
    if (!Object.is(t.value, value)) {
      t.value = value;
      t.changedAt = this.lastUpdate;
    }
  }

  /** What a client reads: the override if a fault injection set one. */
  read(t: PublishedTag): TagValue {
    return t.override && t.override.kind !== 'freeze' ? t.override.value : t.value;
  }
}
