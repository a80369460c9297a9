// 15-minute demand: the average power over clock-aligned quarter hours, the measure
// contracted maximum demand (需量) is billed on. Pure and browser-safe.
import type { ConsumptionInterval } from './meter-readings.js';
import { spreadOver, type TimeWindow } from './spread.js';

export const BLOCK_MS = 15 * 60_000;
/** kWh in a quarter hour × 4 = average kW. */
const BLOCKS_PER_HOUR = 4;

export interface DemandBlock {
  start: number;
  kWh: number;
  /** Average demand over the block, kW; meaningful only when `complete`. */
  kW: number;
  /** Whether readings cover the whole block; only complete blocks count for the peak. */
  complete: boolean;
}

/** Blocks are aligned to UTC quarter hours, which are local quarter hours in every zone in use. */
export function blockStartOf(ts: number): number {
  return Math.floor(ts / BLOCK_MS) * BLOCK_MS;
}

export function demandBlocks(intervals: readonly ConsumptionInterval[]): DemandBlock[] {
  if (intervals.length === 0) return [];
  const windows: TimeWindow[] = [];
  const last = intervals[intervals.length - 1]!.to;
  for (let s = blockStartOf(intervals[0]!.from); s < last; s += BLOCK_MS) windows.push({ start: s, end: s + BLOCK_MS });
  return spreadOver(intervals, windows).map((share, i) => ({
    start: windows[i]!.start,
    kWh: share.units,
    kW: share.units * BLOCKS_PER_HOUR,
    complete: share.coveredMs === BLOCK_MS,
  }));
}

export interface PeakDemand {
  kW: number;
  blockStart: number;
  exceedsContract: boolean | null;
}

/** Highest complete block; null when no block is fully covered. Ties keep the earliest. */
export function peakDemand(blocks: readonly DemandBlock[], contractDemandKW?: number): PeakDemand | null {
  let peak: DemandBlock | null = null;
  for (const b of blocks) if (b.complete && (!peak || b.kW > peak.kW)) peak = b;
  if (!peak) return null;
  return { kW: peak.kW, blockStart: peak.start, exceedsContract: contractDemandKW === undefined ? null : peak.kW > contractDemandKW };
}

export interface BlockForecast {
  blockStart: number;
  /** kWh used so far in the block. */
  kWhSoFar: number;
  /** Demand the block ends at if the present power holds, kW. */
  forecastKW: number;
  /** kW still allowed for the rest of the block before it breaks the contract; null without a contract. */
  headroomKW: number | null;
}

/**
 * Forecast of the running block: energy so far plus the present power for the rest of
 * the block. Used to warn before the block is broken, while load can still be shed.
 */
export function forecastBlock(now: number, kWhSoFar: number, presentKW: number, contractDemandKW?: number): BlockForecast {
  const blockStart = blockStartOf(now);
  const remainingH = (blockStart + BLOCK_MS - now) / 3_600_000;
  const forecastKWh = kWhSoFar + Math.max(0, presentKW) * remainingH;
  const forecastKW = forecastKWh * BLOCKS_PER_HOUR;
  const headroomKW =
    contractDemandKW === undefined ? null : remainingH > 0 ? (contractDemandKW / BLOCKS_PER_HOUR - kWhSoFar) / remainingH : contractDemandKW / BLOCKS_PER_HOUR - kWhSoFar;
  return { blockStart, kWhSoFar, forecastKW, headroomKW };
}
