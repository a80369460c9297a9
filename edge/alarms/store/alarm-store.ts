// Persistence of the alarm system: the occurrence journal (alarm_occurrences), shelving and
// out-of-service per point, flight recordings and learned baselines — this module's own tables
// and migrations (schema.ts) on the connection it is given (edge/store/database.ts opens it).
// Alarm transitions are rare (a few per minute at worst), so each is written at once with a
// prepared statement; nothing here is on the sample hot path.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { AlarmOccurrence, AlarmState, Recording, RecordingSample, RecordingSummary } from '../../../shared/alarm-wire.js';
import type { AlarmPriority, AlarmKind } from '../../../shared/alarm-rules.js';
import type { RestoredPoint } from '../alarm-engine.js';
import type { StoredBaseline } from '../../diagnosis/index.js';
import { migrateModule } from '../../store/database.js';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies this module's migrations (a read-only connection is left as it is). */
export function migrateAlarmTables(sqlite: Database.Database): void {
  migrateModule(sqlite, { folder: MIGRATIONS, table: '__drizzle_migrations_alarms' });
}

interface OccurrenceRow {
  id: number; ruleId: string; machineId: string; tag: string | null; priority: string; message: string; state: string;
  activeTs: number; ackTs: number | null; ackBy: string | null; returnTs: number | null;
  key: string; kind: string; faultCode: number | null; closedTs: number | null; chattering: number; recordingId: number | null;
}

const OCCURRENCE_SELECT = `SELECT a.id, a.rule_id AS ruleId, a.machine_id AS machineId, a.tag, a.priority, a.message, a.state,
  a.active_ts AS activeTs, a.ack_ts AS ackTs, a.ack_by AS ackBy, a.return_ts AS returnTs,
  a.key, a.kind, a.fault_code AS faultCode, a.closed_ts AS closedTs, a.chattering, a.recording_id AS recordingId
  FROM alarm_occurrences a`;

function toOccurrence(r: OccurrenceRow): AlarmOccurrence {
  return {
    id: r.id, key: r.key, ruleId: r.ruleId, kind: r.kind as AlarmKind, machineId: r.machineId,
    tag: r.tag, priority: r.priority as AlarmPriority, message: r.message, state: r.state as AlarmState, faultCode: r.faultCode,
    activeTs: r.activeTs, ackTs: r.ackTs, ackBy: r.ackBy, returnTs: r.returnTs, closedTs: r.closedTs,
    chattering: Boolean(r.chattering), recordingId: r.recordingId,
  };
}

interface RecordingRow {
  id: number; machineId: string; trigger: 'alarm' | 'manual'; alarmId: number | null; alarmKey: string | null; note: string | null;
  triggerTs: number; fromTs: number; toTs: number; status: 'recording' | 'complete'; sampleCount: number; dataJson?: string;
}

const RECORDING_COLUMNS = `id, machine_id AS machineId, trigger, alarm_id AS alarmId, alarm_key AS alarmKey, note, trigger_ts AS triggerTs,
  from_ts AS fromTs, to_ts AS toTs, status, sample_count AS sampleCount`;

function toSummary(r: RecordingRow): RecordingSummary {
  return {
    id: r.id, machineId: r.machineId, trigger: r.trigger, alarmId: r.alarmId, alarmKey: r.alarmKey, note: r.note,
    triggerTs: r.triggerTs, from: r.fromTs, to: r.toTs, status: r.status, sampleCount: r.sampleCount,
  };
}

export interface OccurrenceQuery {
  from: number;
  to: number;
  machineId?: string;
  limit?: number;
}

export class AlarmStore {
  private readonly upsertOccurrence;
  private readonly upsertPoint;
  private readonly insertRecording;
  private readonly updateRecording;

  constructor(private readonly sqlite: Database.Database) {
    migrateAlarmTables(sqlite);
    this.upsertOccurrence = sqlite.prepare(
      `INSERT INTO alarm_occurrences (id, key, rule_id, kind, machine_id, tag, priority, message, state, fault_code,
         active_ts, ack_ts, ack_by, return_ts, closed_ts, chattering, recording_id, updated_ts)
       VALUES (@id, @key, @ruleId, @kind, @machineId, @tag, @priority, @message, @state, @faultCode,
         @activeTs, @ackTs, @ackBy, @returnTs, @closedTs, @chattering, (SELECT id FROM flight_recordings WHERE id = @recordingId), @updatedTs)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, ack_ts = excluded.ack_ts, ack_by = excluded.ack_by,
         return_ts = excluded.return_ts, updated_ts = excluded.updated_ts, message = excluded.message,
         closed_ts = excluded.closed_ts, chattering = excluded.chattering,
         recording_id = coalesce(excluded.recording_id, alarm_occurrences.recording_id)`,
    );
    this.upsertPoint = sqlite.prepare(
      `INSERT INTO alarm_points (key, shelved_json, out_of_service_json, updated_ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET shelved_json = excluded.shelved_json, out_of_service_json = excluded.out_of_service_json, updated_ts = excluded.updated_ts`,
    );
    this.insertRecording = sqlite.prepare(
      `INSERT INTO flight_recordings (machine_id, trigger, alarm_id, alarm_key, note, trigger_ts, from_ts, to_ts, status, sample_count, data_json)
       VALUES (@machineId, @trigger, @alarmId, @alarmKey, @note, @triggerTs, @from, @to, @status, @sampleCount, @dataJson)`,
    );
    this.updateRecording = sqlite.prepare(
      'UPDATE flight_recordings SET status = @status, sample_count = @sampleCount, data_json = @dataJson, to_ts = @to WHERE id = @id',
    );
  }

  /** The id the next occurrence gets: journal numbering continues across restarts. */
  nextOccurrenceId(): number {
    const max = this.sqlite.prepare('SELECT max(id) FROM alarm_occurrences').pluck().get() as number | null;
    return (max ?? 0) + 1;
  }

  /**
   * Occurrences the previous run left open end at `ts`: nobody knows what happened while
   * the edge was down, and a condition that still stands is raised afresh (unacknowledged).
   */
  closeLeftOpen(ts: number): number {
    const open = this.sqlite.prepare(`${OCCURRENCE_SELECT} WHERE a.closed_ts IS NULL`).all() as OccurrenceRow[];
    const tx = this.sqlite.transaction(() => {
      for (const r of open) this.writeOccurrence({ ...toOccurrence(r), closedTs: ts }, ts);
    });
    tx();
    return open.length;
  }

  /** A recording id that retention has since deleted is stored as none (it is a foreign key). */
  writeOccurrence(o: AlarmOccurrence, updatedTs: number): void {
    this.upsertOccurrence.run({ ...o, chattering: o.chattering ? 1 : 0, updatedTs });
  }

  occurrence(id: number): AlarmOccurrence | null {
    const row = this.sqlite.prepare(`${OCCURRENCE_SELECT} WHERE a.id = ?`).get(id) as OccurrenceRow | undefined;
    return row ? toOccurrence(row) : null;
  }

  /** Occurrences annunciated in [from, to) or still open at `from`, oldest first. */
  occurrences(q: OccurrenceQuery): AlarmOccurrence[] {
    const rows = this.sqlite.prepare(
      `${OCCURRENCE_SELECT} WHERE a.active_ts < @to AND (a.active_ts >= @from OR a.closed_ts IS NULL OR a.closed_ts >= @from)
       ${q.machineId ? 'AND a.machine_id = @machineId' : ''} ORDER BY a.active_ts, a.id LIMIT @limit`,
    ).all({ from: q.from, to: q.to, machineId: q.machineId ?? null, limit: q.limit ?? 100_000 }) as OccurrenceRow[];
    return rows.map(toOccurrence);
  }

  savePoint(p: RestoredPoint, ts: number): void {
    this.upsertPoint.run(p.key, p.shelved ? JSON.stringify(p.shelved) : null, p.outOfService ? JSON.stringify(p.outOfService) : null, ts);
  }

  restorePoints(): RestoredPoint[] {
    const rows = this.sqlite.prepare('SELECT key, shelved_json AS s, out_of_service_json AS o FROM alarm_points').all() as { key: string; s: string | null; o: string | null }[];
    return rows.map((r) => ({ key: r.key, shelved: r.s ? JSON.parse(r.s) : null, outOfService: r.o ? JSON.parse(r.o) : null }));
  }

  /**
   * Journal retention: occurrences that returned to normal and last changed before `cutoff`; a
   * standing alarm stays however old it is. (The historian's retention did this while the
   * journal lived in its `alarms` table; its `alarmsDays` setting still says how long.)
   */
  pruneOccurrences(cutoff: number): number {
    return this.sqlite.prepare('DELETE FROM alarm_occurrences WHERE return_ts IS NOT NULL AND updated_ts < ?').run(cutoff).changes;
  }

  // ---- health baselines ----------------------------------------------------------------

  saveBaselines(baselines: readonly StoredBaseline[], ts: number): void {
    const upsert = this.sqlite.prepare(
      `INSERT INTO machine_baselines (machine_id, tag, updated_ts, baseline_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (machine_id, tag) DO UPDATE SET updated_ts = excluded.updated_ts, baseline_json = excluded.baseline_json`,
    );
    this.sqlite.transaction(() => {
      for (const b of baselines) upsert.run(b.machineId, b.tag, ts, JSON.stringify(b));
    })();
  }

  baselines(): StoredBaseline[] {
    const rows = this.sqlite.prepare('SELECT baseline_json AS j FROM machine_baselines').all() as { j: string }[];
    return rows.map((r) => JSON.parse(r.j) as StoredBaseline);
  }

  // ---- flight recordings -------------------------------------------------------------

  createRecording(r: Omit<Recording, 'id'>): number {
    const info = this.insertRecording.run({ ...r, dataJson: JSON.stringify({ initial: r.initial, samples: r.samples }) });
    return Number(info.lastInsertRowid);
  }

  finishRecording(id: number, r: { to: number; initial: RecordingSample[]; samples: RecordingSample[]; status: 'recording' | 'complete' }): void {
    this.updateRecording.run({ id, to: r.to, status: r.status, sampleCount: r.samples.length, dataJson: JSON.stringify({ initial: r.initial, samples: r.samples }) });
  }

  /** Deletes recordings triggered before `cutoff` except those in `keep` (the ones service cases refer to). */
  pruneRecordings(cutoff: number, keep: readonly number[]): number {
    return this.sqlite.prepare(
      'DELETE FROM flight_recordings WHERE trigger_ts < ? AND id NOT IN (SELECT value FROM json_each(?))',
    ).run(cutoff, JSON.stringify(keep)).changes;
  }

  /** A recording that an interrupted run left half-done: what was captured is all there is. */
  closeUnfinishedRecordings(): number {
    return this.sqlite.prepare("UPDATE flight_recordings SET status = 'complete' WHERE status = 'recording'").run().changes;
  }

  recording(id: number): Recording | null {
    const row = this.sqlite.prepare(`SELECT ${RECORDING_COLUMNS}, data_json AS dataJson FROM flight_recordings WHERE id = ?`).get(id) as RecordingRow | undefined;
    if (!row) return null;
    const data = JSON.parse(row.dataJson!) as { initial: RecordingSample[]; samples: RecordingSample[] };
    return { ...toSummary(row), initial: data.initial, samples: data.samples };
  }

  recordings(q: { machineId?: string; alarmId?: number; limit?: number } = {}): RecordingSummary[] {
    const where: string[] = [];
    if (q.machineId) where.push('machine_id = @machineId');
    if (q.alarmId !== undefined) where.push('alarm_id = @alarmId');
    const rows = this.sqlite.prepare(
      `SELECT ${RECORDING_COLUMNS} FROM flight_recordings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY trigger_ts DESC, id DESC LIMIT @limit`,
    ).all({ machineId: q.machineId ?? null, alarmId: q.alarmId ?? null, limit: q.limit ?? 100 }) as RecordingRow[];
    return rows.map(toSummary);
  }
}
