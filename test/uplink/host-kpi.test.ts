// The pure parts of the host's KPIs and alarms: the alarm summary an edge publishes, the mirror
// reading KPI settings, start time, alarm lists and shift totals from births and data, and the
// host's per-line KPI engine booking "edge total minus host total" (no part twice, across a
// restart of the host, rebuilt from its own historian file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmView } from '../../shared/alarm-wire.js';
import { toPlantView } from '../../shared/live-protocol.js';
import { shiftAt } from '../../shared/kpi/shift-calendar.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { EdgeMirror, type MirrorSink, type PublishedShiftTotals } from '../../edge/host/edge-mirror.js';
import { createHostLineKpi } from '../../edge/host/line-kpi.js';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { summariseAlarms } from '../../edge/uplink/alarm-metrics.js';
import { kpiSettingsOf } from '../../edge/uplink/metric-catalogue.js';

const base = loadPlantFile('config/demo-plant.yaml');
const view = toPlantView(base);
const settings = kpiSettingsOf(base);
const T = Date.UTC(2026, 0, 5, 3, 0, 0); // 11:00 in Shanghai: the Early shift, after its break
const shift = shiftAt(base.calendar, base.site.timezone, T)!;

const alarm = (over: Partial<AlarmView>): AlarmView => ({
  key: 'fault@mill', ruleId: 'fault', kind: 'fault', machineId: 'mill', tag: null, priority: 'high', message: 'mill: fault 302',
  state: 'active-unacked', active: true, acked: false, occurrenceId: 1, activeTs: T, ackTs: null, ackBy: null, returnTs: null,
  value: null, faultCode: 302, shelved: null, outOfService: null, suppressed: false, chattering: false, ...over,
});

describe('summariseAlarms', () => {
  it.each([
    [[], { active: 0, unacknowledged: 0, highestPriority: null }],
    [[alarm({})], { active: 1, unacknowledged: 1, highestPriority: 'high' }],
    [[alarm({ state: 'active-acked', priority: 'low' }), alarm({ key: 'b', state: 'rtn-unacked', priority: 'critical' })], { active: 1, unacknowledged: 1, highestPriority: 'critical' }],
    // Shelved and out of service are not annunciated: no priority, not counted.
    [[alarm({ state: 'shelved', priority: 'critical' }), alarm({ key: 'c', state: 'out-of-service' })], { active: 0, unacknowledged: 0, highestPriority: null }],
  ] as const)('%#', (views, expected) => {
    const s = summariseAlarms(views as unknown as AlarmView[]);
    expect({ active: s.active, unacknowledged: s.unacknowledged, highestPriority: s.highestPriority }).toEqual(expected);
    expect(JSON.parse(s.listJson)).toHaveLength(views.length);
  });

  it('leaves the diagnosis on the edge', () => {
    const s = summariseAlarms([alarm({ diagnosis: { advice: [], health: null } })]);
    expect(JSON.parse(s.listJson)[0]).not.toHaveProperty('diagnosis');
  });
});

describe('EdgeMirror: KPI settings, start time, alarms, shift totals', () => {
  function born() {
    const totals: Array<{ machineId: string; totals: PublishedShiftTotals; ts: number }> = [];
    const alarmsChanged: string[] = [];
    const logs: string[] = [];
    const sink: MirrorSink = {
      touched: () => {}, events: () => {}, lineChanged: () => {}, requestRebirth: () => {}, commandResult: () => {}, log: (_l, m) => logs.push(m),
      totals: (machineId, t, ts) => totals.push({ machineId, totals: t, ts }), alarmsChanged: (id) => alarmsChanged.push(id),
    };
    const mirror = new EdgeMirror('g', 'line-1', sink, () => T);
    mirror.handleNode('NBIRTH', {
      timestamp: T, seq: 0, metrics: [
        { name: 'bdSeq', alias: 0, type: 'UInt64', value: 1, timestamp: T },
        { name: 'Twinline/Plant View', alias: 1, type: 'String', value: JSON.stringify(view), timestamp: T },
        { name: 'Twinline/KPI Settings', alias: 2, type: 'String', value: JSON.stringify(settings), timestamp: T },
        { name: 'Twinline/Started At', alias: 3, type: 'DateTime', value: T - 9000, timestamp: T },
      ],
    });
    mirror.handleDevice('DBIRTH', 'mill', {
      timestamp: T, seq: 1, metrics: [
        { name: 'State', alias: 10, type: 'String', value: 'running', timestamp: T },
        { name: 'Counts/Total', alias: 11, type: 'Int64', value: 40, timestamp: T },
        { name: 'Counts/Good', alias: 12, type: 'Int64', value: 39, timestamp: T },
        { name: 'Energy/Shift kWh', alias: 13, type: 'Double', value: 2.5, timestamp: T },
        { name: 'Shift/Name', alias: 14, type: 'String', value: shift.name, timestamp: T },
        { name: 'Shift/Start', alias: 15, type: 'DateTime', value: shift.start, timestamp: T },
        { name: 'Alarms/List', alias: 16, type: 'String', value: JSON.stringify([alarm({})]), timestamp: T },
      ],
    });
    return { mirror, totals, alarmsChanged, logs };
  }

  it('reads the KPI settings, the edge start, the alarm list and the shift totals from the births', () => {
    const { mirror, totals, alarmsChanged } = born();
    expect(mirror.kpiSettings).toEqual(settings);
    expect(mirror.edgeStartedAt).toBe(T - 9000);
    expect(mirror.alarms.get('mill')!.map((a) => a.key)).toEqual(['fault@mill']);
    expect(alarmsChanged).toEqual(['mill']);
    expect(totals).toEqual([{ machineId: 'mill', totals: { shiftStart: shift.start, total: 40, good: 39, energyKWh: 2.5 }, ts: T }]);
  });

  it('reports totals again only when they change; keeps the last alarm list when a new one is garbage', () => {
    const { mirror, totals, logs } = born();
    mirror.handleDevice('DDATA', 'mill', { timestamp: T + 1, seq: 2, metrics: [{ alias: 10, type: 'String', value: 'running', timestamp: T + 1 }] });
    expect(totals).toHaveLength(1);
    mirror.handleDevice('DDATA', 'mill', { timestamp: T + 2, seq: 3, metrics: [{ alias: 11, type: 'Int64', value: 41, timestamp: T + 2 }] });
    expect(totals.at(-1)).toEqual({ machineId: 'mill', totals: { shiftStart: shift.start, total: 41, good: 39, energyKWh: 2.5 }, ts: T + 2 });
    mirror.handleDevice('DDATA', 'mill', { timestamp: T + 3, seq: 4, metrics: [{ alias: 16, type: 'String', value: '[{"key":1}]', timestamp: T + 3 }] });
    expect(mirror.alarms.get('mill')).toHaveLength(1);
    expect(logs.some((l) => /Alarms\/List.*not an alarm list/.test(l))).toBe(true);
  });
});

describe('host line KPIs', () => {
  let dir: string | null = null;
  const historians: Historian[] = [];
  afterEach(() => {
    for (const h of historians.splice(0)) h.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  function start(file: string, now: () => number) {
    const historian = openHistorian({ file, now });
    historians.push(historian);
    const machines = new Map();
    const kpi = createHostLineKpi({ view, settings, historian, machines, edgeStartedAt: () => null, now, log: () => {}, lineKey: 'g/line-1' });
    return { historian, kpi };
  }
  const totals = (total: number, good: number, energyKWh: number, shiftStart = shift.start): PublishedShiftTotals => ({ shiftStart, total, good, energyKWh });

  it('books the difference to the edge\'s shift totals: never a part twice, not another shift\'s, and not again after a restart', () => {
    dir = mkdtempSync(join(tmpdir(), 'host-kpi-'));
    const file = join(dir, 'line.db');
    let t = T;
    const a = start(file, () => t);
    a.kpi.onModelEvents([{ kind: 'state', machineId: 'mill', state: 'running', previous: 'no-data', ts: T, reason: null }]);
    t = T + 60_000;
    const booked = a.kpi.onTotals('mill', totals(10, 9, 1.5), t);
    a.historian.onModelEvents(booked);
    expect(booked).toEqual([
      { kind: 'count', machineId: 'mill', deltaTotal: 10, deltaGood: 9, ts: t },
      { kind: 'energy', machineId: 'mill', deltaKWh: 1.5, ts: t },
    ]);
    // The same totals again (a rebirth restates them): nothing new.
    expect(a.kpi.onTotals('mill', totals(10, 9, 1.5), t)).toEqual([]);
    // The previous shift's last figures, arriving late: not this shift's parts.
    expect(a.kpi.onTotals('mill', totals(99, 99, 9, shift.start - 8 * 3_600_000), t)).toEqual([]);
    t = T + 120_000;
    a.historian.onModelEvents(a.kpi.onTotals('mill', totals(12, 11, 1.75), t));
    const m = a.kpi.engine.machine('mill');
    expect(m.counts).toMatchObject({ total: 12, good: 11 });
    expect(m.energyKWh).toBeCloseTo(1.75, 9);
    // Running for two minutes, the mill's ideal cycle time × 12 parts over it.
    const ideal = base.machines.find((x) => x.id === 'mill')!.idealCycleTimeSeconds;
    expect(m.oee.availability).toBe(1);
    expect(m.oee.performance).toBeCloseTo((12 * ideal) / 120, 6);
    a.historian.close();
    historians.length = 0;

    // The host restarts: the shift is rebuilt from its historian, and the edge's totals add only what is new.
    t = T + 180_000;
    const b = start(file, () => t);
    expect(b.kpi.engine.machine('mill').counts).toMatchObject({ total: 12, good: 11 });
    expect(b.kpi.onTotals('mill', totals(15, 14, 2), t)).toEqual([
      { kind: 'count', machineId: 'mill', deltaTotal: 3, deltaGood: 3, ts: t },
      { kind: 'energy', machineId: 'mill', deltaKWh: expect.closeTo(0.25, 9), ts: t },
    ]);
    expect(b.kpi.engine.machine('mill').counts.total).toBe(15);
    // Two parts booked as scrap at the edge (issue 23.1): its good total falls, and so does the host's.
    expect(b.kpi.onTotals('mill', totals(15, 12, 2), t)).toEqual([{ kind: 'count', machineId: 'mill', deltaTotal: 0, deltaGood: -2, ts: t }]);
    expect(b.kpi.engine.machine('mill').counts).toMatchObject({ total: 15, good: 12, scrap: 3 });
  });
});
