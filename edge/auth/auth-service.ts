// Who is asking: logins (scrypt, rate-limited, audited), token checks, the demo auto-login,
// and the audit trail of refusals. Transport-neutral: the HTTP guard and the Socket.IO
// middleware both call authenticate() with what the client presented.
import type Database from 'better-sqlite3';
import { hasRole, type AuthHealth, type LoginResponse, type Role, type Session } from '../../shared/auth-api.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Log } from '../logger.js';
import { DEMO_ACCOUNTS, DEMO_AUTO_LOGIN, DEMO_NOTICE, disableDemoAccounts, ensureDemoAccounts } from './demo-accounts.js';
import { UNUSABLE_HASH, verifyPassword } from './password.js';
import { createRateLimiter } from './rate-limiter.js';
import { checkToken, issueToken } from './token.js';
import { createUserStore, type UserStore } from './user-store.js';

export type AuthMode = 'demo' | 'required';

/** An authenticated caller. */
export interface Principal {
  user: string;
  role: Role;
  via: 'token' | 'demo-auto-login';
  expiresAt: number | null;
}

export type Refusal = { status: 400 | 401 | 403 | 429; code: string; message: string; retryAfterMs?: number };
export type AuthResult = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

/** What a client presented; `source` is its address, for rate limits and the audit log. */
export interface Credentials {
  token: string | null;
  source: string;
}

export interface AuthServiceOptions {
  sqlite: Database.Database;
  secret: Buffer;
  mode: AuthMode;
  audit: AuditLog;
  now: () => number;
  log: Log;
  /** Default 8 h: one shift. */
  tokenTtlMs?: number;
}

export interface AuthService {
  readonly mode: AuthMode;
  readonly users: UserStore;
  authenticate(credentials: Credentials): AuthResult;
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
  const users = createUserStore(options.sqlite);

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
  // shared terminal fits); 5 failures per user name, then one a minute (guessing one password is slow).
  const loginsPerSource = createRateLimiter({ capacity: 20, refillMs: 3_000, now });
  const failuresPerUser = createRateLimiter({ capacity: 5, refillMs: 60_000, now });
  // Refusals reach the audit log at up to 20 per source in a burst, then one a minute; the rest are
  // counted into the next entry. (A logged-out twin left open retries every few seconds all day.)
  const refusalAudits = createRateLimiter({ capacity: 20, refillMs: 60_000, now });
  const suppressed = new Map<string, number>();

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
    const user = users.find(check.claims.sub);
    if (!user || user.disabledTs !== null) {
      return { ok: false, refusal: { status: 401, code: 'user-disabled', message: `user "${check.claims.sub}" no longer exists or is disabled: ask an admin` } };
    }
    // The stored role counts, not the one in the token: a demotion takes effect at once.
    return { ok: true, principal: { user: user.username, role: user.role, via: 'token', expiresAt: check.claims.exp } };
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
    if (failuresPerUser.retryAfterMs(username) > 0) {
      return refuse({ status: 429, code: 'rate-limited', message: `too many failed logins for "${username}": wait and try again`, retryAfterMs: failuresPerUser.retryAfterMs(username) });
    }
    const user = users.find(username);
    // Hash even for unknown names, so the answer's timing does not tell which names exist.
    const good = await verifyPassword(password, user?.passwordHash ?? UNUSABLE_HASH);
    if (!user || !good || user.disabledTs !== null) {
      failuresPerUser.take(username);
      return refuse({ status: 401, code: 'bad-credentials', message: user?.disabledTs != null && good ? `user "${username}" is disabled: ask an admin` : 'wrong user name or password' });
    }
    const iat = now();
    const exp = iat + ttl;
    const token = issueToken(secret, { sub: user.username, role: user.role, iat, exp });
    audit.append({ actor: user.username, role: user.role, action: 'login', target: null, details: { source }, outcome: 'ok' });
    const principal: Principal = { user: user.username, role: user.role, via: 'token', expiresAt: exp };
    return { ok: true as const, answer: { token, expiresAt: exp, session: session(principal) } };
  }

  function requireRole(principal: Principal, minimum: Role, action: string): Refusal | null {
    if (hasRole(principal.role, minimum)) return null;
    return { status: 403, code: 'forbidden', message: `${action} needs the ${minimum} role or above; "${principal.user}" is ${principal.role}` };
  }

  return {
    mode,
    users,
    authenticate,
    login,
    session,
    requireRole,
    auditRefusal,
    health: () => ({ mode, users: users.count({ enabledOnly: true }), notice: mode === 'demo' ? DEMO_NOTICE : null }),
  };
}
