// Births and data by exception without a broker: the real plant model (modelLine) feeds the
// births and the data publisher, whose outlet records what would be published or queued.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createBirths } from '../../edge/uplink/births.js';
import { createDataPublisher, ReportedValues, type DataOutlet } from '../../edge/uplink/data-publisher.js';
import { buildCatalogue, COMMAND_RESULT, NODE_METRIC, qualityCode } from '../../edge/uplink/metric-catalogue.js';
import { createMetricValues } from '../../edge/uplink/metric-values.js';
import type { Metric } from '../../edge/uplink/sparkplug-codec.js';
import { modelLine } from './support/model-line.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const catalogue = buildCatalogue(plant);
const nameOf = (m: Metric) => catalogue.byAlias(m.alias!)!.name;

function harness(queue = { queued: 0, dropped: 0 }) {
  const line = modelLine(plant);
  const reported = new ReportedValues();
  const values = createMetricValues(catalogue, line.source, { queuedMetrics: () => queue.queued, droppedMetrics: () => queue.dropped });
  const births = createBirths({ catalogue, source: line.source, values, reported, now: line.now, startedAt: 5, lastCommandResult: () => '{"id":1}' });
  const out: Array<{ kind: 'publish' | 'queue' | 'birth' | 'death'; device: string | null; metrics?: Metric[] }> = [];
  let online = false;
  const outlet: DataOutlet = {
    online: () => online,
    isBorn: births.isBorn,
    birth: (id) => { births.device(id); out.push({ kind: 'birth', device: id }); },
    death: (id) => { births.died(id); out.push({ kind: 'death', device: id }); },
    publish: (device, metrics) => out.push({ kind: 'publish', device, metrics }),
    queue: (device, metrics) => out.push({ kind: 'queue', device, metrics }),
  };
  const data = createDataPublisher({ catalogue, source: line.source, values, reported, outlet, now: line.now });
  line.sink = { name: 'test', onModelEvents: (events) => void data.collect(events) };
  /** As the edge node does: NBIRTH, a DBIRTH per machine, each replacing the changes gathered before it. */
  const bornAll = () => {
    births.node(0);
    for (const m of plant.machines) {
      births.device(m.id);
      data.forget(m.id);
    }
  };
  return { line, births, data, out, bornAll, goOnline: () => { online = true; } };
}

describe('births', () => {
  it('NBIRTH names every node metric once, with bdSeq, and sets what data is measured against', () => {
    const h = harness();
    const birth = h.births.node(9);
    const names = birth.metrics.map((m) => m.name);
    expect(names.slice(0, 6)).toEqual([NODE_METRIC.bdSeq, NODE_METRIC.rebirth, NODE_METRIC.software, NODE_METRIC.plantView, NODE_METRIC.kpiSettings, NODE_METRIC.startedAt]);
    expect(new Set(names).size).toBe(names.length);
    expect(birth.metrics[0]).toMatchObject({ value: 9, type: 'UInt64' });
    expect(birth.metrics.find((m) => m.name === NODE_METRIC.startedAt)!.value).toBe(5);
    // Every node metric of the catalogue is in the birth.
    expect(new Set(names)).toEqual(new Set(catalogue.node.map((d) => d.name)));
  });

  it('DBIRTH carries every metric of the machine with current values, tag quality and unit, and marks it born', () => {
    const h = harness();
    h.line.allRunning();
    const mill = 'mill';
    expect(h.births.isBorn(mill)).toBe(false);
    const birth = h.births.device(mill)!;
    expect(birth.metrics.map((m) => m.name).sort()).toEqual(catalogue.devices.get(mill)!.map((d) => d.name).sort());
    const by = (name: string) => birth.metrics.find((m) => m.name === name)!;
    expect(by('State').value).toBe('running');
    expect(by(COMMAND_RESULT).value).toBe('{"id":1}');
    expect(by('Tags/spindleSpeed')).toMatchObject({ value: 10, properties: { Quality: { value: qualityCode('good') }, engUnit: { value: 'rpm' } } });
    expect(h.births.isBorn(mill)).toBe(true);
    h.births.died(mill);
    expect(h.births.isBorn(mill)).toBe(false);
    h.births.device(mill);
    h.births.reset();
    expect(h.births.isBorn(mill)).toBe(false);
    expect(h.births.device('no-such-machine')).toBeNull();
  });
});

describe('data by exception', () => {
  it('online and born: one DDATA per changed machine with only the changed metrics, nothing when nothing changed', () => {
    const h = harness();
    h.line.allRunning();
    h.goOnline();
    h.bornAll();
    h.data.flush();
    expect(h.out).toEqual([]); // the births reported every current value
    h.line.advance(1000);
    h.line.feed([{ tag: 'mill.spindleSpeed', value: 1234.5 }]);
    h.data.flush();
    expect(h.out.map((o) => [o.kind, o.device])).toEqual([['publish', 'mill']]);
    expect(h.out[0]!.metrics!.map(nameOf).sort()).toEqual(['Tags/spindleSpeed', 'Updated At']);
    const speed = h.out[0]!.metrics!.find((m) => nameOf(m) === 'Tags/spindleSpeed')!;
    expect(speed).toMatchObject({ value: 1234.5, timestamp: h.line.now() });
    expect(speed.properties, 'quality is sent only when it changes').toBeUndefined();
    h.out.length = 0;
    h.data.markAll();
    h.data.flush();
    expect(h.out).toEqual([]);
  });

  it('a machine whose data is lost gets its last data (bad quality, no-data), then its death; it is born again when data returns', () => {
    const h = harness();
    h.line.allRunning();
    h.goOnline();
    h.bornAll();
    h.line.lose('washer');
    h.data.flush();
    expect(h.out.map((o) => [o.kind, o.device])).toEqual([['publish', 'washer'], ['death', 'washer']]);
    const metrics = h.out[0]!.metrics!;
    expect(metrics.find((m) => nameOf(m) === 'State')!.value).toBe('no-data');
    expect(metrics.some((m) => m.properties?.Quality?.value === qualityCode('bad'))).toBe(true);
    h.out.length = 0;
    h.line.lose('washer');
    h.data.flush();
    expect(h.out, 'dead: nothing until its birth').toEqual([]);
    h.line.allRunning();
    h.data.flush();
    expect(h.out.filter((o) => o.device === 'washer').map((o) => o.kind)).toEqual(['birth']);
  });

  it('a machine whose first data comes in several samples: the DBIRTH states the last, the earlier follow it as history', () => {
    const h = harness();
    h.goOnline();
    h.bornAll(); // no data yet: born with empty tags
    h.data.markAll();
    h.data.flush();
    expect(h.out.filter((o) => o.device === 'mill').map((o) => o.kind)).toEqual(['death']);
    h.out.length = 0;
    const t0 = h.line.now();
    h.line.allRunning(t0);
    h.line.advance(40);
    h.line.feed([{ tag: 'mill.spindleSpeed', value: 11 }]);
    h.line.advance(40);
    h.line.feed([{ tag: 'mill.spindleSpeed', value: 12 }]);
    h.data.flush();
    const mill = h.out.filter((o) => o.device === 'mill');
    expect(mill.map((o) => o.kind)).toEqual(['birth', 'publish']);
    const speeds = mill[1]!.metrics!.filter((m) => nameOf(m) === 'Tags/spindleSpeed');
    expect(speeds.map((m) => [m.value, m.timestamp, m.isHistorical])).toEqual([[10, t0, true], [11, t0 + 40, true]]);
    // The birth's value (12 at t0 + 80) is not sent again; nothing else in the history message is current.
    expect(mill[1]!.metrics!.every((m) => m.isHistorical && m.timestamp! < t0 + 80)).toBe(true);
    // A machine whose first data is one sample: the birth alone.
    expect(h.out.filter((o) => o.device === 'washer').map((o) => o.kind)).toEqual(['birth']);
  });

  it('offline: changes are queued (node queue statistics are not), and what was queued is not queued again', () => {
    const q = { queued: 0, dropped: 0 };
    const h = harness(q);
    h.line.allRunning();
    h.data.markAll();
    h.data.flush();
    expect(h.out.every((o) => o.kind === 'queue')).toBe(true);
    expect(h.out.map((o) => o.device).sort()).toEqual([null, ...plant.machines.map((m) => m.id)].sort());
    const nodeNames = h.out.find((o) => o.device === null)!.metrics!.map(nameOf);
    expect(nodeNames).not.toContain(NODE_METRIC.queuedMetrics);
    expect(nodeNames).not.toContain(NODE_METRIC.droppedMetrics);
    h.out.length = 0;
    q.queued = 500;
    h.data.markAll();
    h.data.flush();
    expect(h.out).toEqual([]);
    // Online, the queue statistics are news.
    h.goOnline();
    h.bornAll();
    q.queued = 480;
    h.data.markAll();
    h.data.flush();
    expect(h.out.map((o) => o.device)).toEqual([null]);
    expect(h.out[0]!.metrics!.map(nameOf)).toEqual([NODE_METRIC.queuedMetrics]);
  });

  it('a birth drops the changes gathered before it (it carries the current values)', () => {
    const h = harness();
    h.line.allRunning();
    h.goOnline();
    h.bornAll();
    h.line.feed([{ tag: 'mill.spindleSpeed', value: 77 }]);
    h.births.device('mill');
    h.data.forget('mill');
    h.data.flush();
    expect(h.out.filter((o) => o.kind === 'publish').flatMap((o) => o.metrics!.map(nameOf))).not.toContain('Tags/spindleSpeed');
  });
});
