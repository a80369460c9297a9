// Alarm conditions: is the rule's condition true *now*, given the machine's inputs and
// whether it was true before (hysteresis)? Pure functions; delays and the ISA-18.2
// lifecycle are the engine's job.
import type { MachineState } from '../../shared/plant-schema.js';
import type { AlarmPoint } from './rule-set.js';

/** The last reading of a tag: `value` is null when it is not a finite number or its quality is bad. */
export interface TagReading {
  value: number | null;
  /** Source timestamp, epoch ms. */
  ts: number;
}

export interface MachineInputs {
  machineId: string;
  state: MachineState;
  /** Edge-clock instant the machine entered `state`. */
  stateSince: number;
  faultCode: number | null;
  tags: Map<string, TagReading>;
}

/** Anomaly score of a machine's watched tags: the worst tag and its score (1 = decision limit), or null while still learning. */
export type AnomalyScorer = (machineId: string, tags: readonly string[] | null) => { score: number; tag: string } | null;

export interface Verdict {
  /** The condition now; 'hold' = not decidable (no value, bad quality): keep what it was. */
  raw: boolean | 'hold';
  /** The value that decided it (shown in the message). */
  value: number | null;
  code?: number | null;
  /** For anomaly rules: the tag that scores worst. */
  tag?: string;
}

const HOLD: Verdict = { raw: 'hold', value: null };

/**
 * Recent samples of one tag, to measure its rate of change over a window ending now. The
 * model reports only changes, so a tag holds its last value until the next sample: the rate
 * is (value now − value at now − window) / window, and a value that jumped and then stayed
 * reads 0 again once the jump has left the window. Times are edge receive times (the
 * engine's clock), not device timestamps.
 */
export class RateWindow {
  private readonly points: { ts: number; value: number }[] = [];
  constructor(private readonly windowMs: number) {}

  push(ts: number, value: number): void {
    const last = this.points[this.points.length - 1];
    if (last && ts < last.ts) return; // out of order: ignore rather than invent a slope
    this.points.push({ ts, value });
    this.prune(ts);
  }

  /** Keeps the newest point at or before the window's start (the value held there) and all after it. */
  private prune(now: number): void {
    while (this.points.length > 1 && this.points[1]!.ts <= now - this.windowMs) this.points.shift();
  }

  /** Units per minute over [now − window, now], or null until the tag has a value from before the window. */
  perMinute(now: number): number | null {
    this.prune(now);
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (!first || !last || first.ts > now - this.windowMs) return null;
    return ((last.value - first.value) / this.windowMs) * 60_000;
  }

  clear(): void {
    this.points.length = 0;
  }
}

export interface EvaluateContext {
  now: number;
  anomaly: AnomalyScorer;
  rate?: RateWindow;
}

export function evaluateCondition(point: AlarmPoint, wasRaw: boolean, m: MachineInputs, ctx: EvaluateContext): Verdict {
  const rule = point.rule;
  const read = (name: string | null) => (name ? m.tags.get(name)?.value ?? null : null);
  switch (rule.kind) {
    case 'high': {
      const v = read(point.tag);
      if (v === null) return HOLD;
      return { raw: wasRaw ? v > rule.limit - rule.deadband : v > rule.limit, value: v };
    }
    case 'low': {
      const v = read(point.tag);
      if (v === null) return HOLD;
      return { raw: wasRaw ? v < rule.limit + rule.deadband : v < rule.limit, value: v };
    }
    case 'deviation': {
      const v = read(point.tag);
      const sp = rule.setpoint ?? read(rule.setpointTag ?? null);
      if (v === null || sp === null) return HOLD;
      const d = Math.abs(v - sp);
      return { raw: wasRaw ? d > rule.maxDeviation - rule.deadband : d > rule.maxDeviation, value: d };
    }
    case 'rate': {
      const r = ctx.rate?.perMinute(ctx.now) ?? null;
      if (r === null) return HOLD;
      const over = rule.direction === 'rise' ? r > rule.maxPerMinute : rule.direction === 'fall' ? -r > rule.maxPerMinute : Math.abs(r) > rule.maxPerMinute;
      return { raw: over, value: r };
    }
    case 'state':
      return { raw: m.state === rule.state && ctx.now - m.stateSince >= rule.forMinutes * 60_000, value: (ctx.now - m.stateSince) / 60_000 };
    case 'fault': {
      const code = m.faultCode;
      const on = code !== null && code !== 0 && (!rule.codes || rule.codes.includes(code)) && !rule.excludeCodes.includes(code);
      return { raw: on, value: code, code };
    }
    case 'comm-loss': {
      const lost = m.state === 'no-data' || (point.tag !== null && m.tags.has(point.tag) && read(point.tag) === null);
      return { raw: lost, value: null };
    }
    case 'derived':
      // Fed by its module through the engine's derive(); nothing to read from the machine.
      return HOLD;
    case 'anomaly': {
      const s = ctx.anomaly(m.machineId, rule.tags ?? null);
      if (!s) return { raw: false, value: null };
      // Half the threshold to return: a score hovering at the limit must not chatter.
      return { raw: wasRaw ? s.score >= rule.threshold * 0.5 : s.score >= rule.threshold, value: s.score, tag: s.tag };
    }
  }
}
