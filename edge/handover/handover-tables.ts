// Tables of the shift handover module: notes per line and shift (an open issue is a note of kind
// 'issue' until a close row names it; both append-only), and the shift reports generated at each
// shift's end. Migrations in edge/handover/migrations (edge/handover/drizzle.config.ts), recorded
// in __handover_migrations.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const handoverNotes = sqliteTable(
  'handover_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineId: text('line_id').notNull(),
    /** The shift the note was written in: its start (epoch ms), name and plant-local date. */
    shiftStart: integer('shift_start').notNull(),
    shiftName: text('shift_name').notNull(),
    shiftDate: text('shift_date').notNull(),
    kind: text('kind', { enum: ['note', 'issue'] }).notNull(),
    /** A machine the note is about, or null for the line. */
    machineId: text('machine_id'),
    text: text('text').notNull(),
    author: text('author').notNull(),
    role: text('role').notNull(),
    ts: integer('ts').notNull(),
  },
  (t) => [index('handover_notes_line_shift').on(t.lineId, t.shiftStart)],
);

export const handoverIssueClosures = sqliteTable('handover_issue_closures', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  noteId: integer('note_id').notNull().references(() => handoverNotes.id).unique(),
  text: text('text'),
  closedBy: text('closed_by').notNull(),
  role: text('role').notNull(),
  ts: integer('ts').notNull(),
});

export const shiftReports = sqliteTable(
  'shift_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    lineId: text('line_id').notNull(),
    shiftStart: integer('shift_start').notNull(),
    shiftEnd: integer('shift_end').notNull(),
    shiftName: text('shift_name').notNull(),
    shiftDate: text('shift_date').notNull(),
    generatedTs: integer('generated_ts').notNull(),
    reportJson: text('report_json').notNull(),
  },
  (t) => [uniqueIndex('shift_reports_line_shift').on(t.lineId, t.shiftStart)],
);
