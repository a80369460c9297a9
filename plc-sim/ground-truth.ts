// What really happened on the simulated line, recorded at the exact simulated instants,
// so tests can hold the edge's KPIs against it. Pure data in, pure data out.

export type SimState = 'running' | 'idle' | 'down' | 'setup' | 'planned-stop';

/** Why a machine is in its state; a closed set so reports can group by it. */
export type StateReason =
  | 'producing' | 'starved' | 'blocked'
  | 'micro-stop' | 'breakdown' | 'wear-breakdown'
  | 'changeover'
  | 'break' | 'no-shift';

export interface StateInterval {
  machineId: string;
  state: SimState;
  reason: StateReason;
  /** 0 unless the machine is down. */
  faultCode: number;
  /** Set for planned stops from the calendar (the break's reason). */
  detail?: string;
  product: string;
  /** The work order the machine works on (number; its changeover belongs to it). */
  order: number;
  /** Epoch ms on the simulated clock, start inclusive, end exclusive. */
  start: number;
  end: number;
  energyKWh: number;
}

export interface PartRecord {
  machineId: string;
  ts: number;
  good: boolean;
  product: string;
  order: number;
  /** Ideal cycle time of this part on this machine (for ISO 22400 performance). */
  idealCycleMs: number;
}

export interface ChangeoverRecord { machineId: string; from: string; to: string; start: number; end: number }
export interface CounterResetRecord { machineId: string; ts: number; reason: string }

export interface MachineTruth {
  machineId: string;
  intervals: StateInterval[];
  /** ms per state inside the window. */
  timeByState: Record<SimState, number>;
  /** ms per reason inside the window. */
  timeByReason: Partial<Record<StateReason, number>>;
  counts: { total: number; good: number; scrap: number };
  /** Σ ideal cycle time of all parts made in the window (ms): performance = this / run time. */
  idealProductionMs: number;
  energyKWh: { total: number; byState: Record<SimState, number> };
  faults: { code: number; count: number; downMs: number }[];
  changeovers: ChangeoverRecord[];
  counterResets: CounterResetRecord[];
}

/** What one machine did for one work order: its intervals (changeover included) and its parts. */
export interface OrderTruth {
  machineId: string;
  order: number;
  product: string;
  /** First and last instant the machine worked on the order. */
  start: number;
  end: number;
  intervals: StateInterval[];
  counts: { total: number; good: number; scrap: number };
  idealProductionMs: number;
  energyKWh: number;
}

export interface GroundTruthReport {
  from: number;
  to: number;
  seed: number;
  scenario: string;
  machines: MachineTruth[];
}

const emptyByState = (): Record<SimState, number> => ({ running: 0, idle: 0, down: 0, setup: 0, 'planned-stop': 0 });

export class GroundTruthRecorder {
  private readonly closed: StateInterval[] = [];
  private readonly open = new Map<string, StateInterval>();
  private readonly parts: PartRecord[] = [];
  private readonly changeovers: ChangeoverRecord[] = [];
  private readonly resets: CounterResetRecord[] = [];

  constructor(private readonly machineIds: readonly string[], private readonly retentionMs = 7 * 86_400_000) {}

  /** Closes the machine's open interval at `ts` and opens the next one, unless nothing changed. */
  enter(machineId: string, ts: number, next: Pick<StateInterval, 'state' | 'reason' | 'faultCode' | 'product' | 'order' | 'detail'>): void {
    const current = this.open.get(machineId);
    if (current && current.state === next.state && current.reason === next.reason && current.faultCode === next.faultCode
      && current.product === next.product && current.order === next.order && current.detail === next.detail) return;
    if (current) {
      current.end = ts;
      if (current.end > current.start) this.closed.push(current);
    }
    this.open.set(machineId, { machineId, ...next, start: ts, end: ts, energyKWh: 0 });
  }

  current(machineId: string): StateInterval | undefined {
    return this.open.get(machineId);
  }

  addEnergy(machineId: string, kWh: number): void {
    const current = this.open.get(machineId);
    if (current) current.energyKWh += kWh;
  }

  part(record: PartRecord): void { this.parts.push(record); }
  changeover(record: ChangeoverRecord): void { this.changeovers.push(record); }
  counterReset(record: CounterResetRecord): void { this.resets.push(record); }

  /** Forgets what ended before `now - retention`, so a long demo run does not grow without bound. */
  prune(now: number): void {
    const cutoff = now - this.retentionMs;
    const dropWhile = <T>(list: T[], old: (item: T) => boolean) => {
      let n = 0;
      while (n < list.length && old(list[n]!)) n++;
      if (n > 0) list.splice(0, n);
    };
    dropWhile(this.closed, (i) => i.end < cutoff);
    dropWhile(this.parts, (p) => p.ts < cutoff);
    dropWhile(this.changeovers, (c) => c.end < cutoff);
    dropWhile(this.resets, (r) => r.ts < cutoff);
  }

  /** Per machine and work order, everything recorded so far (open intervals up to `now`). */
  orders(now: number): OrderTruth[] {
    const out = new Map<string, OrderTruth>();
    const all = [...this.closed, ...[...this.open.values()].map((i) => ({ ...i, end: now }))];
    for (const i of all) {
      if (i.end <= i.start) continue;
      const key = `${i.machineId}|${i.order}`;
      const t = out.get(key) ?? { machineId: i.machineId, order: i.order, product: i.product, start: i.start, end: i.end, intervals: [], counts: { total: 0, good: 0, scrap: 0 }, idealProductionMs: 0, energyKWh: 0 };
      t.intervals.push(i);
      t.start = Math.min(t.start, i.start);
      t.end = Math.max(t.end, i.end);
      t.energyKWh += i.energyKWh;
      out.set(key, t);
    }
    for (const p of this.parts) {
      const t = out.get(`${p.machineId}|${p.order}`);
      if (!t || p.ts >= now) continue;
      t.counts.total++;
      if (p.good) t.counts.good++; else t.counts.scrap++;
      t.idealProductionMs += p.idealCycleMs;
      t.product = p.product;
    }
    for (const t of out.values()) t.intervals.sort((a, b) => a.start - b.start);
    return [...out.values()];
  }

  /**
   * The truth for [from, to): intervals clipped to the window (energy pro rata, which is
   * exact up to the power noise because power is constant within an interval), and parts,
   * changeovers and resets inside it. Open intervals count up to `now`.
   */
  report(from: number, to: number, now: number, meta: { seed: number; scenario: string }): GroundTruthReport {
    const end = Math.min(to, now);
    const machines = this.machineIds.map((machineId): MachineTruth => {
      const all = [...this.closed.filter((i) => i.machineId === machineId)];
      const open = this.open.get(machineId);
      if (open) all.push({ ...open, end: now });
      const intervals: StateInterval[] = [];
      const timeByState = emptyByState();
      const timeByReason: Partial<Record<StateReason, number>> = {};
      const energyByState = emptyByState();
      const faults = new Map<number, { code: number; count: number; downMs: number }>();
      for (const i of all) {
        const s = Math.max(i.start, from);
        const e = Math.min(i.end, end);
        if (e <= s) continue;
        const share = i.end > i.start ? (e - s) / (i.end - i.start) : 0;
        const clipped: StateInterval = { ...i, start: s, end: e, energyKWh: i.energyKWh * share };
        intervals.push(clipped);
        timeByState[i.state] += e - s;
        timeByReason[i.reason] = (timeByReason[i.reason] ?? 0) + (e - s);
        energyByState[i.state] += clipped.energyKWh;
        if (i.faultCode) {
          const f = faults.get(i.faultCode) ?? { code: i.faultCode, count: 0, downMs: 0 };
          if (i.start >= from) f.count++;
          f.downMs += e - s;
          faults.set(i.faultCode, f);
        }
      }
      const parts = this.parts.filter((p) => p.machineId === machineId && p.ts >= from && p.ts < end);
      const good = parts.filter((p) => p.good).length;
      return {
        machineId,
        intervals,
        timeByState,
        timeByReason,
        counts: { total: parts.length, good, scrap: parts.length - good },
        idealProductionMs: parts.reduce((sum, p) => sum + p.idealCycleMs, 0),
        energyKWh: { total: Object.values(energyByState).reduce((a, b) => a + b, 0), byState: energyByState },
        faults: [...faults.values()].sort((a, b) => a.code - b.code),
        changeovers: this.changeovers.filter((c) => c.machineId === machineId && c.end > from && c.start < end),
        counterResets: this.resets.filter((r) => r.machineId === machineId && r.ts >= from && r.ts < end),
      };
    });
    return { from, to: end, seed: meta.seed, scenario: meta.scenario, machines };
  }
}
