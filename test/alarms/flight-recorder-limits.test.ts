// The flight recorder's bounds (issue 16 §2): open recordings per machine and overall, and
// samples per recording. Past them a person's request is refused with a message naming the
// limit; an alarm's capture keeps its pre-trigger part and ends at the trigger.
import { describe, expect, it } from 'vitest';
import { FlightRecorder, RecordingLimitError, type CaptureRequest } from '../../edge/alarms/flight-recorder.js';
import { FakeClock, tagEvent } from './fixtures.js';

const manual = (machineId: string, triggerTs: number, postMs = 3_600_000): CaptureRequest =>
  ({ machineId, trigger: 'manual', triggerTs, preMs: 10_000, postMs, alarmId: null, alarmKey: null, note: null });

describe('flight recorder limits', () => {
  it('refuses a long manual recording past the per-machine limit, naming it', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press', 'oven'], 60_000, clock.now, 1000, { perMachine: 2, overall: 4 });
    rec.start(manual('press', clock.t));
    rec.start(manual('press', clock.t));
    expect(() => rec.start(manual('press', clock.t))).toThrow(RecordingLimitError);
    expect(() => rec.start(manual('press', clock.t))).toThrow(/at most 2 open recordings per machine \(parameter: id\)/);
    // Without a post-trigger part it completes at once and is never refused.
    expect(rec.start(manual('press', clock.t, 0)).to).toBe(clock.t);
    rec.start(manual('oven', clock.t));
    expect(() => rec.start(manual('oven', clock.t))).toThrow(/at most 4 open recordings on this edge/);
    expect(rec.pending()).toHaveLength(4);
  });

  it('gives an alarm past the limit its pre-trigger part only, and a sample visits only its machine\'s captures', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press', 'oven'], 60_000, clock.now, 1000, { perMachine: 1, overall: 10 });
    rec.onModelEvents([tagEvent('press', 'temperature', 1, clock.t)]);
    clock.t += 1000;
    const first = rec.start(manual('press', clock.t));
    const alarm = rec.start({ ...manual('press', clock.t), trigger: 'alarm', alarmId: 3, alarmKey: 'hot@press', note: 'hot' });
    expect(alarm.to).toBe(alarm.triggerTs);
    expect(alarm.note).toMatch(/^hot \(pre-trigger part only: .*at most 1 open recordings per machine/);
    expect(alarm.samples.map((s) => s.value)).toEqual([1]);
    clock.t += 1000;
    rec.onModelEvents([tagEvent('press', 'temperature', 2, clock.t), tagEvent('oven', 'temperature', 9, clock.t)]);
    expect(first.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(rec.tick().map((c) => c.alarmId)).toEqual([3]);
  });

  it('ends a recording early when it holds its sample limit', () => {
    const clock = new FakeClock();
    const rec = new FlightRecorder(['press'], 60_000, clock.now, 1000, { samplesPerCapture: 5 });
    const c = rec.start(manual('press', clock.t));
    for (let i = 1; i <= 20; i++) {
      clock.t += 100;
      rec.onModelEvents([tagEvent('press', 'temperature', i, clock.t)]);
    }
    expect(c.samples.map((s) => s.value)).toEqual([1, 2, 3, 4, 5]);
    expect(c.to).toBe(c.samples.at(-1)!.rx);
    expect(rec.tick()).toEqual([c]);
    // The machine may record again.
    expect(() => rec.start(manual('press', clock.t))).not.toThrow();
  });
});
