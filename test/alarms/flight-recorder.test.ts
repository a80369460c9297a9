// The flight recorder on a hand-driven clock: the window around the trigger, the values
// that stood before it, and the CSV export.
import { describe, expect, it } from 'vitest';
import { FlightRecorder, recordingCsv } from '../../edge/alarms/flight-recorder.js';
import { FakeClock, tagEvent } from './fixtures.js';

describe('flight recorder', () => {
  it('captures every tag from pre seconds before to post seconds after the trigger', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press', 'oven'], 60_000, clock.now);
    const t0 = clock.t;
    // A setpoint written long before (it must appear as an initial value), then a temperature ramp.
    rec.onModelEvents([tagEvent('press', 'setpoint', 60, t0)]);
    for (let s = 1; s <= 120; s++) {
      clock.t = t0 + s * 1000;
      rec.onModelEvents([tagEvent('press', 'temperature', 20 + s / 2, clock.t), tagEvent('oven', 'temperature', 99, clock.t)]);
    }
    const trigger = clock.t; // +120 s, temperature 80
    const c = rec.start({ machineId: 'press', trigger: 'alarm', triggerTs: trigger, preMs: 30_000, postMs: 10_000, alarmId: 7, alarmKey: 'hot@press', note: null });
    expect(c.from).toBe(trigger - 30_000);
    expect(c.initial.map((s) => [s.tag, s.value])).toEqual([['setpoint', 60], ['temperature', 65]]);
    const pre = c.samples.map((s) => s.value);
    expect(pre[0]).toBe(65.5);
    expect(pre.at(-1)).toBe(80);
    expect(c.samples.every((s) => s.tag === 'temperature')).toBe(true);
    for (let s = 1; s <= 15; s++) {
      clock.t = trigger + s * 1000;
      rec.onModelEvents([tagEvent('press', 'temperature', 80 + s, clock.t)]);
      const done = rec.tick();
      if (s < 10) expect(done).toEqual([]);
      if (s === 10) expect(done.map((d) => d.alarmId)).toEqual([7]);
    }
    expect(c.samples.at(-1)).toMatchObject({ value: 90, rx: trigger + 10_000 });
    expect(c.samples).toHaveLength(40);
    const csv = recordingCsv(c).trim().split('\n');
    expect(csv[0]).toBe('phase,tag,source_time,source_ts,received_ts,offset_s,value,quality');
    expect(csv[1]).toMatch(/^initial,setpoint,/);
    expect(csv.filter((l) => l.startsWith('pre,'))).toHaveLength(30);
    expect(csv.filter((l) => l.startsWith('post,'))).toHaveLength(10);
    expect(csv.at(-1)).toMatch(/^post,temperature,.*,10\.000,90,good$/);
  });

  it('keeps at most maxSamples per machine, the newest', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press'], 60_000, clock.now, 100);
    for (let i = 0; i < 250; i++) rec.onModelEvents([tagEvent('press', 'temperature', i, clock.t)]);
    const c = rec.start({ machineId: 'press', trigger: 'manual', triggerTs: clock.t, preMs: 60_000, postMs: 0, alarmId: null, alarmKey: null, note: null });
    expect(c.samples).toHaveLength(100);
    expect(c.samples[0]!.value).toBe(150);
    // What fell out of the ring still gives the value before the first kept sample.
    expect(c.initial.map((x) => x.value)).toEqual([149]);
  });

  it('cuts the pre-trigger window to what the ring holds and rejects unknown machines', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press'], 10_000, clock.now);
    const c = rec.start({ machineId: 'press', trigger: 'manual', triggerTs: clock.t, preMs: 60_000, postMs: 0, alarmId: null, alarmKey: null, note: null });
    expect(c.to - c.from).toBe(10_000);
    expect(() => rec.start({ ...c, machineId: 'lathe' })).toThrow(/no machine "lathe"/);
  });
});
