// One meter's live readings → consumption: each new total makes an interval with the one
// before (rollover/reset by the live rule, shared/energy/meter-readings.ts), spread over
// 15-minute blocks by the shared demand maths; totals are kept for storage at most once per
// store interval (plus every rollover or reset), never by value deadband. A meter that only
// has a rate is integrated here into a running total. Synchronous; a clock is never read.
import type { MeterConfig } from '../../shared/energy-schema.js';
import { demandBlocks } from '../../shared/energy/index.js';
import { liveIncrease, type CounterEvent } from '../../shared/energy/index.js';
import type { StoredBlock, StoredTotal } from './store/energy-store.js';

const RATE_PER_MS = { second: 1 / 1000, minute: 1 / 60_000, hour: 1 / 3_600_000 } as const;

export interface FeedResult {
  totals: StoredTotal[];
  blocks: StoredBlock[];
  /** Consumption this reading added; 0 for the first reading. */
  increase: number;
  event?: CounterEvent['kind'];
}

export interface MeterState {
  /** Last total (read, or integrated from the rate), and when. */
  total: number | null;
  ts: number | null;
  /** Average rate over the last interval, units per hour. */
  ratePerHour: number | null;
  /** Instantaneous power from the meter's power register, kW (electricity meters that have one). */
  powerKW: number | null;
  /** Consumption in the running 15-minute block so far. */
  block: { start: number; units: number; coveredMs: number } | null;
  lastEvent: { ts: number; kind: CounterEvent['kind'] } | null;
  /** Since when the total has not moved although the meter was last seen using energy (or its power register says so); null when it moves. */
  frozenSince: number | null;
}

/** A meter whose total stands still this long while it should be counting is reported as suspect (a hung meter or gateway). */
export const STUCK_AFTER_MS = 5 * 60_000;

export class MeterFeed {
  readonly state: MeterState = { total: null, ts: null, ratePerHour: null, powerKW: null, block: null, lastEvent: null, frozenSince: null };
  private lastStoredTs = -Infinity;
  private pending = 0;
  private lastRate: { ts: number; value: number } | null = null;

  constructor(readonly meter: MeterConfig, private readonly storeIntervalMs: number, resumeFrom?: StoredTotal) {
    if (resumeFrom) {
      // Carry on from the stored row: the outage's consumption is spread over it (rule 4).
      this.state.total = resumeFrom.total;
      this.state.ts = resumeFrom.ts;
      this.lastStoredTs = resumeFrom.ts;
    }
  }

  /** A reading of the meter's running total. */
  total(ts: number, total: number): FeedResult {
    const prev = this.state.ts === null || this.state.total === null ? null : { ts: this.state.ts, total: this.state.total };
    if (prev && ts <= prev.ts) return { totals: [], blocks: [], increase: 0 };
    this.state.total = total;
    this.state.ts = ts;
    if (!prev) return this.store(ts, total, 0, undefined, []);
    const step = liveIncrease(prev.total, total, this.meter.rollover);
    if (step.event) this.state.lastEvent = { ts, kind: step.event };
    // Standing still is only suspicious while the meter was using energy (by its last rate or its power register).
    const using = (this.state.ratePerHour ?? 0) > 0 || (this.state.powerKW ?? 0) > 0;
    if (step.units === 0 && using) this.state.frozenSince ??= prev.ts;
    else if (step.units !== 0) this.state.frozenSince = null;
    // A frozen total keeps the rate it had, so the forecast does not drop to 0 on a hung meter.
    if (step.units !== 0 || this.state.frozenSince === null) this.state.ratePerHour = (step.units / (ts - prev.ts)) * 3_600_000;
    const blocks: StoredBlock[] = demandBlocks([{ from: prev.ts, to: ts, units: step.units }]).map((b) => ({
      meterId: this.meter.id, blockStart: b.start, units: b.kWh, coveredMs: Math.min(ts, b.start + 900_000) - Math.max(prev.ts, b.start),
    }));
    const last = blocks[blocks.length - 1];
    if (last) {
      const cur = this.state.block;
      this.state.block = cur && cur.start === last.blockStart
        ? { start: cur.start, units: cur.units + last.units, coveredMs: cur.coveredMs + last.coveredMs }
        : { start: last.blockStart, units: last.units, coveredMs: last.coveredMs };
    }
    return this.store(ts, total, step.units, step.event, blocks);
  }

  /** A reading of the meter's rate, integrated into a running total (left rectangle: the rate held until this reading). */
  rate(ts: number, value: number): FeedResult {
    const prev = this.lastRate;
    this.lastRate = { ts, value };
    if (this.state.total === null) return this.total(ts, 0);
    if (!prev || ts <= prev.ts) return { totals: [], blocks: [], increase: 0 };
    const units = Math.max(0, prev.value) * (ts - prev.ts) * RATE_PER_MS[this.meter.ratePer];
    return this.total(ts, this.state.total + units);
  }

  /** The latest reading when it is newer than the last stored row (a report then runs to the last second). */
  unstored(): StoredTotal | null {
    if (this.state.ts === null || this.state.total === null || this.state.ts <= this.lastStoredTs) return null;
    return { meterId: this.meter.id, ts: this.state.ts, total: this.state.total, increase: this.pending, event: null };
  }

  /** The total has stood still for STUCK_AFTER_MS while the meter should have been counting. */
  suspectStuck(now: number): boolean {
    return this.state.frozenSince !== null && now - this.state.frozenSince >= STUCK_AFTER_MS;
  }

  power(kW: number): void {
    this.state.powerKW = kW;
  }

  private store(ts: number, total: number, increase: number, event: CounterEvent['kind'] | undefined, blocks: StoredBlock[]): FeedResult {
    this.pending += increase;
    const due = event !== undefined || ts - this.lastStoredTs >= this.storeIntervalMs;
    const totals: StoredTotal[] = [];
    if (due) {
      totals.push({ meterId: this.meter.id, ts, total, increase: this.pending, event: event ?? null });
      this.pending = 0;
      this.lastStoredTs = ts;
    }
    return { totals, blocks, increase, ...(event ? { event } : {}) };
  }
}
