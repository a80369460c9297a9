// The audit log's hash chain. Each entry's hash is SHA-256 over the canonical JSON of its
// content plus the previous entry's hash, so changing, removing or re-ordering any entry
// breaks every link after it. Pure: rows in, verdict out.
import { createHash } from 'node:crypto';
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

export function hashEntry(content: AuditContent): string {
  // A fixed set of fields: extra properties on the object (e.g. a stored `hash`) are not part of it.
  const { id, ts, actor, role, action, target, detailsJson, outcome, prevHash } = content;
  return createHash('sha256').update(canonicalJson({ v: 1, id, ts, actor, role, action, target, detailsJson, outcome, prevHash })).digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  firstBroken: { id: number; reason: string } | null;
  headHash: string | null;
}

/** Checks rows in id order. Stops at the first entry that does not hold and says why. */
export function verifyChain(rows: Iterable<AuditRow>): ChainVerdict {
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
    const actual = hashEntry(row);
    if (actual !== row.hash) {
      return { ok: false, entries, firstBroken: { id: row.id, reason: 'its content does not match its hash: the entry was changed after it was written' }, headHash: null };
    }
    prev = row.hash;
    prevId = row.id;
  }
  return { ok: true, entries, firstBroken: null, headHash: entries ? prev : null };
}
