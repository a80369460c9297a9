// Each machine's process signals against its own healthy baseline, for remote diagnosis
// ("how far is the spindle from how it usually runs?") and for predictive early warning
// (a drift that will end in a breakdown). Fed ModelEvents, timed by an injected clock;
// pure and synchronous.
//
// Per machine, time is cut into buckets of `bucketSeconds` on the edge clock. A bucket
// holds the time-weighted mean of each tag (sample-and-hold: the model only reports
// changes) and the share of it the machine was running. A bucket with unreadable data
// (bad quality, no state) or with a state change in it (or, for fast signals, just
// before it) is skipped. The first `learnMinutes` of buckets fit the response
// model (response-model.ts); after that each bucket's residual is scored:
//   z = (x − expected) / σ,   S = clamp(S + z − k, 0, 2h),   score = S / h
// and the model keeps adapting slowly, but only to buckets that look healthy, so a slow
// drift cannot teach the baseline that it is normal.
import type { PredictiveSettings } from '../../shared/alarm-rules.js';
import type { MachineHealth, TagHealth } from '../../shared/alarm-wire.js';
import type { MachineConfig, MachineState, PlantConfig } from '../../shared/plant-schema.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import { LagFilter, LinearFit } from './response-model.js';

const NUMERIC = new Set(['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']);

/** The tags a machine's health is judged by: its numeric process signals (also what an anomaly rule watches by default). */
export function numericProcessTags(machine: MachineConfig): string[] {
  return machine.tags.filter((t) => t.role === 'process' && NUMERIC.has(t.type)).map((t) => t.name);
}

/** A learned baseline as stored between runs (edge/alarms/store). */
export interface StoredBaseline {
  machineId: string;
  tag: string;
  tauSeconds: number;
  learned: number;
  /** LinearFit sums: w, Σr, Σx, Σr², Σrx, Σx², min r, max r. */
  fit: number[];
}

/** What one scored (or learned) bucket said about one tag; for benches and tests. */
export interface BucketScore {
  machineId: string;
  tag: string;
  /** Bucket end, edge clock. */
  ts: number;
  mean: number;
  expected: number | null;
  z: number | null;
  score: number;
  learning: boolean;
}

interface TagTrack {
  name: string;
  unit: string | undefined;
  last: number | null;
  lastAt: number;
  acc: number;
  accMs: number;
  bad: boolean;
  fits: LinearFit[];
  /** Index of the chosen time constant once learning is over. */
  chosen: number | null;
  /** A baseline restored after a restart scores only from here on (the lag filters start cold). */
  warmUntil: number;
  learned: number;
  cusumUp: number;
  cusumDown: number;
  current: number | null;
  expected: number | null;
  z: number | null;
}

interface MachineTrack {
  id: string;
  state: MachineState;
  stateAt: number;
  /** Edge-clock instant of the last state change. */
  changedAt: number;
  knownMs: number;
  bucketStart: number | null;
  lags: LagFilter[];
  tags: Map<string, TagTrack>;
}

export interface HealthMonitorOptions {
  plant: PlantConfig;
  settings: PredictiveSettings;
  now: () => number;
  /** Called for every bucket of every watched tag (benches, tests). */
  onBucket?: (b: BucketScore) => void;
}

/** The default candidate time constants: 1 s … 1 h, each 3 % above the last. */
export function defaultResponseSeconds(): number[] {
  const out: number[] = [];
  for (let tau = 1; tau <= 3600; tau *= 1.03) out.push(Math.round(tau * 100) / 100);
  return out;
}

/** More empty buckets than this after a clock jump are skipped in one go. */
const MAX_CATCH_UP = 8_640;

export class HealthMonitor implements ModelEventSink {
  readonly name = 'health monitor';
  private readonly machines = new Map<string, MachineTrack>();
  private readonly bucketMs: number;
  private readonly learnBuckets: number;
  private readonly forget: number;
  private readonly s: PredictiveSettings;
  private readonly taus: number[];

  constructor(private readonly options: HealthMonitorOptions) {
    this.s = options.settings;
    this.taus = this.s.responseSeconds ?? defaultResponseSeconds();
    this.bucketMs = this.s.bucketSeconds * 1000;
    this.learnBuckets = Math.ceil((this.s.learnMinutes * 60) / this.s.bucketSeconds);
    this.forget = Math.exp(-this.s.bucketSeconds / (this.s.adaptHours * 3600));
    const start = options.now();
    for (const m of options.plant.machines) {
      const tags = new Map<string, TagTrack>();
      for (const name of numericProcessTags(m)) {
        tags.set(name, {
          name, unit: m.tags.find((t) => t.name === name)?.unit, last: null, lastAt: start, acc: 0, accMs: 0, bad: false,
          fits: this.taus.map(() => new LinearFit()), chosen: null, warmUntil: 0, learned: 0, cusumUp: 0, cusumDown: 0,
          current: null, expected: null, z: null,
        });
      }
      // The edge cannot know the machine's history: it assumes it starts from rest (r = 0).
      this.machines.set(m.id, {
        id: m.id, state: 'no-data', stateAt: start, changedAt: start, knownMs: 0, bucketStart: null,
        lags: this.taus.map((tau) => new LagFilter(tau * 1000)), tags,
      });
    }
  }

  onModelEvents(events: readonly ModelEvent[]): void {
    const now = this.options.now();
    for (const e of events) {
      if (e.kind === 'state') {
        const m = this.machines.get(e.machineId);
        if (!m) continue;
        this.advance(m, now);
        this.accrueState(m, now);
        m.state = e.state;
        m.changedAt = now;
      } else if (e.kind === 'tags') {
        for (const c of e.changes) {
          const m = this.machines.get(c.machineId);
          if (!m) continue;
          this.advance(m, now);
          const t = m.tags.get(c.tagName);
          if (!t) continue;
          this.accrueTag(t, now);
          const v = c.value;
          const ok = c.quality !== 'bad' && typeof v === 'number' && Number.isFinite(v);
          t.last = ok ? (v as number) : null;
          if (!ok) t.bad = true;
        }
      }
    }
  }

  tick(): void {
    const now = this.options.now();
    for (const m of this.machines.values()) this.advance(m, now);
  }

  /** The worst score among `tags` (default all watched tags), or null while none is scoring yet. */
  score(machineId: string, tags: readonly string[] | null): { score: number; tag: string } | null {
    const m = this.machines.get(machineId);
    if (!m) return null;
    let best: { score: number; tag: string } | null = null;
    for (const t of m.tags.values()) {
      if (tags && !tags.includes(t.name)) continue;
      if (t.chosen === null) continue;
      const s = this.tagScore(t);
      if (!best || s > best.score) best = { score: s, tag: t.name };
    }
    return best;
  }

  health(machineId: string): MachineHealth | undefined {
    const m = this.machines.get(machineId);
    if (!m) return undefined;
    const tags: TagHealth[] = [...m.tags.values()].map((t) => {
      const model = t.chosen !== null ? t.fits[t.chosen]!.solve() : null;
      return {
        tag: t.name, unit: t.unit, status: t.chosen === null ? 'learning' : 'scoring',
        model: model ? { idle: model.a, running: model.a + model.b, tauSeconds: this.taus[t.chosen!]! } : null,
        expected: t.expected, residualStd: model ? this.sigma(model) : null, buckets: t.learned,
        current: t.current, z: t.z, score: t.chosen === null ? 0 : this.tagScore(t), last: t.last,
      };
    });
    const worst = tags.reduce<TagHealth | null>((w, t) => (!w || t.score > w.score ? t : w), null);
    return { machineId, score: worst?.score ?? 0, worstTag: worst && worst.score > 0 ? worst.tag : null, tags, ts: this.options.now() };
  }

  /** The learned baselines (tags past learning), to store and hand to restore() after a restart. */
  exportBaselines(): StoredBaseline[] {
    const out: StoredBaseline[] = [];
    for (const m of this.machines.values()) {
      for (const t of m.tags.values()) {
        if (t.chosen === null) continue;
        const f = t.fits[t.chosen]!;
        out.push({ machineId: m.id, tag: t.name, tauSeconds: this.taus[t.chosen]!, learned: t.learned, fit: [f.w, f.sr, f.sx, f.srr, f.srx, f.sxx, f.rMin, f.rMax] });
      }
    }
    return out;
  }

  /**
   * Takes baselines learned before a restart. The edge does not know what the machine did
   * while it was down, so the lag filters start from rest and a restored tag scores only
   * after five of its time constants (at most two hours), when that guess no longer matters.
   * Baselines for unknown tags or time constants outside the candidate grid are ignored.
   */
  restoreBaselines(stored: readonly StoredBaseline[]): number {
    const now = this.options.now();
    let restored = 0;
    for (const b of stored) {
      const t = this.machines.get(b.machineId)?.tags.get(b.tag);
      const i = this.taus.findIndex((tau) => Math.abs(tau - b.tauSeconds) < 1e-6);
      if (!t || i < 0 || b.fit.length !== 8) continue;
      const f = t.fits[i]!;
      [f.w, f.sr, f.sx, f.srr, f.srx, f.sxx, f.rMin, f.rMax] = b.fit as [number, number, number, number, number, number, number, number];
      t.chosen = i;
      t.learned = b.learned;
      t.warmUntil = now + Math.min(5 * b.tauSeconds * 1000, 2 * 3_600_000);
      restored++;
    }
    return restored;
  }

  private tagScore(t: TagTrack): number {
    const d = this.s.direction;
    const s = d === 'up' ? t.cusumUp : d === 'down' ? t.cusumDown : Math.max(t.cusumUp, t.cusumDown);
    return s / this.s.h;
  }

  private sigma(model: { a: number; b: number; variance: number }): number {
    return Math.max(Math.sqrt(model.variance), this.s.minRelativeStd * Math.abs(model.a + model.b), 1e-9);
  }

  private accrueState(m: MachineTrack, t: number): void {
    const dt = t - m.stateAt;
    if (dt > 0) {
      if (m.state !== 'no-data') m.knownMs += dt;
      const u = m.state === 'no-data' ? null : m.state === 'running' ? 1 : 0;
      for (const lag of m.lags) lag.advance(u, dt);
    }
    m.stateAt = t;
  }

  private accrueTag(t: TagTrack, at: number): void {
    const dt = at - t.lastAt;
    if (dt > 0 && t.last !== null) {
      t.acc += t.last * dt;
      t.accMs += dt;
    }
    t.lastAt = at;
  }

  /** Closes every bucket that ended at or before `now`. */
  private advance(m: MachineTrack, now: number): void {
    if (m.bucketStart === null) {
      m.bucketStart = Math.floor(now / this.bucketMs) * this.bucketMs;
      m.stateAt = Math.max(m.stateAt, m.bucketStart);
      for (const t of m.tags.values()) t.lastAt = Math.max(t.lastAt, m.bucketStart);
      return;
    }
    const behind = Math.floor((now - m.bucketStart) / this.bucketMs);
    if (behind > MAX_CATCH_UP) {
      m.changedAt = now;
      // A long silence (edge paused, clock jump): nothing to learn from it; start afresh there.
      m.bucketStart += (behind - 1) * this.bucketMs;
      m.stateAt = m.bucketStart;
      m.knownMs = 0;
      for (const lag of m.lags) lag.resetIntegral();
      for (const t of m.tags.values()) Object.assign(t, { lastAt: m.bucketStart, acc: 0, accMs: 0, bad: true });
    }
    while (now >= m.bucketStart + this.bucketMs) this.closeBucket(m, m.bucketStart + this.bucketMs);
  }

  private closeBucket(m: MachineTrack, end: number): void {
    this.accrueState(m, end);
    for (const t of m.tags.values()) this.accrueTag(t, end);
    const known = m.knownMs >= this.bucketMs - 1;
    const means = m.lags.map((lag) => lag.takeMean(this.bucketMs));
    const r = known ? means : null;
    for (const t of m.tags.values()) {
      const valid = r !== null && !t.bad && t.accMs >= this.bucketMs - 1;
      const x = valid ? t.acc / t.accMs : null;
      t.acc = 0;
      t.accMs = 0;
      t.bad = t.last === null;
      if (x === null || r === null) continue;
      t.current = x;
      // The edge sees a state change up to a poll late, which matters to signals faster than a
      // bucket (spindle speed: seconds): skip the bucket of a change and the one after for
      // them. Learning does not know the time constant yet and skips those buckets always.
      const fast = t.chosen === null || this.taus[t.chosen]! <= this.s.bucketSeconds;
      if (fast && m.changedAt > end - 2 * this.bucketMs) continue;
      if (t.chosen === null) this.learn(m, t, r, x, end);
      else this.scoreBucket(m, t, r, x, end);
    }
    m.knownMs = 0;
    m.bucketStart = end;
  }

  private learn(m: MachineTrack, t: TagTrack, r: number[], x: number, end: number): void {
    t.fits.forEach((fit, i) => fit.add(r[i]!, x));
    t.learned++;
    if (t.learned >= this.learnBuckets) {
      let best = 0;
      let bestVar = Infinity;
      t.fits.forEach((fit, i) => {
        const v = fit.solve()?.variance ?? Infinity;
        if (v < bestVar) { bestVar = v; best = i; }
      });
      t.chosen = best;
    }
    this.options.onBucket?.({ machineId: m.id, tag: t.name, ts: end, mean: x, expected: null, z: null, score: 0, learning: true });
  }

  private scoreBucket(m: MachineTrack, t: TagTrack, r: number[], x: number, end: number): void {
    const i = t.chosen!;
    const fit = t.fits[i]!;
    const model = fit.solve()!;
    const ri = r[i]!;
    if (end < t.warmUntil) return;
    // Outside the running shares seen while learning the model extrapolates: do not score there.
    const span = fit.rMax - fit.rMin;
    if (ri < fit.rMin - 0.1 - 0.1 * span || ri > fit.rMax + 0.1 + 0.1 * span) {
      t.expected = null;
      t.z = null;
      return;
    }
    const expected = model.a + model.b * ri;
    const z = (x - expected) / this.sigma(model);
    const cap = 2 * this.s.h;
    t.cusumUp = Math.min(cap, Math.max(0, t.cusumUp + z - this.s.k));
    t.cusumDown = Math.min(cap, Math.max(0, t.cusumDown - z - this.s.k));
    t.expected = expected;
    t.z = z;
    const score = this.tagScore(t);
    // Adapt only to buckets that look healthy: a drift must not become the new normal.
    if (score < 0.1 && Math.abs(z) < 2.5) fit.add(ri, x, this.forget);
    this.options.onBucket?.({ machineId: m.id, tag: t.name, ts: end, mean: x, expected, z, score, learning: false });
  }
}
