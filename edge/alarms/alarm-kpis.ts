// Alarm-system performance of one period (a shift), after ANSI/ISA-18.2-2016 §16.5 and
// EEMUA 191: annunciated alarms per operator (per hour and per 10 minutes), the share of
// 10-minute windows in flood, standing and stale alarms, the top ten "bad actors", chatter
// and time to acknowledge. A pure function of the period's occurrences.
import type { AlarmKpis, AlarmOccurrence } from '../../shared/alarm-wire.js';
import { MAX_SPAN_MS, spanProblem } from '../../shared/query-limits.js';

export interface AlarmKpiInput {
  from: number;
  to: number;
  /** Every occurrence that was annunciated in [from, to) or still standing at `from`. */
  occurrences: readonly AlarmOccurrence[];
  operators: number;
  /** Flood limit per 10 minutes (alarms.flood.count). */
  floodCount: number;
  staleAfterMs: number;
  shift?: { name: string; date: string } | null;
  /** Points shelved right now (only meaningful for a period that ends now). */
  shelvedNow?: number;
}

const TEN_MIN = 10 * 60_000;

function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Occurrences read for one period at most: a journal this full is a flood worth seeing in its first 100,000. */
export const MAX_KPI_OCCURRENCES = 100_000;

/** The plant's alarm settings the figures depend on. */
export type AlarmKpiSettings = Pick<AlarmKpiInput, 'operators' | 'floodCount' | 'staleAfterMs'>;

/** The KPIs of a period read from the journal (the read worker runs this on its own connection). */
export function alarmKpisFromJournal(
  journal: { occurrences(q: { from: number; to: number; limit?: number }): AlarmOccurrence[] },
  period: Pick<AlarmKpiInput, 'from' | 'to' | 'shift' | 'shelvedNow'>,
  settings: AlarmKpiSettings,
): AlarmKpis {
  return alarmKpis({ ...period, ...settings, occurrences: journal.occurrences({ from: period.from, to: period.to, limit: MAX_KPI_OCCURRENCES }) });
}

export function alarmKpis(input: AlarmKpiInput): AlarmKpis {
  const { from, to, operators } = input;
  // One counter per 10-minute window: a window of centuries would not fit in memory.
  const tooLong = spanProblem(from, to, { to: true }, MAX_SPAN_MS);
  if (tooLong) throw new RangeError(tooLong.message);
  const span = Math.max(1, to - from);
  const inPeriod = input.occurrences.filter((o) => o.activeTs >= from && o.activeTs < to);
  const n = inPeriod.length;

  // Fixed 10-minute windows from the period start (ISA-18.2 counts per 10 minutes); a last,
  // partial window counts as a whole one so a burst at the end of a shift is not hidden.
  const windows = Math.max(1, Math.ceil(span / TEN_MIN));
  const perWindow = new Array<number>(windows).fill(0);
  for (const o of inPeriod) perWindow[Math.min(windows - 1, Math.floor((o.activeTs - from) / TEN_MIN))]!++;
  const flooded = perWindow.filter((c) => c > input.floodCount).length;

  // Standing: the condition is still there at the end of the period, annunciated or not yet acknowledged.
  const standing = input.occurrences.filter((o) => o.activeTs < to && (o.returnTs === null || o.returnTs >= to) && (o.closedTs === null || o.closedTs >= to));
  const stale = standing.filter((o) => to - o.activeTs > input.staleAfterMs);

  const byPriority: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byKey = new Map<string, { key: string; machineId: string; ruleId: string; count: number }>();
  const chattering = new Set<string>();
  const ackSeconds: number[] = [];
  for (const o of inPeriod) {
    byPriority[o.priority] = (byPriority[o.priority] ?? 0) + 1;
    const b = byKey.get(o.key) ?? { key: o.key, machineId: o.machineId, ruleId: o.ruleId, count: 0 };
    b.count++;
    byKey.set(o.key, b);
    if (o.chattering) chattering.add(o.key);
    if (o.ackTs !== null) ackSeconds.push((o.ackTs - o.activeTs) / 1000);
  }
  const badActors = [...byKey.values()]
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, 10)
    .map((b) => ({ ...b, share: n ? round(b.count / n) : 0 }));
  ackSeconds.sort((a, b) => a - b);

  return {
    from, to,
    shift: input.shift ?? null,
    operators,
    annunciated: n,
    perOperatorHour: round(n / operators / (span / 3_600_000)),
    perOperator10Min: {
      average: round(n / operators / windows),
      max: round(Math.max(...perWindow) / operators),
    },
    floodShare: round(flooded / windows),
    floodMinutes: flooded * 10,
    standing: standing.length,
    stale: stale.length,
    byPriority,
    badActors,
    topTenShare: n ? round(badActors.reduce((s, b) => s + b.count, 0) / n) : 0,
    chattering: [...chattering].sort(),
    shelvedNow: input.shelvedNow ?? 0,
    ackSeconds: { median: quantile(ackSeconds, 0.5), p90: quantile(ackSeconds, 0.9) },
  };
}
