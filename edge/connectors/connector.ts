// The seam between field protocols and the rest of the edge: one Connector per device endpoint.
import type { DeviceConfig, MachineConfig, PlantConfig, TagConfig } from '../../shared/plant-schema.js';
import type { DeviceHealth, Quality, TagValue } from '../../shared/live-protocol.js';
import type { SampleBatch } from './sample-batch.js';

/** `<machineId>.<tagName>`: unique across the plant. */
export type TagId = string;

export interface TagSample {
  tag: TagId;
  value: TagValue;
  quality: Quality;
  /** Source timestamp (device clock where the protocol has one, else receive time), epoch ms. */
  ts: number;
  /** When the edge received it, epoch ms. */
  receivedTs: number;
}

export interface ConnectorHealth extends DeviceHealth {
  /** Reads answered since start (Modbus requests, OPC UA values received): the acquisition counter /metrics exports. */
  readsTotal?: number;
  /** Failed reads and connection attempts since start (edge/metrics). */
  errorsTotal?: number;
}

export interface Connector {
  readonly deviceId: string;
  /** Connects and keeps reconnecting by itself; resolves once the first attempt is under way. */
  /**
   * `batch`: one read's samples (a poll, a publish response), column by column. It may be
   * refilled after the callback returns: copy what you keep.
   */
  start(onSamples: (batch: SampleBatch) => void): Promise<void>;
  /** Only reached through the command service. */
  write(tag: TagId, value: TagValue): Promise<void>;
  /**
   * Several tags of this device at once, where the protocol can merge them (Modbus: back-to-back
   * coils in one FC 15, registers in one FC 16). Every value is checked before anything is sent.
   * Optional: callers fall back to write() one by one.
   */
  writeMany?(writes: readonly { tag: TagId; value: TagValue }[]): Promise<void>;
  health(): ConnectorHealth;
  stop(): Promise<void>;
}

/** A tag bound to its machine, as connectors need it. */
export interface BoundTag {
  id: TagId;
  machineId: string;
  config: TagConfig;
  /**
   * Position in the plant's tag list (machines in file order, each machine's tags in order):
   * the live model's index for the tag, so a sample finds its tag without comparing strings.
   * Absent for tags bound outside a plant (tests); the model then looks the id up.
   */
  index?: number;
}

export interface ConnectorContext<D extends DeviceConfig = DeviceConfig> {
  device: D;
  tags: BoundTag[];
  now: () => number;
  /** Folder for protocol state that must survive restarts (OPC UA PKI). */
  dataDir: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const ids = new WeakMap<TagConfig, TagId>();
/**
 * One string per tag for the life of the plant config: connectors and the model then hold the
 * same string, and matching a sample to its tag is a pointer comparison, not a text one.
 */
export function tagId(machine: MachineConfig, tag: TagConfig): TagId {
  const id = `${machine.id}.${tag.name}`;
  const known = ids.get(tag);
  if (known === id) return known;
  ids.set(tag, id);
  return id;
}

export function tagsOfDevice(plant: PlantConfig, deviceId: string): BoundTag[] {
  const bound: BoundTag[] = [];
  let index = 0;
  for (const m of plant.machines) {
    for (const t of m.tags) {
      if (m.device === deviceId) bound.push({ id: tagId(m, t), machineId: m.id, config: t, index });
      index++;
    }
  }
  return bound;
}
