// The audit log's hash chain. Each entry's hash covers the canonical JSON of its content plus
// the previous entry's hash, so changing, removing or re-ordering any entry breaks every link
// after it. Version 2 (the edge's chain) is an HMAC-SHA256 under a key kept outside the
// database (audit-key.ts): someone holding only the database file can delete or rewrite rows
// but cannot compute the hashes that would make the chain hold again. Version 1 (no key, plain
// SHA-256) is how older edges wrote the log; it is read only to verify and import it.
// Pure: rows in, verdict out.
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** prevHash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What is hashed: every column but `hash` itself. `detailsJson` is hashed as the stored text. */
export interface AuditContent {
  id: number;
  ts: number;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  detailsJson: string | null;
  outcome: string;
  prevHash: string;
}

export interface AuditRow extends AuditContent {
  hash: string;
}

/** HMAC-SHA256 under `key` (chain version 2); without a key, the legacy plain SHA-256 (version 1). */
export function hashEntry(content: AuditContent, key?: Buffer): string {
  // A fixed set of fields: extra properties on the object (e.g. a stored `hash`) are not part of it.
  const { id, ts, actor, role, action, target, detailsJson, outcome, prevHash } = content;
  const fields = { id, ts, actor, role, action, target, detailsJson, outcome, prevHash };
  if (!key) return createHash('sha256').update(canonicalJson({ v: 1, ...fields })).digest('hex');
  return createHmac('sha256', key).update(canonicalJson({ v: 2, ...fields })).digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  firstBroken: { id: number; reason: string } | null;
  headHash: string | null;
}

/** Checks rows in id order. Stops at the first entry that does not hold and says why. */
export function verifyChain(rows: Iterable<AuditRow>, key?: Buffer): ChainVerdict {
  let prev = GENESIS_HASH;
  let prevId = 0;
  let entries = 0;
  for (const row of rows) {
    entries++;
    if (row.id !== prevId + 1) {
      return { ok: false, entries, firstBroken: { id: row.id, reason: `ids jump from ${prevId} to ${row.id}: entries ${prevId + 1}–${row.id - 1} were removed` }, headHash: null };
    }
    if (row.prevHash !== prev) {
      return { ok: false, entries, firstBroken: { id: row.id, reason: `its prevHash does not match the hash of entry ${prevId || 'genesis'}: an earlier entry was changed or removed` }, headHash: null };
    }
    const actual = hashEntry(row, key);
    if (actual !== row.hash) {
      const why = key ? 'its content does not match its hash under this edge\'s audit key: the entry was changed after it was written (or the key is not the one it was written with)' : 'its content does not match its hash: the entry was changed after it was written';
      return { ok: false, entries, firstBroken: { id: row.id, reason: why }, headHash: null };
    }
    prev = row.hash;
    prevId = row.id;
  }
  return { ok: true, entries, firstBroken: null, headHash: entries ? prev : null };
}
