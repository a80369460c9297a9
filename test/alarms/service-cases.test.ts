// Service cases on a real SQLite file: opened from an alarm with its recording, assigned,
// annotated, closed; a machine's history with repeated faults and MTBF from the historian.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { reliability } from '../../edge/service/reliability.js';
import type { AlarmEvent } from '../../shared/alarm-wire.js';
import type { MachineState } from '../../shared/plant-schema.js';
import { alarmSystem, FakeClock, feedTo, stateEvent, tagEvent, testPlant } from './fixtures.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const c of cleanup.splice(0)) c(); });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-cases-'));
  const clock = new FakeClock(Date.parse('2025-03-03T07:00:00+08:00'));
  const plant = testPlant({ rules: [{ id: 'fault', kind: 'fault', priority: 'high' }], recorder: { preSeconds: 60, postSeconds: 0 } });
  const historian: Historian = openHistorian({ file: join(dir, 'db.sqlite'), now: clock.now });
  const { alarms, cases, sinks, close } = alarmSystem({ plant, file: join(dir, 'db.sqlite'), now: clock.now, stateIntervals: historian.stateIntervals });
  cleanup.push(() => { close(); historian.close(); rmSync(dir, { recursive: true, force: true }); });
  const events: AlarmEvent[] = [];
  alarms.onAlarmEvent((e) => events.push(e));
  const feed = feedTo([historian, ...sinks]);
  return { clock, historian, alarms, cases, events, feed };
}

describe('service cases', () => {
  it('open from an alarm with its snapshot, assign, note, close; a closed case stays closed', () => {
    const { clock, alarms, cases, events, feed } = setup();
    feed([stateEvent('press', 'running', clock.t), tagEvent('press', 'temperature', 41.5, clock.t)]);
    clock.advance(30_000);
    feed([tagEvent('press', 'faultCode', 302, clock.t), stateEvent('press', 'down', clock.t, 'running')]);
    alarms.tick();
    const alarm = events.find((e) => e.type === 'raised')!.alarm!;
    const opened = cases.open({ alarmId: alarm.occurrenceId! }, 'li.wei');
    expect(opened).toMatchObject({
      machineId: 'press', status: 'open', alarmId: alarm.occurrenceId, recordingId: alarm.recordingId, faultCode: 302,
      title: 'Press: 302 Coolant pressure low', openedBy: 'li.wei',
    });
    expect(opened.context!.alarm!.key).toBe('fault@press');
    expect(opened.context!.diagnosis!.advice[1]!.title).toBe('冷却液压力低');
    // The snapshot has the pre-trigger temperature.
    const snapshot = alarms.recording(opened.recordingId!)!;
    expect([...snapshot.initial, ...snapshot.samples].find((s) => s.tag === 'temperature' && s.rx < snapshot.triggerTs)!.value).toBe(41.5);

    clock.advance(60_000);
    cases.assign(opened.id, 'service.zhang', 'li.wei');
    cases.addNote(opened.id, 'filter clogged, replaced', 'service.zhang');
    const closed = cases.close(opened.id, 'coolant filter replaced', 'service.zhang');
    expect(closed).toMatchObject({ status: 'closed', assignee: 'service.zhang', closedBy: 'service.zhang', resolution: 'coolant filter replaced' });
    expect(closed.notes.map((n) => [n.author, n.text])).toEqual([['li.wei', 'assigned to service.zhang'], ['service.zhang', 'filter clogged, replaced']]);
    expect(() => cases.close(opened.id, 'again', 'x')).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => cases.assign(999, 'x', 'y')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => cases.open({ alarmId: 999 }, 'x')).toThrow(/no alarm occurrence 999/);
  });

  it('a case opened by hand takes a snapshot from the recorder now', () => {
    const { clock, alarms, cases, feed } = setup();
    feed([tagEvent('oven', 'temperature', 61, clock.t)]);
    clock.advance(5000);
    const c = cases.open({ machineId: 'oven', note: 'customer reports foam in the bath' }, 'service.zhang');
    expect(c).toMatchObject({ title: 'Oven: service', alarmId: null, faultCode: null });
    expect(alarms.recording(c.recordingId!)!.samples.map((s) => s.value)).toEqual([61]);
    expect(c.notes[0]!.text).toBe('customer reports foam in the bath');
    expect(cases.list({ status: 'open' }).map((x) => x.id)).toEqual([c.id]);
  });

  it('history: repeated faults, MTBF and MTTR from the stored state intervals', () => {
    const { clock, historian, cases, feed } = setup();
    const go = (state: MachineState, minutes: number, code = 0) => {
      // As the plant model reports it: a down state carries its fault code as the reason.
      feed([tagEvent('press', 'faultCode', code, clock.t), stateEvent('press', state, clock.t, 'no-data', code ? `fault ${code}` : null)]);
      clock.advance(minutes * 60_000);
    };
    // 6 h running, three breakdowns (301 twice, 302 once) and one micro-stop that is not one.
    go('running', 120); go('down', 10, 301); go('running', 60); go('down', 2, 101); go('running', 60); go('down', 20, 301);
    go('running', 60); go('down', 6, 302); go('running', 60);
    historian.flush();
    const h = cases.history('press', { from: clock.t - 24 * 3_600_000 });
    expect(h.runningHours).toBe(6);
    expect(h.failures).toBe(3);
    expect(h.mtbfHours).toBe(2);
    expect(h.mttrMinutes).toBe(12);
    expect(h.faults.map((f) => [f.code, f.count, f.downMinutes, f.title])).toEqual([[301, 2, 30, 'Tool breakage detected'], [302, 1, 6, 'Coolant pressure low']]);
    expect(h.repeated).toEqual([301]);
    expect(() => cases.history('lathe')).toThrow(/no machine "lathe"/);
  });

  it('reliability counts a breakdown by its whole length and clips running time to the window', () => {
    const r = reliability([
      { state: 'running', startTs: 0, endTs: 100, reason: null },
      { state: 'down', startTs: 100, endTs: 400, reason: 'fault 7' },
      { state: 'running', startTs: 400, endTs: null, reason: null },
    ], 200, 1000, 250);
    expect(r).toEqual({ runningMs: 600, breakdowns: [{ code: 7, start: 100, durationMs: 300 }], mtbfHours: 600 / 3_600_000, mttrMinutes: 300 / 60_000 });
  });
});
