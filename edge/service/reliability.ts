// Reliability figures of one machine from its state intervals (historian `machine_states`):
// running time, breakdowns (unplanned stops longer than the micro-stop threshold, as the
// KPI engine classifies them), MTBF = running time / breakdowns (IEC 60050-192 "mean
// operating time between failures"), MTTR = mean breakdown duration, and breakdowns per
// fault code. Pure.

export interface StateSpan {
  state: string;
  startTs: number;
  /** Null while the interval is still open. */
  endTs: number | null;
  reason: string | null;
}

export interface Breakdown {
  code: number | null;
  start: number;
  durationMs: number;
}

export interface Reliability {
  runningMs: number;
  breakdowns: Breakdown[];
  mtbfHours: number | null;
  mttrMinutes: number | null;
}

/** "fault 301" (the plant model's reason for a down state) → 301. */
export function faultCodeOfReason(reason: string | null): number | null {
  const m = reason ? /^fault (\d+)$/.exec(reason) : null;
  return m ? Number(m[1]) : null;
}

export function reliability(spans: readonly StateSpan[], from: number, to: number, microStopMs: number): Reliability {
  let runningMs = 0;
  const breakdowns: Breakdown[] = [];
  for (const s of spans) {
    const start = Math.max(s.startTs, from);
    const end = Math.min(s.endTs ?? to, to);
    if (end <= start) continue;
    if (s.state === 'running') runningMs += end - start;
    // The whole stop decides whether it is a breakdown, not the part inside the window.
    else if (s.state === 'down' && (s.endTs ?? to) - s.startTs >= microStopMs) {
      breakdowns.push({ code: faultCodeOfReason(s.reason), start: s.startTs, durationMs: (s.endTs ?? to) - s.startTs });
    }
  }
  const n = breakdowns.length;
  return {
    runningMs,
    breakdowns,
    mtbfHours: n ? runningMs / n / 3_600_000 : null,
    mttrMinutes: n ? breakdowns.reduce((sum, b) => sum + b.durationMs, 0) / n / 60_000 : null,
  };
}
