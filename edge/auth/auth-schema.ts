// The auth module's own tables: local accounts and their sessions. Migrations in
// edge/auth/migrations (npx drizzle-kit generate --config edge/auth/drizzle.config.ts),
// recorded in __auth_migrations. Older databases kept accounts in the historian's `users`
// table; user-store.ts imports them once.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const authUsers = sqliteTable('auth_users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name'),
  role: text('role', { enum: ['operator', 'maintenance', 'manager', 'admin'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdTs: integer('created_ts').notNull(),
  disabledTs: integer('disabled_ts'),
});

/**
 * One row per login. A token names its session; the session must exist, belong to the token's
 * user, be unexpired and unrevoked on every use, so that logout, a password or role change and
 * disabling an account end it at once.
 */
export const authSessions = sqliteTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id').notNull().references(() => authUsers.id, { onDelete: 'cascade' }),
    createdTs: integer('created_ts').notNull(),
    expiresTs: integer('expires_ts').notNull(),
    /** Client address at login. */
    source: text('source').notNull(),
    revokedTs: integer('revoked_ts'),
    /** Why it ended, told to a socket it disconnects: e.g. "logged out", "password changed". */
    revokedReason: text('revoked_reason'),
  },
  (t) => [index('auth_sessions_user').on(t.userId)],
);

/**
 * Insert-only: one row per ended session, in order. A running edge reads the rows after the last
 * one it saw (every second) and disconnects those sessions' sockets, also when the CLI of another
 * process ended them.
 */
export const authRevocations = sqliteTable('auth_revocations', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  sessionId: text('session_id').notNull().references(() => authSessions.id, { onDelete: 'cascade' }),
  ts: integer('ts').notNull(),
  reason: text('reason').notNull(),
});
