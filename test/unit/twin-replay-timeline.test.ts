// Pure replay maths of the twin: historian intervals → track, state at a moment, replay clock.
import { describe, expect, it } from 'vitest';
import { ReplayClock, stateAt, toTrack } from '../../twin-ui/src/replay/replay-timeline.js';

const iv = (state: string, startTs: number, endTs: number | null) => ({ machineId: 'm', state, startTs, endTs, reason: state === 'down' ? 'F12' : null });

describe('replay timeline', () => {
  const track = toTrack([iv('idle', 2000, 3000), iv('running', 1000, 2000), iv('down', 3000, null), iv('weird', 500, 800), iv('setup', 900, 900)], 5000);

  it('sorts, closes the open interval at the window end, maps unknown states, drops empty ones', () => {
    expect(track.map((s) => [s.state, s.start, s.end])).toEqual([['no-data', 500, 800], ['running', 1000, 2000], ['idle', 2000, 3000], ['down', 3000, 5000]]);
  });

  it.each([
    [400, 'no-data'], [500, 'no-data'], [850, 'no-data'], [1000, 'running'], [1999, 'running'], [2000, 'idle'], [3500, 'down'], [5000, 'no-data'], [9000, 'no-data'],
  ] as const)('at %d ms the state is %s', (t, state) => {
    expect(stateAt(track, t).state).toBe(state);
  });

  it('gives the start of the state and its reason', () => {
    expect(stateAt(track, 4000)).toEqual({ state: 'down', since: 3000, reason: 'F12' });
    expect(stateAt([], 10).state).toBe('no-data');
  });
});

describe('replay clock', () => {
  it('advances by real time × speed only while playing and stops at the end', () => {
    const c = new ReplayClock(0, 60_000);
    expect(c.advance(1000)).toBe(false);
    c.playing = true;
    c.speed = 60;
    expect(c.advance(500)).toBe(true);
    expect(c.position).toBe(30_000);
    expect(c.fraction()).toBe(0.5);
    c.advance(10_000);
    expect(c.position).toBe(60_000);
    expect(c.playing).toBe(false);
  });

  it('clamps seeks to the window', () => {
    const c = new ReplayClock(100, 200);
    c.seek(50);
    expect(c.position).toBe(100);
    c.seek(500);
    expect(c.position).toBe(200);
  });
});
