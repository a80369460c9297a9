// Tables of the downtime module: every classification an operator gave a stop, as a new
// revision row — a reclassification or a split appends, nothing is updated or deleted
// (triggers refuse it), so who said what when stays readable. A stop is named by its machine and
// the start of its historian down interval. Migrations in edge/downtime/migrations
// (edge/downtime/drizzle.config.ts), recorded in __downtime_migrations.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const downtimeClassifications = sqliteTable(
  'downtime_classifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    stopStart: integer('stop_start').notNull(),
    /** 1, 2, …: the latest revision is the stop's reason. */
    revision: integer('revision').notNull(),
    /** [{ start, end|null, reason }]: consecutive parts from the stop's start; the last is open. */
    partsJson: text('parts_json').notNull(),
    note: text('note'),
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    ts: integer('ts').notNull(),
  },
  (t) => [
    uniqueIndex('downtime_classifications_stop_revision').on(t.machineId, t.stopStart, t.revision),
    index('downtime_classifications_ts').on(t.ts),
  ],
);
