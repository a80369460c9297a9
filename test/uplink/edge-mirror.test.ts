// The host's picture of one edge node, driven by hand-made Sparkplug payloads (pure logic).
import { beforeEach, describe, expect, it } from 'vitest';
import { EdgeMirror, type MirrorSink } from '../../edge/host/edge-mirror.js';
import { tagChangesIn, type ModelEvent } from '../../edge/model/plant-model.js';
import type { Metric, Payload } from '../../edge/uplink/sparkplug-codec.js';
import type { PlantView } from '../../shared/live-protocol.js';

const view: PlantView = {
  site: { id: 's', name: 'S', timezone: 'UTC' },
  line: { id: 'line-9', name: 'Line 9' },
  machines: [{ id: 'mill', name: 'Mill', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0, rotationDeg: 0 }, tags: [{ name: 'speed', role: 'process', type: 'float64', writable: false }] }],
};

let rebirths: string[];
let events: Array<{ events: ModelEvent[]; historical: boolean }>;
let mirror: EdgeMirror;
const T = 1_767_600_000_000;

const nbirth = (bdSeq: number): Payload => ({
  timestamp: T, seq: 0, metrics: [
    { name: 'bdSeq', alias: 0, type: 'UInt64', value: bdSeq, timestamp: T },
    { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false, timestamp: T },
    { name: 'Twinline/Plant View', alias: 2, type: 'String', value: JSON.stringify(view), timestamp: T },
    { name: 'Devices/plc/Connected', alias: 3, type: 'Boolean', value: true, timestamp: T },
  ],
});
const dbirth = (seq: number): Payload => ({
  timestamp: T, seq, metrics: [
    { name: 'State', alias: 10, type: 'String', value: 'running', timestamp: T },
    { name: 'State Since', alias: 11, type: 'DateTime', value: T - 5000, timestamp: T },
    { name: 'OEE/OEE', alias: 12, type: 'Double', value: 0.8, timestamp: T },
    { name: 'Tags/speed', alias: 13, type: 'Double', value: 100, timestamp: T, properties: { Quality: { type: 'Int32', value: 192 } } },
  ],
});
const ddata = (seq: number, metrics: Metric[]): Payload => ({ timestamp: T, seq, metrics });

beforeEach(() => {
  rebirths = [];
  events = [];
  const sink: MirrorSink = {
    touched: () => {}, events: (e, historical) => events.push({ events: e, historical }), lineChanged: () => {},
    requestRebirth: (reason) => rebirths.push(reason), commandResult: () => {}, log: () => {},
  };
  mirror = new EdgeMirror('g', 'line-9', sink, () => T + 1000);
  mirror.handleNode('NBIRTH', nbirth(7));
  mirror.handleDevice('DBIRTH', 'mill', dbirth(1));
});

describe('EdgeMirror', () => {
  it('rebuilds the line and its machine from the births', () => {
    expect(mirror.plantView!.line.id).toBe('line-9');
    expect(mirror.online).toBe(true);
    expect(mirror.bdSeq).toBe(7);
    expect(mirror.devices.get('plc')!.connected).toBe(true);
    expect(mirror.machines.get('mill')).toMatchObject({ state: 'running', stateSince: T - 5000, oee: { oee: 0.8 }, tags: { speed: { value: 100, quality: 'good', ts: T } } });
    expect(events.flatMap((e) => e.events).find((e) => e.kind === 'state')).toMatchObject({ state: 'running', ts: T - 5000 });
  });

  it('applies DDATA by alias; historical metrics go to the store only', () => {
    mirror.handleDevice('DDATA', 'mill', ddata(2, [
      { alias: 13, type: 'Double', value: 50, timestamp: T - 60_000, isHistorical: true },
      { alias: 13, type: 'Double', value: 120, timestamp: T + 500 },
    ]));
    expect(mirror.machines.get('mill')!.tags.speed).toEqual({ value: 120, quality: 'good', ts: T + 500 });
    expect(events.at(-2)!.historical).toBe(true);
    expect(tagChangesIn(events.at(-2)!.events)).toMatchObject([{ machineId: 'mill', tagName: 'speed', value: 50, ts: T - 60_000 }]);
    expect(events.at(-1)!.historical).toBe(false);
    expect(tagChangesIn(events.at(-1)!.events)).toMatchObject([{ machineId: 'mill', tagName: 'speed', value: 120 }]);
    expect(mirror.stats.historicalMetrics).toBe(1);
  });

  it('a DBIRTH tag without a value (the machine has no reading yet) is shown, not stored as a sample', () => {
    events = [];
    mirror.handleDevice('DBIRTH', 'mill', {
      timestamp: T + 10, seq: 2, metrics: [
        { name: 'State', alias: 10, type: 'String', value: 'no-data', timestamp: T + 10 },
        { name: 'Tags/speed', alias: 13, type: 'Double', value: null, timestamp: T + 10, properties: { Quality: { type: 'Int32', value: 0 } } },
      ],
    });
    expect(mirror.machines.get('mill')!.tags.speed).toEqual({ value: null, quality: 'bad', ts: T + 10 });
    expect(events.flatMap((e) => e.events).filter((e) => e.kind === 'tags')).toEqual([]);
    // Its first reading in the next birth is a sample.
    mirror.handleDevice('DBIRTH', 'mill', { ...dbirth(3), metrics: dbirth(3).metrics.map((m) => ({ ...m, timestamp: T + 20 })) });
    expect(tagChangesIn(events.flatMap((e) => e.events)).map((c) => [c.tagName, c.value, c.ts])).toEqual([['speed', 100, T + 20]]);
  });

  it('a seq gap asks for a rebirth and ignores data until the next NBIRTH', () => {
    mirror.handleDevice('DDATA', 'mill', ddata(5, [{ alias: 13, type: 'Double', value: 1, timestamp: T }]));
    expect(rebirths).toEqual(['seq gap']);
    expect(mirror.stats.seqGaps).toBe(1);
    mirror.handleDevice('DDATA', 'mill', ddata(6, [{ alias: 13, type: 'Double', value: 2, timestamp: T }]));
    expect(mirror.machines.get('mill')!.tags.speed!.value).toBe(100);
    expect(rebirths).toHaveLength(2);
    mirror.handleNode('NBIRTH', nbirth(7));
    mirror.handleDevice('DBIRTH', 'mill', dbirth(1));
    mirror.handleDevice('DDATA', 'mill', ddata(2, [{ alias: 13, type: 'Double', value: 3, timestamp: T }]));
    expect(mirror.machines.get('mill')!.tags.speed!.value).toBe(3);
  });

  it('seq wraps from 255 to 0 without a gap', () => {
    for (let s = 2; s <= 255; s++) mirror.handleDevice('DDATA', 'mill', ddata(s, [{ alias: 13, type: 'Double', value: s, timestamp: T }]));
    mirror.handleDevice('DDATA', 'mill', ddata(0, [{ alias: 13, type: 'Double', value: 0, timestamp: T }]));
    expect(mirror.stats.seqGaps).toBe(0);
    expect(mirror.machines.get('mill')!.tags.speed!.value).toBe(0);
  });

  it('DDEATH and NDEATH (matching bdSeq) make the line stale; an old session\'s NDEATH does not', () => {
    mirror.handleDevice('DDEATH', 'mill', { timestamp: T + 10, seq: 2, metrics: [] });
    expect(mirror.machines.get('mill')).toMatchObject({ state: 'no-data', stateSince: T + 10, tags: { speed: { quality: 'bad' } } });
    mirror.handleDevice('DBIRTH', 'mill', dbirth(3));
    mirror.handleNode('NDEATH', { timestamp: T + 20, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 6 }] });
    expect(mirror.online).toBe(true);
    expect(mirror.machines.get('mill')!.state).toBe('running');
    mirror.handleNode('NDEATH', { timestamp: T + 30, metrics: [{ name: 'bdSeq', type: 'UInt64', value: 7 }] });
    expect(mirror.online).toBe(false);
    expect(mirror.machines.get('mill')!.state).toBe('no-data');
    expect(mirror.devices.get('plc')!.connected).toBe(false);
  });

  it('data from a node it never saw born asks for a rebirth', () => {
    const other = new EdgeMirror('g', 'x', { ...{ touched: () => {}, events: () => {}, lineChanged: () => {}, commandResult: () => {}, log: () => {} }, requestRebirth: (r) => rebirths.push(r) }, () => T);
    other.handleNode('NDATA', ddata(4, []));
    expect(rebirths).toEqual(['NDATA from a node without a current NBIRTH']);
  });
});
