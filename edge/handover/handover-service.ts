// Shift handover: notes per line and shift, open issues carried until someone closes them, and
// the shift report made once a shift has ended (OEE, losses by reason, scrap, energy, notes,
// orders when the orders module gives them). Notes, closures and reports are rows of this
// module's own tables; notes and closures are append-only. The clock is passed in: `generateDue`
// makes the reports of shifts that have ended by now() and is what the timer calls.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { Role } from '../../shared/auth-api.js';
import type { HandoverAnswer, Note, NoteBody, ShiftRef, ShiftReport } from '../../shared/handover-api.js';
import type { ParetoRow } from '../../shared/downtime-api.js';
import { computeLineKpis, shiftAt, shiftsBetween, type PeriodTotals } from '../../shared/kpi/index.js';
import type { AuditLog } from '../audit/index.js';
import type { DowntimeService } from '../downtime/index.js';
import { migrateModule } from '../store/index.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const DAY = 86_400_000;
/** Open issues shown at most (a handover is read standing at the line). */
const MAX_OPEN = 200;
const MAX_NOTES_PER_SHIFT = 500;

export class HandoverError extends Error {
  override name = 'HandoverError';
  constructor(message: string, readonly status: 400 | 404 | 409, readonly field?: string) {
    super(message);
  }
}

export interface HandoverOptions {
  plant: PlantConfig;
  sqlite: Database.Database;
  now: () => number;
  audit: Pick<AuditLog, 'append'>;
  downtime: Pick<DowntimeService, 'lossesOf'>;
  /** A machine's totals of the shift that started at `start` (engine memory, else the historian); null if unknown. */
  shiftTotals: (machineId: string, start: number) => PeriodTotals | null;
  /** Orders worked in [from, to), when an orders module is there. */
  orders?: (from: number, to: number) => Array<Record<string, unknown>>;
  /** When the edge started: shifts that ended before it are not reported (it saw nothing of them). */
  startedAt: number;
}

interface NoteRow {
  id: number; kind: 'note' | 'issue'; machineId: string | null; text: string; author: string; role: string; ts: number;
  shiftStart: number; shiftName: string; shiftDate: string; shiftEnd: number | null;
  closedBy: string | null; closedTs: number | null; closedText: string | null;
}

const NOTE_SELECT = `SELECT n.id, n.kind, n.machine_id AS machineId, n.text, n.author, n.role, n.ts, n.shift_start AS shiftStart,
  n.shift_name AS shiftName, n.shift_date AS shiftDate, c.closed_by AS closedBy, c.ts AS closedTs, c.text AS closedText
  FROM handover_notes n LEFT JOIN handover_issue_closures c ON c.note_id = n.id`;

export function createHandoverService(o: HandoverOptions) {
  migrateModule(o.sqlite, { folder: MIGRATIONS, table: '__handover_migrations' });
  const { plant } = o;
  const tz = plant.site.timezone;
  const lineId = plant.line.id;
  const machineIds = new Set(plant.machines.map((m) => m.id));

  const notesOfShift = o.sqlite.prepare(`${NOTE_SELECT} WHERE n.line_id = ? AND n.shift_start = ? ORDER BY n.id LIMIT ${MAX_NOTES_PER_SHIFT}`);
  // Open at `at`: written before it and not closed by then.
  const openAt = o.sqlite.prepare(`${NOTE_SELECT} WHERE n.line_id = ? AND n.kind = 'issue' AND n.ts < ? AND (c.ts IS NULL OR c.ts >= ?) ORDER BY n.id LIMIT ${MAX_OPEN}`);
  const noteById = o.sqlite.prepare(`${NOTE_SELECT} WHERE n.id = ? AND n.line_id = ?`);
  const insertNote = o.sqlite.prepare(
    'INSERT INTO handover_notes (line_id, shift_start, shift_name, shift_date, kind, machine_id, text, author, role, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertClosure = o.sqlite.prepare('INSERT INTO handover_issue_closures (note_id, text, closed_by, role, ts) VALUES (?, ?, ?, ?, ?)');
  const reportByShift = o.sqlite.prepare('SELECT id FROM shift_reports WHERE line_id = ? AND shift_start = ?').pluck();
  const insertReport = o.sqlite.prepare(
    'INSERT INTO shift_reports (line_id, shift_start, shift_end, shift_name, shift_date, generated_ts, report_json) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const reportById = o.sqlite.prepare('SELECT id, report_json AS reportJson FROM shift_reports WHERE id = ? AND line_id = ?');
  const reportList = o.sqlite.prepare(
    'SELECT id, shift_start AS start, shift_end AS end, shift_name AS name, shift_date AS date, generated_ts AS generatedAt FROM shift_reports WHERE line_id = ? ORDER BY shift_start DESC LIMIT ?',
  );
  const lastReport = o.sqlite.prepare(
    'SELECT id, shift_start AS start, shift_end AS end, shift_name AS name, shift_date AS date FROM shift_reports WHERE line_id = ? AND shift_start < ? ORDER BY shift_start DESC LIMIT 1',
  );

  const toNote = (r: NoteRow): Note => ({
    id: r.id, kind: r.kind, machineId: r.machineId, text: r.text, author: r.author, role: r.role, ts: r.ts,
    shift: { name: r.shiftName, date: r.shiftDate, start: r.shiftStart, end: shiftAt(plant.calendar, tz, r.shiftStart)?.end ?? r.shiftStart },
    closed: r.closedBy !== null && r.closedTs !== null ? { by: r.closedBy, ts: r.closedTs, text: r.closedText } : null,
  });
  const ref = (s: { name: string; date: string; start: number; end: number }): ShiftRef => ({ name: s.name, date: s.date, start: s.start, end: s.end });

  /** The running shift; between shifts the one that ended last (its notes are the handover). */
  function shiftNow(): ShiftRef | null {
    const now = o.now();
    const current = shiftAt(plant.calendar, tz, now);
    if (current) return ref(current);
    const ended = shiftsBetween(plant.calendar, tz, now - 2 * DAY, now).filter((s) => s.end <= now).at(-1);
    return ended ? ref(ended) : null;
  }

  function current(): HandoverAnswer {
    const shift = shiftNow();
    const now = o.now();
    const prev = shift ? (lastReport.get(lineId, shift.start) as (ShiftRef & { id: number }) | undefined) : undefined;
    return {
      lineId,
      shift,
      notes: shift ? (notesOfShift.all(lineId, shift.start) as NoteRow[]).map(toNote) : [],
      openIssues: (openAt.all(lineId, now + 1, now + 1) as NoteRow[]).map(toNote),
      previousReport: prev ? { id: prev.id, shift: { name: prev.name, date: prev.date, start: prev.start, end: prev.end } } : null,
    };
  }

  function addNote(body: NoteBody, actor: { user: string; role: Role }): Note {
    const shift = shiftNow();
    const audit = (outcome: 'ok' | 'refused', details: Record<string, unknown>) =>
      o.audit.append({ actor: actor.user, role: actor.role, action: body.kind === 'issue' ? 'handover.issue' : 'handover.note', target: lineId, details, outcome });
    if (!shift) {
      audit('refused', { error: 'no shift' });
      throw new HandoverError('the shift calendar has no shift now or in the last two days to write the note into', 409);
    }
    if (body.machineId !== undefined && !machineIds.has(body.machineId)) {
      audit('refused', { error: `unknown machine ${body.machineId}` });
      throw new HandoverError(`no machine "${body.machineId}" (known: ${[...machineIds].join(', ')})`, 400, 'machineId');
    }
    const id = Number(insertNote.run(lineId, shift.start, shift.name, shift.date, body.kind, body.machineId ?? null, body.text, actor.user, actor.role, o.now()).lastInsertRowid);
    audit('ok', { id, shift: `${shift.date} ${shift.name}`, ...(body.machineId ? { machineId: body.machineId } : {}), text: body.text });
    return toNote(noteById.get(id, lineId) as NoteRow);
  }

  function closeIssue(id: number, text: string | undefined, actor: { user: string; role: Role }): Note {
    const row = noteById.get(id, lineId) as NoteRow | undefined;
    const audit = (outcome: 'ok' | 'refused', details: Record<string, unknown>) =>
      o.audit.append({ actor: actor.user, role: actor.role, action: 'handover.issue-close', target: `${lineId}#${id}`, details, outcome });
    if (!row || row.kind !== 'issue') {
      audit('refused', { error: 'no such issue' });
      throw new HandoverError(`no open issue ${id} on line ${lineId}`, 404, 'id');
    }
    if (row.closedBy !== null) {
      audit('refused', { error: 'already closed' });
      throw new HandoverError(`issue ${id} was closed by ${row.closedBy} at ${new Date(row.closedTs!).toISOString()}`, 409, 'id');
    }
    insertClosure.run(id, text ?? null, actor.user, actor.role, o.now());
    audit('ok', { text: text ?? null });
    return toNote(noteById.get(id, lineId) as NoteRow);
  }

  function buildReport(shift: ShiftRef, generatedAt: number): Omit<ShiftReport, 'id'> {
    const machines: ShiftReport['machines'] = [];
    const lossRows = new Map<string, ParetoRow>();
    const lineMachines = [];
    const plannedStops = shiftAt(plant.calendar, tz, shift.start)?.plannedStops ?? [];
    for (const m of plant.machines) {
      const totals = o.shiftTotals(m.id, shift.start);
      if (!totals) continue;
      const l = o.downtime.lossesOf(m, { shift, totals, plannedStops, until: shift.end });
      machines.push({
        machineId: m.id, name: m.name, availability: l.availability, performance: l.performance, quality: l.quality, oee: l.oee,
        counts: l.counts, energyKWh: l.energyKWh, unclassifiedSeconds: l.unclassifiedSeconds,
      });
      lineMachines.push({ machineId: m.id, idealCycleTimeSeconds: m.idealCycleTimeSeconds, totals });
      for (const row of l.pareto) {
        const acc = lossRows.get(row.reason);
        if (acc) {
          acc.seconds += row.seconds;
          acc.events += row.events;
        } else lossRows.set(row.reason, { ...row });
      }
    }
    const line = lineMachines.length ? computeLineKpis(lineMachines, { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' }) : null;
    return {
      line: { id: lineId, name: plant.line.name },
      timezone: tz,
      shift,
      generatedAt,
      lineOee: line && { bottleneck: line.bottleneck, availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee },
      machines,
      losses: [...lossRows.values()].sort((a, b) => b.seconds - a.seconds || a.reason.localeCompare(b.reason)),
      scrap: machines.reduce((s, m) => s + m.counts.scrap, 0),
      energyKWh: machines.reduce((s, m) => s + m.energyKWh, 0),
      orders: o.orders ? o.orders(shift.start, shift.end) : null,
      notes: (notesOfShift.all(lineId, shift.start) as NoteRow[]).map(toNote),
      openIssues: (openAt.all(lineId, shift.end, shift.end) as NoteRow[]).map(toNote),
    };
  }

  /** Makes and stores the report of every shift that ended by now() (and after the edge started) and has none. */
  function generateDue(): number[] {
    const now = o.now();
    const made: number[] = [];
    const ended = shiftsBetween(plant.calendar, tz, Math.max(o.startedAt, now - 2 * DAY), now).filter((s) => s.end <= now && s.end > o.startedAt);
    for (const s of ended) {
      if (reportByShift.get(lineId, s.start) !== undefined) continue;
      const report = buildReport(ref(s), now);
      const id = Number(insertReport.run(lineId, s.start, s.end, s.name, s.date, now, JSON.stringify(report)).lastInsertRowid);
      o.audit.append({ actor: 'system', role: null, action: 'handover.shift-report', target: `${lineId} ${s.date} ${s.name}`, details: { id }, outcome: 'ok' });
      made.push(id);
    }
    return made;
  }

  function report(id: number): ShiftReport {
    const row = reportById.get(id, lineId) as { id: number; reportJson: string } | undefined;
    if (!row) throw new HandoverError(`no shift report ${id} (GET /api/handover/reports lists them)`, 404, 'id');
    return { id: row.id, ...(JSON.parse(row.reportJson) as Omit<ShiftReport, 'id'>) };
  }

  function reports(limit: number) {
    return (reportList.all(lineId, limit) as Array<ShiftRef & { id: number; generatedAt: number }>);
  }

  return { current, addNote, closeIssue, generateDue, report, reports };
}

export type HandoverService = ReturnType<typeof createHandoverService>;
