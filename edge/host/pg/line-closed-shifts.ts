// A line's KPI routes on a host with a plant database: closed shifts come from the database, not
// from the host's KPI engine, so every host lists the same ones — a standby that just started or
// took over included (docs/host.md). The plant-local day and week add the shifts the database
// closed to the engine's current shift, as the edge's engine adds its own closed ones.
import type { PlantConfig } from '../../../shared/plant-schema.js';
import { buildKpiReport, periodBounds, totalsForPeriod, type KpiReport, type PeriodKind } from '../../../shared/kpi/index.js';
import { countingModeOf } from '../../../shared/count-roles.js';
import type { KpiRoutesOptions } from '../../api/index.js';
import type { LineHistory } from './line-history.js';

type LineKpiReads = KpiRoutesOptions['kpi'];

/** The engine's current shift and line figures; closed shifts and periods from the database (`closedShifts` of the routes' own copy: none). */
export function databaseShiftsKpi(
  plant: PlantConfig, engine: Omit<LineKpiReads, 'period'>, history: Pick<LineHistory, 'closedShifts'>, now: () => number,
): LineKpiReads {
  const tz = plant.site.timezone;
  const options = { microStopsAs: plant.kpi?.microStopsAs ?? 'availability', co2eKgPerKWh: plant.energy.co2eKgPerKWh } as const;
  return {
    details: (machineId) => engine.details(machineId),
    line: () => engine.line(),
    shift: () => engine.shift(),
    // The routes list the database's closed shifts (storedShifts), the same on every host: the engine's own copies would win over them on the host that closed them.
    closedShifts: () => [],
    async period(machineId: string, kind: PeriodKind): Promise<KpiReport> {
      const t = now();
      const whole = periodBounds(kind, t, tz);
      // So far: calendar time (for TEEP) runs to now, as the engine's period.
      const bounds = { start: whole.start, end: Math.min(whole.end, Math.max(t, whole.start + 1)) };
      const current = engine.details(machineId);
      const stored = await history.closedShifts(machineId, whole.start, whole.end, -1);
      const shifts = stored.filter((s) => s.shift.start !== current?.shift.start).map((s) => s.totals);
      if (current) shifts.push(current.totals);
      const machine = plant.machines.find((m) => m.id === machineId);
      return buildKpiReport(totalsForPeriod(shifts, bounds), { ...options, ...(machine ? { counting: countingModeOf(machine) } : {}) });
    },
  };
}
