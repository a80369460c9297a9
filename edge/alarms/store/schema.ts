// Tables of the alarm system: the occurrence journal, shelving/out-of-service per point, flight
// recordings, and the health monitor's learned baselines. Migrations in
// edge/alarms/store/migrations (npm run db:generate, drizzle.alarms.config.ts), recorded in
// __drizzle_migrations_alarms, opened on the edge's database (edge/store/database.ts).
//
// Older databases kept the journal in two tables, the historian's `alarms` and this module's
// `alarm_details` (one-to-one by id, no foreign key); migration 0002 merges them into
// `alarm_occurrences` and 0003 drops both.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Shelving and out-of-service decisions per alarm point, so they survive a restart. */
export const alarmPoints = sqliteTable('alarm_points', {
  key: text('key').primaryKey(),
  shelvedJson: text('shelved_json'),
  outOfServiceJson: text('out_of_service_json'),
  updatedTs: integer('updated_ts').notNull(),
});

/** Flight recordings: every tag of one machine around a trigger. */
export const flightRecordings = sqliteTable(
  'flight_recordings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    trigger: text('trigger', { enum: ['alarm', 'manual'] }).notNull(),
    alarmId: integer('alarm_id'),
    alarmKey: text('alarm_key'),
    note: text('note'),
    triggerTs: integer('trigger_ts').notNull(),
    fromTs: integer('from_ts').notNull(),
    toTs: integer('to_ts').notNull(),
    status: text('status', { enum: ['recording', 'complete'] }).notNull(),
    sampleCount: integer('sample_count').notNull(),
    /** { initial: RecordingSample[], samples: RecordingSample[] } as JSON. */
    dataJson: text('data_json').notNull(),
  },
  (t) => [index('flight_recordings_machine_ts').on(t.machineId, t.triggerTs), index('flight_recordings_alarm').on(t.alarmId)],
);

/** Each tag's learned healthy baseline (edge/diagnosis/health-monitor.ts StoredBaseline), so a restart does not relearn it. */
export const machineBaselines = sqliteTable(
  'machine_baselines',
  {
    machineId: text('machine_id').notNull(),
    tag: text('tag').notNull(),
    updatedTs: integer('updated_ts').notNull(),
    /** StoredBaseline as JSON. */
    baselineJson: text('baseline_json').notNull(),
  },
  (t) => [primaryKey({ columns: [t.machineId, t.tag] })],
);

/**
 * The alarm journal: one row per occurrence (ISA-18.2 lifecycle). Ids are the engine's
 * (numbering continues across restarts), not the database's.
 */
export const alarmOccurrences = sqliteTable(
  'alarm_occurrences',
  {
    id: integer('id').primaryKey(),
    /** `<ruleId>@<machineId>` */
    key: text('key').notNull(),
    ruleId: text('rule_id').notNull(),
    kind: text('kind').notNull(),
    machineId: text('machine_id'),
    tag: text('tag'),
    priority: text('priority').notNull(),
    message: text('message').notNull(),
    /** ISA-18.2 state, e.g. active-unacked, active-acked, rtn-unacked, normal, shelved, suppressed, out-of-service. */
    state: text('state').notNull(),
    faultCode: integer('fault_code'),
    activeTs: integer('active_ts').notNull(),
    ackTs: integer('ack_ts'),
    ackBy: text('ack_by'),
    returnTs: integer('return_ts'),
    /** When the occurrence stopped being annunciated (normal, shelved, suppressed, out of service). */
    closedTs: integer('closed_ts'),
    chattering: integer('chattering', { mode: 'boolean' }).notNull().default(false),
    /** Its flight recording; pruned recordings leave null. */
    recordingId: integer('recording_id').references(() => flightRecordings.id, { onDelete: 'set null' }),
    updatedTs: integer('updated_ts').notNull(),
  },
  (t) => [
    index('alarm_occurrences_active_ts').on(t.activeTs),
    index('alarm_occurrences_machine_active').on(t.machineId, t.activeTs),
    index('alarm_occurrences_key').on(t.key),
    index('alarm_occurrences_open').on(t.closedTs),
  ],
);
