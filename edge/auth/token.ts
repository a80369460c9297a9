// Session tokens: `v1.<payload>.<signature>`, payload = base64url JSON {sub, role, iat, exp, sid},
// signature = HMAC-SHA256(secret, "v1." + payload). The signature proves the edge issued it; the
// session it names (sid, edge/auth/session-store.ts) is looked up on every use, so that logout,
// a password or role change and disabling an account end it at once. Pure: the clock is passed in.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RoleSchema, type Role } from '../../shared/auth-api.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** Issued at, expires at: epoch ms. */
  iat: number;
  exp: number;
  /** The session (auth_sessions.id). Tokens issued before sessions existed have none and are refused by the auth service. */
  sid?: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

const PREFIX = 'v1';
/** Tokens are bounded: a header of megabytes must not reach the HMAC. */
export const MAX_TOKEN_LENGTH = 1024;

function sign(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(`${PREFIX}.${body}`).digest('base64url');
}

export function issueToken(secret: Buffer, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}.${body}.${sign(secret, body)}`;
}

export function checkToken(secret: Buffer, token: string, now: number): TokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: 'malformed' };
  const [, body, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let claims: TokenClaims;
  try {
    const raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const role = RoleSchema.safeParse(raw.role);
    if (typeof raw.sub !== 'string' || !role.success || typeof raw.iat !== 'number' || typeof raw.exp !== 'number') return { ok: false, reason: 'malformed' };
    if (raw.sid !== undefined && typeof raw.sid !== 'string') return { ok: false, reason: 'malformed' };
    claims = { sub: raw.sub, role: role.data, iat: raw.iat, exp: raw.exp, ...(raw.sid !== undefined ? { sid: raw.sid as string } : {}) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (now >= claims.exp) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
