// Online backups: SQLite's backup API (better-sqlite3 `db.backup()`) copies a consistent
// snapshot page by page while the edge keeps writing; the last N files are kept.
// Restore is offline (edge stopped): see README "Backup and restore".
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';

const PREFIX = 'twinline-';
const SUFFIX = '.db';
const NAME = /^twinline-\d{8}T\d{6}(\d{3})?Z\.db$/;

/** `twinline-20261129T044704123Z.db`: sorts by time, safe on every file system. */
export function backupFileName(ts: number): string {
  return `${PREFIX}${new Date(ts).toISOString().replace(/[-:.]/g, '')}${SUFFIX}`;
}

/** Backups in `dir`, oldest first. */
export function listBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => NAME.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Writes a backup of `sqlite` into `dir` and deletes all but the newest `keep`.
 * The copy goes to a temporary name first, so a crash mid-backup never leaves a
 * half-written file that looks like a backup.
 */
export async function backupDatabase(sqlite: Db, dir: string, keep: number, now: number): Promise<string> {
  // A backup holds everything the database holds (users, audit trail): owner-only, like the database.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = join(dir, backupFileName(now));
  const partial = `${target}.partial`;
  try {
    await sqlite.backup(partial);
    chmodSync(partial, 0o600);
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  const all = listBackups(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { force: true });
  return target;
}

export class RestoreError extends Error {
  override name = 'RestoreError';
}

/**
 * Replaces the database at `dbFile` with the backup `backupFile`. The edge must be stopped.
 * Checks the backup first (integrity_check), keeps the replaced database as
 * `<dbFile>.before-restore`, and removes its WAL and shared-memory files so SQLite does not
 * replay the old log over the restored file.
 */
export function restoreBackup(backupFile: string, dbFile: string): { replaced: string | null } {
  if (!existsSync(backupFile)) throw new RestoreError(`no backup file "${backupFile}": list the backups folder (default data/backups) and pass one of its files`);
  let result: unknown;
  try {
    const check = new Database(backupFile, { readonly: true, fileMustExist: true });
    try {
      result = check.pragma('integrity_check', { simple: true });
    } finally {
      check.close();
    }
  } catch (err) {
    throw new RestoreError(`backup "${basename(backupFile)}" cannot be read as a database (${(err as Error).message}): pick another backup`);
  }
  if (result !== 'ok') throw new RestoreError(`backup "${basename(backupFile)}" failed integrity_check (${String(result)}): pick an older backup`);
  let replaced: string | null = null;
  if (existsSync(dbFile)) {
    replaced = `${dbFile}.before-restore`;
    // Fold the WAL into the old file first so the kept copy is complete on its own.
    const old = new Database(dbFile);
    try {
      old.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      old.close();
    }
    renameSync(dbFile, replaced);
  }
  rmSync(`${dbFile}-wal`, { force: true });
  rmSync(`${dbFile}-shm`, { force: true });
  copyFileSync(backupFile, dbFile);
  return { replaced };
}
