// GET /api/kpi/…: "how was this made". Per machine, the current shift's KPIs with the
// formula and inputs of every figure, the loss waterfall, energy and the raw totals;
// closed shifts (this run's from the engine, older ones from the historian); the
// plant-local day and ISO week; the line (bottleneck method). Everything comes from the
// live KPI engine and the pure functions in shared/kpi, so the REST answer and the twin
// show the same numbers. Parameters are validated with shared/kpi-api.ts; a 400 names
// the bad parameter and says what is expected, an unknown machine is a 404 that lists them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { PlantConfig } from '../../shared/plant-schema.js';
import {
  ClosedShiftsQuerySchema, DEFAULT_SHIFT_WINDOW_MS, KpiMachinePathSchema, KpiPeriodPathSchema,
  type ClosedShiftReport, type ClosedShiftsAnswer, type KpiApiError, type KpiShiftRef, type LineClosedShiftsAnswer,
  type LineKpiAnswer, type MachineKpiAnswer, type MachinesKpiAnswer, type PeriodKpiAnswer,
} from '../../shared/kpi-api.js';
import { buildKpiReport, type KpiReportOptions } from '../../shared/kpi/kpi-report.js';
import { computeLineKpis } from '../../shared/kpi/line-oee.js';
import type { PeriodTotals } from '../../shared/kpi/period-totals.js';
import type { LiveKpiEngine } from '../kpi/live-kpi-engine.js';

/** A closed shift as the store keeps it. */
export interface StoredShift {
  shift: KpiShiftRef;
  totals: PeriodTotals;
}

export interface KpiRoutesOptions {
  plant: PlantConfig;
  kpi: Pick<LiveKpiEngine, 'details' | 'line' | 'closedShifts' | 'period'>;
  now: () => number;
  /**
   * Closed shifts of a machine starting in [from, to) from durable storage (the
   * historian), so the list survives a restart. Optional: without it only the shifts
   * closed during this run are listed.
   */
  storedShifts?: (machineId: string, from: number, to: number) => StoredShift[];
}

class BadParameter extends Error {
  constructor(readonly parameter: string | undefined, message: string) {
    super(message);
  }
}

class NotFound extends Error {}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'path'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const parameter = keys.length ? String(keys[0]) : issue.path.length ? String(issue.path[0]) : undefined;
  const what = where === 'query' ? 'query parameter' : 'path parameter';
  const message = keys.length ? `unknown ${what} "${keys.join('", "')}"` : `${what} "${parameter}": ${issue.message}`;
  throw new BadParameter(parameter, message);
}

const shiftRef = (s: KpiShiftRef): KpiShiftRef => ({ name: s.name, date: s.date, start: s.start, end: s.end });

export function registerKpiRoutes(app: FastifyInstance, options: KpiRoutesOptions): void {
  const { plant, kpi, now } = options;
  const machineIds = plant.machines.map((m) => m.id);
  const known = new Set(machineIds);
  const line = { id: plant.line.id, name: plant.line.name };
  // The engine's conventions, so a stored shift is explained exactly as it was live.
  const reportOptions: KpiReportOptions = {
    microStopsAs: plant.kpi?.microStopsAs ?? 'availability',
    co2eKgPerKWh: plant.energy.co2eKgPerKWh,
  };

  // Only this module's errors become 400/404; anything else goes to Fastify's handler (500).
  const handle = <R>(fn: (req: FastifyRequest, reply: FastifyReply) => R) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return fn(req, reply);
    } catch (err) {
      if (err instanceof BadParameter) return reply.code(400).send({ error: err.message, parameter: err.parameter } satisfies KpiApiError);
      if (err instanceof NotFound) return reply.code(404).send({ error: err.message, parameter: 'id' } satisfies KpiApiError);
      throw err;
    }
  };

  function machineOf(params: unknown): string {
    const { id } = parse(KpiMachinePathSchema, params, 'path');
    if (!known.has(id)) throw new NotFound(`no machine "${id}" (known: ${machineIds.join(', ')})`);
    return id;
  }

  function window(query: unknown): { from: number; to: number; limit: number } {
    const q = parse(ClosedShiftsQuerySchema, query, 'query');
    const to = q.to ?? Math.max(now(), (q.from ?? 0) + 1);
    const from = q.from ?? to - DEFAULT_SHIFT_WINDOW_MS;
    return { from, to, limit: q.limit };
  }

  /** Closed shifts of one machine starting in [from, to), oldest first; this run's copy wins over the stored one. */
  function closedShifts(machineId: string, from: number, to: number): (StoredShift & { source: ClosedShiftReport['source'] })[] {
    const byStart = new Map<number, StoredShift & { source: ClosedShiftReport['source'] }>();
    for (const s of options.storedShifts?.(machineId, from, to) ?? []) {
      if (s.shift.start >= from && s.shift.start < to) byStart.set(s.shift.start, { shift: shiftRef(s.shift), totals: s.totals, source: 'historian' });
    }
    for (const c of kpi.closedShifts(machineId)) {
      if (c.shift.start >= from && c.shift.start < to) byStart.set(c.shift.start, { shift: shiftRef(c.shift), totals: c.totals, source: 'memory' });
    }
    return [...byStart.values()].sort((a, b) => a.shift.start - b.shift.start);
  }

  app.get('/api/kpi/machines', handle((): MachinesKpiAnswer => ({
    at: now(),
    machines: machineIds.map((machineId) => {
      const d = kpi.details(machineId);
      if (!d) return { machineId, shift: null, availability: 0, performance: 0, quality: 1, oee: 0, counts: { total: 0, good: 0, scrap: 0 }, energyKWh: 0 };
      const { availability, performance, quality, oee, counts } = d.kpis;
      return { machineId, shift: shiftRef(d.shift), availability, performance, quality, oee, counts, energyKWh: d.totals.energy.kWh };
    }),
  })));

  app.get('/api/kpi/machines/:id', handle((req): MachineKpiAnswer => {
    const machineId = machineOf(req.params);
    const at = now();
    const details = kpi.details(machineId);
    if (!details) return { machineId, at, shift: null, report: null, totals: null };
    // The same totals the engine explains: the report is built from them, not read a second time.
    return { machineId, at, shift: shiftRef(details.shift), report: buildKpiReport(details.totals, reportOptions), totals: details.totals };
  }));

  app.get('/api/kpi/machines/:id/shifts', handle((req): ClosedShiftsAnswer => {
    const machineId = machineOf(req.params);
    const { from, to, limit } = window(req.query);
    const shifts = closedShifts(machineId, from, to)
      .slice(-limit)
      .map((s) => ({ shift: s.shift, source: s.source, report: buildKpiReport(s.totals, reportOptions), totals: s.totals }));
    return { machineId, from, to, shifts };
  }));

  app.get('/api/kpi/machines/:id/periods/:kind', handle((req): PeriodKpiAnswer => {
    const { id, kind } = parse(KpiPeriodPathSchema, req.params, 'path');
    const machineId = machineOf({ id });
    return { machineId, kind, at: now(), report: kpi.period(machineId, kind) };
  }));

  app.get('/api/kpi/line', handle((): LineKpiAnswer => {
    const at = now();
    const current = kpi.line();
    if (!current) return { line, at, shift: null, kpis: null };
    const { shift, ...kpis } = current;
    return { line, at, shift: shiftRef(shift), kpis };
  }));

  app.get('/api/kpi/line/shifts', handle((req): LineClosedShiftsAnswer => {
    const { from, to, limit } = window(req.query);
    // Group the machines' closed shifts by shift start; plant order is flow order (bottleneck ties go downstream).
    const byStart = new Map<number, { shift: KpiShiftRef; machines: { machineId: string; idealCycleTimeSeconds: number; totals: PeriodTotals }[] }>();
    for (const m of plant.machines) {
      for (const s of closedShifts(m.id, from, to)) {
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
  }));
}
