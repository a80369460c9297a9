import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../model/plant-model.js';
import { TagChanges } from '../model/tag-changes.js';
import { feedKpis, kpiSink, type KpiInput } from './kpi-feed.js';

function recorder() {
  const calls: string[] = [];
  const kpi: KpiInput = {
    onState: (m, state, ts, reason) => { calls.push(`${ts} ${m} state ${state}${reason ? ` (${reason})` : ''}`); },
    onCounts: (m, total, good, ts) => { calls.push(`${ts} ${m} count ${total}/${good}`); },
    onEnergy: (m, kWh, ts) => { calls.push(`${ts} ${m} energy ${kWh}`); },
  };
  return { kpi, calls };
}

describe('KPI feed: machine events to the engine in time order', () => {
  it('feeds an older state change before a newer energy reading that came in the same batch, and counts before a state at the same instant', () => {
    const { kpi, calls } = recorder();
    // As the model lists them: energy inline, counts after the loop, state changes last.
    const events: ModelEvent[] = [
      { kind: 'tags', changes: TagChanges.from([{ machineId: 'mill', tagName: 'power', value: 3, quality: 'good', ts: 200, receivedTs: 210 }]) },
      { kind: 'energy', machineId: 'mill', deltaKWh: 0.5, ts: 200 },
      { kind: 'count', machineId: 'mill', deltaTotal: 2, deltaGood: 1, ts: 100 },
      { kind: 'state', machineId: 'mill', state: 'down', previous: 'running', ts: 100, reason: 'fault 17' },
      { kind: 'state', machineId: 'lathe', state: 'running', previous: 'idle', ts: 50, reason: null },
    ];
    kpiSink(kpi).onModelEvents(events);
    expect(calls).toEqual(['50 lathe state running', '100 mill count 2/1', '100 mill state down (fault 17)', '200 mill energy 0.5']);
  });

  it('keeps the order it was given for events at the same time and kind, and does not reorder the caller\'s list', () => {
    const { kpi, calls } = recorder();
    const events = [
      { kind: 'energy', machineId: 'b', deltaKWh: 1, ts: 10 },
      { kind: 'energy', machineId: 'a', deltaKWh: 2, ts: 10 },
      { kind: 'state', machineId: 'a', state: 'idle', ts: 5, reason: null },
    ] as const;
    const copy = [...events];
    expect(feedKpis(kpi, events)).toBe(3);
    expect(calls).toEqual(['5 a state idle', '10 b energy 1', '10 a energy 2']);
    expect(events).toEqual(copy);
  });

  it('lets a sink pick and adjust what the engine gets (the host: state changes only, never before the edge started)', () => {
    const { kpi, calls } = recorder();
    const sink = kpiSink(kpi, (e) => (e.kind === 'state' ? { ...e, ts: Math.max(e.ts, 1000) } : null));
    sink.onModelEvents([
      { kind: 'count', machineId: 'mill', deltaTotal: 1, deltaGood: 1, ts: 2000 },
      { kind: 'state', machineId: 'mill', state: 'running', previous: 'no-data', ts: 400, reason: null },
    ]);
    expect(calls).toEqual(['1000 mill state running']);
  });
});
