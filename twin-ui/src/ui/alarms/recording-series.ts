// A flight recording as one trend per tag, on the edge's receive clock (the recording window is
// on that clock; source stamps may run ahead of it). Pure, so the browser charts and the unit
// tests read the same series.
import type { Recording, RecordingSample } from '../../../../shared/alarm-wire.js';

export interface RecordedSeries {
  tag: string;
  /** Step points (a PLC value holds until the next sample); booleans as 0/1. */
  points: { ts: number; v: number }[];
  /** Samples at or before the trigger (the initial value counts): what the machine did before. */
  preCount: number;
  postCount: number;
  /** Samples with bad quality or non-numeric values, left out of the line. */
  skipped: number;
}

function numeric(s: RecordingSample): number | null {
  if (s.quality === 'bad') return null;
  if (typeof s.value === 'boolean') return s.value ? 1 : 0;
  return typeof s.value === 'number' && Number.isFinite(s.value) ? s.value : null;
}

/** One series per tag in the order tags first appear (initial values first), each sorted by receive time. */
export function recordingSeries(rec: Recording): RecordedSeries[] {
  const byTag = new Map<string, RecordedSeries>();
  const add = (s: RecordingSample, initial: boolean) => {
    let series = byTag.get(s.tag);
    if (!series) {
      series = { tag: s.tag, points: [], preCount: 0, postCount: 0, skipped: 0 };
      byTag.set(s.tag, series);
    }
    const v = numeric(s);
    if (v === null) {
      series.skipped++;
      return;
    }
    // The initial value is the last one before the window: it holds from the window's start.
    series.points.push({ ts: initial ? Math.max(s.rx, rec.from) : s.rx, v });
    if (initial || s.rx <= rec.triggerTs) series.preCount++;
    else series.postCount++;
  };
  for (const s of rec.initial) add(s, true);
  for (const s of rec.samples) add(s, false);
  for (const series of byTag.values()) series.points.sort((a, b) => a.ts - b.ts);
  return [...byTag.values()];
}

/** Horizontal position of `ts` in the recording window, 0..1 (for the trigger mark). */
export function windowFraction(rec: Pick<Recording, 'from' | 'to'>, ts: number): number {
  const span = rec.to - rec.from;
  if (!(span > 0)) return 0;
  return Math.min(1, Math.max(0, (ts - rec.from) / span));
}
