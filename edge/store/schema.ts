// Historian schema: the code is the source of truth; drizzle-kit generates the migrations
// in edge/store/migrations (npm run db:generate) and the edge applies them at start-up,
// recorded in drizzle's default table __drizzle_migrations (older databases have it so).
// Only the historian's tables: alarms, service cases, users and the audit log each have
// their module's own schema and migrations in the same file (edge/store/database.ts).
//
// Sample tables (tag_samples, tag_text_samples, tag_minutes) are keyed by (tag_id, ts) and
// stored WITHOUT ROWID: the key is the table, so a row costs ~25 bytes instead of ~45 and a
// trend query reads one contiguous key range (bench/store.ts measured 11 ms vs 50-110 ms
// for a rowid table plus index, one day at 1 Hz). drizzle-kit cannot express WITHOUT ROWID,
// so the custom migration 0003_sample_tables_without_rowid.sql rebuilds them; if a later
// generated migration recreates one of these tables, add a custom migration that rebuilds
// it WITHOUT ROWID again.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** What a stored value is; booleans are kept as 0/1 in the numeric table. */
export const TAG_KINDS = ['number', 'boolean', 'string'] as const;
export type TagKind = (typeof TAG_KINDS)[number];

/** Quality as stored: a small integer keeps rows short. */
export const QUALITY_CODES = { good: 0, uncertain: 1, bad: 2 } as const;
export const QUALITY_NAMES = ['good', 'uncertain', 'bad'] as const;

/** One row per tag ever seen; samples refer to it by a small integer id. */
export const tags = sqliteTable('tags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** `<machineId>.<tagName>` */
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: TAG_KINDS }).notNull(),
});

/** Raw numeric and boolean samples. `value` is null when quality is bad. */
export const tagSamples = sqliteTable(
  'tag_samples',
  {
    tagId: integer('tag_id').notNull(),
    ts: integer('ts').notNull(),
    value: real('value'),
    quality: integer('quality').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tagId, t.ts] })],
);

/** Raw string samples (rare: recipe names, part numbers). */
export const tagTextSamples = sqliteTable(
  'tag_text_samples',
  {
    tagId: integer('tag_id').notNull(),
    ts: integer('ts').notNull(),
    value: text('value'),
    quality: integer('quality').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tagId, t.ts] })],
);

/**
 * Per-minute aggregates of numeric and boolean tags, rolled up as samples arrive (every
 * sample received, not only those the deadband let through). Sum and count rather than an
 * average so partial minutes merge exactly after a restart; avg = sum / count.
 */
export const tagMinutes = sqliteTable(
  'tag_minutes',
  {
    tagId: integer('tag_id').notNull(),
    /** Start of the minute, epoch ms. */
    minute: integer('minute').notNull(),
    min: real('min').notNull(),
    max: real('max').notNull(),
    sum: real('sum').notNull(),
    count: integer('count').notNull(),
    last: real('last').notNull(),
    lastTs: integer('last_ts').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tagId, t.minute] })],
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

/** Closed KPI periods (shifts) as the live KPI engine hands them out; one row per machine and period. */
export const kpiPeriods = sqliteTable(
  'kpi_periods',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    machineId: text('machine_id').notNull(),
    kind: text('kind', { enum: ['shift'] }).notNull(),
    /** Shift name from the calendar. */
    name: text('name').notNull(),
    /** Plant-local date on which the period starts, YYYY-MM-DD. */
    date: text('date').notNull(),
    startTs: integer('start_ts').notNull(),
    endTs: integer('end_ts').notNull(),
    totalCount: integer('total_count').notNull(),
    goodCount: integer('good_count').notNull(),
    energyKWh: real('energy_kwh').notNull(),
    availability: real('availability').notNull(),
    performance: real('performance').notNull(),
    quality: real('quality').notNull(),
    oee: real('oee').notNull(),
    /** The engine's PeriodTotals (shared/kpi/period-totals.ts) as JSON: the additive truth the KPIs came from. */
    totalsJson: text('totals_json').notNull(),
  },
  (t) => [uniqueIndex('kpi_periods_machine_start').on(t.machineId, t.kind, t.startTs)],
);

/** The historian's own bookkeeping (e.g. the last acknowledged sequence number), written in the same transaction as the data. */
export const historianMeta = sqliteTable('historian_meta', {
  key: text('key').primaryKey(),
  value: integer('value').notNull(),
});
