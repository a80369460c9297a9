// The alarm service on a real SQLite file (the historian's): occurrences, recordings and
// shelving are persisted and survive a restart; KPIs come from the journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import type { AlarmService } from '../../edge/alarms/alarm-service.js';
import type { AlarmEvent } from '../../shared/alarm-wire.js';
import { alarmSystem, FakeClock, feedTo, stateEvent, tagEvent, testPlant, type AlarmSystem } from './fixtures.js';

const dirs: string[] = [];
const open: { historian: Historian; system: AlarmSystem }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) { o.system.close(); o.historian.close(); }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(file: string, clock: FakeClock) {
  const plant = testPlant({
    rules: [{ id: 'hot', kind: 'high', tag: 'temperature', limit: 80, priority: 'high' }, { id: 'fault', kind: 'fault', priority: 'critical' }],
    recorder: { preSeconds: 30, postSeconds: 5 },
  });
  const historian = openHistorian({ file, now: clock.now });
  const system = alarmSystem({ plant, file, now: clock.now });
  const alarms: AlarmService = system.alarms;
  const events: AlarmEvent[] = [];
  alarms.onAlarmEvent((e) => events.push(e));
  open.push({ historian, system });
  return { historian, system, alarms, events, feed: feedTo(system.sinks) };
}

describe('alarm service', () => {
  it('journals occurrences with recording and diagnosis; shelving and the journal survive a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-alarms-'));
    dirs.push(dir);
    const file = join(dir, 'twinline.db');
    const clock = new FakeClock(Date.parse('2025-03-03T09:00:00+08:00'));
    const a = start(file, clock);
    a.feed([stateEvent('press', 'running', clock.t), stateEvent('oven', 'running', clock.t)]);
    for (let s = 0; s < 40; s++) {
      clock.advance(1000);
      a.feed([tagEvent('press', 'temperature', 60 + s, clock.t)]);
      a.alarms.tick();
    }
    const raised = a.events.find((e) => e.type === 'raised')!;
    expect(raised.alarm).toMatchObject({ key: 'hot@press', state: 'active-unacked', priority: 'high' });
    expect(raised.alarm!.recordingId).toBeGreaterThan(0);
    clock.advance(5000);
    a.alarms.tick();
    expect(a.events.some((e) => e.type === 'recording' && e.recording!.id === raised.alarm!.recordingId)).toBe(true);
    const rec = a.alarms.recording(raised.alarm!.recordingId!)!;
    expect(rec.status).toBe('complete');
    expect(rec.samples.filter((s) => s.rx <= rec.triggerTs).length).toBeGreaterThanOrEqual(20);

    a.feed([tagEvent('press', 'faultCode', 301, clock.t)]);
    const fault = a.events.find((e) => e.type === 'raised' && e.alarm!.key === 'fault@press')!.alarm!;
    expect(fault.faultCode).toBe(301);
    expect(fault.diagnosis!.advice.map((x) => [x.lang, x.title])).toEqual([['en', 'Tool breakage detected'], ['zh-CN', '检测到刀具破损']]);

    a.alarms.ack('hot@press', 'li.wei');
    a.alarms.shelve('fault@press', 'li.wei', 60, 'tool change in progress');
    const journal = a.alarms.history({ from: clock.t - 3_600_000, to: clock.t + 1 });
    expect(journal.map((o) => [o.key, o.state, o.ackBy])).toEqual([['hot@press', 'active-acked', 'li.wei'], ['fault@press', 'shelved', null]]);
    const kpis = a.alarms.kpis({ shift: 'current' });
    expect(kpis).toMatchObject({ annunciated: 2, shift: { name: 'Day', date: '2025-03-03' }, shelvedNow: 1, standing: 1 });

    // Restart on the same file.
    a.system.close();
    a.historian.close();
    open.length = 0;
    clock.advance(60_000);
    const b = start(file, clock);
    expect(b.alarms.engine.view('fault@press')!.state).toBe('shelved');
    const after = b.alarms.history({ from: clock.t - 3_600_000, to: clock.t + 1 });
    expect(after.find((o) => o.key === 'hot@press')!.closedTs).toBe(clock.t);
    // Numbering continues, and the standing condition is raised afresh.
    b.feed([stateEvent('press', 'running', clock.t), tagEvent('press', 'temperature', 99, clock.t)]);
    const again = b.events.find((e) => e.type === 'raised')!;
    expect(again.alarm!.occurrenceId).toBe(3);
    expect(b.alarms.occurrence(1)).toMatchObject({ key: 'hot@press', ackBy: 'li.wei', recordingId: raised.alarm!.recordingId });
    // Nothing learned yet in 40 s: nothing to restore, and the table is there.
    expect(b.alarms.store.baselines()).toEqual([]);
  });

  it('keeps learned health baselines across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-alarms-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const clock = new FakeClock();
    const a = start(file, clock);
    a.feed([stateEvent('oven', 'running', clock.t)]);
    for (let s = 0; s < 75 * 60; s += 5) {
      clock.advance(5000);
      a.feed([tagEvent('oven', 'temperature', 62 + ((s / 5) % 3) * 0.1, clock.t)]);
    }
    a.alarms.tick();
    expect(a.alarms.health('oven')!.tags.find((t) => t.tag === 'temperature')!.status).toBe('scoring');
    a.system.close();
    a.historian.close();
    open.length = 0;
    const b = start(file, clock);
    expect(b.alarms.health('oven')!.tags.find((t) => t.tag === 'temperature')).toMatchObject({ status: 'scoring', buckets: expect.any(Number) });
    expect(b.alarms.health('press')!.tags.find((t) => t.tag === 'temperature')!.status).toBe('learning');
  });

  it('deletes recordings past keepDays unless a service case holds them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-alarms-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const a = start(join(dir, 'db.sqlite'), clock);
    const old = a.alarms.record('oven', { by: 'x', postSeconds: 0 });
    const kept = a.system.cases.open({ machineId: 'press' }, 'x').recordingId!;
    clock.advance(91 * 86_400_000);
    const fresh = a.alarms.record('oven', { by: 'x', postSeconds: 0 });
    a.alarms.tick();
    expect(a.alarms.recording(old.id)).toBeNull();
    expect(a.alarms.recording(kept)).not.toBeNull();
    expect(a.alarms.recording(fresh.id)).not.toBeNull();
  });

  it('records on demand and says what is wrong with a bad request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-alarms-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const a = start(join(dir, 'db.sqlite'), clock);
    a.feed([tagEvent('oven', 'temperature', 50, clock.t)]);
    const r = a.alarms.record('oven', { by: 'remote.engineer', note: 'checking the bath', postSeconds: 0 });
    expect(r).toMatchObject({ machineId: 'oven', trigger: 'manual', status: 'complete', note: 'checking the bath (remote.engineer)' });
    expect(a.alarms.recording(r.id)!.samples.map((s) => s.value)).toEqual([50]);
    expect(() => a.alarms.record('lathe', { by: 'x' })).toThrow(/no machine "lathe"/);
    expect(() => a.alarms.kpis({ date: '2025-03-03', name: 'Night' })).toThrow(/no shift "Night"/);
  });
});
