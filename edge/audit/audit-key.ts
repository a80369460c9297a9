// The audit chain's key: TWINLINE_AUDIT_KEY, or audit.key beside the database (created 0600 on
// first run). It is not the token key: rotating the session key (everyone logs in again) must not
// make the audit log unverifiable. Keep a copy of it away from the edge (a password manager, the
// plant's key store): with it, anyone can check the log; without it, nobody can.
import { dirname, join } from 'node:path';
import { loadKey, type LoadedSecret } from '../auth/index.js';

export const AUDIT_KEY_ENV = 'TWINLINE_AUDIT_KEY';

/** `audit.key` in the database's folder. */
export const auditKeyFile = (dbFile: string) => join(dirname(dbFile), 'audit.key');
/** `audit-anchors.jsonl` in the database's folder. */
export const auditAnchorFile = (dbFile: string) => join(dirname(dbFile), 'audit-anchors.jsonl');

export function loadAuditKey(options: { dbFile: string; env?: string | undefined; keyFile?: string; create?: boolean }): LoadedSecret {
  return loadKey({ env: options.env ?? process.env[AUDIT_KEY_ENV], envName: AUDIT_KEY_ENV, file: options.keyFile ?? auditKeyFile(options.dbFile), create: options.create });
}
