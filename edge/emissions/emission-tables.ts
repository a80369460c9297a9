// The emissions module's tables (its own migrations in edge/emissions/migrations, recorded in
// __emission_migrations; npm run db:generate with drizzle.emissions.config.ts).
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Minute, hour and day values per outlet and HJ 212 factor, with their HJ 75 validity. */
export const emissionRecords = sqliteTable('emission_records', {
  period: text('period', { enum: ['minute', 'hour', 'day'] }).notNull(),
  outlet: text('outlet').notNull(),
  code: text('code').notNull(),
  /** Period start, epoch ms. */
  start: integer('start').notNull(),
  avg: real('avg'),
  min: real('min'),
  max: real('max'),
  /** Converted (折算) concentration at the reference O2, flue-gas pollutants only. */
  zsAvg: real('zs_avg'),
  zsMin: real('zs_min'),
  zsMax: real('zs_max'),
  /** Mass over the period: kg for pollutants, m³ for flows. */
  cou: real('cou'),
  flag: text('flag').notNull(),
  validParts: integer('valid_parts').notNull(),
  expectedParts: integer('expected_parts').notNull(),
}, (t) => [primaryKey({ columns: [t.period, t.outlet, t.code, t.start] })]);

/** HJ 212 packets waiting for a platform's answer, oldest first: the store-and-forward queue. */
export const hj212Outbox = sqliteTable('hj212_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  platform: text('platform').notNull(),
  qn: text('qn').notNull(),
  cn: text('cn').notNull(),
  /** The period the packet reports (epoch ms), for status and history. */
  dataTime: integer('data_time').notNull(),
  /** The data segment without the password: PW is put in when it is sent, so no secret is stored. */
  segment: text('segment').notNull(),
  createdAt: integer('created_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
});
