// The downtime module's work: a machine's stops (the historian's down intervals) with their
// reasons, the operator's classifications as append-only revisions, and a shift's losses with
// the reasons applied (shared/downtime-losses.ts). Synchronous over its own connection; the
// clock is passed in. Every classification is written to the audit log.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { DEFAULT_DOWNTIME, DowntimeConfigSchema, defaultReasonOf, reasonIndex, reasonTreeOf, UNCLASSIFIED, type DowntimeConfig, type ReasonInfo } from '../../shared/downtime-schema.js';
import type { ClassifyBody, ParetoRow, ReasonsAnswer, Revision, Stop, StopsAnswer } from '../../shared/downtime-api.js';
import { buildStop, faultCodeOfReason, paretoRows, reasonedTotals, resolveParts, withUnclassifiedBar, type BookedStop, type StoredRevision } from '../../shared/downtime-losses.js';
import { buildKpiReport, shiftAt, type PeriodTotals } from '../../shared/kpi/index.js';
import type { StateInterval } from '../../shared/history-api.js';
import type { Role } from '../../shared/auth-api.js';
import type { AuditLog } from '../audit/index.js';
import { migrateModule } from '../store/index.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const DEFAULT_MICRO_STOP_MS = 300_000;
const HOUR = 3_600_000;
/** A stop list reads at most this long a window (a week of shifts). */
export const MAX_WINDOW_MS = 7 * 24 * HOUR;

/** A refused downtime request; `status` is the HTTP status that fits. */
export class DowntimeError extends Error {
  override name = 'DowntimeError';
  constructor(message: string, readonly status: 400 | 404 | 409, readonly field?: string) {
    super(message);
  }
}

export interface Actor { user: string; role: Role }

export interface ShiftLosses {
  machineId: string;
  shift: { name: string; date: string; start: number; end: number };
  /** ISO 22400 figures with the operator's reasons applied (a planned reason leaves planned busy time). */
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  counts: { total: number; good: number; scrap: number };
  energyKWh: number;
  waterfall: Array<{ step: string; kind: string; seconds: number; category?: string; factor?: string }>;
  pareto: ParetoRow[];
  unclassifiedSeconds: number;
}

export interface DowntimeServiceOptions {
  plant: PlantConfig;
  sqlite: Database.Database;
  now: () => number;
  audit: Pick<AuditLog, 'append'>;
  /** Historian state intervals of a machine overlapping [from, to). */
  stateIntervals: (machineId: string, from: number, to: number) => StateInterval[];
  /** The live KPI engine's current and closed shifts. */
  kpi: {
    details(machineId: string): { shift: { name: string; date: string; start: number; end: number; plannedStops: Array<{ start: number; end: number }> }; totals: PeriodTotals } | null;
    closedShifts(machineId: string): Array<{ shift: { name: string; date: string; start: number; end: number }; totals: PeriodTotals }>;
  };
}

interface RevisionRow { revision: number; partsJson: string; note: string | null; actor: string; role: string; ts: number }

export function createDowntimeService(o: DowntimeServiceOptions) {
  migrateModule(o.sqlite, { folder: MIGRATIONS, table: '__downtime_migrations' });
  const config: DowntimeConfig = o.plant.downtime ?? DowntimeConfigSchema.parse(DEFAULT_DOWNTIME);
  const promptAfterMs = config.promptAfterSeconds * 1000;
  const microMs = (o.plant.kpi?.microStopThresholdSeconds ?? DEFAULT_MICRO_STOP_MS / 1000) * 1000;
  const machines = new Map(o.plant.machines.map((m) => [m.id, m]));
  const indexes = new Map<string, Map<string, ReasonInfo>>();
  const reasonsOfType = (type: string) => {
    let index = indexes.get(type);
    if (!index) indexes.set(type, (index = reasonIndex(config, type)));
    return index;
  };

  const latestStmt = o.sqlite.prepare(
    `SELECT revision, parts_json AS partsJson, note, actor, role, ts FROM downtime_classifications
     WHERE machine_id = ? AND stop_start = ? ORDER BY revision DESC LIMIT 1`,
  );
  const inWindowStmt = o.sqlite.prepare(
    `SELECT c.stop_start AS stopStart, c.revision, c.parts_json AS partsJson, c.note, c.actor, c.role, c.ts FROM downtime_classifications c
     WHERE c.machine_id = ? AND c.stop_start >= ? AND c.stop_start < ?
       AND c.revision = (SELECT max(revision) FROM downtime_classifications d WHERE d.machine_id = c.machine_id AND d.stop_start = c.stop_start)`,
  );
  const historyStmt = o.sqlite.prepare(
    'SELECT revision, parts_json AS partsJson, note, actor, role, ts FROM downtime_classifications WHERE machine_id = ? AND stop_start = ? ORDER BY revision LIMIT 1000',
  );
  const insertStmt = o.sqlite.prepare(
    'INSERT INTO downtime_classifications (machine_id, stop_start, revision, parts_json, note, actor, role, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const toRevision = (r: RevisionRow): StoredRevision => ({
    revision: r.revision, parts: JSON.parse(r.partsJson) as StoredRevision['parts'], note: r.note, by: r.actor, role: r.role, at: r.ts,
  });

  function machineOf(machineId: string) {
    const m = machines.get(machineId);
    if (!m) throw new DowntimeError(`no machine "${machineId}" (known: ${[...machines.keys()].join(', ')})`, 404, 'machine');
    return m;
  }

  /** The current shift, else the last 8 hours. */
  function defaultWindow(machineId: string): { from: number; to: number } {
    const now = o.now();
    const d = o.kpi.details(machineId);
    return d ? { from: d.shift.start, to: now } : { from: now - 8 * HOUR, to: now };
  }

  function downIntervals(machineId: string, from: number, to: number): StateInterval[] {
    return o.stateIntervals(machineId, from, to).filter((s) => s.state === 'down');
  }

  function stopsIn(machineId: string, from: number, to: number): { stops: Array<Stop & { stateReason: string }>; micro: { count: number; ms: number } } {
    const m = machineOf(machineId);
    const now = o.now();
    const latest = new Map((inWindowStmt.all(machineId, from - MAX_WINDOW_MS, to) as Array<RevisionRow & { stopStart: number }>).map((r) => [r.stopStart, toRevision(r)]));
    const stops: Array<Stop & { stateReason: string }> = [];
    const micro = { count: 0, ms: 0 };
    for (const s of downIntervals(machineId, from, to)) {
      const end = s.endTs;
      const ms = (end ?? now) - s.startTs;
      // A closed stop under the threshold is a micro-stop: counted in its group, never prompted.
      if (end !== null && ms < microMs) {
        micro.count += 1;
        micro.ms += ms;
        continue;
      }
      const withDefault = buildStop({
        machineId, interval: { start: s.startTs, end, reason: s.reason }, now, latest: latest.get(s.startTs) ?? null,
        defaultReason: defaultReasonOf(config, m.type, faultCodeOfReason(s.reason)), promptAfterMs,
      });
      stops.push({ ...withDefault, stateReason: s.reason ?? 'unspecified' });
    }
    return { stops, micro };
  }

  function stops(machineId: string, window?: { from?: number; to?: number }): StopsAnswer {
    const d = defaultWindow(machineId);
    const from = window?.from ?? d.from;
    const to = window?.to ?? d.to;
    if (!(to > from)) throw new DowntimeError('to must be after from', 400, 'to');
    if (to - from > MAX_WINDOW_MS) throw new DowntimeError(`at most ${MAX_WINDOW_MS / HOUR} hours per request: ask for a shorter window`, 400, 'from');
    const { stops: list, micro } = stopsIn(machineId, from, to);
    return {
      machineId, from, to, promptAfterSeconds: config.promptAfterSeconds,
      stops: list.map(({ stateReason: _r, ...s }) => s).reverse(),
      microStops: { count: micro.count, seconds: micro.ms / 1000, thresholdSeconds: microMs / 1000 },
    };
  }

  /** The stop that starts at `start` on the machine (in the historian), or a 404. */
  function findStop(machineId: string, start: number): Stop {
    machineOf(machineId);
    const found = stopsIn(machineId, start, start + 1).stops.find((s) => s.start === start);
    if (!found) throw new DowntimeError(`no stop of ${machineId} starts at ${new Date(start).toISOString()} (micro-stops are not classified one by one; GET /api/downtime/stops lists the stops)`, 404, 'start');
    const { stateReason: _r, ...stop } = found;
    return stop;
  }

  const appendRevision = o.sqlite.transaction((machineId: string, start: number, basedOn: number | undefined, parts: StoredRevision['parts'], note: string | null, actor: Actor, ts: number): number => {
    const last = (latestStmt.get(machineId, start) as RevisionRow | undefined)?.revision ?? 0;
    if (basedOn !== undefined && basedOn !== last) {
      throw new DowntimeError(`the stop was classified again (revision ${last}) after the revision ${basedOn} you saw: reload the stop and classify it again`, 409, 'basedOn');
    }
    insertStmt.run(machineId, start, last + 1, JSON.stringify(parts), note, actor.user, actor.role, ts);
    return last + 1;
  });

  function classify(machineId: string, start: number, body: ClassifyBody, actor: Actor): Stop {
    const m = machineOf(machineId);
    const target = `${machineId}@${new Date(start).toISOString()}`;
    const audit = (outcome: 'ok' | 'refused', details: Record<string, unknown>) =>
      o.audit.append({ actor: actor.user, role: actor.role, action: body.parts.length > 1 ? 'downtime.split' : 'downtime.classify', target, details, outcome });
    let stop: Stop;
    try {
      stop = findStop(machineId, start);
    } catch (err) {
      audit('refused', { error: (err as Error).message });
      throw err;
    }
    const parts = resolveParts(stop, body.parts, reasonsOfType(m.type), o.now());
    if (typeof parts === 'string') {
      audit('refused', { error: parts });
      throw new DowntimeError(parts, 400, 'parts');
    }
    let revision: number;
    try {
      revision = appendRevision(machineId, start, body.basedOn, parts, body.note ?? null, actor, o.now());
    } catch (err) {
      audit('refused', { error: (err as Error).message });
      throw err;
    }
    audit('ok', { revision, previous: stop.parts.map((p) => ({ reason: p.reason, source: p.source })), parts, ...(body.note ? { note: body.note } : {}) });
    return findStop(machineId, start);
  }

  function history(machineId: string, start: number): Revision[] {
    findStop(machineId, start);
    return (historyStmt.all(machineId, start) as RevisionRow[]).map((r) => toRevision(r));
  }

  function reasons(machineId: string): ReasonsAnswer {
    const m = machineOf(machineId);
    return { machineId, machineType: m.type, promptAfterSeconds: config.promptAfterSeconds, categories: reasonTreeOf(config, m.type) };
  }

  /** A shift's KPIs and losses with the reasons applied; null when the engine has no such shift. */
  function losses(machineId: string, which: 'current' | 'previous'): ShiftLosses | null {
    const m = machineOf(machineId);
    const now = o.now();
    let shift: ShiftLosses['shift'];
    let totals: PeriodTotals;
    let plannedStops: Array<{ start: number; end: number }>;
    let until: number;
    if (which === 'current') {
      const d = o.kpi.details(machineId);
      if (!d) return null;
      ({ shift, totals } = d);
      plannedStops = d.shift.plannedStops;
      until = now;
    } else {
      const c = o.kpi.closedShifts(machineId).at(-1);
      if (!c) return null;
      ({ shift, totals } = c);
      plannedStops = shiftAt(o.plant.calendar, o.plant.site.timezone, c.shift.start)?.plannedStops ?? [];
      until = c.shift.end;
    }
    return lossesOf(m, { shift, totals, plannedStops, until });
  }

  /** Losses with reasons for given totals (the handover's shift report uses stored shifts too). */
  function lossesOf(m: { id: string; type: string }, p: { shift: ShiftLosses['shift']; totals: PeriodTotals; plannedStops: Array<{ start: number; end: number }>; until: number }): ShiftLosses {
    const index = reasonsOfType(m.type);
    const { stops: list } = stopsIn(m.id, p.shift.start, Math.min(p.shift.end, p.until));
    const booked: BookedStop[] = list.map((s) => ({ start: s.start, end: s.end, stateReason: s.stateReason, parts: s.parts }));
    const adjusted = reasonedTotals({ totals: p.totals, stops: booked, plannedStops: p.plannedStops, reasons: index, microStopThresholdMs: microMs, until: p.until });
    const report = buildKpiReport(adjusted, { microStopsAs: o.plant.kpi?.microStopsAs ?? 'availability', co2eKgPerKWh: o.plant.energy.co2eKgPerKWh });
    const pareto = paretoRows(report.losses.byReason, index);
    const unclassifiedSeconds = pareto.find((r) => r.reason === UNCLASSIFIED)?.seconds ?? 0;
    return {
      machineId: m.id, shift: { name: p.shift.name, date: p.shift.date, start: p.shift.start, end: p.shift.end },
      availability: report.kpis.availability, performance: report.kpis.performance, quality: report.kpis.quality, oee: report.kpis.oee,
      counts: report.kpis.counts, energyKWh: adjusted.energy.kWh,
      waterfall: withUnclassifiedBar(report.losses.waterfall, unclassifiedSeconds), pareto, unclassifiedSeconds,
    };
  }

  /** Every machine's stops that wait for a reason (the andon prompt). */
  function prompts(): Stop[] {
    return o.plant.machines.flatMap((m) => {
      const d = defaultWindow(m.id);
      return stopsIn(m.id, d.from, d.to).stops.filter((s) => s.needsReason).map(({ stateReason: _r, ...s }) => s);
    });
  }

  return { config, stops, classify, history, reasons, losses, lossesOf, prompts, microStopThresholdMs: microMs };
}

export type DowntimeService = ReturnType<typeof createDowntimeService>;
