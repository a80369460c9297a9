// After a restart the live KPI engine is rebuilt from the historian: the current shift's
// counts, energy and time buckets continue where the previous run left them, the time the
// edge was down counts as no-data, and a shift that ended meanwhile is closed and stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createLiveKpiEngine, type LiveKpiEngine } from '../../edge/kpi/live-kpi-engine.js';
import type { ModelEvent } from '../../edge/model/plant-model.js';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { replayStart, startKpisFromHistory } from '../../edge/store/kpi-replay.js';
import { countEvent, energyEvent, manualClock, stateEvent } from './events.js';

const plant = loadPlantFile('config/demo-plant.yaml'); // Asia/Shanghai; Early 06:00–14:00, Late 14:00–22:00
const local = (hhmm: string, day = '2026-11-02') => Date.parse(`${day}T${hhmm}:00+08:00`);
const MIN = 60_000;
const dirs: string[] = [];
const open: Historian[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Run 1: the edge from `start` to `kill`, events into both the historian and the live engine. */
function firstRun(file: string, start: number, kill: number, events: ModelEvent[]) {
  const clock = manualClock(start);
  const h = openHistorian({ file, now: clock.now, flushIntervalMs: 3_600_000 });
  const kpi = createLiveKpiEngine({ plant, now: clock.now, onShiftClosed: (c) => h.recordShift(c) });
  for (const m of plant.machines) kpi.onState(m.id, 'no-data', start);
  for (const e of events) {
    clock.set(Math.max(clock.now(), e.kind === 'tags' ? e.changes.toList().at(-1)!.ts : e.ts));
    h.onModelEvents([e]);
    if (e.kind === 'state') kpi.onState(e.machineId, e.state, e.ts, e.reason ?? undefined);
    else if (e.kind === 'count') kpi.onCounts(e.machineId, e.deltaTotal, e.deltaGood, e.ts);
    else if (e.kind === 'energy') kpi.onEnergy(e.machineId, e.deltaKWh, e.ts);
  }
  clock.set(kill);
  h.flush(); // acknowledged; the process dies right after (nothing more is written)
  const before = { machine: kpi.machine('mill'), details: kpi.details('mill')! };
  h.close();
  return before;
}

function restart(file: string, at: number): { h: Historian; kpi: LiveKpiEngine } {
  const clock = manualClock(at);
  const h = openHistorian({ file, now: clock.now, flushIntervalMs: 3_600_000 });
  open.push(h);
  const kpi = startKpisFromHistory({
    plant, historian: h, now: clock.now, log: () => {},
    create: (c) => createLiveKpiEngine({ plant, now: c, onShiftClosed: (closed) => h.recordShift(closed) }),
  });
  for (const m of plant.machines) kpi.onState(m.id, 'no-data', at);
  return { h, kpi };
}

function millStory(from: number, minutes: number): ModelEvent[] {
  const events: ModelEvent[] = [stateEvent('mill', 'running', from)];
  for (let s = 10; s < minutes * 60; s += 10) {
    const ts = from + s * 1000;
    if (s === 20 * 60) events.push(stateEvent('mill', 'down', ts, 'fault 17', 'running'));
    if (s === 25 * 60) events.push(stateEvent('mill', 'running', ts, null, 'down'));
    if (s < 20 * 60 || s >= 25 * 60) events.push(countEvent('mill', 1, s % 100 === 0 ? 0 : 1, ts));
    events.push(energyEvent('mill', 0.01, ts));
  }
  return events;
}

function tempFile() {
  const d = mkdtempSync(join(tmpdir(), 'twinline-replay-'));
  dirs.push(d);
  return join(d, 'h.db');
}

describe('KPI rebuild after a restart', () => {
  it('starts from the shift the previous run was in, else the current one, else nothing', () => {
    expect(replayStart(plant, null, local('08:00'))).toBeNull();
    expect(replayStart(plant, local('07:40'), local('07:50'))).toBe(local('06:00'));
    expect(replayStart(plant, local('13:50'), local('14:30'))).toBe(local('06:00'));
    expect(replayStart(plant, local('13:50', '2026-10-20'), local('14:30'))).toBe(local('14:00'));
  });

  it('continues the current shift: same counts, energy and times, plus no-data while the edge was down', () => {
    const file = tempFile();
    const before = firstRun(file, local('07:00'), local('07:40'), millStory(local('07:00'), 40));
    expect(before.machine.counts.total).toBeGreaterThan(200);

    const { kpi } = restart(file, local('07:50'));
    const after = kpi.machine('mill');
    expect(after.shift).toEqual(before.machine.shift);
    expect(after.counts).toEqual(before.machine.counts);
    expect(after.energyKWh).toBeCloseTo(before.machine.energyKWh, 9);
    const t0 = before.details.totals.times;
    const t1 = kpi.details('mill')!.totals.times;
    expect(t1.productionMs).toBe(t0.productionMs);
    expect(t1.breakdownMs + t1.microStopMs).toBe(t0.breakdownMs + t0.microStopMs);
    expect(t1.noDataMs).toBe(t0.noDataMs + 10 * MIN);
    expect(kpi.details('mill')!.totals.reasons).toEqual({
      ...before.details.totals.reasons,
      'no-data|edge not running': expect.objectContaining({ ms: 10 * MIN, events: 1 }),
    });
    // …and keeps counting live
    kpi.onState('mill', 'running', local('07:50'));
    kpi.onCounts('mill', 3, 3, local('07:50') + 1000);
    expect(kpi.machine('mill').counts.total).toBe(before.machine.counts.total + 3);
  });

  it('closes and stores a shift that ended while the edge was down', () => {
    const file = tempFile();
    const before = firstRun(file, local('13:00'), local('13:50'), millStory(local('13:00'), 50));
    const { h, kpi } = restart(file, local('14:30'));
    h.flush();
    const stored = h.queries.kpiPeriods('mill', local('06:00'), local('06:01'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Early', totalCount: before.machine.counts.total, goodCount: before.machine.counts.good });
    const early = stored[0]!.totals as { times: { noDataMs: number } };
    // 06:00–13:00 less the 10:00–10:20 break (planned time wins), and 13:50–14:00 while the edge was down
    expect(early.times.noDataMs).toBe((7 * 60 - 20 + 10) * MIN);
    const late = kpi.machine('mill');
    expect(late.shift?.name).toBe('Late');
    expect(late.counts.total).toBe(0);
    expect(kpi.details('mill')!.totals.times.noDataMs).toBe(30 * MIN);
  });
});
