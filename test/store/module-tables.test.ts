// Each module's tables in the edge's one SQLite file (issue 17.3): a database made by the code
// before the split — the historian's and the alarm module's old migrations, kept as they were
// in test/fixtures/legacy-migrations — opens with today's modules without losing a row; every
// module has its own migrations table; rows that belong to rows have foreign keys; a new
// database gets the same tables whichever module opens it first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { AlarmStore } from '../../edge/alarms/store/alarm-store.js';
import { ServiceCases } from '../../edge/service/service-cases.js';
import { openDatabase } from '../../edge/store/database.js';
import { openHistorian } from '../../edge/store/historian.js';
import { openForwardStore } from '../../edge/uplink/forward-store.js';

const LEGACY = join(import.meta.dirname, '..', 'fixtures', 'legacy-migrations');
const plant = loadPlantFile('config/demo-plant.yaml');
const T = Date.UTC(2026, 0, 5, 8, 0, 0);

const dirs: string[] = [];
const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0).reverse()) c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFile(name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-modules-'));
  dirs.push(dir);
  return join(dir, name);
}

/** The file as the code before issue 17.3 left it, with a little of everything in it. */
function legacyDatabase(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(drizzle(db), { migrationsFolder: join(LEGACY, 'historian') });
  migrate(drizzle(db), { migrationsFolder: join(LEGACY, 'alarms'), migrationsTable: '__drizzle_migrations_alarms' });
  db.exec(`
    INSERT INTO tags (id, name, kind) VALUES (1, 'mill.spindleSpeed', 'number');
    INSERT INTO tag_samples (tag_id, ts, value, quality) VALUES (1, ${T}, 1200, 0);
    INSERT INTO historian_meta (key, value) VALUES ('alive_ts', ${T});
    INSERT INTO users (username, role, password_hash, created_ts) VALUES ('ada', 'admin', 'x', ${T});
    INSERT INTO flight_recordings (id, machine_id, trigger, alarm_id, alarm_key, trigger_ts, from_ts, to_ts, status, sample_count, data_json)
      VALUES (5, 'mill', 'alarm', 1, 'hot@mill', ${T}, ${T - 60_000}, ${T + 10_000}, 'complete', 0, '{"initial":[],"samples":[]}');
    INSERT INTO alarms (id, rule_id, machine_id, tag, priority, message, state, active_ts, ack_ts, ack_by, return_ts, updated_ts)
      VALUES (1, 'hot', 'mill', 'temp', 'high', 'mill hot', 'normal', ${T}, ${T + 1000}, 'ada', ${T + 2000}, ${T + 2000}),
             (2, 'jam', 'packer', NULL, 'urgent', 'packer jam', 'active-unacked', ${T + 5000}, NULL, NULL, NULL, ${T + 5000}),
             (3, 'old', 'washer', NULL, 'low', 'from before alarm_details', 'normal', ${T - 9000}, NULL, NULL, ${T - 8000}, ${T - 8000});
    INSERT INTO alarm_details (alarm_id, key, kind, fault_code, closed_ts, chattering, recording_id)
      VALUES (1, 'hot@mill', 'limit', 17, ${T + 2000}, 1, 5),
             (2, 'jam@packer', 'fault', 301, NULL, 0, 99);
    INSERT INTO service_cases (id, machine_id, title, status, alarm_id, recording_id, fault_code, opened_by, opened_ts)
      VALUES (1, 'mill', 'Mill: hot', 'open', 1, 5, 17, 'ada', ${T + 3000});
    INSERT INTO service_case_notes (case_id, ts, author, text) VALUES (1, ${T + 3000}, 'ada', 'checked the fan'), (1, ${T + 4000}, 'ada', 'fan replaced'), (42, ${T}, 'ghost', 'case long gone');
  `);
  db.close();
}

function openAll(file: string) {
  const historian = openHistorian({ file, now: () => T + 60_000 });
  closers.push(() => historian.close());
  const alarmsDb = openDatabase(file);
  closers.push(() => alarmsDb.close());
  const alarms = new AlarmStore(alarmsDb);
  const cases = new ServiceCases({
    sqlite: alarmsDb, plant, catalogue: { common: [], machineTypes: {} } as never, now: () => T + 60_000,
    occurrence: () => null, record: () => { throw new Error('not in this test'); }, stateIntervals: () => [],
  });
  return { historian, alarmsDb, alarms, cases };
}

const tableNames = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
const foreignKeys = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT "table" AS parent, "from" AS col, on_delete AS onDelete FROM pragma_foreign_key_list('${table}')`).all());

describe('module tables in one database', () => {
  it('a database from before the split opens without losing a row: the alarm journal merged, cases and notes kept', () => {
    const file = tempFile('twinline.db');
    legacyDatabase(file);
    const { historian, alarmsDb, alarms, cases } = openAll(file);

    expect(historian.tagHistory('mill.spindleSpeed', 0, Infinity)).toEqual([{ ts: T, value: 1200, quality: 'good' }]);
    expect(alarms.occurrence(1)).toMatchObject({
      id: 1, key: 'hot@mill', ruleId: 'hot', kind: 'limit', machineId: 'mill', tag: 'temp', priority: 'high', state: 'normal',
      faultCode: 17, activeTs: T, ackTs: T + 1000, ackBy: 'ada', returnTs: T + 2000, closedTs: T + 2000, chattering: true, recordingId: 5,
    });
    // Its recording was pruned before: no dangling id. Still open: closed at start-up like any left open.
    expect(alarms.occurrence(2)).toMatchObject({ key: 'jam@packer', kind: 'fault', faultCode: 301, recordingId: null, closedTs: null });
    // A journal row without details reads as the old code read it.
    expect(alarms.occurrence(3)).toMatchObject({ key: 'old@washer', kind: 'fault', faultCode: null, chattering: false });
    expect(alarms.nextOccurrenceId()).toBe(4);
    expect(alarms.occurrences({ from: T - 10_000, to: T + 10_000 }).map((o) => o.id)).toEqual([3, 1, 2]);

    const c = cases.get(1)!;
    expect(c).toMatchObject({ machineId: 'mill', title: 'Mill: hot', alarmId: 1, recordingId: 5 });
    expect(c.notes.map((n) => n.text)).toEqual(['checked the fan', 'fan replaced']);
    expect(cases.recordingsInUse()).toEqual([5]);

    const tables = tableNames(alarmsDb);
    expect(tables).not.toContain('alarms');
    expect(tables).not.toContain('alarm_details');
    expect(tables, 'the auth module imports and owns its accounts; the historian leaves them be').toContain('users');
    expect(tables).toEqual(expect.arrayContaining(['__drizzle_migrations', '__drizzle_migrations_alarms', '__service_migrations', 'alarm_occurrences']));
    expect(alarmsDb.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(alarmsDb.pragma('foreign_key_check')).toEqual([]);
  });

  it('rows that belong to rows have foreign keys: notes go with their case, a pruned recording leaves the occurrence without one', () => {
    const file = tempFile('twinline.db');
    legacyDatabase(file);
    const { alarmsDb, alarms, cases } = openAll(file);
    expect(foreignKeys(alarmsDb, 'service_case_notes')).toEqual([{ parent: 'service_cases', col: 'case_id', onDelete: 'CASCADE' }]);
    expect(foreignKeys(alarmsDb, 'alarm_occurrences')).toEqual([{ parent: 'flight_recordings', col: 'recording_id', onDelete: 'SET NULL' }]);

    // Recording 5 is what case 1 refers to: retention keeps it while the case needs it.
    expect(alarms.pruneRecordings(T + 1, cases.recordingsInUse())).toBe(0);
    expect(alarms.pruneRecordings(T + 1, [])).toBe(1);
    expect(alarms.occurrence(1)!.recordingId).toBeNull();
    // An occurrence written with that id afterwards (the engine still remembers it) stores none.
    alarms.writeOccurrence({ ...alarms.occurrence(2)!, recordingId: 5 }, T + 70_000);
    expect(alarms.occurrence(2)!.recordingId).toBeNull();

    alarmsDb.prepare('DELETE FROM service_cases WHERE id = 1').run();
    expect(alarmsDb.prepare('SELECT count(*) FROM service_case_notes').pluck().get()).toBe(0);
  });

  it('the journal keeps its retention: returned-to-normal occurrences past the cutoff go, standing ones stay', () => {
    const file = tempFile('twinline.db');
    legacyDatabase(file);
    const { alarms } = openAll(file);
    expect(alarms.pruneOccurrences(T + 3000)).toBe(2);
    expect(alarms.occurrences({ from: 0, to: Infinity }).map((o) => o.id)).toEqual([2]);
  });

  it('a new database gets the same tables whichever module opens it first', () => {
    const historianFirst = tempFile('a.db');
    openAll(historianFirst);
    const alarmsFirst = tempFile('b.db');
    const db = openDatabase(alarmsFirst);
    closers.push(() => db.close());
    new AlarmStore(db);
    const h = openHistorian({ file: alarmsFirst, now: () => T });
    closers.push(() => h.close());
    new ServiceCases({
      sqlite: db, plant, catalogue: {} as never, now: () => T, occurrence: () => null, record: () => { throw new Error('unused'); }, stateIntervals: () => [],
    });
    const reader = openDatabase(historianFirst, { readonly: true });
    closers.push(() => reader.close());
    const a = tableNames(reader);
    const b = tableNames(db);
    expect(b).toEqual(a);
    for (const legacy of ['alarms', 'alarm_details', 'users', 'audit_log']) expect(a).not.toContain(legacy);
    expect(a).toEqual(expect.arrayContaining(['alarm_occurrences', 'alarm_points', 'flight_recordings', 'machine_baselines', 'service_cases', 'service_case_notes', 'tags', 'tag_samples']));
  });

  it('a store-and-forward file from before the split keeps its queue and bdSeq', () => {
    const file = tempFile('uplink-line-1.db');
    const old = new Database(file);
    // What forward-store.ts created by hand before it had migrations.
    old.exec(`
      CREATE TABLE IF NOT EXISTS forward_queue (id INTEGER PRIMARY KEY AUTOINCREMENT, device TEXT, metrics INTEGER NOT NULL, payload BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS forward_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO forward_queue (device, metrics, payload) VALUES ('mill', 3, x'0102');
      INSERT INTO forward_meta (key, value) VALUES ('bdSeq', '41'), ('dropped_metrics', '7');
    `);
    old.close();
    const store = openForwardStore({ file, maxMetrics: 100, now: () => T, log: () => {} });
    closers.push(() => store.close());
    expect(store.queuedMessages()).toBe(1);
    expect(store.queuedMetrics()).toBe(3);
    expect(store.droppedMetrics()).toBe(7);
    expect(store.getMeta('bdSeq')).toBe('41');
    expect(store.peek(10)[0]).toMatchObject({ device: 'mill', metrics: 3 });
  });
});
