// Tables of the energy module: every meter's running total as read (never deadbanded; at most
// one row per meter per storeIntervalSeconds, plus every rollover or reset), each row with the
// consumption since the row before as the edge judged it, and 15-minute blocks per meter.
// Migrations in edge/energy/store/migrations (drizzle.energy.config.ts), recorded in
// __drizzle_migrations_energy.
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const energyMeterTotals = sqliteTable(
  'energy_meter_totals',
  {
    meterId: text('meter_id').notNull(),
    ts: integer('ts').notNull(),
    /** What the meter's total register showed. */
    total: real('total').notNull(),
    /** Consumption since the meter's previous row, after rollover/reset handling. */
    increase: real('increase').notNull(),
    /** 'rollover' | 'reset' when this row's total fell; null otherwise. */
    event: text('event', { enum: ['rollover', 'reset'] }),
  },
  (t) => [primaryKey({ columns: [t.meterId, t.ts] })],
);

export const energyBlocks = sqliteTable(
  'energy_blocks',
  {
    meterId: text('meter_id').notNull(),
    /** Epoch ms of the quarter hour. */
    blockStart: integer('block_start').notNull(),
    units: real('units').notNull(),
    /** How much of the block readings covered, ms (a block counts for demand only when 900,000). */
    coveredMs: integer('covered_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meterId, t.blockStart] })],
);
