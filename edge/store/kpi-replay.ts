// After a restart (clean or a crash) the live KPI engine starts empty. This rebuilds it from
// what the historian stored: the state intervals, part counts and energy of the shift the
// previous run was in, fed through the same time-ordered feed the live path uses
// (edge/kpi/kpi-feed.ts), so the current shift's OEE continues, and a
// shift that ended while the edge was down is closed (and handed to onShiftClosed) now.
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { MachineState } from '../../shared/plant-schema.js';
import { shiftAt } from '../../shared/kpi/index.js';
import { feedKpis, type KpiEvent, type KpiInput } from '../kpi/index.js';
import type { Log } from '../logger.js';
import type { Historian } from './historian.js';
import type { HistoryQueries } from './history-query.js';

/** A previous run older than this is not replayed: its shift is long gone, only the current shift is rebuilt. */
export const MAX_REPLAY_LOOKBACK_MS = 48 * 3_600_000;

/**
 * Where the rebuild starts: the start of the shift in which the previous run was last
 * alive (so a shift it never closed gets closed), else the start of the current shift.
 * Null when there is nothing to rebuild (new database, or between shifts).
 */
export function replayStart(plant: PlantConfig, previousAliveTs: number | null, now: number): number | null {
  if (previousAliveTs === null) return null;
  const tz = plant.site.timezone;
  if (now - previousAliveTs <= MAX_REPLAY_LOOKBACK_MS) {
    const then = shiftAt(plant.calendar, tz, Math.min(previousAliveTs, now));
    if (then) return then.start;
  }
  return shiftAt(plant.calendar, tz, now)?.start ?? null;
}

/** Feeds stored history of [from, to) into `kpi`, in time order (edge/kpi/kpi-feed.ts); returns how many events it replayed. */
export function replayKpiHistory(queries: HistoryQueries, kpi: KpiInput, machineIds: readonly string[], from: number, to: number): number {
  const events: KpiEvent[] = [];
  for (const machineId of machineIds) {
    // The interval open at `from` started earlier: the engine learns it as of `from`.
    for (const s of queries.stateTimeline(machineId, from, to)) {
      events.push({ kind: 'state', machineId, state: s.state as MachineState, ts: Math.max(s.startTs, from), reason: s.reason });
    }
    const { counts, energy } = queries.countsAndEnergy(machineId, from, to);
    for (const c of counts) events.push({ kind: 'count', machineId, deltaTotal: c.deltaTotal, deltaGood: c.deltaGood, ts: c.ts });
    for (const e of energy) events.push({ kind: 'energy', machineId, deltaKWh: e.deltaKWh, ts: e.ts });
  }
  return feedKpis(kpi, events);
}

export interface KpisFromHistoryOptions<E extends KpiInput> {
  plant: PlantConfig;
  historian: Pick<Historian, 'queries' | 'recovery'>;
  now: () => number;
  log: Log;
  /**
   * Builds the engine with the clock it must use. During the rebuild that clock stands at the
   * replay start (the engine takes its start from it, and nothing before it is "late"); then
   * it follows `now`.
   */
  create: (clock: () => number) => E;
}

/** Creates the live KPI engine and rebuilds its current shift from stored history. */
export function startKpisFromHistory<E extends KpiInput>(options: KpisFromHistoryOptions<E>): E {
  const { plant, historian, now, log } = options;
  const startedAt = now();
  const from = replayStart(plant, historian.recovery.previousAliveTs, startedAt);
  let replayClock: number | null = from;
  const kpi = options.create(() => replayClock ?? now());
  if (from !== null) {
    // Up to "forever", not startedAt: events a device stamped ahead of the edge clock were acknowledged too.
    const n = replayKpiHistory(historian.queries, kpi, plant.machines.map((m) => m.id), from, Number.MAX_SAFE_INTEGER);
    log('info', `KPIs rebuilt from the historian: ${n} stored events since ${new Date(from).toISOString()} replayed`);
  }
  replayClock = null;
  return kpi;
}
