// The append-only audit log in the audit module's own `audit_entries` table (audit-schema.ts),
// on its own connection from the store's factory: who did what, when, and how it ended. Appends
// run in an IMMEDIATE transaction (read the head, write the next entry), so the edge and a CLI
// writing at the same moment still form one chain. The chain is keyed (audit-chain.ts) and
// anchored outside the database (audit-anchors.ts). A durable append commits with
// synchronous=FULL — on disk when it returns, and with it every entry before it (WAL) — which
// the command service asks for before it writes to a PLC; other entries commit as the
// connection is set (NORMAL: ~0.3 ms instead of an fsync's ~6 ms, so a burst of refusals
// cannot stall the event loop on the disk).
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditOutcome } from '../../shared/command-api.js';
import type { Role } from '../../shared/auth-api.js';
import { hasTable, migrateModule } from '../store/database.js';
import type { Log } from '../logger.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, hashEntry, verifyChain, type AuditRow, type ChainVerdict } from './audit-chain.js';
import { appendAnchorFile, checkAnchors, lastAnchor as readLastAnchor, readAnchorLines, signAnchor, type AnchorProblem, type SignedAnchor } from './audit-anchors.js';

export const AUDIT_MIGRATIONS = { folder: join(dirname(fileURLToPath(import.meta.url)), 'migrations'), table: '__audit_migrations' };

export interface AuditRecord {
  actor: string;
  role: Role | null;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
  outcome: AuditOutcome;
}

export interface AuditVerdict extends ChainVerdict {
  /** Anchors read and what they found (missing or rewritten entries). */
  anchors: { checked: number; problems: AnchorProblem[] };
}

export interface AuditLogOptions {
  /** The chain key (audit-key.ts). Without one a random key is used: only for throw-away logs (tests on :memory:). */
  key?: Buffer;
  /** Where anchors go (audit-key.ts auditAnchorFile); null = no anchor file. */
  anchorFile?: string | null;
  /** An anchor is written this often when the log has grown. Default 10 s. */
  anchorIntervalMs?: number;
  log?: Log;
}

export interface AuditLog {
  /** `durable`: committed with synchronous=FULL whatever the connection's setting. */
  append(record: AuditRecord, options?: { durable?: boolean }): AuditEntry;
  page(query: { after: number; limit: number; action?: string; actor?: string }): { entries: AuditEntry[]; next: number | null };
  /** The chain under the key, and every anchor against it. */
  verify(): AuditVerdict;
  count(): number;
  /** Writes an anchor now if the log changed since the last one; returns the latest anchor. */
  anchor(): SignedAnchor | null;
  /** The last anchor written, without writing one. */
  latestAnchor(): SignedAnchor | null;
  /** Every anchor written from now on (the uplink sends them to the plant host). Returns the unsubscribe. */
  onAnchor(listener: (anchor: SignedAnchor) => void): () => void;
  /** Stops the anchor timer after a last anchor. */
  close(): void;
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
 * Append-only in the database too: UPDATE and DELETE abort. Anyone with the file can drop these
 * triggers, which is why the keyed chain and the anchors exist; they stop the honest mistake (a
 * cleanup script, a retention job) from destroying evidence.
 */
const GUARD_TRIGGERS = ['UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER IF NOT EXISTS audit_entries_no_${op.toLowerCase()} BEFORE ${op} ON audit_entries
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed or removed'); END`);

const INSERT = 'INSERT INTO audit_entries (id, ts, actor, role, action, target, details_json, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * Older edges kept the log in the historian's `audit_log` table, chained with plain SHA-256.
 * It is verified as it is, then re-chained under the key with the same ids and content, an
 * entry records the import and the old head, and the old table is dropped. A broken old log is
 * left where it is, as evidence, and not imported (the first new entry says so).
 */
function importLegacyLog(sqlite: Database.Database, key: Buffer): Record<string, unknown> | null {
  if (!hasTable(sqlite, 'audit_log')) return null;
  const dropLegacy = () => sqlite.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DROP TABLE audit_log');
  if (!sqlite.prepare('SELECT 1 FROM audit_log LIMIT 1').get()) {
    dropLegacy();
    return null;
  }
  if (sqlite.prepare('SELECT 1 FROM audit_entries LIMIT 1').get()) return null;
  const legacy = sqlite.prepare<[], DbRow>('SELECT * FROM audit_log ORDER BY id');
  const verdict = verifyChain((function* () { for (const r of legacy.iterate()) yield toRow(r); })());
  if (!verdict.ok) return { action: 'audit.import-refused', details: { legacyEntries: verdict.entries, firstBroken: verdict.firstBroken } };
  const insert = sqlite.prepare(INSERT);
  let prev = GENESIS_HASH;
  for (const r of legacy.all()) {
    const content = { ...toRow(r), prevHash: prev };
    const hash = hashEntry(content, key);
    insert.run(content.id, content.ts, content.actor, content.role, content.action, content.target, content.detailsJson, content.outcome, prev, hash);
    prev = hash;
  }
  dropLegacy();
  return { action: 'audit.imported', details: { legacyEntries: verdict.entries, legacyHead: verdict.headHash } };
}

export function openAuditLog(sqlite: Database.Database, now: () => number, options: AuditLogOptions = {}): AuditLog {
  const key = options.key ?? randomBytes(32);
  const anchorFile = options.anchorFile ?? null;
  let imported: Record<string, unknown> | null = null;
  if (!sqlite.readonly) {
    migrateModule(sqlite, AUDIT_MIGRATIONS);
    imported = sqlite.transaction(() => importLegacyLog(sqlite, key)).immediate();
    for (const sql of GUARD_TRIGGERS) sqlite.exec(sql);
  }
  if (!hasTable(sqlite, 'audit_entries')) {
    throw new Error('this database has no audit_entries table yet: start the edge (or run any npm run user command) once with this version to move the old audit_log into it');
  }
  const head = sqlite.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_entries ORDER BY id DESC LIMIT 1');
  const insert = sqlite.prepare(INSERT);
  const all = sqlite.prepare<[], DbRow>('SELECT * FROM audit_entries ORDER BY id');
  const hashById = sqlite.prepare<[number], { hash: string }>('SELECT hash FROM audit_entries WHERE id = ?');
  const countStmt = sqlite.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_entries');

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
    const row = { ...content, hash: hashEntry(content, key) };
    insert.run(row.id, row.ts, row.actor, row.role, row.action, row.target, row.detailsJson, row.outcome, row.prevHash, row.hash);
    return row;
  });
  const append = (record: AuditRecord, appendOptions?: { durable?: boolean }) => {
    const setting = appendOptions?.durable ? (sqlite.pragma('synchronous', { simple: true }) as number) : 2;
    if (setting < 2) sqlite.pragma('synchronous = FULL');
    try {
      return toEntry(appendTx.immediate(record));
    } finally {
      if (setting < 2) sqlite.pragma(`synchronous = ${setting}`);
    }
  };

  if (imported) {
    append({ actor: 'system', role: null, action: imported.action as string, target: 'audit_log', details: imported.details as Record<string, unknown>, outcome: 'ok' });
    options.log?.(imported.action === 'audit.imported' ? 'info' : 'warn', imported.action === 'audit.imported'
      ? 'audit: moved the audit log from the historian\'s audit_log table into audit_entries, re-chained under the audit key'
      : 'audit: the old audit_log table does not verify; it was left as it is (inspect it) and a new log started');
  }

  const listeners = new Set<(a: SignedAnchor) => void>();
  let lastAnchor: SignedAnchor | null = null;
  function anchor(): SignedAnchor | null {
    if (sqlite.readonly || !sqlite.open) return lastAnchor;
    const h = head.get();
    const entries = h?.id ?? 0;
    if (lastAnchor && lastAnchor.entries === entries && lastAnchor.head === (h?.hash ?? GENESIS_HASH)) return lastAnchor;
    const signed = signAnchor({ ts: now(), entries, head: h?.hash ?? GENESIS_HASH }, key);
    if (anchorFile) {
      try {
        appendAnchorFile(anchorFile, signed);
      } catch (err) {
        options.log?.('error', `audit: cannot write the anchor to ${anchorFile}: ${(err as Error).message}. Check the data folder's space and permissions.`);
        return lastAnchor;
      }
    }
    lastAnchor = signed;
    for (const l of listeners) l(signed);
    return signed;
  }
  // Rows removed or rewritten while the edge was stopped: say so at once, before a new anchor
  // is written over what is left (the older anchors keep the evidence for verify).
  if (!sqlite.readonly && anchorFile) {
    try {
      const previous = readLastAnchor(anchorFile);
      if (previous) {
        const problems = checkAnchors([{ line: 0, anchor: previous }], key, head.get()?.id ?? 0, (id) => hashById.get(id)?.hash);
        for (const p of problems) options.log?.('error', `audit: ${p.message.replace(/^anchor line 0 /, 'the last anchor ')} — run npm run audit -- verify`);
      }
    } catch (err) {
      options.log?.('warn', `audit: cannot read ${anchorFile}: ${(err as Error).message}`);
    }
  }
  const timer = !sqlite.readonly && anchorFile ? setInterval(anchor, options.anchorIntervalMs ?? 10_000) : null;
  timer?.unref();
  if (timer) anchor();

  return {
    append,
    page({ after, limit, action, actor }) {
      const where = ['id > ?'];
      const params: (string | number)[] = [after];
      if (action) { where.push('action = ?'); params.push(action); }
      if (actor) { where.push('actor = ?'); params.push(actor); }
      const rows = sqlite.prepare<(string | number)[], DbRow>(`SELECT * FROM audit_entries WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...params, limit + 1);
      const more = rows.length > limit;
      const entries = rows.slice(0, limit).map((r) => toEntry(toRow(r)));
      return { entries, next: more ? entries[entries.length - 1]!.id : null };
    },
    verify() {
      const chain = verifyChain((function* () { for (const r of all.iterate()) yield toRow(r); })(), key);
      let checked = 0;
      const lines = (function* () { if (anchorFile) for (const l of readAnchorLines(anchorFile)) { checked++; yield l; } })();
      const lastId = head.get()?.id ?? 0;
      const problems = checkAnchors(lines, key, lastId, (id) => hashById.get(id)?.hash);
      return { ...chain, ok: chain.ok && problems.length === 0, anchors: { checked, problems } };
    },
    count: () => countStmt.get()!.n,
    anchor,
    latestAnchor: () => lastAnchor,
    onAnchor(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (timer) {
        clearInterval(timer);
        anchor();
      }
    },
  };
}
