// The one way a module opens the edge's SQLite file: each module gets its own connection with
// the same settings (WAL, busy time-out, owner-only file mode) and applies its own migrations,
// recorded in its own migrations table, so no module hands its handle to another and no
// module's schema holds another's tables.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

export interface OpenDatabaseOptions {
  readonly?: boolean;
  /**
   * 'FULL' fsyncs the WAL on every commit: for records that must survive a power cut the moment
   * they are written (the audit entry of a PLC write). 'NORMAL' (default) may lose the last
   * commits on power loss but never corrupts.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/** A module's migrations: its folder (drizzle-kit output) and the table that records them. */
export interface ModuleMigrations {
  folder: string;
  /** e.g. __auth_migrations: one per module, so their histories never mix. */
  table: string;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  const readonly = options.readonly ?? false;
  const inMemory = file === ':memory:';
  if (!readonly && !inMemory) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const created = !inMemory && !existsSync(file);
  const sqlite = new Database(file, { readonly, fileMustExist: readonly });
  // Users, password hashes and the audit trail live here: readable by the owner only.
  if (created) chmodSync(file, 0o600);
  sqlite.pragma('busy_timeout = 5000');
  // Rows that belong to rows (a session to its user) say so, and SQLite checks it only when asked.
  sqlite.pragma('foreign_keys = ON');
  if (!readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  }
  return sqlite;
}

export function migrateModule(sqlite: Database.Database, migrations: ModuleMigrations): void {
  if (sqlite.readonly) return;
  migrate(drizzle(sqlite), { migrationsFolder: migrations.folder, migrationsTable: migrations.table });
}

/** True when `table` exists (for one-off imports from tables another module used to hold). */
export function hasTable(sqlite: Database.Database, table: string): boolean {
  return sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}
