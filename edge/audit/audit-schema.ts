// The audit module's own table. Migrations in edge/audit/migrations (npx drizzle-kit generate
// --config edge/audit/drizzle.config.ts), recorded in __audit_migrations. Older databases kept
// the log in the historian's `audit_log` table; audit-log.ts verifies and imports it once.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Who did what, when; each row carries an HMAC over its content and the previous row's (audit-chain.ts). */
export const auditEntries = sqliteTable(
  'audit_entries',
  {
    id: integer('id').primaryKey(),
    ts: integer('ts').notNull(),
    actor: text('actor').notNull(),
    role: text('role'),
    action: text('action').notNull(),
    target: text('target'),
    detailsJson: text('details_json'),
    outcome: text('outcome').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_entries_ts').on(t.ts), index('audit_entries_action').on(t.action)],
);
