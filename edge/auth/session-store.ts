// Sessions in the auth module's `auth_sessions` table (auth-schema.ts): created at login, checked
// on every authenticated request and socket, ended by logout, by a password or role change, by
// disabling the account, or by `npm run user -- sessions <name> --revoke`. Prepared statements:
// the lookup runs on every request.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export interface SessionRecord {
  id: string;
  username: string;
  createdTs: number;
  expiresTs: number;
  source: string;
  revokedTs: number | null;
  revokedReason: string | null;
}

export interface Revocation {
  seq: number;
  sessionId: string;
  username: string;
  reason: string;
}

export interface SessionStore {
  create(input: { userId: number; source: string; now: number; ttlMs: number }): SessionRecord;
  get(id: string): SessionRecord | undefined;
  /** Every session of the user, newest first (bounded). */
  list(username: string, limit?: number): SessionRecord[];
  /** Ends one session; false if it was unknown or already ended. */
  revoke(id: string, reason: string, now: number): boolean;
  /** Ends every open session of the user; returns how many. */
  revokeUser(username: string, reason: string, now: number): number;
  /** Ended sessions after `seq`, in order (for pushing the news to open sockets). */
  revocationsAfter(seq: number, limit?: number): Revocation[];
  lastRevocation(): number;
  /** Forgets sessions that expired more than `keepMs` ago (their revocations go with them). */
  prune(now: number, keepMs: number): number;
}

interface Row {
  id: string; username: string; created_ts: number; expires_ts: number; source: string; revoked_ts: number | null; revoked_reason: string | null;
}

const toRecord = (r: Row): SessionRecord => ({
  id: r.id, username: r.username, createdTs: r.created_ts, expiresTs: r.expires_ts, source: r.source, revokedTs: r.revoked_ts, revokedReason: r.revoked_reason,
});

const SELECT = 'SELECT s.id, u.username, s.created_ts, s.expires_ts, s.source, s.revoked_ts, s.revoked_reason FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id';

export function createSessionStore(sqlite: Database.Database): SessionStore {
  const insert = sqlite.prepare('INSERT INTO auth_sessions (id, user_id, created_ts, expires_ts, source) VALUES (?, ?, ?, ?, ?)');
  const byId = sqlite.prepare<[string], Row>(`${SELECT} WHERE s.id = ?`);
  const byUser = sqlite.prepare<[string, number], Row>(`${SELECT} WHERE u.username = ? ORDER BY s.created_ts DESC LIMIT ?`);
  const openOfUser = sqlite.prepare<[string, number], { id: string }>(
    'SELECT s.id FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE u.username = ? AND s.revoked_ts IS NULL AND s.expires_ts > ?',
  );
  const markRevoked = sqlite.prepare('UPDATE auth_sessions SET revoked_ts = ?, revoked_reason = ? WHERE id = ? AND revoked_ts IS NULL');
  const insertRevocation = sqlite.prepare('INSERT INTO auth_revocations (session_id, ts, reason) VALUES (?, ?, ?)');
  const after = sqlite.prepare<[number, number], { seq: number; session_id: string; username: string; reason: string }>(
    'SELECT r.seq, r.session_id, u.username, r.reason FROM auth_revocations r JOIN auth_sessions s ON s.id = r.session_id JOIN auth_users u ON u.id = s.user_id WHERE r.seq > ? ORDER BY r.seq LIMIT ?',
  );
  const last = sqlite.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM auth_revocations');
  const pruneStmt = sqlite.prepare('DELETE FROM auth_sessions WHERE expires_ts < ?');

  const revokeOne = (id: string, reason: string, now: number): boolean => {
    if (markRevoked.run(now, reason.slice(0, 200), id).changes === 0) return false;
    insertRevocation.run(id, now, reason.slice(0, 200));
    return true;
  };
  const revokeUserTx = sqlite.transaction((username: string, reason: string, now: number) => {
    let n = 0;
    for (const { id } of openOfUser.all(username, now)) if (revokeOne(id, reason, now)) n++;
    return n;
  });

  return {
    create({ userId, source, now, ttlMs }) {
      // 144 random bits: a session id cannot be guessed, and it is only ever used inside a signed token.
      const id = randomBytes(18).toString('base64url');
      insert.run(id, userId, now, now + ttlMs, source.slice(0, 100));
      return toRecord(byId.get(id)!);
    },
    get: (id) => {
      const row = byId.get(id);
      return row ? toRecord(row) : undefined;
    },
    list: (username, limit = 100) => byUser.all(username, limit).map(toRecord),
    revoke: (id, reason, now) => sqlite.transaction(() => revokeOne(id, reason, now)).immediate(),
    revokeUser: (username, reason, now) => revokeUserTx.immediate(username, reason, now),
    revocationsAfter: (seq, limit = 1000) => after.all(seq, limit).map((r) => ({ seq: r.seq, sessionId: r.session_id, username: r.username, reason: r.reason })),
    lastRevocation: () => last.get()!.seq ?? 0,
    prune: (now, keepMs) => pruneStmt.run(now - keepMs).changes,
  };
}
