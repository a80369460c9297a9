// Opens the edge's (or the host's) SQLite file for the users and audit modules — the CLIs and the
// plant host — through the store's factory. Each module applies its own migrations when it opens
// its tables (openAuthStore, openAuditLog); nothing here knows another module's schema.
import type Database from 'better-sqlite3';
import { openDatabase, type OpenDatabaseOptions } from '../store/database.js';

export function openStoreFile(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  return openDatabase(file, options);
}
