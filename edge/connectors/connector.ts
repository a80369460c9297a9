// The seam between field protocols and the rest of the edge: one Connector per device endpoint.
import type { DeviceConfig, MachineConfig, PlantConfig, TagConfig } from '../../shared/plant-schema.js';
import type { DeviceHealth, Quality, TagValue } from '../../shared/live-protocol.js';

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

export interface ConnectorHealth extends DeviceHealth {}

export interface Connector {
  readonly deviceId: string;
  /** Connects and keeps reconnecting by itself; resolves once the first attempt is under way. */
  start(onSamples: (batch: TagSample[]) => void): Promise<void>;
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
  return plant.machines
    .filter((m) => m.device === deviceId)
    .flatMap((m) => m.tags.map((t) => ({ id: tagId(m, t), machineId: m.id, config: t })));
}
