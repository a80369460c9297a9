// After-sales service cases: opened from an alarm (its machine, fault code, flight recording
// and diagnosis come along) or for a machine by hand, assigned, annotated and closed; and a
// machine's service history with repeated faults and MTBF. This module's own tables and
// migrations (service-schema.ts, migrations/), applied on the connection it is given.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { lookupFault, type FaultCatalogue } from '../../shared/alarm-fault-catalogue.js';
import type { AlarmDiagnosis, AlarmOccurrence, RecordingSummary } from '../../shared/alarm-wire.js';
import type { CaseNote, CaseStatus, OpenCaseBody, ServiceCase, ServiceHistory } from '../../shared/alarm-service-cases.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { migrateModule } from '../store/database.js';
import { reliability, type StateSpan } from './reliability.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies this module's migrations (a read-only connection is left as it is). */
export function migrateServiceTables(sqlite: Database.Database): void {
  migrateModule(sqlite, { folder: MIGRATIONS, table: '__service_migrations' });
}

/** Refused case operation; `status` is the HTTP status that fits. */
export class CaseError extends Error {
  override name = 'CaseError';
  constructor(message: string, readonly status: 400 | 404 | 409, readonly field?: string) {
    super(message);
  }
}

export interface ServiceCasesOptions {
  sqlite: Database.Database;
  plant: PlantConfig;
  catalogue: FaultCatalogue;
  now: () => number;
  /** The alarm journal (with the machine's diagnosis). */
  occurrence: (id: number) => (AlarmOccurrence & { diagnosis: AlarmDiagnosis }) | null;
  /** Takes a flight recording now (for a case whose alarm has none). */
  record: (machineId: string, options: { by: string; note?: string; postSeconds?: number }) => RecordingSummary;
  /** Historian state intervals of a machine overlapping [from, to). */
  stateIntervals: (machineId: string, from: number, to: number) => StateSpan[];
}

interface CaseRow {
  id: number; machineId: string; title: string; status: CaseStatus; alarmId: number | null; recordingId: number | null; faultCode: number | null;
  openedBy: string; openedTs: number; assignee: string | null; assignedTs: number | null; closedBy: string | null; closedTs: number | null;
  resolution: string | null; contextJson: string | null;
}

const CASE_COLUMNS = `id, machine_id AS machineId, title, status, alarm_id AS alarmId, recording_id AS recordingId, fault_code AS faultCode,
  opened_by AS openedBy, opened_ts AS openedTs, assignee, assigned_ts AS assignedTs, closed_by AS closedBy, closed_ts AS closedTs,
  resolution, context_json AS contextJson`;

const DAY = 86_400_000;

export class ServiceCases {
  private readonly machines: Map<string, PlantConfig['machines'][number]>;
  private readonly microStopMs: number;

  constructor(private readonly o: ServiceCasesOptions) {
    migrateServiceTables(o.sqlite);
    this.machines = new Map(o.plant.machines.map((m) => [m.id, m]));
    this.microStopMs = (o.plant.kpi?.microStopThresholdSeconds ?? 300) * 1000;
  }

  /** Flight recordings that cases refer to: the alarm module keeps them past their retention. */
  recordingsInUse(): number[] {
    return this.o.sqlite.prepare('SELECT DISTINCT recording_id FROM service_cases WHERE recording_id IS NOT NULL').pluck().all() as number[];
  }

  open(body: OpenCaseBody, by: string): ServiceCase {
    const ts = this.o.now();
    let machineId = body.machineId;
    let alarm: (AlarmOccurrence & { diagnosis: AlarmDiagnosis }) | null = null;
    if (body.alarmId !== undefined) {
      alarm = this.o.occurrence(body.alarmId);
      if (!alarm) throw new CaseError(`no alarm occurrence ${body.alarmId} (GET /api/alarms/history lists them)`, 404, 'alarmId');
      if (machineId && machineId !== alarm.machineId) throw new CaseError(`alarm ${alarm.id} is on ${alarm.machineId}, not ${machineId}`, 400, 'machineId');
      machineId = alarm.machineId;
    }
    const machine = this.machines.get(machineId!);
    if (!machine) throw new CaseError(`no machine "${machineId}" (known: ${[...this.machines.keys()].join(', ')})`, 404, 'machineId');
    // The case always carries a snapshot: the alarm's recording, else one taken now from the recorder's ring.
    const recordingId = alarm?.recordingId ?? this.o.record(machine.id, { by, note: `service case: ${body.title ?? alarm?.message ?? 'opened by hand'}`, postSeconds: 0 }).id;
    const faultCode = alarm?.faultCode ?? null;
    const title = body.title ?? (alarm
      ? `${machine.name}: ${faultCode ? `${faultCode} ${lookupFault(this.o.catalogue, machine.type, faultCode).title}` : alarm.message}`
      : `${machine.name}: service`);
    const context = alarm ? { alarm: stripDiagnosis(alarm), diagnosis: alarm.diagnosis } : null;
    const id = this.o.sqlite.transaction(() => {
      const info = this.o.sqlite.prepare(
        `INSERT INTO service_cases (machine_id, title, status, alarm_id, recording_id, fault_code, opened_by, opened_ts, context_json)
         VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?)`,
      ).run(machine.id, title, alarm?.id ?? null, recordingId, faultCode, by, ts, context ? JSON.stringify(context) : null);
      const caseId = Number(info.lastInsertRowid);
      if (body.note) this.insertNote(caseId, ts, by, body.note);
      return caseId;
    })();
    return this.get(id)!;
  }

  assign(id: number, assignee: string, by: string): ServiceCase {
    const c = this.mustBeOpen(id);
    const ts = this.o.now();
    this.o.sqlite.transaction(() => {
      this.o.sqlite.prepare("UPDATE service_cases SET assignee = ?, assigned_ts = ?, status = 'assigned' WHERE id = ?").run(assignee, ts, c.id);
      this.insertNote(c.id, ts, by, c.assignee ? `reassigned from ${c.assignee} to ${assignee}` : `assigned to ${assignee}`);
    })();
    return this.get(id)!;
  }

  addNote(id: number, text: string, by: string): ServiceCase {
    const c = this.row(id);
    if (!c) throw notFound(id);
    this.insertNote(c.id, this.o.now(), by, text);
    return this.get(id)!;
  }

  close(id: number, resolution: string, by: string): ServiceCase {
    const c = this.mustBeOpen(id);
    this.o.sqlite.prepare("UPDATE service_cases SET status = 'closed', closed_by = ?, closed_ts = ?, resolution = ? WHERE id = ?").run(by, this.o.now(), resolution, c.id);
    return this.get(id)!;
  }

  get(id: number): ServiceCase | null {
    const row = this.row(id);
    if (!row) return null;
    const notes = this.o.sqlite.prepare('SELECT id, ts, author, text FROM service_case_notes WHERE case_id = ? ORDER BY ts, id').all(id) as CaseNote[];
    return { ...toCase(row), notes, context: row.contextJson ? JSON.parse(row.contextJson) : null };
  }

  list(q: { machineId?: string; status?: CaseStatus; limit?: number } = {}): Omit<ServiceCase, 'notes' | 'context'>[] {
    const where: string[] = [];
    if (q.machineId) where.push('machine_id = @machineId');
    if (q.status) where.push('status = @status');
    const rows = this.o.sqlite.prepare(
      `SELECT ${CASE_COLUMNS} FROM service_cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_ts DESC, id DESC LIMIT @limit`,
    ).all({ machineId: q.machineId ?? null, status: q.status ?? null, limit: q.limit ?? 100 }) as CaseRow[];
    return rows.map(toCase);
  }

  /** Reliability of a machine over [from, to) (default: the last 90 days) with its cases and repeated faults. */
  history(machineId: string, window: { from?: number; to?: number } = {}): ServiceHistory {
    const machine = this.machines.get(machineId);
    if (!machine) throw new CaseError(`no machine "${machineId}" (known: ${[...this.machines.keys()].join(', ')})`, 404, 'machineId');
    const to = window.to ?? this.o.now();
    const from = window.from ?? to - 90 * DAY;
    const r = reliability(this.o.stateIntervals(machineId, from, to), from, to, this.microStopMs);
    // Without an explicit end, every case since `from` counts: cases carry device time, which can run ahead of the edge clock.
    const cases = this.list({ machineId, limit: 1000 }).filter((c) => c.openedTs >= from && (window.to === undefined || c.openedTs < to));
    const byCode = new Map<number, { count: number; downMs: number; lastTs: number }>();
    for (const b of r.breakdowns) {
      if (b.code === null) continue;
      const e = byCode.get(b.code) ?? { count: 0, downMs: 0, lastTs: 0 };
      e.count++;
      e.downMs += b.durationMs;
      e.lastTs = Math.max(e.lastTs, b.start);
      byCode.set(b.code, e);
    }
    const faults = [...byCode.entries()]
      .map(([code, e]) => ({
        code, title: lookupFault(this.o.catalogue, machine.type, code).title, count: e.count,
        downMinutes: Math.round((e.downMs / 60_000) * 10) / 10, lastTs: e.lastTs, cases: cases.filter((c) => c.faultCode === code).length,
      }))
      .sort((a, b) => b.count - a.count || b.downMinutes - a.downMinutes);
    return {
      machineId, from, to,
      runningHours: Math.round((r.runningMs / 3_600_000) * 100) / 100,
      failures: r.breakdowns.length,
      mtbfHours: r.mtbfHours === null ? null : Math.round(r.mtbfHours * 100) / 100,
      mttrMinutes: r.mttrMinutes === null ? null : Math.round(r.mttrMinutes * 10) / 10,
      faults,
      repeated: faults.filter((f) => f.count >= 2).map((f) => f.code),
      cases,
    };
  }

  private insertNote(caseId: number, ts: number, author: string, text: string) {
    this.o.sqlite.prepare('INSERT INTO service_case_notes (case_id, ts, author, text) VALUES (?, ?, ?, ?)').run(caseId, ts, author, text);
  }

  private row(id: number): CaseRow | undefined {
    return this.o.sqlite.prepare(`SELECT ${CASE_COLUMNS} FROM service_cases WHERE id = ?`).get(id) as CaseRow | undefined;
  }

  private mustBeOpen(id: number): CaseRow {
    const c = this.row(id);
    if (!c) throw notFound(id);
    if (c.status === 'closed') throw new CaseError(`service case ${id} is closed; open a new case if the fault is back`, 409);
    return c;
  }
}

function notFound(id: number) {
  return new CaseError(`no service case ${id}`, 404);
}

function toCase(r: CaseRow): Omit<ServiceCase, 'notes' | 'context'> {
  const { contextJson: _c, ...rest } = r;
  return rest;
}

function stripDiagnosis(o: AlarmOccurrence & { diagnosis?: unknown }): AlarmOccurrence {
  const { diagnosis: _d, ...rest } = o;
  return rest;
}
