// Pure logic of the twin's alarm summary: list/event merging, ISA-101 ordering, counts,
// buttons by role, and a flight recording as trends per tag.
import { describe, expect, it } from 'vitest';
import type { AlarmEvent, AlarmView, FloodStatus, Recording } from '../../shared/alarm-wire.js';
import {
  allowedActions, applyEvent, applyList, compareAlarms, countAlarms, emptyModel, machinesInAlarm, visibleAlarms,
} from '../../twin-ui/src/ui/alarms/alarm-list-model.js';
import { recordingSeries, windowFraction } from '../../twin-ui/src/ui/alarms/recording-series.js';
import { caseActions } from '../../twin-ui/src/ui/alarms/service-case-model.js';

const flood: FloodStatus = { active: false, since: null, count: 0, windowMinutes: 10, limit: 10 };

function view(key: string, over: Partial<AlarmView> = {}): AlarmView {
  const [ruleId, machineId] = key.split('@') as [string, string];
  const state = over.state ?? 'active-unacked';
  return {
    key, ruleId, kind: 'fault', machineId, tag: null, priority: 'high', message: key, state,
    active: state.startsWith('active'), acked: state === 'active-acked', occurrenceId: 1, activeTs: 1000, ackTs: null, ackBy: null,
    returnTs: null, value: null, faultCode: null, shelved: null, outOfService: null, suppressed: false, chattering: false,
    ...over,
  };
}
const event = (type: AlarmEvent['type'], alarm: AlarmView | null, ts = 5000, f: FloodStatus | null = null): AlarmEvent => ({ type, ts, alarm, flood: f, by: null });

describe('twin alarm list model', () => {
  it('orders by priority, then unacknowledged first, then newest first', () => {
    const list = [
      view('a@m', { priority: 'low', activeTs: 9000 }),
      view('b@m', { priority: 'high', state: 'active-acked', acked: true, activeTs: 8000 }),
      view('c@m', { priority: 'high', activeTs: 2000 }),
      view('d@m', { priority: 'high', activeTs: 3000 }),
      view('e@m', { priority: 'critical', state: 'active-acked', acked: true, activeTs: 1000 }),
    ];
    expect([...list].sort(compareAlarms).map((a) => a.key)).toEqual(['e@m', 'd@m', 'c@m', 'b@m', 'a@m']);
  });

  it('applies the list, then events; normal removes; an ack keeps the diagnosis the raise carried', () => {
    const m = emptyModel();
    const diagnosis = { advice: [], health: null };
    expect(applyList(m, { alarms: [view('fault@mill', { diagnosis }), view('x@mill', { state: 'normal' })], flood, ts: 100 })).toBe(true);
    expect([...m.alarms.keys()]).toEqual(['fault@mill']);
    applyEvent(m, event('acknowledged', view('fault@mill', { state: 'active-acked', acked: true })));
    expect(m.alarms.get('fault@mill')!.state).toBe('active-acked');
    expect(m.alarms.get('fault@mill')!.diagnosis).toBe(diagnosis);
    expect(applyEvent(m, event('normal', view('fault@mill', { state: 'normal' })))).toBe(true);
    expect(m.alarms.size).toBe(0);
    // A REST list older than the events already applied (a slow answer) does not undo them…
    expect(applyList(m, { alarms: [view('fault@mill')], flood, ts: 200 }, 'rest')).toBe(false);
    expect(m.alarms.size).toBe(0);
    // …but the socket's list is the edge's full state and always applies.
    expect(applyList(m, { alarms: [view('fault@mill')], flood, ts: 200 })).toBe(true);
    expect(m.alarms.size).toBe(1);
  });

  it('keeps flood status from events', () => {
    const m = emptyModel();
    expect(applyEvent(m, event('flood-started', null, 10, { ...flood, active: true, count: 12, since: 5 }))).toBe(true);
    expect(m.flood?.active).toBe(true);
  });

  it('counts annunciated, unacknowledged, set-aside alarms and the worst unacknowledged priority', () => {
    const m = emptyModel();
    applyList(m, {
      alarms: [
        view('a@m', { priority: 'critical', state: 'active-acked', acked: true }),
        view('b@m', { priority: 'medium' }),
        view('c@n', { priority: 'low', state: 'rtn-unacked', active: false }),
        view('d@n', { state: 'shelved', occurrenceId: null }),
      ],
      flood, ts: 1,
    });
    const c = countAlarms(m);
    expect(c).toMatchObject({ annunciated: 3, unacked: 2, active: 2, setAside: 1, worst: 'medium' });
    expect(c.byPriority).toEqual({ critical: 1, high: 0, medium: 1, low: 1 });
    expect(visibleAlarms(m, 'annunciated').map((a) => a.key)).toEqual(['a@m', 'b@m', 'c@n']);
    expect(visibleAlarms(m, 'set-aside').map((a) => a.key)).toEqual(['d@n']);
    expect(visibleAlarms(m, 'annunciated', 'n').map((a) => a.key)).toEqual(['c@n']);
    expect(machinesInAlarm(m)).toEqual(new Map([['m', { priority: 'critical', unacked: true }], ['n', { priority: 'low', unacked: true }]]));
  });

  it('offers buttons as the route guards allow (ack/shelve/case: operator; out of service: maintenance; none without a session)', () => {
    const a = view('fault@mill');
    expect(allowedActions(a, null)).toEqual({ ack: false, shelve: false, unshelve: false, outOfService: false, inService: false, openCase: false });
    expect(allowedActions(a, 'operator')).toEqual({ ack: true, shelve: true, unshelve: false, outOfService: false, inService: false, openCase: true });
    expect(allowedActions(view('fault@mill', { state: 'active-acked', acked: true }), 'maintenance')).toMatchObject({ ack: false, shelve: true, outOfService: true });
    expect(allowedActions(view('fault@mill', { state: 'shelved', occurrenceId: null }), 'operator')).toMatchObject({ ack: false, shelve: false, unshelve: true, openCase: false });
    expect(allowedActions(view('fault@mill', { state: 'out-of-service', occurrenceId: null }), 'admin')).toMatchObject({ outOfService: false, inService: true });
  });
});

describe('flight recording as trends', () => {
  const rec: Recording = {
    id: 3, machineId: 'mill', trigger: 'alarm', alarmId: 9, alarmKey: 'fault@mill', note: null,
    triggerTs: 20_000, from: 0, to: 30_000, status: 'complete', sampleCount: 5,
    initial: [
      { tag: 'temp', ts: -500, rx: -400, value: 40, quality: 'good' },
      { tag: 'running', ts: -900, rx: -900, value: true, quality: 'good' },
    ],
    samples: [
      { tag: 'temp', ts: 5_000, rx: 5_100, value: 41, quality: 'good' },
      { tag: 'temp', ts: 21_000, rx: 21_050, value: 55, quality: 'good' },
      { tag: 'running', ts: 20_000, rx: 20_000, value: false, quality: 'good' },
      { tag: 'temp', ts: 25_000, rx: 25_000, value: null, quality: 'bad' },
      { tag: 'mode', ts: 1_000, rx: 1_000, value: 'auto', quality: 'good' },
    ],
  };

  it('one step series per tag on the receive clock; initial values start at the window; pre/post split at the trigger', () => {
    const s = recordingSeries(rec);
    expect(s.map((x) => x.tag)).toEqual(['temp', 'running', 'mode']);
    expect(s[0]).toEqual({ tag: 'temp', points: [{ ts: 0, v: 40 }, { ts: 5_100, v: 41 }, { ts: 21_050, v: 55 }], preCount: 2, postCount: 1, skipped: 1 });
    expect(s[1]).toMatchObject({ points: [{ ts: 0, v: 1 }, { ts: 20_000, v: 0 }], preCount: 2, postCount: 0 });
    expect(s[2]).toMatchObject({ points: [], skipped: 1 });
  });

  it('places the trigger in the window', () => {
    expect(windowFraction(rec, rec.triggerTs)).toBeCloseTo(2 / 3);
    expect(windowFraction(rec, -5)).toBe(0);
    expect(windowFraction({ from: 5, to: 5 }, 5)).toBe(0);
  });
});

describe('twin service case actions by role', () => {
  it('notes from an operator up; assign and close from maintenance up, only while the case is not closed', () => {
    expect(caseActions('open', null)).toEqual({ assign: false, note: false, close: false });
    expect(caseActions('open', 'operator')).toEqual({ assign: false, note: true, close: false });
    expect(caseActions('open', 'maintenance')).toEqual({ assign: true, note: true, close: true });
    expect(caseActions('assigned', 'manager')).toEqual({ assign: true, note: true, close: true });
    expect(caseActions('closed', 'admin')).toEqual({ assign: false, note: true, close: false });
  });
});
