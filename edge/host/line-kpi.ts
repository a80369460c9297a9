// The host's KPIs for one line, recomputed — not copied from the edge's published figures — with
// the edge's own live KPI engine (edge/kpi, shared/kpi) from what the host mirrors and stores:
// state changes at the edge's timestamps, and part counts and energy as deltas of the edge's
// published shift totals. A real host needs this: its own history makes shift reports, closed
// shifts and restarts work without asking any edge (docs/deployment.md, "KPIs on the host").
//
// Counts are booked as "edge shift total minus what this host has booked for the same shift", so
// the host converges to the edge's count after a missed message, a rebirth or its own restart and
// never counts a part twice.
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { MachineLive, PlantView } from '../../shared/live-protocol.js';
import { shiftAt } from '../../shared/kpi/index.js';
import { createLiveKpiEngine, feedKpis, type ClosedShift, type KpiEvent, type LiveKpiEngine } from '../kpi/index.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import { kpiSink } from '../kpi/index.js';
import type { Historian } from '../store/index.js';
import { replayKpiHistory, replayStart } from '../store/index.js';
import type { Log } from '../logger.js';
import type { KpiSettingsMetric } from '../uplink/index.js';
import type { PublishedShiftTotals } from './edge-mirror.js';

/** Energy below this (kWh) is rounding, not consumption. */
const ENERGY_EPSILON = 1e-9;

/** As a model event sink it books the mirror's state changes (counts and energy come from onTotals). */
export interface HostLineKpi extends ModelEventSink {
  /** The plant as the KPI engine and the KPI routes read it (built from the births; no addresses). */
  plant: PlantConfig;
  engine: LiveKpiEngine;
  /** The edge's shift totals of a machine at `ts`: returns the count/energy events booked (for the historian). */
  onTotals(machineId: string, totals: PublishedShiftTotals, ts: number): ModelEvent[];
}

/**
 * The fields of a PlantConfig that the KPI engine (edge/kpi/live-kpi-engine.ts) and the KPI
 * routes (edge/api/kpi-routes.ts) read: site time zone, line, calendar, KPI conventions, CO2e
 * factor and each machine's id, ideal cycle time and counter roles. The rest (devices, tags' addresses) is
 * not in a birth and not needed, hence the one cast.
 */
export function kpiPlantOf(view: PlantView, settings: KpiSettingsMetric): PlantConfig {
  const plant = {
    site: { ...view.site, timezone: settings.timezone },
    line: view.line,
    calendar: settings.calendar,
    energy: { co2eKgPerKWh: settings.co2eKgPerKWh },
    ...(settings.kpi ? { kpi: settings.kpi } : {}),
    devices: [],
    // The host counts from the edge's published Counts/Total and Counts/Good (the engine reads the counting mode from the roles).
    machines: view.machines.map((m) => ({
      id: m.id, name: m.name, idealCycleTimeSeconds: m.idealCycleTimeSeconds,
      tags: [{ name: 'Counts/Total', role: 'totalCount' }, { name: 'Counts/Good', role: 'goodCount' }],
    })),
  };
  return plant as unknown as PlantConfig;
}

export interface HostLineKpiOptions {
  view: PlantView;
  settings: KpiSettingsMetric;
  historian: Historian;
  /** The mirror's machines now: the engine starts from their states (no-data before the first birth). */
  machines: ReadonlyMap<string, MachineLive>;
  /** When the edge started (its engine knows nothing before): states are booked from then at the earliest. */
  edgeStartedAt: () => number | null;
  now: () => number;
  log: Log;
  lineKey: string;
  /** Also told of each closed shift (the plant store in PostgreSQL mode). */
  onShiftClosed?: (closed: ClosedShift) => void;
}

export function createHostLineKpi(o: HostLineKpiOptions): HostLineKpi {
  const plant = kpiPlantOf(o.view, o.settings);
  const t = o.now();
  // Rebuild from the host's own history: the shift the previous run was in (so it gets closed),
  // else the current shift — also when the engine is rebuilt for a new plant view.
  o.historian.flush();
  const from = rebuildStart(plant, o.historian.recovery.previousAliveTs, t);
  // After the host's last sign of life nothing is known (no data, never running or down).
  const previous = o.historian.recovery.previousAliveTs;
  const anchor = from !== null && previous !== null && previous >= from && previous <= t ? previous : from;
  return buildHostLineKpi(o, plant, from, anchor, (engine, ids) => {
    const n = replayKpiHistory(o.historian.queries, engine, ids, from!, Number.MAX_SAFE_INTEGER);
    if (n) o.log('info', `host: ${o.lineKey}: KPIs rebuilt from the host historian (${n} stored events since ${new Date(from!).toISOString()})`);
  });
}

/** The line's history in a shared database (edge/host/pg/line-history.ts), as the KPI engine's seed. */
export interface KpiHistorySource {
  /** States (the one in force at `from` included), counts and energy since `from`; `lastSeen`: how far that history reaches. */
  kpiSeed(from: number, to: number): Promise<{ events: KpiEvent[]; lastSeen: number | null }>;
}

/** Takes the line's events while its engine is being seeded; then hands them to the engine. */
export interface PendingHostLineKpi extends ModelEventSink {
  /** As HostLineKpi.onTotals; nothing is booked (an empty list) until the engine is ready. */
  onTotals(machineId: string, totals: PublishedShiftTotals, ts: number): ModelEvent[];
  /** The engine, with what arrived meanwhile applied; `booked`: the count and energy events that booked (for the historian). Never rejects. */
  ready: Promise<{ kpi: HostLineKpi; booked: ModelEvent[] }>;
}

const DAY_MS = 86_400_000;

/**
 * A host on a shared database: the engine starts from the shift so far as every host stored it
 * (states, and the edge's shift counters), not from this host's own history — a host that just
 * started or took over shows the same shift as the one that ran all along. The read is async:
 * events arriving meanwhile are kept, in order, and applied once the engine is built. If the
 * database cannot be read, the engine is rebuilt from this host's own history (and says so).
 */
export function startHostLineKpi(o: HostLineKpiOptions & { history: KpiHistorySource }): PendingHostLineKpi {
  const plant = kpiPlantOf(o.view, o.settings);
  o.historian.flush();
  const from = rebuildStart(plant, o.historian.recovery.previousAliveTs, o.now());
  const queued: Array<{ events: ModelEvent[] } | { machineId: string; totals: PublishedShiftTotals; ts: number }> = [];
  let kpi: HostLineKpi | null = null;
  const ready = (async () => {
    let built: HostLineKpi;
    try {
      const seed = from === null ? null : await o.history.kpiSeed(from, o.now() + DAY_MS);
      const t = o.now();
      // Known until the newest row any host stored of this line; no data after it until the edge restates its states.
      const anchor = from === null ? null : Math.min(t, Math.max(from, seed?.lastSeen ?? from));
      built = buildHostLineKpi(o, plant, from, anchor, (engine) => {
        const n = feedKpis(engine, seed!.events);
        if (n) o.log('info', `host: ${o.lineKey}: KPIs rebuilt from the plant database (${n} stored events since ${new Date(from!).toISOString()})`);
      });
    } catch (err) {
      o.log('warn', `host: ${o.lineKey}: cannot read the shift so far from the plant database (${(err as Error).message}); KPIs rebuilt from this host's own history instead`);
      built = createHostLineKpi(o);
    }
    const booked: ModelEvent[] = [];
    for (const q of queued) {
      if ('events' in q) built.onModelEvents(q.events);
      else booked.push(...built.onTotals(q.machineId, q.totals, q.ts));
    }
    queued.length = 0;
    kpi = built;
    return { kpi: built, booked };
  })();
  return {
    name: `host KPIs of ${o.lineKey} (being seeded)`,
    onModelEvents(events) {
      if (kpi) kpi.onModelEvents(events);
      else queued.push({ events: [...events] });
    },
    onTotals(machineId, totals, ts) {
      if (kpi) return kpi.onTotals(machineId, totals, ts);
      queued.push({ machineId, totals: { ...totals }, ts });
      return [];
    },
    ready,
  };
}

/** The shift the previous run was in (so it gets closed), else the current one; null between shifts with no previous run. */
function rebuildStart(plant: PlantConfig, previousAliveTs: number | null, t: number): number | null {
  const candidates = [replayStart(plant, previousAliveTs, t), shiftAt(plant.calendar, plant.site.timezone, t)?.start ?? null]
    .filter((x): x is number => x !== null);
  return candidates.length ? Math.min(...candidates) : null;
}

/** The engine, started at `from` with the history `replay` feeds it, then no data from `anchor` until the live states. */
function buildHostLineKpi(
  o: HostLineKpiOptions, plant: PlantConfig, from: number | null, anchor: number | null, replay: (engine: LiveKpiEngine, ids: string[]) => void,
): HostLineKpi {
  const { historian, now } = o;
  let replayClock: number | null = from;
  const engine = createLiveKpiEngine({
    plant, now: () => replayClock ?? now(), kpi: { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' },
    onShiftClosed: (closed) => {
      historian.recordShift(closed);
      o.onShiftClosed?.(closed);
    },
  });
  const ids = plant.machines.map((m) => m.id);
  if (from !== null) replay(engine, ids);
  // Until the edge's State Since says otherwise: a DBIRTH's state is booked from then, so a host
  // that starts (or restarts) mid-shift loses no time the edge can vouch for.
  if (from !== null && anchor !== null) {
    for (const id of ids) engine.onState(id, 'no-data', anchor);
    for (const id of ids) {
      const live = o.machines.get(id);
      if (live && live.state !== 'no-data') engine.onState(id, live.state, Math.max(live.stateSince, anchor, o.edgeStartedAt() ?? -Infinity));
    }
  }
  replayClock = null;

  const states = kpiSink(engine, (e) => (e.kind === 'state' && ids.includes(e.machineId) ? { ...e, ts: Math.max(e.ts, o.edgeStartedAt() ?? -Infinity) } : null));
  return {
    plant,
    engine,
    name: `host KPIs of ${o.lineKey}`,
    onModelEvents: states.onModelEvents,
    onTotals(machineId, totals, ts) {
      if (!ids.includes(machineId)) return [];
      const mine = engine.machine(machineId);
      // Only totals of the shift this host is in: the edge's last figures of a shift the host
      // already closed, or of one it has not started, are not this shift's parts.
      if (!mine.shift || totals.shiftStart !== mine.shift.start) return [];
      const out: ModelEvent[] = [];
      const deltaTotal = Math.max(0, totals.total - mine.counts.total);
      // Within one shift good may fall: scrap booked at the edge after the parts were counted (docs/orders.md).
      const deltaGood = totals.good - mine.counts.good;
      if (deltaTotal > 0 || deltaGood !== 0) {
        engine.onCounts(machineId, deltaTotal, deltaGood, ts);
        out.push({ kind: 'count', machineId, deltaTotal, deltaGood, ts });
      }
      const deltaKWh = totals.energyKWh - mine.energyKWh;
      if (deltaKWh > ENERGY_EPSILON) {
        engine.onEnergy(machineId, deltaKWh, ts);
        out.push({ kind: 'energy', machineId, deltaKWh, ts });
      }
      return out;
    },
  };
}
