// The alarm engine on a hand-driven clock: conditions, delays, ISA-18.2 lifecycle,
// shelving, suppression, out of service, chatter and flood.
import { describe, expect, it } from 'vitest';
import { createAlarmEngine, AlarmCommandError, type EngineEvent } from '../../edge/alarms/alarm-engine.js';
import { alarmSettings, type AlarmRuleInput, type AlarmSettingsInput } from '../../shared/alarm-rules.js';
import type { AlarmState } from '../../shared/alarm-wire.js';
import type { AnomalyScorer } from '../../edge/alarms/conditions.js';
import { FakeClock, stateEvent, tagEvent, testPlant } from './fixtures.js';

function setup(rules: AlarmRuleInput[], extra: AlarmSettingsInput = {}, anomaly?: AnomalyScorer) {
  const plant = testPlant({ ...extra, rules });
  const clock = new FakeClock();
  const engine = createAlarmEngine({ plant, settings: alarmSettings(plant.alarms), now: clock.now, anomaly });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  // Both machines running and readable from the start.
  engine.onModelEvents([stateEvent('press', 'running', clock.t), stateEvent('oven', 'running', clock.t)]);
  const set = (machine: string, tag: string, value: number | null, quality: 'good' | 'bad' = 'good') =>
    engine.onModelEvents([tagEvent(machine, tag, value, clock.t, quality)]);
  const state = (key: string): AlarmState => engine.view(key)!.state;
  const types = () => events.map((e) => e.type);
  return { plant, clock, engine, events, set, state, types };
}

type Step =
  | { at: number; set?: [string, number | null] | [string, number | null, 'bad']; state?: string; fault?: number; expect?: AlarmState };

/** Each case: one rule on the press, a timeline of inputs (ms after start) and the ISA state expected after each step. */
const CASES: { name: string; rule: AlarmRuleInput; steps: Step[] }[] = [
  {
    name: 'high limit with deadband: returns only below limit − deadband',
    rule: { id: 'hot', machine: 'press', kind: 'high', tag: 'temperature', limit: 80, deadband: 5 },
    steps: [
      { at: 0, set: ['temperature', 70], expect: 'normal' },
      { at: 1000, set: ['temperature', 80], expect: 'normal' },
      { at: 2000, set: ['temperature', 81], expect: 'active-unacked' },
      { at: 3000, set: ['temperature', 76], expect: 'active-unacked' },
      { at: 4000, set: ['temperature', 74.9], expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'high limit with on-delay: a short spike is not an alarm',
    rule: { id: 'hot', machine: 'press', kind: 'high', tag: 'temperature', limit: 80, onDelaySeconds: 5 },
    steps: [
      { at: 0, set: ['temperature', 90], expect: 'normal' },
      { at: 3000, set: ['temperature', 70], expect: 'normal' },
      { at: 4000, set: ['temperature', 90], expect: 'normal' },
      { at: 8000, expect: 'normal' },
      { at: 9000, expect: 'active-unacked' },
    ],
  },
  {
    name: 'off-delay: the alarm stays until the condition has been gone long enough',
    rule: { id: 'hot', machine: 'press', kind: 'high', tag: 'temperature', limit: 80, offDelaySeconds: 10 },
    steps: [
      { at: 0, set: ['temperature', 90], expect: 'active-unacked' },
      { at: 1000, set: ['temperature', 70], expect: 'active-unacked' },
      { at: 5000, set: ['temperature', 85], expect: 'active-unacked' },
      { at: 6000, set: ['temperature', 70], expect: 'active-unacked' },
      { at: 15_000, expect: 'active-unacked' },
      { at: 16_000, expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'low limit with deadband',
    rule: { id: 'cold', machine: 'press', kind: 'low', tag: 'temperature', limit: 20, deadband: 2 },
    steps: [
      { at: 0, set: ['temperature', 25], expect: 'normal' },
      { at: 1000, set: ['temperature', 19.5], expect: 'active-unacked' },
      { at: 2000, set: ['temperature', 21], expect: 'active-unacked' },
      { at: 3000, set: ['temperature', 22.5], expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'deviation from a setpoint tag',
    rule: { id: 'dev', machine: 'press', kind: 'deviation', tag: 'temperature', setpointTag: 'setpoint', maxDeviation: 3, deadband: 1 },
    steps: [
      { at: 0, set: ['setpoint', 60], expect: 'normal' },
      { at: 100, set: ['temperature', 62], expect: 'normal' },
      { at: 1000, set: ['temperature', 56.5], expect: 'active-unacked' },
      { at: 2000, set: ['temperature', 57.5], expect: 'active-unacked' },
      { at: 3000, set: ['temperature', 58.5], expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'rate of change over a window',
    rule: { id: 'ramp', machine: 'press', kind: 'rate', tag: 'temperature', maxPerMinute: 10, windowSeconds: 60, direction: 'rise' },
    steps: [
      { at: 0, set: ['temperature', 50], expect: 'normal' },
      { at: 30_000, set: ['temperature', 53], expect: 'normal' },
      { at: 60_000, set: ['temperature', 56], expect: 'normal' },
      { at: 90_000, set: ['temperature', 64], expect: 'active-unacked' },
      { at: 120_000, set: ['temperature', 68], expect: 'active-unacked' },
      { at: 150_000, set: ['temperature', 68], expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'state-based: down for more than N minutes',
    rule: { id: 'down-long', machine: 'press', kind: 'state', state: 'down', forMinutes: 2 },
    steps: [
      { at: 0, state: 'down', expect: 'normal' },
      { at: 119_000, expect: 'normal' },
      { at: 120_000, expect: 'active-unacked' },
      { at: 130_000, state: 'running', expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'fault code, excluding micro-stop codes',
    rule: { id: 'fault', machine: 'press', kind: 'fault', excludeCodes: [101] },
    steps: [
      { at: 0, fault: 101, expect: 'normal' },
      { at: 1000, fault: 0, expect: 'normal' },
      { at: 2000, fault: 301, expect: 'active-unacked' },
      { at: 3000, fault: 0, expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'comm loss after its delay, and back',
    rule: { id: 'comm', machine: 'press', kind: 'comm-loss', onDelaySeconds: 10 },
    steps: [
      { at: 0, state: 'no-data', expect: 'normal' },
      { at: 9_000, expect: 'normal' },
      { at: 10_000, expect: 'active-unacked' },
      { at: 11_000, state: 'running', expect: 'rtn-unacked' },
    ],
  },
  {
    name: 'a bad-quality value neither raises nor clears a limit alarm',
    rule: { id: 'hot', machine: 'press', kind: 'high', tag: 'temperature', limit: 80 },
    steps: [
      { at: 0, set: ['temperature', 90], expect: 'active-unacked' },
      { at: 1000, set: ['temperature', null, 'bad'], expect: 'active-unacked' },
      { at: 2000, set: ['temperature', 50], expect: 'rtn-unacked' },
      { at: 3000, set: ['temperature', null, 'bad'], expect: 'rtn-unacked' },
    ],
  },
];

describe('alarm conditions (table)', () => {
  it.each(CASES)('$name', ({ rule, steps }) => {
    const { clock, engine, set, state } = setup([rule]);
    const key = `${rule.id}@press`;
    const start = clock.t;
    steps.forEach((step, i) => {
      clock.t = start + step.at;
      if (step.set) set('press', step.set[0], step.set[1], step.set[2]);
      if (step.state) engine.onModelEvents([stateEvent('press', step.state as never, clock.t)]);
      if (step.fault !== undefined) set('press', 'faultCode', step.fault);
      engine.tick();
      if (step.expect) expect(state(key), `step ${i} at +${step.at} ms`).toBe(step.expect);
    });
    // The other machine never had anything to do with it.
    expect(engine.list({ machineId: 'oven' })).toEqual([]);
  });
});

describe('ISA-18.2 lifecycle', () => {
  const hot: AlarmRuleInput = { id: 'hot', kind: 'high', tag: 'temperature', limit: 80, priority: 'high' };

  it('B → C (ack) → A (return): acknowledged first, then normal', () => {
    const { clock, engine, set, state, types, events } = setup([hot]);
    set('press', 'temperature', 90);
    expect(state('hot@press')).toBe('active-unacked');
    clock.advance(5000);
    const acked = engine.ack('hot@press', 'li.wei');
    expect(acked).toMatchObject({ state: 'active-acked', ackBy: 'li.wei', ackTs: clock.t });
    clock.advance(5000);
    set('press', 'temperature', 60);
    expect(state('hot@press')).toBe('normal');
    expect(types()).toEqual(['raised', 'acknowledged', 'normal']);
    const closed = events.at(-1)!.occurrence!;
    expect(closed).toMatchObject({ state: 'normal', ackBy: 'li.wei', returnTs: clock.t, closedTs: clock.t });
    expect(engine.list()).toEqual([]);
  });

  it('B → D (return) → A (ack); and D → B on a new activation opens a new occurrence', () => {
    const { engine, set, state, types, events } = setup([hot]);
    set('press', 'temperature', 90);
    set('press', 'temperature', 70);
    expect(state('hot@press')).toBe('rtn-unacked');
    set('press', 'temperature', 95);
    expect(state('hot@press')).toBe('active-unacked');
    const ids = events.filter((e) => e.type === 'raised').map((e) => e.occurrence!.id);
    expect(ids).toEqual([1, 2]);
    set('press', 'temperature', 70);
    engine.ack('hot@press', 'op');
    expect(state('hot@press')).toBe('normal');
    expect(types()).toEqual(['raised', 'cleared', 'raised', 'cleared', 'acknowledged']);
    expect(() => engine.ack('hot@press', 'op')).toThrow(AlarmCommandError);
  });

  it('shelving hides the alarm until it expires, then re-annunciates a standing condition', () => {
    const { clock, engine, set, state, types } = setup([hot]);
    set('press', 'temperature', 90);
    engine.shelve('hot@press', 'li.wei', 30, 'sensor being replaced');
    expect(state('hot@press')).toBe('shelved');
    expect(engine.view('hot@press')!.shelved).toMatchObject({ by: 'li.wei', until: clock.t + 30 * 60_000 });
    // Toggling while shelved raises nothing.
    set('press', 'temperature', 60);
    set('press', 'temperature', 95);
    clock.advance(30 * 60_000 - 1);
    engine.tick();
    expect(state('hot@press')).toBe('shelved');
    clock.advance(1);
    engine.tick();
    expect(state('hot@press')).toBe('active-unacked');
    expect(types()).toEqual(['raised', 'shelved', 'unshelved', 'raised']);
    expect(() => engine.shelve('hot@press', 'op', 9 * 60, 'too long')).toThrow(/maxShelveMinutes/);
  });

  it('manual unshelve of an inactive alarm returns it to normal', () => {
    const { engine, set, state } = setup([hot]);
    set('press', 'temperature', 90);
    engine.shelve('hot@press', 'op', 10, 'nuisance');
    set('press', 'temperature', 50);
    engine.unshelve('hot@press', 'op');
    expect(state('hot@press')).toBe('normal');
  });

  it('suppression by state: a planned stop hides alarms and they return after it', () => {
    const fault: AlarmRuleInput = { id: 'fault', kind: 'fault' };
    const { clock, engine, set, state, types } = setup([fault, { id: 'idle-long', kind: 'state', state: 'planned-stop', forMinutes: 1 }]);
    set('press', 'faultCode', 301);
    expect(state('fault@press')).toBe('active-unacked');
    engine.onModelEvents([stateEvent('press', 'planned-stop', clock.t)]);
    expect(state('fault@press')).toBe('suppressed');
    clock.advance(5 * 60_000);
    engine.tick();
    // The planned-stop rule is itself suppressed in planned-stop (the section's default): listed as
    // suppressed (ISA-18.2 wants suppressed alarms viewable), never raised.
    expect(state('idle-long@press')).toBe('suppressed');
    expect(engine.list().map((a) => [a.key, a.state, a.active])).toEqual([['fault@press', 'suppressed', true], ['idle-long@press', 'suppressed', true]]);
    engine.onModelEvents([stateEvent('press', 'down', clock.t)]);
    expect(state('fault@press')).toBe('active-unacked');
    expect(types()).toEqual(['raised', 'suppressed', 'unsuppressed', 'raised']);
  });

  it('out of suppression an alarm re-qualifies with its on-delay (no re-raise at every state toggle)', () => {
    const { clock, engine, set, state, types } = setup([{ id: 'bath', kind: 'deviation', tag: 'temperature', setpoint: 62, maxDeviation: 3, onDelaySeconds: 60, onlyIn: ['running'] }]);
    set('oven', 'temperature', 55);
    clock.advance(60_000);
    engine.tick();
    expect(state('bath@oven')).toBe('active-unacked');
    // Starved, running, starved… every 10 s for five minutes: suppressed each time, never raised again.
    for (let i = 0; i < 30; i++) {
      clock.advance(10_000);
      engine.onModelEvents([stateEvent('oven', i % 2 ? 'running' : 'idle', clock.t)]);
      engine.tick();
    }
    expect(types().filter((t) => t === 'raised')).toHaveLength(1);
    clock.advance(60_000);
    engine.tick();
    expect(state('bath@oven')).toBe('active-unacked');
    expect(types().filter((t) => t === 'raised')).toHaveLength(2);
  });

  it('onlyIn: a deviation alarm counts only while running', () => {
    const { clock, engine, set, state } = setup([{ id: 'bath', kind: 'deviation', tag: 'temperature', setpoint: 62, maxDeviation: 3, onlyIn: ['running'] }]);
    engine.onModelEvents([stateEvent('oven', 'idle', clock.t)]);
    set('oven', 'temperature', 55);
    expect(state('bath@oven')).toBe('suppressed');
    engine.onModelEvents([stateEvent('oven', 'running', clock.t)]);
    expect(state('bath@oven')).toBe('active-unacked');
  });

  it('out of service: no annunciation until returned to service', () => {
    const { engine, set, state, types } = setup([hot]);
    engine.removeFromService('hot@press', 'maint', 'probe removed for calibration');
    set('press', 'temperature', 99);
    expect(state('hot@press')).toBe('out-of-service');
    expect(() => engine.shelve('hot@press', 'op', 5, 'x')).toThrow(/out of service/);
    engine.returnToService('hot@press', 'maint');
    expect(state('hot@press')).toBe('active-unacked');
    expect(types()).toEqual(['out-of-service', 'in-service', 'raised']);
  });

  it('commands name what is wrong', () => {
    const { engine } = setup([hot]);
    expect(() => engine.ack('nope@press', 'op')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => engine.ack('hot@press', 'op')).toThrow(expect.objectContaining({ status: 409, message: expect.stringContaining('normal') }));
    expect(() => engine.unshelve('hot@press', 'op')).toThrow(/not shelved/);
  });

  it('ackAll acknowledges every unacknowledged alarm of a machine', () => {
    const { engine, set } = setup([hot]);
    set('press', 'temperature', 90);
    set('oven', 'temperature', 90);
    expect(engine.ackAll('op', 'press').map((a) => a.key)).toEqual(['hot@press']);
    expect(engine.view('hot@oven')!.state).toBe('active-unacked');
  });

  it('restores shelving and out of service after a restart', () => {
    const plant = testPlant({ rules: [hot] });
    const clock = new FakeClock();
    const engine = createAlarmEngine({
      plant, settings: alarmSettings(plant.alarms), now: clock.now,
      restore: [{ key: 'hot@oven', shelved: null, outOfService: { by: 'maint', at: clock.t - 1000, reason: 'probe out' } }],
    });
    engine.onModelEvents([stateEvent('oven', 'running', clock.t), tagEvent('oven', 'temperature', 99, clock.t)]);
    expect(engine.view('hot@oven')!.state).toBe('out-of-service');
  });
});

describe('chatter and flood', () => {
  it('an alarm raised 3 times within 60 s is chattering until it has been quiet for a window', () => {
    const { clock, engine, set, types, events } = setup([{ id: 'hot', machine: 'press', kind: 'high', tag: 'temperature', limit: 80 }]);
    for (let i = 0; i < 3; i++) {
      set('press', 'temperature', 90);
      clock.advance(10_000);
      set('press', 'temperature', 70);
      engine.ack('hot@press', 'op');
      clock.advance(10_000);
    }
    expect(types().filter((t) => t === 'chatter-started')).toHaveLength(1);
    expect(engine.view('hot@press')!.chattering).toBe(true);
    expect(events.filter((e) => e.type === 'raised').at(-1)!.occurrence!.chattering).toBe(true);
    clock.advance(60_000);
    engine.tick();
    expect(types().at(-1)).toBe('chatter-ended');
    expect(engine.view('hot@press')!.chattering).toBe(false);
  });

  it('more than 10 alarms in 10 minutes on the line is a flood; it ends when the rate falls', () => {
    const rules: AlarmRuleInput[] = Array.from({ length: 6 }, (_, i) => ({ id: `hot${i}`, kind: 'high', tag: 'temperature', limit: 50 + i } as AlarmRuleInput));
    const { clock, engine, set, types, events } = setup(rules);
    // Two machines × six rules = 12 alarms, one a minute.
    let raised = 0;
    for (const machine of ['press', 'oven']) {
      for (let v = 50.5; v < 56; v += 1) {
        set(machine, 'temperature', v);
        raised = events.filter((e) => e.type === 'raised').length;
        clock.advance(45_000);
        engine.tick();
      }
    }
    expect(raised).toBe(12);
    const started = events.find((e) => e.type === 'flood-started')!;
    expect(started.flood).toMatchObject({ active: true, count: 11, limit: 10 });
    // The 11th alarm started it, not the 10th.
    expect(events.filter((e) => e.type === 'raised').indexOf(events[events.indexOf(started) - 1]!)).toBe(10);
    expect(engine.flood().active).toBe(true);
    clock.advance(10 * 60_000);
    engine.tick();
    expect(types().at(-1)).toBe('flood-ended');
    expect(engine.flood()).toMatchObject({ active: false, count: 0 });
  });
});

describe('anomaly rule', () => {
  it('raises at the threshold and returns below half of it', () => {
    let score = 0;
    const scorer: AnomalyScorer = (machineId) => (machineId === 'press' ? { score, tag: 'vibration' } : null);
    const { clock, engine, state } = setup([{ id: 'anomaly', kind: 'anomaly', threshold: 1 }], {}, scorer);
    const at = (s: number) => { score = s; clock.advance(1000); engine.tick(); return state('anomaly@press'); };
    expect(at(0.9)).toBe('normal');
    expect(at(1.0)).toBe('active-unacked');
    expect(engine.view('anomaly@press')!.tag).toBe('vibration');
    expect(at(0.6)).toBe('active-unacked');
    expect(at(0.4)).toBe('rtn-unacked');
    expect(state('anomaly@oven')).toBe('normal');
  });
});
