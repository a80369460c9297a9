// The historian's write path on a real (in-memory) SQLite: deadband, heartbeat, per-minute
// roll-up, state intervals, counts, energy, KPI periods, acknowledged sequence numbers.
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian, type TagPolicy } from '../../edge/store/historian.js';
import type { ClosedShift } from '../../edge/kpi/live-kpi-engine.js';
import { emptyPeriodTotals } from '../../shared/kpi/period-totals.js';
import { countEvent, energyEvent, manualClock, stateEvent, tagEvent } from './events.js';
import { TagChanges } from '../../edge/model/tag-changes.js';

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const open: Historian[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

function historian(tags?: Record<string, TagPolicy>, heartbeatSeconds = 30) {
  const clock = manualClock(T0);
  const h = openHistorian({ file: ':memory:', now: clock.now, tags: tags && new Map(Object.entries(tags)), settings: { heartbeatSeconds }, flushIntervalMs: 10_000 });
  open.push(h);
  return { h, clock };
}

describe('deadband', () => {
  it('stores a numeric sample only when it moved more than the deadband from the last stored one', () => {
    const { h } = historian({ 'mill.spindleTemperature': { kind: 'number', deadband: 0.5 } });
    const values = [40, 40.2, 40.4, 40.6, 40.7, 41.2, 40.69, 40.5];
    h.onModelEvents(values.map((v, i) => tagEvent('mill.spindleTemperature', v, T0 + i * 1000)));
    h.flush();
    expect(h.tagHistory('mill.spindleTemperature', T0, T0 + 60_000).map((p) => p.value)).toEqual([40, 40.6, 41.2, 40.69]);
  });

  it('always stores a change of quality, and with deadband 0 every change', () => {
    const { h } = historian();
    h.onModelEvents([
      tagEvent('mill.power', 5, T0), tagEvent('mill.power', 5.01, T0 + 1),
      tagEvent('mill.power', null, T0 + 2, 'bad'), tagEvent('mill.power', 5.01, T0 + 3, 'uncertain'),
    ]);
    h.flush();
    expect(h.tagHistory('mill.power', T0, T0 + 10)).toEqual([
      { ts: T0, value: 5, quality: 'good' }, { ts: T0 + 1, value: 5.01, quality: 'good' },
      { ts: T0 + 2, value: null, quality: 'bad' }, { ts: T0 + 3, value: 5.01, quality: 'uncertain' },
    ]);
  });

  it('keeps booleans as booleans and strings in their own table', () => {
    const { h } = historian({ 'mill.doorOpen': { kind: 'boolean', deadband: 0 }, 'mill.program': { kind: 'string', deadband: 0 } });
    h.onModelEvents([tagEvent('mill.doorOpen', true, T0), tagEvent('mill.doorOpen', false, T0 + 5), tagEvent('mill.program', 'O1234', T0), tagEvent('mill.program', 'O1235', T0 + 9)]);
    h.flush();
    expect(h.tagHistory('mill.doorOpen', T0, T0 + 10).map((p) => p.value)).toEqual([true, false]);
    expect(h.tagHistory('mill.program', T0, T0 + 10).map((p) => p.value)).toEqual(['O1234', 'O1235']);
    expect(h.sqlite.prepare('SELECT count(*) FROM tag_text_samples').pluck().get()).toBe(2);
  });
});

describe('heartbeat', () => {
  it('writes an unchanged tag again once per heartbeat interval, and the held-back latest value first', () => {
    const { h, clock } = historian({ 'washer.waterTemperature': { kind: 'number', deadband: 1 } }, 10);
    h.onModelEvents([tagEvent('washer.waterTemperature', 60, T0), tagEvent('washer.waterTemperature', 60.4, T0 + 2000)]);
    h.flush();
    clock.set(T0 + 9_000);
    h.flush();
    expect(h.tagHistory('washer.waterTemperature', T0, T0 + 100_000).map((p) => [p.ts, p.value])).toEqual([[T0, 60]]);
    clock.set(T0 + 10_000);
    h.flush(); // due: the held-back 60.4 at its own timestamp
    clock.set(T0 + 20_000);
    h.flush(); // due again: a repeat at the edge clock's time
    expect(h.tagHistory('washer.waterTemperature', T0, T0 + 100_000).map((p) => [p.ts, p.value])).toEqual([
      [T0, 60], [T0 + 2000, 60.4], [T0 + 20_000, 60.4],
    ]);
  });
});

describe('per-minute aggregates', () => {
  it('rolls up every received sample (also those the deadband held back), merging across flushes', () => {
    const { h } = historian({ 'mill.vibration': { kind: 'number', deadband: 100 } });
    h.onModelEvents([1, 5, 3].map((v, i) => tagEvent('mill.vibration', v, T0 + i * 10_000)));
    h.flush();
    h.onModelEvents([tagEvent('mill.vibration', 7, T0 + 40_000), tagEvent('mill.vibration', 2, T0 + 50_000), tagEvent('mill.vibration', 9, T0 + 61_000)]);
    h.flush();
    const rows = h.sqlite.prepare('SELECT minute, min, max, sum, count, last FROM tag_minutes ORDER BY minute').all();
    expect(rows).toEqual([
      { minute: T0, min: 1, max: 7, sum: 18, count: 5, last: 2 },
      { minute: T0 + 60_000, min: 9, max: 9, sum: 9, count: 1, last: 9 },
    ]);
  });
});

describe('machine events', () => {
  it('keeps state intervals with reasons, counts, energy and closed KPI periods', () => {
    const { h } = historian();
    h.onModelEvents([stateEvent('mill', 'running', T0), countEvent('mill', 2, 1, T0 + 500), stateEvent('mill', 'down', T0 + 1000, 'fault 17', 'running'), energyEvent('mill', 0.25, T0 + 1500)]);
    const totals = emptyPeriodTotals(T0 - 3_600_000, T0);
    totals.counts = { total: 100, good: 97 };
    const shift: ClosedShift = { machineId: 'mill', shift: { name: 'Early', date: '2026-11-02', start: T0 - 3_600_000, end: T0 }, totals };
    h.recordShift(shift);
    h.flush();
    expect(h.stateIntervals('mill', T0, T0 + 10_000)).toEqual([
      { machineId: 'mill', state: 'running', startTs: T0, endTs: T0 + 1000, reason: null },
      { machineId: 'mill', state: 'down', startTs: T0 + 1000, endTs: null, reason: 'fault 17' },
    ]);
    expect(h.queries.countsAndEnergy('mill', T0, T0 + 10_000)).toEqual({ counts: [{ ts: T0 + 500, deltaTotal: 2, deltaGood: 1 }], energy: [{ ts: T0 + 1500, deltaKWh: 0.25 }] });
    const periods = h.queries.kpiPeriods('mill', 0, T0 + 1);
    expect(periods).toHaveLength(1);
    expect(periods[0]).toMatchObject({ machineId: 'mill', name: 'Early', date: '2026-11-02', totalCount: 100, goodCount: 97 });
    expect(periods[0]!.totals).toEqual(JSON.parse(JSON.stringify(totals)));
    // handing out the same shift again (e.g. a rebuild after a crash) replaces, not duplicates
    h.recordShift(shift);
    h.flush();
    expect(h.queries.kpiPeriods('mill', 0, T0 + 1)).toHaveLength(1);
  });

  it('never lets a state interval run backwards (a late or old-stamped state starts where the open one did)', () => {
    const { h } = historian();
    h.onModelEvents([stateEvent('mill', 'no-data', T0 + 5000, 'edge not running'), stateEvent('mill', 'running', T0, null, 'no-data'), stateEvent('mill', 'idle', T0 + 9000, null, 'running')]);
    h.flush();
    expect(h.stateIntervals('mill', 0, T0 + 60_000).map((s) => [s.state, s.startTs, s.endTs])).toEqual([
      ['no-data', T0 + 5000, T0 + 5000], ['running', T0 + 5000, T0 + 9000], ['idle', T0 + 9000, null],
    ]);
  });

  it('acknowledges a sequence number only once the batch is committed', () => {
    const { h } = historian();
    h.onModelEvents([tagEvent('mill.power', 1, T0), tagEvent('mill.power', 2, T0 + 1)]);
    expect(h.health()).toMatchObject({ lastRecordedSeq: 2, lastAcknowledgedSeq: 0, pending: 2 });
    h.flush();
    expect(h.health()).toMatchObject({ lastRecordedSeq: 2, lastAcknowledgedSeq: 2, pending: 0 });
    expect(h.sqlite.prepare("SELECT value FROM historian_meta WHERE key = 'acknowledged_seq'").pluck().get()).toBe(2);
  });

  it('counts each tag change of a model batch as one event, and stores every one of them', () => {
    const { h } = historian();
    const changes = TagChanges.from([
      { machineId: 'mill', tagName: 'power', value: 1, quality: 'good', ts: T0, receivedTs: T0 },
      { machineId: 'lathe', tagName: 'power', value: 5, quality: 'good', ts: T0, receivedTs: T0 },
      { machineId: 'mill', tagName: 'power', value: 2, quality: 'uncertain', ts: T0 + 1, receivedTs: T0 + 1 },
    ]);
    h.onModelEvents([{ kind: 'tags', changes }, stateEvent('mill', 'running', T0)]);
    expect(h.health()).toMatchObject({ lastRecordedSeq: 4, lastAcknowledgedSeq: 0, pending: 4 });
    h.flush();
    expect(h.health()).toMatchObject({ lastRecordedSeq: 4, lastAcknowledgedSeq: 4, pending: 0 });
    expect(h.tagHistory('mill.power', T0, T0 + 1000).map((p) => [p.value, p.quality])).toEqual([[1, 'good'], [2, 'uncertain']]);
    expect(h.tagHistory('lathe.power', T0, T0 + 1000).map((p) => p.value)).toEqual([5]);
  });

  it('keeps a batch the database refused and writes it, unfiltered, once the database accepts again', () => {
    const logs: string[] = [];
    const clock = manualClock(T0);
    const h = openHistorian({ file: ':memory:', now: clock.now, flushIntervalMs: 10_000, log: (l, m) => logs.push(`${l} ${m}`) });
    open.push(h);
    h.onModelEvents([tagEvent('mill.power', 1, T0)]);
    h.flush();
    // The database refuses writes for a while: the batch must wait, not vanish.
    h.sqlite.exec('CREATE TRIGGER refuse BEFORE INSERT ON tag_samples BEGIN SELECT RAISE(ABORT, \'disk full (simulated)\'); END');
    h.onModelEvents([tagEvent('mill.power', 2, T0 + 1), tagEvent('mill.power', 3, T0 + 2)]);
    h.flush();
    expect(h.health()).toMatchObject({ lastAcknowledgedSeq: 1, pending: 2, lastError: expect.stringContaining('disk full') });
    h.sqlite.exec('DROP TRIGGER refuse');
    h.flush();
    expect(h.health()).toMatchObject({ lastAcknowledgedSeq: 3, pending: 0, lastError: null });
    expect(h.tagHistory('mill.power', T0, T0 + 10).map((p) => p.value)).toEqual([1, 2, 3]);
    expect(logs.filter((l) => l.startsWith('error'))).toHaveLength(1);
  });
});
