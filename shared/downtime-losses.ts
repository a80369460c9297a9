// Stops with reasons, and what the reasons do to a period's losses. Pure and browser-safe.
//
// A stop is a down interval of the historian. Its reason is the operator's latest
// classification (one reason, or a split into parts), else the PLC fault code's default
// reason, else `unclassified`. Stops shorter than the micro-stop threshold stay grouped as
// micro-stops and are not classified one by one (Vorne, Sepasoft: small stops are counted, not
// explained). A classified stop's time moves in the period's totals to the bucket its reason's
// loss names — a changeover to setup, "no material" to idle, a planned reason out of planned
// busy time — so OEE, the waterfall and the Pareto follow the operator's reasons and unclassified
// time stays a bar of its own.
import type { z } from 'zod';
import type { PeriodTotals, ShiftReportInputSchema } from './kpi/index.js';
import { UNCLASSIFIED, type Bilingual, type ReasonInfo, type StopLoss } from './downtime-schema.js';
import type { ParetoRow, Stop, StopPart } from './downtime-api.js';

type ShiftReportInput = z.infer<typeof ShiftReportInputSchema>;

/** A historian down interval; `reason` is the state reason the model gave ("fault 301", "unspecified"). */
export interface DownInterval {
  start: number;
  /** null: still down. */
  end: number | null;
  reason?: string | null;
}

export interface StoredRevision {
  revision: number;
  parts: Array<{ start: number; end: number | null; reason: string }>;
  note: string | null;
  by: string;
  role: string;
  at: number;
}

/** "fault 301" → 301; the model names a down state with a fault code so (edge/model/plant-model.ts). */
export function faultCodeOfReason(reason: string | null | undefined): number | null {
  const m = /^fault (\d+)$/.exec(reason ?? '');
  return m ? Number(m[1]) : null;
}

export function buildStop(o: {
  machineId: string; interval: DownInterval; now: number; latest: StoredRevision | null;
  defaultReason: string | null; promptAfterMs: number;
}): Stop {
  const { interval, latest } = o;
  const end = interval.end;
  const duration = Math.max(0, (end ?? o.now) - interval.start);
  const parts: StopPart[] = latest
    ? latest.parts.map((p, i) => ({ start: p.start, end: i === latest.parts.length - 1 ? end : p.end, reason: p.reason, source: 'operator' as const }))
    : [{ start: interval.start, end, reason: o.defaultReason ?? UNCLASSIFIED, source: o.defaultReason ? 'plc' : 'none' }];
  return {
    machineId: o.machineId,
    start: interval.start,
    end,
    durationSeconds: duration / 1000,
    faultCode: faultCodeOfReason(interval.reason),
    defaultReason: o.defaultReason,
    parts,
    revision: latest?.revision ?? 0,
    classifiedBy: latest?.by ?? null,
    classifiedAt: latest?.at ?? null,
    needsReason: !latest && o.defaultReason === null && duration >= o.promptAfterMs,
  };
}

/**
 * The parts of a classification as stored: consecutive from the stop's start, each but the last
 * ending inside the stop (before `now` while it is still down). Returns an error text naming the
 * bad part instead, for a 400.
 */
export function resolveParts(
  stop: { start: number; end: number | null },
  parts: ReadonlyArray<{ reason: string; end?: number }>,
  known: ReadonlyMap<string, unknown>,
  now: number,
): Array<{ start: number; end: number | null; reason: string }> | string {
  const limit = stop.end ?? now;
  const out: Array<{ start: number; end: number | null; reason: string }> = [];
  let cursor = stop.start;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!known.has(p.reason)) return `parts[${i}].reason: "${p.reason}" is not a reason of this machine's type (GET /api/downtime/reasons lists them)`;
    const last = i === parts.length - 1;
    if (last) {
      if (p.end !== undefined && p.end !== stop.end) return `parts[${i}].end: the last part runs to the stop's end; leave end out`;
      out.push({ start: cursor, end: null, reason: p.reason });
      break;
    }
    if (p.end === undefined) return `parts[${i}].end: every part but the last needs an end (epoch ms inside the stop)`;
    if (p.end <= cursor || p.end >= limit) return `parts[${i}].end: must lie inside the stop, after the previous part (${new Date(cursor).toISOString()} … ${new Date(limit).toISOString()})`;
    out.push({ start: cursor, end: p.end, reason: p.reason });
    cursor = p.end;
  }
  return out;
}

/** What the totals' booking knows of a stop: the model's state reason and its parts. */
export interface BookedStop {
  start: number;
  end: number | null;
  /** The reason the live engine booked the down time under ("fault 301", "unspecified"). */
  stateReason: string;
  parts: ReadonlyArray<{ start: number; end: number | null; reason: string }>;
}

const BUCKET_OF_LOSS: Record<StopLoss, 'breakdown' | 'setup' | 'idle' | 'planned-down'> = {
  'equipment-failure': 'breakdown',
  'setup-adjustment': 'setup',
  'idling-minor-stops': 'idle',
  'planned-downtime': 'planned-down',
};
const TIME_KEY = { breakdown: 'breakdownMs', setup: 'setupMs', idle: 'idleMs', 'planned-down': 'plannedDownMs' } as const;
const STOP_KEY = { breakdown: 'breakdowns', setup: 'setups', idle: 'idles', 'planned-down': null } as const;

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/**
 * The period's totals with each stop's time moved to its reasons' buckets. `until`: how far the
 * totals are booked (now, for a running shift). Micro-stops (unplanned time in the period under
 * the threshold, as the live engine judges them) are left grouped where they are.
 */
export function reasonedTotals(o: {
  totals: PeriodTotals;
  stops: readonly BookedStop[];
  plannedStops: ReadonlyArray<{ start: number; end: number }>;
  reasons: ReadonlyMap<string, ReasonInfo>;
  microStopThresholdMs: number;
  until: number;
}): PeriodTotals {
  const t: PeriodTotals = structuredClone(o.totals);
  const from = t.start;
  const to = Math.min(t.end, o.until);
  const unplanned = (a: number, b: number): number => {
    let ms = overlap(a, b, from, to);
    for (const p of o.plannedStops) ms -= overlap(Math.max(a, from), Math.min(b, to), p.start, p.end);
    return Math.max(0, ms);
  };
  for (const stop of o.stops) {
    const stopEnd = stop.end ?? to;
    if (unplanned(stop.start, stopEnd) < o.microStopThresholdMs) continue;
    const fromKey = `breakdown|${stop.stateReason}`;
    const source = t.reasons[fromKey];
    if (!source) continue; // the live totals never saw this stop (before the engine started)
    const touched = new Set<string>();
    let moved = false;
    for (const part of stop.parts) {
      const want = unplanned(part.start, part.end ?? stopEnd);
      const take = Math.min(want, source.ms);
      if (take <= 0) continue;
      const info = o.reasons.get(part.reason);
      const bucket = info ? BUCKET_OF_LOSS[info.loss] : 'breakdown';
      const reason = info ? part.reason : UNCLASSIFIED;
      source.ms -= take;
      t.times.breakdownMs -= take;
      t.times[TIME_KEY[bucket]] += take;
      const key = `${bucket}|${reason}`;
      const row = (t.reasons[key] ??= { bucket, reason, ms: 0, events: 0 });
      row.ms += take;
      if (!touched.has(key)) {
        row.events += 1;
        touched.add(key);
      }
      moved = true;
    }
    if (!moved) continue;
    source.events = Math.max(0, source.events - 1);
    if (source.ms <= 0) delete t.reasons[fromKey];
    t.stops.breakdowns = Math.max(0, t.stops.breakdowns - 1);
    // One stop counts once per bucket it ends up in (a split into two failures is one breakdown).
    for (const bucket of new Set([...touched].map((k) => k.split('|')[0] as keyof typeof STOP_KEY))) {
      const stopKey = STOP_KEY[bucket];
      if (stopKey) t.stops[stopKey] += 1;
    }
  }
  return t;
}

/** Names of the rows that are not reasons of the tree. */
export const BUILT_IN_ROWS: Record<string, { name: Bilingual; loss: string; planned: boolean }> = {
  [UNCLASSIFIED]: { name: { en: 'Unclassified', 'zh-CN': '未分类' }, loss: 'equipment-failure', planned: false },
  'micro-stops': { name: { en: 'Micro-stops (grouped)', 'zh-CN': '小停机（合并）' }, loss: 'idling-minor-stops', planned: false },
  idle: { name: { en: 'Idle (starved / blocked)', 'zh-CN': '空闲（待料/堵料）' }, loss: 'idling-minor-stops', planned: false },
  setup: { name: { en: 'Setup', 'zh-CN': '换型调整' }, loss: 'setup-adjustment', planned: false },
};

/** The loss report's reason rows, named from the tree; micro-stops grouped; unclassified its own row. Largest first. */
export function paretoRows(
  byReason: ReadonlyArray<{ bucket: string; reason: string; seconds: number; events: number }>,
  reasons: ReadonlyMap<string, ReasonInfo>,
): ParetoRow[] {
  const rows = new Map<string, ParetoRow>();
  for (const r of byReason) {
    let id = r.reason;
    if (r.bucket === 'micro-stop') id = 'micro-stops';
    else if (r.bucket === 'breakdown' && !reasons.has(r.reason)) id = UNCLASSIFIED;
    else if (r.bucket === 'no-data') continue; // time without data is excluded from planned busy time, not a loss
    const info = reasons.get(id);
    const builtIn = BUILT_IN_ROWS[id];
    const row = rows.get(id) ?? {
      reason: id,
      name: info?.name ?? builtIn?.name ?? { en: id, 'zh-CN': id },
      loss: info?.loss ?? builtIn?.loss ?? (r.bucket === 'planned-down' ? 'planned-downtime' : 'equipment-failure'),
      planned: info?.planned ?? builtIn?.planned ?? r.bucket === 'planned-down',
      seconds: 0,
      events: 0,
    };
    row.seconds += r.seconds;
    row.events += r.events;
    rows.set(id, row);
  }
  return [...rows.values()].filter((r) => r.seconds > 0).sort((a, b) => b.seconds - a.seconds || a.reason.localeCompare(b.reason));
}

export interface WaterfallStepLike { step: string; kind: string; seconds: number; category?: string; factor?: string }

/** The waterfall with unclassified stop time split off the breakdowns as a bar of its own. */
export function withUnclassifiedBar<S extends WaterfallStepLike>(waterfall: readonly S[], unclassifiedSeconds: number): S[] {
  const out: S[] = [];
  for (const s of waterfall) {
    if (s.step === 'breakdowns') {
      out.push({ ...s, step: 'breakdowns (classified)', seconds: s.seconds - unclassifiedSeconds });
      out.push({ ...s, step: 'unclassified stops', seconds: unclassifiedSeconds });
    } else out.push(s);
  }
  return out;
}

/**
 * The report CLI's input with the reason tree applied (docs/kpi.md): a down interval whose
 * reason is a reason id is booked as its loss says (setup, idle, planned stop); "fault N" takes
 * the fault code's default reason; any other down interval is unclassified.
 */
export function reasonedReportInput(
  input: ShiftReportInput,
  reasons: ReadonlyMap<string, ReasonInfo>,
  defaultOf: (code: number) => string | null,
): ShiftReportInput {
  const plannedStops = [...input.plannedStops];
  const states: ShiftReportInput['states'] = [];
  for (const s of input.states) {
    if (s.state !== 'down') {
      states.push(s);
      continue;
    }
    const code = faultCodeOfReason(s.reason);
    const id = s.reason && reasons.has(s.reason) ? s.reason : code !== null ? defaultOf(code) : null;
    const info = id ? reasons.get(id) : undefined;
    if (!info || !id) states.push({ ...s, reason: UNCLASSIFIED });
    else if (info.loss === 'planned-downtime') plannedStops.push({ start: s.start, end: s.end, reason: id });
    else states.push({ ...s, state: info.loss === 'setup-adjustment' ? 'setup' : info.loss === 'idling-minor-stops' ? 'idle' : 'down', reason: id });
  }
  return { ...input, plannedStops, states };
}
