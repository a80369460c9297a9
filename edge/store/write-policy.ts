// Which samples are worth a row: a change beyond the tag's deadband, a change of quality,
// or a heartbeat when nothing changed for a while (so a flat line is not mistaken for a gap).
// Pure: the historian keeps the state and the clock.

export interface LastWritten {
  value: number | string | null;
  /** Stored quality code (0 good, 1 uncertain, 2 bad). */
  quality: number;
}

/** True when `value`/`quality` must be stored given what was stored last for the tag (null: nothing yet). */
export function worthWriting(last: LastWritten | null, value: number | string | null, quality: number, deadband: number): boolean {
  if (last === null) return true;
  if (quality !== last.quality) return true;
  const prev = last.value;
  if (value === null || prev === null) return value !== prev;
  if (typeof value === 'number' && typeof prev === 'number') {
    // Strictly greater: deadband 0 stores every change but not an exact repeat.
    return Math.abs(value - prev) > deadband;
  }
  return value !== prev;
}

/** True when a tag last stored at `writtenAt` (edge clock) is due a heartbeat at `now`. */
export function heartbeatDue(writtenAt: number, now: number, heartbeatMs: number): boolean {
  return now - writtenAt >= heartbeatMs;
}
