// Historian schema: the code is the source of truth; drizzle-kit generates the migrations
// in edge/store/migrations (npm run db:generate) and the edge applies them at start-up.
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const tagSamples = sqliteTable(
  'tag_samples',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tag: text('tag').notNull(),
    ts: integer('ts').notNull(),
    valueNum: real('value_num'),
    valueText: text('value_text'),
    quality: text('quality', { enum: ['good', 'uncertain', 'bad'] }).notNull(),
  },
  (t) => [index('tag_samples_tag_ts').on(t.tag, t.ts)],
);

export const machineStates = sqliteTable(
  'machine_states',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    state: text('state').notNull(),
    startTs: integer('start_ts').notNull(),
    /** Null while the interval is still open. */
    endTs: integer('end_ts'),
    reason: text('reason'),
  },
  (t) => [index('machine_states_machine_start').on(t.machineId, t.startTs)],
);

export const productionCounts = sqliteTable(
  'production_counts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    ts: integer('ts').notNull(),
    deltaTotal: integer('delta_total').notNull(),
    deltaGood: integer('delta_good').notNull(),
  },
  (t) => [index('production_counts_machine_ts').on(t.machineId, t.ts)],
);

export const energyReadings = sqliteTable(
  'energy_deltas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    ts: integer('ts').notNull(),
    deltaKWh: real('delta_kwh').notNull(),
  },
  (t) => [index('energy_deltas_machine_ts').on(t.machineId, t.ts)],
);
