import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createPlantModel, tagChangesIn, type ModelEvent } from '../../edge/model/plant-model.js';
import { tagsOfDevice, type TagSample } from '../../edge/connectors/connector.js';
import { SampleBatch } from '../../edge/connectors/sample-batch.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const sample = (tag: string, value: TagSample['value'], ts: number, quality: TagSample['quality'] = 'good'): TagSample => ({ tag, value, quality, ts, receivedTs: ts });
const counts = (events: ModelEvent[]) => events.filter((e) => e.kind === 'count');

describe('plant model', () => {
  it('derives state from the PLC state code, and "no data" when the tag goes bad', () => {
    const model = createPlantModel(plant, 0);
    const [state] = model.apply([sample('mill.state', 1, 10)]).filter((e) => e.kind === 'state');
    expect(state).toMatchObject({ machineId: 'mill', state: 'running', previous: 'no-data', ts: 10 });
    model.apply([sample('mill.faultCode', 301, 20), sample('mill.state', 3, 20)]);
    expect(model.machine('mill')).toMatchObject({ state: 'down', faultCode: 301 });
    const [lost] = model.apply([sample('mill.state', null, 30, 'bad')]).filter((e) => e.kind === 'state');
    expect(lost).toMatchObject({ state: 'no-data', previous: 'down' });
  });

  it('takes the first counter reading as the baseline, then counts wrap-safe deltas', () => {
    const model = createPlantModel(plant, 0);
    expect(counts(model.apply([sample('packer.totalCount', 4_294_967_290, 1)]))).toEqual([]);
    expect(counts(model.apply([sample('packer.totalCount', 4, 2)]))).toEqual([{ kind: 'count', machineId: 'packer', deltaTotal: 10, deltaGood: 0, ts: 2 }]);
  });

  it('continues from a stored baseline after a restart, counting what was made while it was down', () => {
    const model = createPlantModel(plant, 0, new Map([['mill.totalCount', 100], ['mill.goodCount', 98], ['mill.energy', 50.5]]));
    const events = model.apply([sample('mill.totalCount', 107, 5), sample('mill.goodCount', 104, 5), sample('mill.energy', 51, 5)]);
    expect(counts(events)).toEqual([{ kind: 'count', machineId: 'mill', deltaTotal: 7, deltaGood: 6, ts: 5 }]);
    expect(events.find((e) => e.kind === 'energy')).toMatchObject({ deltaKWh: 0.5 });
  });

  it('ignores bad-quality counter readings instead of counting a drop', () => {
    const model = createPlantModel(plant, 0);
    model.apply([sample('loader.totalCount', 10, 1)]);
    expect(counts(model.apply([sample('loader.totalCount', null, 2, 'bad')]))).toEqual([]);
    expect(counts(model.apply([sample('loader.totalCount', 12, 3)]))[0]).toMatchObject({ deltaTotal: 2 });
  });

  it('applies every sample to its own tag whatever order the batches come in (it guesses from the last order)', () => {
    const model = createPlantModel(plant, 0);
    const names = ['spindleSpeed', 'power', 'state', 'faultCode'].filter((n) => plant.machines.find((m) => m.id === 'mill')!.tags.some((t) => t.name === n));
    const batches = [names, [...names].reverse(), [names[1]!, names[1]!, names[0]!], [names[0]!, 'nosuch', names[1]!]];
    batches.forEach((order, round) => {
      const events = model.apply(order.map((name, i) => sample(`mill.${name}`, round * 100 + i, round)));
      const known = order.filter((n) => n !== 'nosuch');
      expect(tagChangesIn(events).map((c) => c.tagName)).toEqual(known);
      known.forEach((name) => {
        const last = order.lastIndexOf(name);
        expect(model.machine('mill')!.tags[name]!.value).toBe(round * 100 + last);
      });
    });
  });

  it('shows the latest value, quality and time of every tag when a machine is read, however many changes came between reads', () => {
    const model = createPlantModel(plant, 0);
    model.apply([sample('mill.power', 1.5, 10), sample('mill.spindleSpeed', 1000, 10)]);
    const before = model.machine('mill')!.tags;
    expect(before.power).toEqual({ value: 1.5, quality: 'good', ts: 10 });
    model.apply([sample('mill.power', 2.5, 20)]);
    model.apply([sample('mill.power', null, 30, 'bad'), sample('mill.spindleSpeed', 'n/a', 30, 'uncertain')]);
    const after = model.machine('mill')!.tags;
    expect(after.power).toEqual({ value: null, quality: 'bad', ts: 30 });
    expect(after.spindleSpeed).toEqual({ value: 'n/a', quality: 'uncertain', ts: 30 });
    expect(model.machines().find((m) => m.machineId === 'mill')!.tags.power).toEqual({ value: null, quality: 'bad', ts: 30 });
    // an unchanged sample changes nothing, not even the time
    expect(model.apply([sample('mill.power', null, 40, 'bad')])).toEqual([]);
    expect(model.machine('mill')!.tags.power!.ts).toBe(30);
  });

  it('finds each sample\'s tag by the plant index its connector gave, and by id when the index is from another plant', () => {
    const bound = tagsOfDevice(plant, plant.machines[0]!.device);
    const [first, second] = bound;
    const read = (indexOf: (k: number) => number) => {
      const batch = new SampleBatch();
      batch.push(first!.id, 11, 'good', 1, 1, indexOf(first!.index!));
      batch.push(second!.id, 22, 'good', 1, 1, indexOf(second!.index!));
      return batch;
    };
    const name = (id: string) => id.slice(id.indexOf('.') + 1);
    const machine = first!.machineId;
    // The index is the tag's position in the plant, machines in file order: the model's order.
    const plantWide = plant.machines.flatMap((m) => m.tags.map((t) => `${m.id}.${t.name}`));
    expect(bound.map((b) => plantWide[b.index!])).toEqual(bound.map((b) => b.id));

    const model = createPlantModel(plant, 0);
    expect(tagChangesIn(model.apply(read((k) => k))).map((c) => [c.machineId, c.tagName, c.value])).toEqual([[machine, name(first!.id), 11], [second!.machineId, name(second!.id), 22]]);

    // A connector bound to a different plant (a tag added in front): its indexes point one tag
    // off, the model sees that on the first row and goes by id for the batch.
    const other = createPlantModel(plant, 0);
    other.apply(read((k) => k + 1));
    expect(other.machine(machine)!.tags[name(first!.id)]!.value).toBe(11);
    expect(other.machine(second!.machineId)!.tags[name(second!.id)]!.value).toBe(22);
    // …and an index past the end of the plant is ignored too.
    const beyond = createPlantModel(plant, 0);
    beyond.apply(read(() => 1_000_000));
    expect(beyond.machine(machine)!.tags[name(first!.id)]!.value).toBe(11);
  });
});
