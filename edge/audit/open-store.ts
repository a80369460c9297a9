// Opens the edge's SQLite file for the command-line tools (users, audit) with the same
// settings and migrations as the historian, so a CLI can run beside a running edge.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'store', 'migrations');

export function openStoreFile(file: string, options: { readonly?: boolean } = {}): Database.Database {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  sqlite.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    migrate(drizzle(sqlite), { migrationsFolder: MIGRATIONS });
  }
  return sqlite;
}
