// The service module's own tables: after-sales cases and their notes. Migrations in
// edge/service/migrations (npm run db:generate, drizzle.service.config.ts), recorded in
// __service_migrations. Older databases got these tables from the alarm module's first
// migration; 0000 creates them only where they are missing, so those cases stay.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** After-sales service cases, opened from an alarm (with its recording) or by hand. */
export const serviceCases = sqliteTable(
  'service_cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    title: text('title').notNull(),
    status: text('status', { enum: ['open', 'assigned', 'closed'] }).notNull(),
    /** The alarm occurrence it was opened from (the alarm module's journal id; no foreign key across modules). */
    alarmId: integer('alarm_id'),
    /** Its flight recording (the alarm module's); kept while a case refers to it. */
    recordingId: integer('recording_id'),
    faultCode: integer('fault_code'),
    openedBy: text('opened_by').notNull(),
    openedTs: integer('opened_ts').notNull(),
    assignee: text('assignee'),
    assignedTs: integer('assigned_ts'),
    closedBy: text('closed_by'),
    closedTs: integer('closed_ts'),
    resolution: text('resolution'),
    /** The alarm, its diagnosis and the machine's health when the case was opened, as JSON. */
    contextJson: text('context_json'),
  },
  (t) => [index('service_cases_machine_opened').on(t.machineId, t.openedTs), index('service_cases_status').on(t.status)],
);

/** A note belongs to its case: it goes with it. */
export const serviceCaseNotes = sqliteTable(
  'service_case_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => serviceCases.id, { onDelete: 'cascade' }),
    ts: integer('ts').notNull(),
    author: text('author').notNull(),
    text: text('text').notNull(),
  },
  (t) => [index('service_case_notes_case').on(t.caseId, t.ts)],
);
