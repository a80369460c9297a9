// The auth module's tables on a connection from the store's factory (edge/store/database.ts):
// applies its migrations and, once, moves the accounts older databases kept in the historian's
// `users` table (same columns) into auth_users, then drops the old table.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { hasTable, migrateModule } from '../store/database.js';
import { createSessionStore, type SessionStore } from './session-store.js';
import { createUserStore, type UserStore } from './user-store.js';

export const AUTH_MIGRATIONS = { folder: join(dirname(fileURLToPath(import.meta.url)), 'migrations'), table: '__auth_migrations' };

export interface AuthStore {
  users: UserStore;
  sessions: SessionStore;
  /** Accounts copied from the legacy `users` table on this open (0 when there was nothing to do). */
  imported: number;
}

function importLegacyUsers(sqlite: Database.Database): number {
  if (!hasTable(sqlite, 'users')) return 0;
  const mine = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM auth_users').get()!.n;
  // Accounts already here (a CLI of this version ran first): the old table is a stale copy.
  const moved = mine > 0 ? 0 : sqlite.prepare(
    'INSERT INTO auth_users (username, display_name, role, password_hash, created_ts, disabled_ts) SELECT username, display_name, role, password_hash, created_ts, disabled_ts FROM users ORDER BY id',
  ).run().changes;
  sqlite.exec('DROP TABLE users');
  return moved;
}

export function openAuthStore(sqlite: Database.Database, now: () => number): AuthStore {
  migrateModule(sqlite, AUTH_MIGRATIONS);
  const imported = sqlite.readonly ? 0 : sqlite.transaction(() => importLegacyUsers(sqlite)).immediate();
  const sessions = createSessionStore(sqlite);
  return { users: createUserStore(sqlite, sessions, now), sessions, imported };
}
