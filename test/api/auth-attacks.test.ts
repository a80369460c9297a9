// The attacks of issue 16 on sessions and the audit log, on a real edge in required-login mode
// (real HTTP, real Socket.IO, real SQLite file, the real CLIs). The edge reads one Modbus device
// that is not there (nothing here needs live data), so no simulator runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../edge/audit/canonical-json.js';
import { parsePlant } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import type { CommandAck } from '../../shared/command-api.js';
import { call, connect, connected, login, type LiveClient } from './api-client.js';
import { TINY_PLANT } from './tiny-plant.js';

const PASSWORD = 'a long enough passphrase';
const NEW_PASSWORD = 'another long passphrase';
const AUDIT_TABLE = 'audit_entries';


let dir: string;
let edge: RunningEdge;
let base: string;
const sockets: LiveClient[] = [];

const cli = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-attacks-'));
  edge = await startEdge({
    plant: parsePlant(TINY_PLANT, 'tiny-plant.yaml'), port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: () => {}, auth: { mode: 'required', secret: 'attack-test-secret-0123456789abcdefgh' },
  });
  base = edge.url;
  for (const [username, role] of [['admin', 'admin'], ['pat', 'maintenance'], ['ron', 'operator'], ['dee', 'operator'], ['lou', 'operator']] as const) {
    await edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
  }
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await edge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function openSocket(token: string) {
  const s = connect(base, { token });
  sockets.push(s);
  const ended: string[] = [];
  s.on('session-ended', (e) => ended.push(e.reason));
  const disconnected = new Promise<string>((resolve) => s.on('disconnect', (reason) => resolve(reason)));
  return { socket: s, ended, disconnected };
}

describe('sessions that can be taken back', () => {
  it('a token stops working at once after `npm run user -- passwd`, on REST and on an open socket', async () => {
    const token = await login(base, 'pat', PASSWORD);
    const live = openSocket(token);
    await connected(live.socket);
    expect((await call(base, '/api/machines', { token })).status).toBe(200);

    const file = join(dir, 'new-password');
    writeFileSync(file, NEW_PASSWORD);
    const run = cli('edge/auth/user-cli.ts', ['passwd', 'pat', '--password-file', file, '--db', join(dir, 'twinline.db')]);
    expect(run.status, run.stderr).toBe(0);

    const after = await call(base, '/api/machines', { token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session-revoked');
    await live.disconnected;
    expect(live.ended.join()).toMatch(/password/);
    expect((await call(base, '/api/machines', { token: await login(base, 'pat', NEW_PASSWORD) })).status).toBe(200);
  });

  it('logout ends the token, not only the cookie', async () => {
    const token = await login(base, 'ron', PASSWORD);
    const live = openSocket(token);
    await connected(live.socket);
    expect((await call(base, '/api/logout', { token, method: 'POST' })).status).toBe(204);
    const after = await call(base, '/api/session', { token });
    expect(after.status).toBe(401);
    await live.disconnected;
    expect(live.ended.join()).toMatch(/logged out/);
  });

  it('a role change or disable ends every session of that user', async () => {
    const a = await login(base, 'dee', PASSWORD);
    const b = await login(base, 'dee', PASSWORD);
    edge.auth.users.setRole('dee', 'maintenance');
    expect((await call(base, '/api/session', { token: a })).status).toBe(401);
    expect((await call(base, '/api/session', { token: b })).status).toBe(401);
    const c = await login(base, 'dee', PASSWORD);
    expect((await call(base, '/api/session', { token: c })).body.role).toBe('maintenance');
    edge.auth.users.setDisabled('dee', Date.now());
    edge.auth.users.setDisabled('dee', null);
    expect((await call(base, '/api/session', { token: c })).status).toBe(401);
  });

  it('`npm run user -- sessions <name>` lists the sessions and --revoke ends them', async () => {
    const token = await login(base, 'lou', PASSWORD);
    const db = join(dir, 'twinline.db');
    const list = cli('edge/auth/user-cli.ts', ['sessions', 'lou', '--db', db]);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/lou.*127\.0\.0\.1.*active/);
    const revoke = cli('edge/auth/user-cli.ts', ['sessions', 'lou', '--revoke', '--db', db]);
    expect(revoke.status, revoke.stderr).toBe(0);
    expect(revoke.stdout).toMatch(/revoked 1 session/);
    expect((await call(base, '/api/session', { token })).status).toBe(401);
  });

  it('a stranger failing logins for admin from another address cannot lock the real admin out', async () => {
    for (let i = 0; i < 20; i++) await edge.auth.login('admin', `guess ${i}`, '10.66.0.7');
    const stranger = await edge.auth.login('admin', PASSWORD, '10.66.0.7');
    expect(stranger).toMatchObject({ ok: false, refusal: { status: 429 } });
    // The real admin, from their own address (this test's 127.0.0.1), still gets in.
    const real = await call(base, '/api/login', { body: { username: 'admin', password: PASSWORD } });
    expect(real.status).toBe(200);
  });
});

describe('PLC writes', () => {
  it('one user sending writes in a loop gets 429 with Retry-After', async () => {
    const token = await login(base, 'admin', PASSWORD);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i++) {
      const answer = await call(base, '/api/commands', { token, body: { kind: 'speed-override', machineId: 'press', percent: 60 + i, reason: 'a script in a loop' } });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter ??= answer.headers.get('retry-after');
    }
    // The device is not there (503) until the user's budget is spent.
    expect(statuses.slice(0, 20).every((s) => s === 503)).toBe(true);
    // The budget comes back at one a second, so a slow run may see one more 503 among them.
    expect(statuses[20]).toBe(429);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 503 || s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('the same over the socket: the acknowledgement says 429 and when to try again', async () => {
    const token = await login(base, 'pat', NEW_PASSWORD);
    const { socket } = openSocket(token);
    await connected(socket);
    // One budget per user, whichever way the writes come: spend it over REST (the socket itself
    // takes 20 messages in a burst, then 10 a second, and would drop the rest unanswered).
    const request = (i: number) => ({ kind: 'speed-override', machineId: 'press', percent: 60 + i, reason: 'a script in a loop' });
    for (let i = 0; i < 20; i++) await call(base, '/api/commands', { token, body: request(i) });
    const acks: CommandAck[] = [];
    for (let i = 0; i < 3; i++) acks.push(await new Promise<CommandAck>((resolve) => socket.emit('command', request(i) as never, resolve)));
    const limited = acks.filter((a) => !a.ok && a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited[0]).toMatchObject({ ok: false, code: 'rate-limited', retryAfterMs: expect.any(Number) });
  });
});

describe('an audit log that notices truncation and rewrites', () => {
  const verify = () => cli('edge/audit/audit-cli.ts', ['verify', '--db', join(dir, 'twinline.db')]);

  it('deleting the last entries fails `npm run audit -- verify` and says what is missing', async () => {
    for (let i = 0; i < 5; i++) edge.audit.append({ actor: 'system', role: null, action: 'test.mark', target: `mark-${i}`, outcome: 'ok' });
    edge.audit.anchor?.();
    expect(verify().status).toBe(0);
    const db = new Database(join(dir, 'twinline.db'));
    db.exec(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_delete`);
    const last = (db.prepare(`SELECT max(id) AS id FROM ${AUDIT_TABLE}`).get() as { id: number }).id;
    db.prepare(`DELETE FROM ${AUDIT_TABLE} WHERE id > ?`).run(last - 3);
    db.close();
    const run = verify();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/missing/);
    expect(run.stderr).toContain(`${last - 2}`);
  });

  it('rewriting an entry and re-hashing the rest of the chain fails verify', async () => {
    const db = new Database(join(dir, 'twinline.db'));
    db.exec(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_update`);
    const rows = db.prepare(`SELECT * FROM ${AUDIT_TABLE} ORDER BY id`).all() as Array<Record<string, any>>;
    // The attacker knows the algorithm (it is open source), not the key.
    let prev = '0'.repeat(64);
    for (const r of rows) {
      if (r.action === 'login' && r.actor === 'admin') r.actor = 'pat';
      const content = { v: 1, id: r.id, ts: r.ts, actor: r.actor, role: r.role, action: r.action, target: r.target, detailsJson: r.details_json, outcome: r.outcome, prevHash: prev };
      const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
      db.prepare(`UPDATE ${AUDIT_TABLE} SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?`).run(r.actor, prev, hash, r.id);
      prev = hash;
    }
    db.close();
    const run = verify();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/BROKEN/);
  });
});

