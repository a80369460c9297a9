// Pure replay maths of the twin: historian intervals → track, state at a moment, replay clock.
import { describe, expect, it } from 'vitest';
import { ReplayClock, stateAt, toTrack, countAt, faultMarks, jumpTarget, LEAD_MS, toCountTrack } from '../../twin-ui/src/replay/replay-timeline.js';

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

describe('replayed counts', () => {
  const deltas = [
    { ts: 1_000, deltaTotal: 2, deltaGood: 2 },
    { ts: 3_000, deltaTotal: 1, deltaGood: 0 },
    { ts: 5_000, deltaTotal: 4, deltaGood: 4 },
  ];

  it('adds the deltas up to and including the moment to the base (the shift so far)', () => {
    const track = toCountTrack({ total: 10, good: 9 }, deltas, 0, null);
    expect(countAt(track, 999)).toEqual({ total: 10, good: 9, scrap: 1, origin: 0 });
    expect(countAt(track, 1_000)).toEqual({ total: 12, good: 11, scrap: 1, origin: 0 });
    expect(countAt(track, 4_000)).toEqual({ total: 13, good: 11, scrap: 2, origin: 0 });
    expect(countAt(track, 9_000)).toEqual({ total: 17, good: 15, scrap: 2, origin: 0 });
  });

  it('starts again from zero at a shift that begins inside the window, as the live count does', () => {
    const track = toCountTrack({ total: 10, good: 9 }, deltas, 0, 3_000);
    expect(countAt(track, 2_000)).toEqual({ total: 2, good: 2, scrap: 0, origin: 0 });
    expect(countAt(track, 3_000)).toEqual({ total: 1, good: 0, scrap: 1, origin: 3_000 });
    expect(countAt(track, 6_000)).toEqual({ total: 5, good: 4, scrap: 1, origin: 3_000 });
  });
});

describe('faults on the scrubber', () => {
  const tracks = new Map([
    ['mill', toTrack([
      { machineId: 'mill', state: 'running', startTs: 0, endTs: 200_000, reason: null },
      { machineId: 'mill', state: 'down', startTs: 200_000, endTs: 260_000, reason: 'fault 17' },
      { machineId: 'mill', state: 'running', startTs: 260_000, endTs: null, reason: null },
    ], 1_000_000)],
    ['loader', toTrack([{ machineId: 'loader', state: 'down', startTs: 700_000, endTs: 710_000, reason: null }], 1_000_000)],
  ]);
  const alarms = [
    { machineId: 'mill', activeTs: 500_000, message: 'mill: fault 17', priority: 'high' },
    { machineId: 'mill', activeTs: 2_000_000, message: 'outside', priority: 'low' },
  ];

  it('marks stops and alarms inside the window, oldest first', () => {
    const marks = faultMarks(tracks, alarms, 0, 1_000_000);
    expect(marks.map((m) => [m.kind, m.machineId, m.ts, m.text])).toEqual([
      ['stop', 'mill', 200_000, 'fault 17'], ['alarm', 'mill', 500_000, 'mill: fault 17'], ['stop', 'loader', 700_000, 'down'],
    ]);
  });

  it('jumps to two minutes before the next or previous fault, never before the window', () => {
    const marks = faultMarks(tracks, alarms, 0, 1_000_000);
    expect(LEAD_MS).toBe(120_000);
    expect(jumpTarget(marks, 0, 1, 0)).toMatchObject({ at: 80_000, mark: { ts: 200_000 } });
    expect(jumpTarget(marks, 80_000, 1, 0)).toMatchObject({ at: 380_000, mark: { ts: 500_000 } });
    expect(jumpTarget(marks, 580_000, 1, 0)).toBeNull();
    expect(jumpTarget(marks, 580_000, -1, 0)).toMatchObject({ at: 380_000 });
    expect(jumpTarget(marks, 80_000, -1, 0)).toBeNull();
    // A fault in the first two minutes of the window: land on the window's start.
    expect(jumpTarget(faultMarks(tracks, alarms, 150_000, 1_000_000), 0, 1, 150_000)).toMatchObject({ at: 150_000, mark: { ts: 200_000 } });
  });
});
