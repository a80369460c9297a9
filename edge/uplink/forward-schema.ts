// The store-and-forward file's tables (its own SQLite file, see forward-store.ts). Migrations in
// edge/uplink/migrations (npm run db:generate, drizzle.forward.config.ts), recorded in
// __forward_migrations. Files from before issue 17.3 made these tables without drizzle; 0000
// creates them only where they are missing, so a queue survives the upgrade.
import { integer, sqliteTable, text, blob } from 'drizzle-orm/sqlite-core';

/** Sparkplug data messages the broker has not taken yet, oldest first by id. */
export const forwardQueue = sqliteTable('forward_queue', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Machine (Sparkplug device) id, null for node data. */
  device: text('device'),
  metrics: integer('metrics').notNull(),
  /** Encoded Sparkplug payload, metrics flagged historical, without seq. */
  payload: blob('payload', { mode: 'buffer' }).notNull(),
});

/** bdSeq, the catalogue the queue's aliases mean, dropped-metric count. */
export const forwardMeta = sqliteTable('forward_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
