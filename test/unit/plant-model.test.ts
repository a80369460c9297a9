import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createPlantModel, type ModelEvent } from '../../edge/model/plant-model.js';
import type { TagSample } from '../../edge/connectors/connector.js';

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
      const tags = events.filter((e) => e.kind === 'tag');
      const known = order.filter((n) => n !== 'nosuch');
      expect(tags.map((e) => e.tag)).toEqual(known);
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
});
