// The feed a kept connector reads into across a recomposition (edge/plant-reload/connector-handover.ts):
// what it reads between two runtimes is held, then delivered after the seed, with each tag's
// position translated to the new plant; the connector key tells which devices can be kept.
import { describe, expect, it } from 'vitest';
import { ConnectorFeed, connectorKey, positionsMap } from '../../edge/plant-reload/index.js';
import { SampleBatch, tagsOfDevice } from '../../edge/connectors/index.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { loadPlantFile } from '../../edge/config/index.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const rows = (b: SampleBatch) => Array.from({ length: b.length }, (_, i) => ({ tag: b.tagId(i), value: b.value(i), index: b.index(i) }));

describe('connector hand-over', () => {
  it('the key changes with the device or its machines\' tags, not with other devices or positions', () => {
    const key = connectorKey(plant, 'plc-opcua');
    const moved: PlantConfig = { ...plant, machines: plant.machines.map((m) => ({ ...m, layout: { ...m.layout, x: m.layout.x + 1 } })) };
    expect(connectorKey(moved, 'plc-opcua')).toBe(key);
    const otherDevice: PlantConfig = { ...plant, devices: plant.devices.map((d) => (d.protocol === 'modbus-tcp' ? { ...d, pollIntervalMs: 250 } : d)) };
    expect(connectorKey(otherDevice, 'plc-opcua')).toBe(key);
    expect(connectorKey(otherDevice, 'plc-modbus')).not.toBe(connectorKey(plant, 'plc-modbus'));
    const tagGone: PlantConfig = { ...plant, machines: plant.machines.map((m) => (m.id === 'mill' ? { ...m, tags: m.tags.slice(1) } : m)) };
    expect(connectorKey(tagGone, 'plc-opcua')).not.toBe(key);
  });

  it('holds reads while detached, delivers seed, held reads and new reads in that order, positions translated', () => {
    // The new plant drops the loader (first machine, on the Modbus device): every later tag moves up.
    const next: PlantConfig = { ...plant, machines: plant.machines.filter((m) => m.id !== 'loader') };
    const before = tagsOfDevice(plant, 'plc-opcua');
    const after = tagsOfDevice(next, 'plc-opcua');
    const map = positionsMap(before, after)!;
    expect(map).not.toBeNull();
    const mill = before.find((t) => t.id === 'mill.state')!;
    expect(map[mill.index!]).toBe(after.find((t) => t.id === 'mill.state')!.index);
    expect(positionsMap(before, before)).toBeNull();

    const logs: string[] = [];
    const feed = new ConnectorFeed('plc-opcua', (_l, m) => logs.push(m));
    const got: { tag: string; value: unknown; index: number }[][] = [];
    const read = (value: number) => {
      const b = new SampleBatch(1);
      b.push(mill.id, value, 'good', 1000 + value, 1000 + value, mill.index);
      feed.deliver(b);
    };
    feed.attach((b) => got.push(rows(b)), null);
    read(1);
    feed.detach();
    expect(feed.attached).toBe(false);
    read(2);
    read(3);
    expect(got).toHaveLength(1);
    const seed = new SampleBatch(1);
    seed.push(mill.id, 1, 'good', 1001, 1001, mill.index);
    feed.attach((b) => got.push(rows(b)), map, seed);
    read(4);
    const newIndex = after.find((t) => t.id === 'mill.state')!.index;
    expect(newIndex).not.toBe(mill.index);
    expect(got.slice(1)).toEqual([
      [{ tag: 'mill.state', value: 1, index: newIndex }],
      [{ tag: 'mill.state', value: 2, index: newIndex }, { tag: 'mill.state', value: 3, index: newIndex }],
      [{ tag: 'mill.state', value: 4, index: newIndex }],
    ]);
    expect(got[0]).toEqual([{ tag: 'mill.state', value: 1, index: mill.index }]);
    expect(logs).toEqual([]);
  });
});
