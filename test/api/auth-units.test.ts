// Pure parts of auth and audit: tokens, passwords, rate limits, the hash chain.
import { describe, expect, it } from 'vitest';
import { checkToken, issueToken } from '../../edge/auth/token.js';
import { hashPassword, verifyPassword } from '../../edge/auth/password.js';
import { createRateLimiter } from '../../edge/auth/rate-limiter.js';
import { canonicalJson } from '../../edge/audit/canonical-json.js';
import { GENESIS_HASH, hashEntry, verifyChain, type AuditRow } from '../../edge/audit/audit-chain.js';
import { hasRole } from '../../shared/auth-api.js';
import { bearerToken, cookieValue } from '../../edge/api/auth-guard.js';
import { isCrossOrigin } from '../../edge/api/security-headers.js';

const secret = Buffer.from('k'.repeat(48));

describe('session tokens', () => {
  const claims = { sub: 'alice', role: 'maintenance' as const, iat: 1_000, exp: 61_000 };

  it('round-trips until it expires', () => {
    const token = issueToken(secret, claims);
    expect(checkToken(secret, token, 60_999)).toEqual({ ok: true, claims });
    expect(checkToken(secret, token, 61_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another key, a changed payload, and garbage', () => {
    const token = issueToken(secret, claims);
    expect(checkToken(Buffer.from('x'.repeat(48)), token, 2_000)).toEqual({ ok: false, reason: 'bad-signature' });
    const [v, , sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(checkToken(secret, `${v}.${forged}.${sig}`, 2_000)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(checkToken(secret, 'not-a-token', 2_000)).toEqual({ ok: false, reason: 'malformed' });
    expect(checkToken(secret, 'v1.' + 'a'.repeat(2000) + '.b', 2_000)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('passwords', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
  });
});

describe('roles', () => {
  it('orders operator < maintenance < manager < admin', () => {
    expect(hasRole('admin', 'maintenance')).toBe(true);
    expect(hasRole('manager', 'maintenance')).toBe(true);
    expect(hasRole('maintenance', 'maintenance')).toBe(true);
    expect(hasRole('operator', 'maintenance')).toBe(false);
    expect(hasRole('operator', 'operator')).toBe(true);
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one per refill interval, per key', () => {
    let t = 0;
    const limiter = createRateLimiter({ capacity: 3, refillMs: 1000, now: () => t });
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([true, true, true, false]);
    expect(limiter.take('b')).toBe(true);
    expect(limiter.retryAfterMs('a')).toBe(1000);
    t = 999;
    expect(limiter.take('a')).toBe(false);
    t = 2000;
    expect(limiter.take('a')).toBe(true);
  });

  it('stays bounded in keys', () => {
    const limiter = createRateLimiter({ capacity: 1, refillMs: 1000, now: () => 0, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`ip${i}`);
    expect(limiter.size()).toBeLessThanOrEqual(100);
  });
});

describe('audit hash chain', () => {
  it('canonical JSON ignores key order and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 1, y: 2 } })).toBe('{"a":[true,null,"x"],"b":1,"d":{"y":2,"z":1}}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/no JSON form/);
  });

  function chain(n: number): AuditRow[] {
    const rows: AuditRow[] = [];
    let prev = GENESIS_HASH;
    for (let id = 1; id <= n; id++) {
      const content = { id, ts: 1000 + id, actor: 'alice', role: 'maintenance', action: 'command.write-setpoint', target: 'mill.speedOverride', detailsJson: `{"value":${90 + id}}`, outcome: 'ok', prevHash: prev };
      const row = { ...content, hash: hashEntry(content) };
      rows.push(row);
      prev = row.hash;
    }
    return rows;
  }

  it('accepts an intact chain', () => {
    const v = verifyChain(chain(5));
    expect(v).toMatchObject({ ok: true, entries: 5, firstBroken: null });
    expect(v.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the entry whose content was changed', () => {
    const rows = chain(5);
    rows[2]!.detailsJson = '{"value":120}';
    expect(verifyChain(rows).firstBroken).toEqual({ id: 3, reason: expect.stringMatching(/content does not match its hash/) });
  });

  it('catches a rewritten entry whose hash was recomputed at the next link', () => {
    const rows = chain(5);
    rows[1]!.outcome = 'refused';
    rows[1]!.hash = hashEntry(rows[1]!);
    expect(verifyChain(rows).firstBroken).toEqual({ id: 3, reason: expect.stringMatching(/prevHash does not match the hash of entry 2/) });
  });

  it('catches a removed entry', () => {
    const rows = chain(5);
    rows.splice(3, 1);
    expect(verifyChain(rows).firstBroken).toEqual({ id: 5, reason: expect.stringMatching(/ids jump from 3 to 5/) });
  });
});

describe('credentials and origins from headers', () => {
  it('reads the session cookie and bearer tokens, and ignores malformed ones', () => {
    expect(cookieValue('a=1; twinline_session=v1.abc.def; b=2', 'twinline_session')).toBe('v1.abc.def');
    expect(cookieValue('twinline_session=%E0%A4%A', 'twinline_session')).toBeNull();
    expect(cookieValue(undefined, 'twinline_session')).toBeNull();
    expect(bearerToken('Bearer v1.a.b')).toBe('v1.a.b');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeNull();
  });

  it('tells same-origin from cross-origin requests', () => {
    expect(isCrossOrigin(undefined, 'edge:8080')).toBe(false);
    expect(isCrossOrigin('http://edge:8080', 'edge:8080')).toBe(false);
    expect(isCrossOrigin('http://evil.example', 'edge:8080')).toBe(true);
    expect(isCrossOrigin('null', 'edge:8080')).toBe(true);
    expect(isCrossOrigin('not a url', 'edge:8080')).toBe(true);
  });
});
