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
import { createLiveKpiEngine, type ClosedShift, type LiveKpiEngine } from '../kpi/index.js';
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
  const { historian, now } = o;
  const t = now();
  // Rebuild from the host's own history: the shift the previous run was in (so it gets closed),
  // else the current shift — also when the engine is rebuilt for a new plant view.
  historian.flush();
  const candidates = [replayStart(plant, historian.recovery.previousAliveTs, t), shiftAt(plant.calendar, plant.site.timezone, t)?.start ?? null]
    .filter((x): x is number => x !== null);
  const from = candidates.length ? Math.min(...candidates) : null;
  let replayClock: number | null = from;
  const engine = createLiveKpiEngine({
    plant, now: () => replayClock ?? now(), kpi: { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' },
    onShiftClosed: (closed) => {
      historian.recordShift(closed);
      o.onShiftClosed?.(closed);
    },
  });
  const ids = plant.machines.map((m) => m.id);
  if (from !== null) {
    const n = replayKpiHistory(historian.queries, engine, ids, from, Number.MAX_SAFE_INTEGER);
    if (n) o.log('info', `host: ${o.lineKey}: KPIs rebuilt from the host historian (${n} stored events since ${new Date(from).toISOString()})`);
  }
  // After the host's last sign of life nothing is known (no data, never running or down) — until
  // the edge's State Since says otherwise: a DBIRTH's state is booked from then, so a host that
  // starts (or restarts) mid-shift loses no time the edge can vouch for.
  if (from !== null) {
    const previous = historian.recovery.previousAliveTs;
    const anchor = previous !== null && previous >= from && previous <= t ? previous : from;
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
