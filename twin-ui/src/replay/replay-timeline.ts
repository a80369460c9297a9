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

/** Sorted, clipped segments; an interval still open ends at the window's end. */
export function toTrack(intervals: readonly StateInterval[], windowEnd: number): ReplaySegment[] {
  return intervals
    .map((i) => ({
      state: (STATES.has(i.state) ? i.state : 'no-data') as MachineState,
      start: i.startTs,
      end: i.endTs ?? windowEnd,
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
