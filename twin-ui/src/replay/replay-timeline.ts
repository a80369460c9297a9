// Pure pieces of replay: the historian's state intervals as a track per machine, the state at
// any moment of the window, and a clock that maps real time to replayed time at 1×–60×.
// No DOM and no Date.now(): the caller passes times in, so this is easy to reason about.
import type { StateInterval } from '../../../shared/history-api.js';
import type { MachineState } from '../../../shared/plant-schema.js';

const STATES: ReadonlySet<string> = new Set(['running', 'idle', 'down', 'setup', 'planned-stop', 'no-data']);

export interface ReplaySegment {
  state: MachineState;
  start: number;
  end: number;
  reason: string | null;
}

export interface ReplayedState {
  state: MachineState;
  since: number;
  reason: string | null;
}

/** Sorted segments clipped at the window's end; an interval still open ends there. */
export function toTrack(intervals: readonly StateInterval[], windowEnd: number): ReplaySegment[] {
  return intervals
    .map((i) => ({
      state: (STATES.has(i.state) ? i.state : 'no-data') as MachineState,
      start: i.startTs,
      end: Math.min(i.endTs ?? windowEnd, windowEnd),
      reason: i.reason,
    }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
}

/** The state at `t` ([start, end) of a segment); outside every segment it is unknown (no data). */
export function stateAt(track: readonly ReplaySegment[], t: number): ReplayedState {
  let lo = 0;
  let hi = track.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (track[mid]!.start <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const s = found >= 0 ? track[found]! : undefined;
  if (!s || t >= s.end) return { state: 'no-data', since: s ? s.end : Number.NEGATIVE_INFINITY, reason: null };
  return { state: s.state, since: s.start, reason: s.reason };
}

export const REPLAY_SPEEDS = [1, 5, 10, 30, 60] as const;

/** Replayed time: advances by real elapsed time × speed while playing, stops at the end. */
export class ReplayClock {
  position: number;
  speed = 10;
  playing = false;

  constructor(readonly from: number, readonly to: number) {
    this.position = from;
  }

  /** Moves on by `realMs` of wall time; returns true if the position changed. */
  advance(realMs: number): boolean {
    if (!this.playing || realMs <= 0) return false;
    const before = this.position;
    this.position = Math.min(this.to, this.position + realMs * this.speed);
    if (this.position >= this.to) this.playing = false;
    return this.position !== before;
  }

  seek(t: number): void {
    this.position = Math.min(this.to, Math.max(this.from, t));
  }

  /** Share of the window played, 0..1 (the scrubber's position). */
  fraction(): number {
    return this.to > this.from ? (this.position - this.from) / (this.to - this.from) : 0;
  }
}

// ---- counts -----------------------------------------------------------------------------

/**
 * Parts made by one machine as the replay counts them: `base` parts before the window (the
 * shift so far, when the window lies in the current shift), then the historian's deltas. At
 * `resetAt` (a shift that starts inside the window) the count starts again from zero, as the
 * live count does at a shift change.
 */
export interface CountTrack {
  base: { total: number; good: number };
  /** Delta timestamps, ascending, and the running sums after each. */
  ts: number[];
  total: number[];
  good: number[];
  resetAt: number | null;
  /** Where the count shown at a moment before `resetAt` starts. */
  origin: number;
}

export interface CountDeltaLike {
  ts: number;
  deltaTotal: number;
  deltaGood: number;
}

export function toCountTrack(base: { total: number; good: number }, deltas: readonly CountDeltaLike[], origin: number, resetAt: number | null): CountTrack {
  const sorted = [...deltas].sort((a, b) => a.ts - b.ts);
  const ts: number[] = [];
  const total: number[] = [];
  const good: number[] = [];
  let t = 0;
  let g = 0;
  for (const d of sorted) {
    t += d.deltaTotal;
    g += d.deltaGood;
    ts.push(d.ts);
    total.push(t);
    good.push(g);
  }
  return { base: resetAt === null ? base : { total: 0, good: 0 }, ts, total, good, resetAt, origin };
}

/** Index of the last delta at or before `t`, or -1. */
function lastAtOrBefore(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface ReplayedCounts {
  total: number;
  good: number;
  scrap: number;
  /** Where this count starts (shift start or window start). */
  origin: number;
}

/** Parts made up to and including moment `t`. */
export function countAt(track: CountTrack, t: number): ReplayedCounts {
  const i = lastAtOrBefore(track.ts, t);
  let total = i >= 0 ? track.total[i]! : 0;
  let good = i >= 0 ? track.good[i]! : 0;
  let origin = track.origin;
  if (track.resetAt !== null && t >= track.resetAt) {
    const j = lastAtOrBefore(track.ts, track.resetAt - 1);
    if (j >= 0) {
      total -= track.total[j]!;
      good -= track.good[j]!;
    }
    origin = track.resetAt;
  } else {
    total += track.base.total;
    good += track.base.good;
  }
  return { total, good, scrap: Math.max(0, total - good), origin };
}

// ---- faults on the scrubber -----------------------------------------------------------------

export interface ReplayMark {
  ts: number;
  machineId: string;
  /** An alarm from the alarm journal, or a stop (a "down" interval) from the state timeline. */
  kind: 'alarm' | 'stop';
  text: string;
  priority: string | null;
}

export interface AlarmLike {
  machineId: string;
  activeTs: number;
  message: string;
  priority: string;
}

/** Alarms raised and stops begun inside [from, to], oldest first. */
export function faultMarks(tracks: ReadonlyMap<string, readonly ReplaySegment[]>, alarms: readonly AlarmLike[], from: number, to: number): ReplayMark[] {
  const marks: ReplayMark[] = [];
  for (const a of alarms) {
    if (a.activeTs >= from && a.activeTs <= to) marks.push({ ts: a.activeTs, machineId: a.machineId, kind: 'alarm', text: a.message, priority: a.priority });
  }
  for (const [machineId, track] of tracks) {
    for (const s of track) {
      if (s.state === 'down' && s.start >= from && s.start <= to) marks.push({ ts: s.start, machineId, kind: 'stop', text: s.reason ?? 'down', priority: null });
    }
  }
  return marks.sort((a, b) => a.ts - b.ts || (a.kind === b.kind ? 0 : a.kind === 'alarm' ? -1 : 1));
}

/** How far before a fault a jump lands: the lead-up is what an engineer wants to watch. */
export const LEAD_MS = 120_000;

/**
 * The mark a "previous/next fault" jump goes to from replayed moment `position`, and where it
 * lands (LEAD_MS before it, not before `from`). "Next" is the first mark whose lead-up starts
 * after the position; "previous" the last one whose lead-up starts before it.
 */
export function jumpTarget(marks: readonly ReplayMark[], position: number, direction: 1 | -1, from: number): { mark: ReplayMark; at: number } | null {
  const landing = (m: ReplayMark) => Math.max(from, m.ts - LEAD_MS);
  // Half a second of slack so that pressing again moves on instead of landing where we are.
  const candidates = direction > 0 ? marks.filter((m) => landing(m) > position + 500) : marks.filter((m) => landing(m) < position - 500).reverse();
  const mark = candidates[0];
  return mark ? { mark, at: landing(mark) } : null;
}
