// Connectors that outlive a recomposition (issue 21.5): a device whose own config and whose
// machines' tags did not change keeps its connector — the same object, the same OPC UA session
// or Modbus socket — while the runtime around it is composed again. The connector was started
// with a feed, not with the runtime's callback: the feed forwards each batch to whichever
// runtime owns the connector now, and holds what arrives between two owners, so the historian
// of the new runtime gets every sample the connector read during the swap.
import { createHash } from 'node:crypto';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { SampleBatch, type BoundTag, type Connector } from '../connectors/index.js';
import type { Log } from '../logger.js';

/**
 * What a device's connector is built from: the device's config and its machines' ids and tags,
 * in file order. Equal keys in two plants: the running connector can serve the new one.
 */
export function connectorKey(plant: PlantConfig, deviceId: string): string {
  const device = plant.devices.find((d) => d.id === deviceId);
  const machines = plant.machines.filter((m) => m.device === deviceId).map((m) => ({ id: m.id, tags: m.tags }));
  return createHash('sha256').update(JSON.stringify({ device, machines })).digest('hex');
}

/** A running connector on its way from the runtime being replaced to the next one. */
export interface HandedConnector {
  key: string;
  connector: Connector;
  feed: ConnectorFeed;
  /** Its tags as bound in the plant it was started for (their positions may differ in the next plant). */
  tags: BoundTag[];
  /** The last value of each of its tags as the old runtime's model held them: a subscription sends only changes. */
  seed: SampleBatch;
}

/** Rows held while no runtime owns the connector; a swap takes seconds, a connector reads far less. */
const HOLD_MAX_ROWS = 500_000;

/** Old tag positions → positions in the new plant (by tag id), or null when none moved. */
export function positionsMap(before: readonly BoundTag[], after: readonly BoundTag[]): Int32Array | null {
  const now = new Map(after.map((t) => [t.id, t.index ?? -1]));
  const size = Math.max(0, ...before.map((t) => (t.index ?? -1) + 1));
  const map = new Int32Array(size).fill(-1);
  let moved = false;
  for (const t of before) {
    if (t.index === undefined) continue;
    const k = now.get(t.id) ?? -1;
    map[t.index] = k;
    if (k !== t.index) moved = true;
  }
  return moved ? map : null;
}

export class ConnectorFeed {
  private target: ((batch: SampleBatch) => void) | null = null;
  private positions: Int32Array | null = null;
  private held = new SampleBatch(256);
  private dropped = 0;
  private readonly copy = new SampleBatch(64);
  /** A runtime owns the connector (false between handOver() and the next runtime's attach()). */
  attached = false;

  constructor(readonly deviceId: string, private readonly log: Log) {}

  /** The callback the connector is started with, once for its life. */
  readonly deliver = (batch: SampleBatch): void => {
    if (this.target) this.target(this.translated(batch));
    else this.hold(batch);
  };

  /** From now on batches go to `target`: first `seed`, then what was held, then each new read. */
  attach(target: (batch: SampleBatch) => void, positions: Int32Array | null, seed?: SampleBatch): void {
    this.positions = positions;
    if (seed?.length) target(this.translated(seed));
    if (this.held.length) target(this.translated(this.held));
    if (this.dropped) this.log('warn', `${this.deviceId}: ${this.dropped} samples read during the plant swap were not kept (more than ${HOLD_MAX_ROWS} held)`);
    this.held = new SampleBatch(256);
    this.dropped = 0;
    this.target = target;
    this.attached = true;
  }

  /** Until the next attach(), batches are held. */
  detach(): void {
    this.target = null;
    this.attached = false;
  }

  private hold(batch: SampleBatch): void {
    for (let i = 0; i < batch.length; i++) {
      if (this.held.length >= HOLD_MAX_ROWS) { this.dropped += batch.length - i; return; }
      this.held.push(batch.tagId(i), batch.value(i), batch.quality(i), batch.ts(i), batch.receivedTs(i), batch.index(i));
    }
  }

  /** The batch with each row's tag position as the current plant has it. */
  private translated(batch: SampleBatch): SampleBatch {
    const map = this.positions;
    if (!map) return batch;
    const copy = this.copy;
    copy.clear();
    for (let i = 0; i < batch.length; i++) {
      const k = batch.index(i);
      copy.push(batch.tagId(i), batch.value(i), batch.quality(i), batch.ts(i), batch.receivedTs(i), k >= 0 && k < map.length ? map[k]! : -1);
    }
    return copy;
  }
}
