// GET /api/kpi/…: "how was this made". Per machine, the current shift's KPIs with the
// formula and inputs of every figure, the loss waterfall, energy and the raw totals;
// closed shifts (this run's from the engine, older ones from the historian); the
// plant-local day and ISO week; the line (bottleneck method). Everything comes from the
// live KPI engine and the pure functions in shared/kpi, so the REST answer and the twin
// show the same numbers. Parameters are validated with shared/kpi-api.ts; a 400 names
// the bad parameter and says what is expected, an unknown machine is a 404 that lists them.
import type { FastifyPluginAsync } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import {
  ClosedShiftsQuerySchema, DEFAULT_SHIFT_WINDOW_MS, KpiMachinePathSchema, KpiPeriodPathSchema,
  type ClosedShiftReport, type ClosedShiftsAnswer, type KpiShiftRef, type LineClosedShiftsAnswer,
  type LineKpiAnswer, type MachineKpiAnswer, type MachinesKpiAnswer, type PeriodKpiAnswer,
} from '../../shared/kpi-api.js';
import { buildKpiReport, type KpiReport, type KpiReportOptions, type PeriodKind } from '../../shared/kpi/index.js';
import { computeLineKpis } from '../../shared/kpi/index.js';
import type { PeriodTotals } from '../../shared/kpi/index.js';
import { countingModeOf } from '../../shared/count-roles.js';
import type { LiveKpiEngine } from '../kpi/index.js';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { apiRoute, ok, type RouteSpec } from './api-route.js';
import { ApiFailure } from './validation.js';
import { READ_REFUSED, boundedRefusal, boundedWindow } from './bounded-reads.js';

/** A closed shift as the store keeps it. */
export interface StoredShift {
  shift: KpiShiftRef;
  totals: PeriodTotals;
}

export interface KpiRoutesOptions {
  plant: PlantConfig;
  /** `period` may read stored shifts (a plant host's database): it may answer a promise. */
  kpi: Pick<LiveKpiEngine, 'details' | 'line' | 'shift' | 'closedShifts'> & { period(machineId: string, kind: PeriodKind): KpiReport | Promise<KpiReport> };
  now: () => number;
  /**
   * Closed shifts of a machine starting in [from, to) from durable storage (the
   * historian), so the list survives a restart. Optional: without it only the shifts
   * closed during this run are listed.
   */
  storedShifts?: (machineId: string, from: number, to: number) => StoredShift[] | Promise<StoredShift[]>;
}

const shiftRef = (s: KpiShiftRef): KpiShiftRef => ({ name: s.name, date: s.date, start: s.start, end: s.end });

const unknownMachine = { 404: { description: 'no such machine', schema: ApiErrorSchema } };
const spec = <const S extends Omit<RouteSpec, 'method' | 'tag' | 'access'>>(s: S) => ({ method: 'GET', tag: 'kpi', access: 'operator', ...s }) as const;

export const kpiRoutes: FastifyPluginAsync<KpiRoutesOptions> = async (app, options) => {
  const { plant, kpi, now } = options;
  const machineIds = plant.machines.map((m) => m.id);
  const known = new Set(machineIds);
  const line = { id: plant.line.id, name: plant.line.name };
  // The engine's conventions, so a stored shift is explained exactly as it was live.
  const reportOptions: KpiReportOptions = {
    microStopsAs: plant.kpi?.microStopsAs ?? 'availability',
    co2eKgPerKWh: plant.energy.co2eKgPerKWh,
  };

  function machineOf(id: string): string {
    if (!known.has(id)) throw new ApiFailure(404, 'not-found', `no machine "${id}" (known: ${machineIds.join(', ')})`, { field: 'id' });
    return id;
  }

  function window(q: { from?: number; to?: number; limit: number }): { from: number; to: number; limit: number } {
    // A `from` alone reaches to now: the span limit applies to the window as filled in.
    return { ...boundedWindow(q, DEFAULT_SHIFT_WINDOW_MS, now()), limit: q.limit };
  }

  /** Closed shifts of one machine starting in [from, to), oldest first; this run's copy wins over the stored one. */
  async function closedShifts(machineId: string, from: number, to: number): Promise<(StoredShift & { source: ClosedShiftReport['source'] })[]> {
    const byStart = new Map<number, StoredShift & { source: ClosedShiftReport['source'] }>();
    for (const s of (await options.storedShifts?.(machineId, from, to)) ?? []) {
      if (s.shift.start >= from && s.shift.start < to) byStart.set(s.shift.start, { shift: shiftRef(s.shift), totals: s.totals, source: 'historian' });
    }
    for (const c of kpi.closedShifts(machineId)) {
      if (c.shift.start >= from && c.shift.start < to) byStart.set(c.shift.start, { shift: shiftRef(c.shift), totals: c.totals, source: 'memory' });
    }
    return [...byStart.values()].sort((a, b) => a.shift.start - b.shift.start);
  }

  app.route(apiRoute(spec({ url: '/api/kpi/machines', summary: 'Current-shift KPIs of every machine, with formulas and inputs', responses: ok('KPIs') }), (): MachinesKpiAnswer => ({
    at: now(),
    machines: machineIds.map((machineId) => {
      const d = kpi.details(machineId);
      if (!d) return { machineId, shift: null, availability: 0, performance: 0, quality: 1, oee: 0, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0 };
      const { availability, performance, quality, oee, counts } = d.kpis;
      return { machineId, shift: shiftRef(d.shift), availability, performance, quality, oee, counts, energyKWh: d.totals.energy.kWh };
    }),
  })));

  app.route(apiRoute(spec({
    url: '/api/kpi/machines/:id', summary: 'Current-shift KPI report of one machine', params: KpiMachinePathSchema, responses: { ...ok('report'), ...unknownMachine },
  }), ({ params }): MachineKpiAnswer => {
    const machineId = machineOf(params.id);
    const at = now();
    const details = kpi.details(machineId);
    if (!details) return { machineId, at, shift: null, report: null, totals: null };
    // The same totals the engine explains: the report is built from them, not read a second time.
    const counting = countingModeOf(plant.machines.find((m) => m.id === machineId)!);
    return { machineId, at, shift: shiftRef(details.shift), report: buildKpiReport(details.totals, { ...reportOptions, counting }), totals: details.totals };
  }));

  app.route(apiRoute(spec({
    url: '/api/kpi/machines/:id/shifts', summary: 'Closed shifts of one machine', params: KpiMachinePathSchema, query: ClosedShiftsQuerySchema,
    responses: { ...ok('closed shifts'), ...unknownMachine, ...READ_REFUSED },
  }), async ({ params, query }): Promise<ClosedShiftsAnswer> => {
    const machineId = machineOf(params.id);
    const { from, to, limit } = window(query);
    const shifts = (await closedShifts(machineId, from, to))
      .slice(-limit)
      .map((s) => ({ shift: s.shift, source: s.source, report: buildKpiReport(s.totals, reportOptions), totals: s.totals }));
    return { machineId, from, to, shifts };
  }, boundedRefusal));

  app.route(apiRoute(spec({
    url: '/api/kpi/machines/:id/periods/:kind', summary: 'Plant-local day or ISO week of one machine', params: KpiPeriodPathSchema,
    responses: { ...ok('period'), ...unknownMachine, ...READ_REFUSED },
  }), async ({ params: { id, kind } }): Promise<PeriodKpiAnswer> => {
    const machineId = machineOf(id);
    const at = now();
    return { machineId, kind, at, report: await kpi.period(machineId, kind) };
  }, boundedRefusal));

  app.route(apiRoute(spec({ url: '/api/kpi/line', summary: 'Line KPIs (bottleneck method)', responses: ok('line KPIs') }), (): LineKpiAnswer => {
    const at = now();
    const current = kpi.line();
    if (!current) {
      // Between shifts, or a line without machines yet: its calendar still says which shift runs.
      const shift = kpi.shift();
      return { line, at, shift: shift && shiftRef(shift), kpis: null };
    }
    const { shift, ...kpis } = current;
    return { line, at, shift: shiftRef(shift), kpis };
  }));

  app.route(apiRoute(spec({ url: '/api/kpi/line/shifts', summary: 'Closed shifts of the line', query: ClosedShiftsQuerySchema, responses: { ...ok('closed shifts'), ...READ_REFUSED } }), async ({ query }): Promise<LineClosedShiftsAnswer> => {
    const { from, to, limit } = window(query);
    // Group the machines' closed shifts by shift start; plant order is flow order (bottleneck ties go downstream).
    const byStart = new Map<number, { shift: KpiShiftRef; machines: { machineId: string; idealCycleTimeSeconds: number; totals: PeriodTotals }[] }>();
    for (const m of plant.machines) {
      for (const s of await closedShifts(m.id, from, to)) {
        const entry = byStart.get(s.shift.start) ?? { shift: s.shift, machines: [] };
        entry.machines.push({ machineId: m.id, idealCycleTimeSeconds: m.idealCycleTimeSeconds, totals: s.totals });
        byStart.set(s.shift.start, entry);
      }
    }
    const shifts = [...byStart.values()]
      .sort((a, b) => a.shift.start - b.shift.start)
      .slice(-limit)
      .map((e) => ({ shift: e.shift, machines: e.machines.map((m) => m.machineId), kpis: computeLineKpis(e.machines, reportOptions) }));
    return { line, from, to, shifts };
  }, boundedRefusal));
};
