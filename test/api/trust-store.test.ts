// Sessions and the audit log on a real SQLite file, without an edge around them: revocation,
// login slow-down per (user, address), anchors against truncation and rewrites, the import of
// an older database (users and audit rows kept), owner-only files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../edge/store/database.js';
import { openAuditLog } from '../../edge/audit/audit-log.js';
import { auditAnchorFile, loadAuditKey } from '../../edge/audit/audit-key.js';
import { canonicalJson } from '../../edge/audit/canonical-json.js';
import { GENESIS_HASH, hashEntry } from '../../edge/audit/audit-chain.js';
import { checkAnchors, readAnchorFile, signAnchor } from '../../edge/audit/audit-anchors.js';
import { createAuthService, type AuthService } from '../../edge/auth/auth-service.js';
import type { Revocation } from '../../edge/auth/session-store.js';

const PASSWORD = 'a long enough passphrase';
/** What the historian's migration 0002 created before issue 17.3 gave these tables to auth and audit. */
const LEGACY_TABLES = `
  CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, username text NOT NULL, display_name text, role text NOT NULL,
    password_hash text NOT NULL, created_ts integer NOT NULL, disabled_ts integer);
  CREATE UNIQUE INDEX users_username_unique ON users (username);
  CREATE TABLE audit_log (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, ts integer NOT NULL, actor text NOT NULL, role text, action text NOT NULL,
    target text, details_json text, outcome text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;`;
let dir: string;
let file: string;
let t: number;
const now = () => t;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-trust-'));
  file = join(dir, 'twinline.db');
  t = Date.UTC(2026, 0, 5, 8);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openAudit(options: { anchors?: boolean } = {}) {
  const key = loadAuditKey({ dbFile: file }).key;
  const db = openDatabase(file, { synchronous: 'FULL' });
  return { db, audit: openAudit0(db, key, options.anchors ?? true) };
}
const openAudit0 = (db: Database.Database, key: Buffer, anchors: boolean) => openAuditLog(db, now, { key, anchorFile: anchors ? auditAnchorFile(file) : null, anchorIntervalMs: 3_600_000 });

async function service(): Promise<{ auth: AuthService; close(): void }> {
  const { db, audit } = openAudit();
  const authDb = openDatabase(file);
  const auth = await createAuthService({ sqlite: authDb, secret: Buffer.alloc(32, 5), mode: 'required', audit, now, log: () => {}, revocationPollMs: 20 });
  return { auth, close: () => { audit.close(); db.close(); authDb.close(); } };
}

const verifyCli = () => spawnSync(process.execPath, ['--import', 'tsx', 'edge/audit/audit-cli.ts', 'verify', '--db', file], { encoding: 'utf8', timeout: 60_000 });

describe('sessions', () => {
  it('end on logout, password, role change and disable; listeners hear of it; other sessions stay', async () => {
    const { auth, close } = await service();
    try {
      for (const u of ['ann', 'ben']) await auth.users.add({ username: u, role: 'operator', password: PASSWORD, now: t });
      const token = async (u: string) => { const r = await auth.login(u, PASSWORD, '10.0.0.1'); if (!r.ok) throw new Error(r.refusal.message); return r.answer.token; };
      const revoked: Revocation[] = [];
      const off = auth.onSessionsRevoked((batch) => revoked.push(...batch));
      const ok = (tk: string) => auth.authenticate({ token: tk, source: 'x' }).ok;

      const a1 = await token('ann');
      const b1 = await token('ben');
      expect(auth.logout(a1, '10.0.0.1')).toBe(true);
      expect(auth.authenticate({ token: a1, source: 'x' })).toMatchObject({ ok: false, refusal: { code: 'session-revoked', message: expect.stringMatching(/logged out/) } });
      expect(ok(b1)).toBe(true);
      expect(revoked.map((r) => [r.username, r.reason])).toEqual([['ann', 'logged out']]);

      const a2 = await token('ann');
      await auth.users.setPassword('ann', 'a brand new passphrase');
      expect(ok(a2)).toBe(false);
      const a3 = await auth.login('ann', 'a brand new passphrase', '10.0.0.1');
      expect(a3.ok).toBe(true);
      const a3t = (a3 as { answer: { token: string } }).answer.token;
      expect(auth.users.setRole('ann', 'operator')).toBe(0); // no change, nothing ended
      expect(ok(a3t)).toBe(true);
      expect(auth.users.setRole('ann', 'maintenance')).toBe(1);
      expect(ok(a3t)).toBe(false);
      const a4 = (await auth.login('ann', 'a brand new passphrase', '10.0.0.1') as { answer: { token: string } }).answer.token;
      auth.users.setDisabled('ann', t);
      auth.users.setDisabled('ann', null);
      expect(ok(a4)).toBe(false);
      expect(ok(b1)).toBe(true);
      // Revocations written by another connection (the CLI's) reach listeners by the poll.
      const other = openDatabase(file);
      other.prepare("UPDATE auth_sessions SET revoked_ts = 1, revoked_reason = 'test' WHERE id = (SELECT s.id FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE u.username = 'ben')").run();
      other.prepare("INSERT INTO auth_revocations (session_id, ts, reason) SELECT s.id, 1, 'revoked elsewhere' FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE u.username = 'ben'").run();
      other.close();
      const deadline = Date.now() + 5_000;
      while (!revoked.some((r) => r.username === 'ben') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(revoked.find((r) => r.username === 'ben')?.reason).toBe('revoked elsewhere');
      expect(ok(b1)).toBe(false);
      off();
    } finally {
      close();
    }
  });

  it('forgets sessions a week after they expired', async () => {
    const { auth, close } = await service();
    try {
      await auth.users.add({ username: 'kim', role: 'operator', password: PASSWORD, now: t });
      expect((await auth.login('kim', PASSWORD, '10.0.0.1')).ok).toBe(true);
      auth.users.setRole('kim', 'manager'); // ended, with a revocation row
      expect(auth.sessions.list('kim')).toHaveLength(1);
      t += 8 * 24 * 3_600_000;
      expect((await auth.login('kim', PASSWORD, '10.0.0.1')).ok).toBe(true);
      expect(auth.sessions.list('kim').map((x) => x.revokedTs)).toEqual([null]);
    } finally {
      close();
    }
  });

  it('refuses a token that names no session (issued before sessions existed)', async () => {
    const { auth, close } = await service();
    const { issueToken } = await import('../../edge/auth/token.js');
    await auth.users.add({ username: 'old', role: 'admin', password: PASSWORD, now: t });
    const token = issueToken(Buffer.alloc(32, 5), { sub: 'old', role: 'admin', iat: t, exp: t + 3_600_000 });
    expect(auth.authenticate({ token, source: 'x' })).toMatchObject({ ok: false, refusal: { code: 'token-invalid' } });
    close();
  });

  it('slows failed logins per user and address: a stranger cannot lock the real user out', async () => {
    const { auth, close } = await service();
    try {
      await auth.users.add({ username: 'admin', role: 'admin', password: PASSWORD, now: t });
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await auth.login('admin', `guess ${i}`, '203.0.113.9'));
      expect(results.map((r) => (r.ok ? 200 : r.refusal.status))).toEqual([401, 401, 401, 401, 401, 429]);
      const last = results[5]!;
      expect(last.ok ? 0 : last.refusal.retryAfterMs).toBeGreaterThan(0);
      // The stranger is slowed even with the right password…
      expect((await auth.login('admin', PASSWORD, '203.0.113.9')).ok).toBe(false);
      // …the admin at their own terminal is not.
      expect((await auth.login('admin', PASSWORD, '10.1.1.1')).ok).toBe(true);
      // A minute later the stranger's address may try once more.
      t += 60_000;
      expect(await auth.login('admin', 'guess again', '203.0.113.9')).toMatchObject({ ok: false, refusal: { status: 401 } });
    } finally {
      close();
    }
  });
});

describe('audit log', () => {
  it('creates the database, the key and the anchors readable by the owner only', () => {
    const { db, audit } = openAudit();
    audit.append({ actor: 'system', role: null, action: 'test', outcome: 'ok' });
    audit.anchor();
    audit.close();
    db.close();
    for (const f of [file, join(dir, 'audit.key'), join(dir, 'audit-anchors.jsonl')]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
  });

  it('verify names entries deleted from the end, rewritten entries, and a chain re-hashed without the key', () => {
    const { db, audit } = openAudit();
    for (let i = 1; i <= 10; i++) {
      t += 1000;
      audit.append({ actor: 'max', role: 'maintenance', action: 'command.speed-override', target: 'mill.speedOverride', details: { value: 50 + i }, outcome: 'ok' });
      if (i % 5 === 0) audit.anchor();
    }
    audit.close();
    db.close();
    expect(verifyCli().status).toBe(0);

    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_entries_no_delete; DROP TRIGGER audit_entries_no_update');
    raw.prepare('DELETE FROM audit_entries WHERE id > 8').run();
    raw.close();
    const truncated = verifyCli();
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(/entries 9–10 are missing/);

    // Rewrite entry 3 and re-hash everything after it, as the code does, but without the key.
    const raw2 = new Database(file);
    let prev = GENESIS_HASH;
    for (const r of raw2.prepare('SELECT * FROM audit_entries ORDER BY id').all() as Array<Record<string, any>>) {
      const content = { id: r.id, ts: r.ts, actor: r.id === 3 ? 'nobody' : r.actor, role: r.role, action: r.action, target: r.target, detailsJson: r.details_json, outcome: r.outcome, prevHash: prev };
      const hash = createHash('sha256').update(canonicalJson({ v: 2, ...content })).digest('hex');
      raw2.prepare('UPDATE audit_entries SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?').run(content.actor, prev, hash, r.id);
      prev = hash;
    }
    raw2.close();
    const rewritten = verifyCli();
    expect(rewritten.status).toBe(1);
    expect(rewritten.stderr).toMatch(/BROKEN at entry 1: .*audit key/);
    expect(rewritten.stderr).toMatch(/entry 5 was rewritten/);
  });

  it('reads anchor files of any length in chunks, and names lines that are not anchors', () => {
    const key = Buffer.alloc(32, 9);
    const good = (i: number) => JSON.stringify(signAnchor({ ts: i, entries: 0, head: GENESIS_HASH }, key));
    const lines = Array.from({ length: 12_000 }, (_, i) => good(i)); // ~2.4 MB: lines cross the 1 MB chunks
    lines[6_000] = '{"half":';
    lines[9_000] = 'x'.repeat(5_000);
    const anchors = join(dir, 'anchors.jsonl');
    writeFileSync(anchors, `${lines.join('\n')}\n`);
    const read = readAnchorFile(anchors);
    expect(read).toHaveLength(12_000);
    expect(read.filter((l) => 'error' in l).map((l) => l.line)).toEqual([6_001, 9_001]);
    const problems = checkAnchors(read, key, 0, () => undefined);
    expect(problems.map((p) => [p.line, p.kind])).toEqual([[6_001, 'unreadable'], [9_001, 'unreadable']]);
    expect(checkAnchors(read, Buffer.alloc(32, 1), 0, () => undefined)).toHaveLength(1000); // another key: bounded report
  });

  it('says at start when rows were removed while it was stopped', () => {
    const first = openAudit();
    for (let i = 0; i < 4; i++) first.audit.append({ actor: 'system', role: null, action: 'test', outcome: 'ok' });
    first.audit.close(); // writes the last anchor
    first.db.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_entries_no_delete');
    raw.prepare('DELETE FROM audit_entries WHERE id > 2').run();
    raw.close();
    const logs: string[] = [];
    const db = openDatabase(file);
    const audit = openAuditLog(db, now, { key: loadAuditKey({ dbFile: file }).key, anchorFile: auditAnchorFile(file), anchorIntervalMs: 3_600_000, log: (l, m) => logs.push(`${l} ${m}`) });
    expect(logs.join('\n')).toMatch(/^error audit: entries 3–4 are missing: .* run npm run audit -- verify$/m);
    audit.close();
    db.close();
  });

  it('an entry is on disk, readable by another connection, when append returns', () => {
    const { db, audit } = openAudit({ anchors: false });
    const reader = new Database(file, { readonly: true });
    const entry = audit.append({ actor: 'max', role: 'maintenance', action: 'command.write-setpoint.requested', target: 'm.x', outcome: 'ok' });
    expect(reader.prepare('SELECT action FROM audit_entries WHERE id = ?').get(entry.id)).toEqual({ action: 'command.write-setpoint.requested' });
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    reader.close();
    audit.close();
    db.close();
  });

  it('moves users and audit rows from an older database (historian tables) and keeps them verifiable', async () => {
    // An older edge's database: the historian's migrations made users and audit_log (as they were then).
    const legacy = new Database(file);
    legacy.exec(LEGACY_TABLES);
    legacy.prepare("INSERT INTO users (username, role, password_hash, created_ts) VALUES ('olga', 'operator', 'scrypt$1$1$1$x$y', 1)").run();
    let prev = GENESIS_HASH;
    for (let id = 1; id <= 3; id++) {
      const content = { id, ts: id, actor: 'olga', role: 'operator', action: 'login', target: null, detailsJson: null, outcome: 'ok', prevHash: prev };
      const hash = hashEntry(content);
      legacy.prepare('INSERT INTO audit_log (id, ts, actor, role, action, target, details_json, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, id, 'olga', 'operator', 'login', null, null, 'ok', prev, hash);
      prev = hash;
    }
    legacy.close();

    const { auth, close } = await service();
    expect(auth.users.find('olga')).toMatchObject({ role: 'operator' });
    close();
    const { db, audit } = openAudit();
    const entries = audit.page({ after: 0, limit: 10 }).entries;
    expect(entries.map((e) => e.action)).toEqual(['login', 'login', 'login', 'audit.imported']);
    expect(entries[3]!.details).toMatchObject({ legacyEntries: 3, legacyHead: prev });
    expect(audit.verify()).toMatchObject({ ok: true, entries: 4 });
    // The old tables are gone: one home for each row.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'audit_log')").all()).toEqual([]);
    audit.close();
    db.close();
  });
});
