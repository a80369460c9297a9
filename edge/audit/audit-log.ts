// The append-only audit log in the historian's `audit_log` table: who did what, when, and
// how it ended. Appends run in an IMMEDIATE transaction (read the head, write the next
// entry), so the edge and a CLI writing at the same moment still form one chain.
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditOutcome } from '../../shared/command-api.js';
import type { Role } from '../../shared/auth-api.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, hashEntry, verifyChain, type AuditRow, type ChainVerdict } from './audit-chain.js';

export interface AuditRecord {
  actor: string;
  role: Role | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
  outcome: AuditOutcome;
}

export interface AuditLog {
  append(record: AuditRecord): AuditEntry;
  page(query: { after: number; limit: number; action?: string; actor?: string }): { entries: AuditEntry[]; next: number | null };
  verify(): ChainVerdict;
  count(): number;
}

interface DbRow {
  id: number; ts: number; actor: string; role: string | null; action: string; target: string | null;
  details_json: string | null; outcome: string; prev_hash: string; hash: string;
}

const toRow = (r: DbRow): AuditRow => ({
  id: r.id, ts: r.ts, actor: r.actor, role: r.role, action: r.action, target: r.target,
  detailsJson: r.details_json, outcome: r.outcome, prevHash: r.prev_hash, hash: r.hash,
});

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id, ts: r.ts, actor: r.actor, role: r.role as Role | null, action: r.action, target: r.target,
  details: r.detailsJson === null ? null : (JSON.parse(r.detailsJson) as Record<string, unknown>),
  outcome: r.outcome as AuditOutcome, prevHash: r.prevHash, hash: r.hash,
});

/** Strings in details are cut here: the audit log records what happened, not a client's megabytes. */
const MAX_DETAIL_STRING = 500;

function bounded(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_DETAIL_STRING ? `${value.slice(0, MAX_DETAIL_STRING)}…` : value;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.slice(0, 50).map(bounded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).slice(0, 50).map(([k, v]) => [k.slice(0, 64), bounded(v)]));
  return value;
}

/**
 * Append-only in the database too: UPDATE and DELETE on audit_log abort. Anyone with the file
 * can drop these triggers, which is why the hash chain exists; they stop the honest mistake
 * (a cleanup script, a retention job) from destroying evidence.
 */
const GUARD_TRIGGERS = ['UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER IF NOT EXISTS audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed or removed'); END`);

export function openAuditLog(sqlite: Database.Database, now: () => number): AuditLog {
  if (!sqlite.readonly) for (const sql of GUARD_TRIGGERS) sqlite.exec(sql);
  const head = sqlite.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const insert = sqlite.prepare(
    'INSERT INTO audit_log (id, ts, actor, role, action, target, details_json, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const all = sqlite.prepare<[], DbRow>('SELECT * FROM audit_log ORDER BY id');
  const countStmt = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log');

  const appendTx = sqlite.transaction((record: AuditRecord): AuditRow => {
    const last = head.get();
    const content = {
      id: (last?.id ?? 0) + 1,
      ts: now(),
      actor: record.actor.slice(0, 64),
      role: record.role,
      action: record.action,
      target: record.target?.slice(0, 200) ?? null,
      detailsJson: record.details ? canonicalJson(bounded(record.details)) : null,
      outcome: record.outcome,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const row = { ...content, hash: hashEntry(content) };
    insert.run(row.id, row.ts, row.actor, row.role, row.action, row.target, row.detailsJson, row.outcome, row.prevHash, row.hash);
    return row;
  });

  return {
    append: (record) => toEntry(appendTx.immediate(record)),
    page({ after, limit, action, actor }) {
      const where = ['id > ?'];
      const params: (string | number)[] = [after];
      if (action) { where.push('action = ?'); params.push(action); }
      if (actor) { where.push('actor = ?'); params.push(actor); }
      const rows = sqlite.prepare<(string | number)[], DbRow>(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params, limit + 1);
      const more = rows.length > limit;
      const entries = rows.slice(0, limit).map((r) => toEntry(toRow(r)));
      return { entries, next: more ? entries[entries.length - 1]!.id : null };
    },
    verify: () => verifyChain((function* () { for (const r of all.iterate()) yield toRow(r); })()),
    count: () => countStmt.get()!.n,
  };
}
