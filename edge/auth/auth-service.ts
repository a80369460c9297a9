// Who is asking: logins (scrypt, rate-limited, audited), token and session checks, logout, the
// demo auto-login, and the audit trail of refusals. Transport-neutral: the HTTP guard and the Socket.IO
// middleware both call authenticate() with what the client presented.
import type Database from 'better-sqlite3';
import { hasRole, type AuthHealth, type LoginResponse, type Role, type Session } from '../../shared/auth-api.js';
import type { AuditLog } from '../audit/index.js';
import type { Log } from '../logger.js';
import { DEMO_ACCOUNTS, DEMO_AUTO_LOGIN, DEMO_NOTICE, disableDemoAccounts, ensureDemoAccounts } from './demo-accounts.js';
import { UNUSABLE_HASH, verifyPassword } from './password.js';
import { createRateLimiter } from './rate-limiter.js';
import { checkToken, issueToken } from './token.js';
import { openAuthStore } from './auth-store.js';
import type { Revocation, SessionStore } from './session-store.js';
import type { UserStore } from './user-store.js';

export type AuthMode = 'demo' | 'required';

/** An authenticated caller. */
export interface Principal {
  user: string;
  role: Role;
  via: 'token' | 'demo-auto-login';
  expiresAt: number | null;
  /** The session the token names (null for the demo auto-login and for a plant host's commands). */
  sessionId?: string | null;
}

export type Refusal = { status: 400 | 401 | 403 | 429; code: string; message: string; retryAfterMs?: number };
export type AuthResult = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

/** What a client presented; `source` is its address, for rate limits and the audit log. */
export interface Credentials {
  token: string | null;
  source: string;
}

export interface AuthServiceOptions {
  /** The auth module's own connection (edge/store/database.ts openDatabase); it applies its migrations. */
  sqlite: Database.Database;
  secret: Buffer;
  mode: AuthMode;
  audit: AuditLog;
  now: () => number;
  log: Log;
  /** Default 8 h: one shift. */
  tokenTtlMs?: number;
  /** How often sessions ended by another process (the user CLI) are looked for. Default 1 s. */
  revocationPollMs?: number;
}

/** Told when sessions end, so that open connections using them can be closed (with the reason). */
export type RevocationListener = (revoked: readonly Revocation[]) => void;

export interface AuthService {
  readonly mode: AuthMode;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  authenticate(credentials: Credentials): AuthResult;
  /** Ends the session the token names (if it is one of ours and still open). */
  logout(token: string | null, source: string): boolean;
  /** Calls `listener` with every session that ends from now on, here or in another process. Returns the unsubscribe. */
  onSessionsRevoked(listener: RevocationListener): () => void;
  login(username: string, password: string, source: string): Promise<{ ok: true; answer: LoginResponse } | { ok: false; refusal: Refusal }>;
  session(principal: Principal): Session;
  /** Refuses (and audits) unless `principal` has at least `minimum`. */
  requireRole(principal: Principal, minimum: Role, action: string): Refusal | null;
  /** Records a refused request or connection (bounded per source, so a flood cannot fill the disk). */
  auditRefusal(action: string, refusal: Refusal, details: Record<string, unknown>, source: string, principal?: Principal | null): void;
  health(): AuthHealth;
}

export async function createAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { secret, mode, audit, now, log } = options;
  const ttl = options.tokenTtlMs ?? 8 * 3_600_000;
  const store = openAuthStore(options.sqlite, now);
  const { users, sessions } = store;
  if (store.imported) log('info', `auth: moved ${store.imported} account(s) from the historian's users table into auth_users`);

  if (mode === 'demo') {
    const r = await ensureDemoAccounts(users, now());
    const list = DEMO_ACCOUNTS.filter((a) => !r.skipped.includes(a.username)).map((a) => `${a.username} / ${a.password}`).join(', ');
    log('warn', `DEMO MODE: accounts with published passwords (${list}); browsers without a token are logged in as "${DEMO_AUTO_LOGIN.username}". Not for a real plant.`);
    if (r.skipped.length) log('warn', `demo mode: ${r.skipped.join(', ')} exist with a real password and were left alone`);
    if (r.created.length || r.enabled.length) audit.append({ actor: 'system', role: null, action: 'demo.accounts', target: null, details: { created: r.created, enabled: r.enabled }, outcome: 'ok' });
  } else {
    const disabled = await disableDemoAccounts(users, now());
    if (disabled.length) {
      log('warn', `disabled demo accounts that still had their published passwords: ${disabled.join(', ')} (give them real ones with npm run user -- passwd <name>, then enable)`);
      audit.append({ actor: 'system', role: null, action: 'demo.accounts-disabled', target: null, details: { disabled }, outcome: 'ok' });
    }
    if (users.count({ enabledOnly: true }) === 0) {
      log('warn', 'no users yet: every API call and live connection will be refused. Create the first admin: npm run user -- add admin --role admin (or start with --demo to try twinline)');
    }
  }

  // Login: 20 attempts per client address in a burst, then one every 3 s (a shift change at one
  // shared terminal fits); 5 failures per user name *from one address*, then one a minute
  // (guessing one password is slow). Keyed by name and address together: a stranger failing on
  // purpose slows only themselves, and the real user logging in from their own terminal is not
  // locked out.
  const loginsPerSource = createRateLimiter({ capacity: 20, refillMs: 3_000, now });
  const failuresPerUserAndSource = createRateLimiter({ capacity: 5, refillMs: 60_000, now });
  const failureKey = (username: string, source: string) => `${username}\u0000${source}`;
  // Refusals reach the audit log at up to 20 per source in a burst, then one a minute; the rest are
  // counted into the next entry. (A logged-out twin left open retries every few seconds all day.)
  const refusalAudits = createRateLimiter({ capacity: 20, refillMs: 60_000, now });
  const suppressed = new Map<string, number>();
  let lastPrune = -Infinity;

  const demo: Session['demo'] = mode === 'demo' ? { notice: DEMO_NOTICE, accounts: DEMO_ACCOUNTS.map((a) => ({ ...a })) } : null;

  function auditRefusal(action: string, refusal: Refusal, details: Record<string, unknown>, source: string, principal?: Principal | null) {
    if (!refusalAudits.take(source)) {
      if (suppressed.size < 10_000 || suppressed.has(source)) suppressed.set(source, (suppressed.get(source) ?? 0) + 1);
      return;
    }
    const before = suppressed.get(source);
    suppressed.delete(source);
    audit.append({
      actor: principal?.user ?? 'anonymous', role: principal?.role ?? null, action, target: typeof details.target === 'string' ? details.target : null,
      details: { ...details, code: refusal.code, reason: refusal.message, source, ...(before ? { refusalsNotRecordedBefore: before } : {}) },
      outcome: 'refused',
    });
  }

  function authenticate({ token }: Credentials): AuthResult {
    if (!token) {
      if (mode === 'demo') return { ok: true, principal: { user: DEMO_AUTO_LOGIN.username, role: DEMO_AUTO_LOGIN.role, via: 'demo-auto-login', expiresAt: null } };
      return { ok: false, refusal: { status: 401, code: 'unauthenticated', message: 'log in first: POST /api/login {"username","password"}, then send "Authorization: Bearer <token>"' } };
    }
    const check = checkToken(secret, token, now());
    if (!check.ok) {
      const message = check.reason === 'expired' ? 'the session has expired: log in again' : 'the token is not valid (signed by another edge, or damaged): log in again';
      return { ok: false, refusal: { status: 401, code: check.reason === 'expired' ? 'token-expired' : 'token-invalid', message } };
    }
    const sid = check.claims.sid;
    const stored = sid === undefined ? undefined : sessions.get(sid);
    if (!stored || stored.username !== check.claims.sub) {
      return { ok: false, refusal: { status: 401, code: 'token-invalid', message: 'the token names no session of this edge (issued before an upgrade, or damaged): log in again' } };
    }
    if (stored.revokedTs !== null) {
      return { ok: false, refusal: { status: 401, code: 'session-revoked', message: `the session was ended (${stored.revokedReason ?? 'revoked'}): log in again` } };
    }
    if (now() >= stored.expiresTs) return { ok: false, refusal: { status: 401, code: 'token-expired', message: 'the session has expired: log in again' } };
    const user = users.find(check.claims.sub);
    if (!user || user.disabledTs !== null) {
      return { ok: false, refusal: { status: 401, code: 'user-disabled', message: `user "${check.claims.sub}" no longer exists or is disabled: ask an admin` } };
    }
    // The stored role counts, not the one in the token: a demotion takes effect at once.
    return { ok: true, principal: { user: user.username, role: user.role, via: 'token', expiresAt: stored.expiresTs, sessionId: stored.id } };
  }

  function session(principal: Principal): Session {
    return { user: principal.user, role: principal.role, expiresAt: principal.expiresAt, via: principal.via, demo };
  }

  async function login(username: string, password: string, source: string) {
    const refuse = (refusal: Refusal) => {
      auditRefusal('login', refusal, { target: username }, source);
      return { ok: false as const, refusal };
    };
    if (!loginsPerSource.take(source)) {
      return refuse({ status: 429, code: 'rate-limited', message: 'too many login attempts from this address: wait and try again', retryAfterMs: loginsPerSource.retryAfterMs(source) });
    }
    const key = failureKey(username, source);
    if (failuresPerUserAndSource.retryAfterMs(key) > 0) {
      return refuse({ status: 429, code: 'rate-limited', message: `too many failed logins for "${username}" from this address: wait and try again`, retryAfterMs: failuresPerUserAndSource.retryAfterMs(key) });
    }
    const user = users.find(username);
    // Hash even for unknown names, so the answer's timing does not tell which names exist.
    const good = await verifyPassword(password, user?.passwordHash ?? UNUSABLE_HASH);
    if (!user || !good || user.disabledTs !== null) {
      failuresPerUserAndSource.take(key);
      return refuse({ status: 401, code: 'bad-credentials', message: user?.disabledTs != null && good ? `user "${username}" is disabled: ask an admin` : 'wrong user name or password' });
    }
    const iat = now();
    // Sessions that ended more than a week ago are forgotten (at most once an hour): the table stays small.
    if (iat - lastPrune >= 3_600_000) {
      lastPrune = iat;
      sessions.prune(iat, 7 * 24 * 3_600_000);
    }
    const stored = sessions.create({ userId: user.id, source, now: iat, ttlMs: ttl });
    const exp = stored.expiresTs;
    const token = issueToken(secret, { sub: user.username, role: user.role, iat, exp, sid: stored.id });
    audit.append({ actor: user.username, role: user.role, action: 'login', target: null, details: { source, session: stored.id.slice(0, 8) }, outcome: 'ok' });
    const principal: Principal = { user: user.username, role: user.role, via: 'token', expiresAt: exp, sessionId: stored.id };
    return { ok: true as const, answer: { token, expiresAt: exp, session: session(principal) } };
  }

  function requireRole(principal: Principal, minimum: Role, action: string): Refusal | null {
    if (hasRole(principal.role, minimum)) return null;
    return { status: 403, code: 'forbidden', message: `${action} needs the ${minimum} role or above; "${principal.user}" is ${principal.role}` };
  }

  function logout(token: string | null, source: string): boolean {
    if (!token) return false;
    const check = checkToken(secret, token, now());
    if (!check.ok || check.claims.sid === undefined) return false;
    const stored = sessions.get(check.claims.sid);
    if (!stored || stored.username !== check.claims.sub) return false;
    if (!sessions.revoke(stored.id, 'logged out', now())) return false;
    audit.append({ actor: stored.username, role: null, action: 'logout', target: null, details: { source, session: stored.id.slice(0, 8) }, outcome: 'ok' });
    pollRevocations();
    return true;
  }

  // Revocations reach listeners at once when they happen here (logout) and within a poll when
  // another process (the user CLI) wrote them: both read the insert-only auth_revocations table.
  const listeners = new Set<RevocationListener>();
  let seenRevocation = sessions.lastRevocation();
  let poller: ReturnType<typeof setInterval> | null = null;
  function pollRevocations() {
    if (!listeners.size) return;
    for (;;) {
      const batch = sessions.revocationsAfter(seenRevocation);
      if (!batch.length) return;
      seenRevocation = batch[batch.length - 1]!.seq;
      for (const l of listeners) l(batch);
      if (batch.length < 1000) return;
    }
  }
  function onSessionsRevoked(listener: RevocationListener) {
    if (!listeners.size) seenRevocation = sessions.lastRevocation();
    listeners.add(listener);
    if (!poller) {
      poller = setInterval(pollRevocations, options.revocationPollMs ?? 1000);
      poller.unref();
    }
    return () => {
      listeners.delete(listener);
      if (!listeners.size && poller) {
        clearInterval(poller);
        poller = null;
      }
    };
  }

  return {
    mode,
    users,
    sessions,
    authenticate,
    logout,
    onSessionsRevoked,
    login,
    session,
    requireRole,
    auditRefusal,
    health: () => ({ mode, users: users.count({ enabledOnly: true }), notice: mode === 'demo' ? DEMO_NOTICE : null }),
  };
}
