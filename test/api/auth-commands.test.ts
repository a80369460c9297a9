// Auth, roles and audited commands end to end: the real simulator (OPC UA + Modbus TCP), the
// real edge in 'required' mode, real HTTP and real Socket.IO clients, the real SQLite file.
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, CommandAck } from '../../shared/command-api.js';
import type { LineDelta, ProtocolError } from '../../shared/live-protocol.js';
import { CSRF_HEADER, type Session } from '../../shared/auth-api.js';
import { startLine, waitFor, type LineHarness } from '../support/line-harness.js';
import { call, connect, connected, login, type LiveClient } from './api-client.js';

let line: LineHarness;
let base: string;
const tokens: Record<string, string> = {};
const sockets: LiveClient[] = [];
const PASSWORD = 'a long enough passphrase';

beforeAll(async () => {
  line = await startLine({
    timeScale: 5, seed: 3,
    auth: { mode: 'required', secret: 'integration-test-secret-0123456789abcdef', readBackTimeoutMs: 10_000 },
  });
  base = line.edge.url;
  for (const [username, role] of [['olga', 'operator'], ['max', 'maintenance'], ['mia', 'manager'], ['lock', 'operator']] as const) {
    await line.edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
  }
  for (const u of ['olga', 'max', 'mia']) tokens[u] = await login(base, u, PASSWORD);
  await waitFor('both devices connected', () => line.edge.devices().every((d) => d.connected), 30_000);
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await line?.stop();
});

const open = (auth: Record<string, unknown> = {}, headers?: Record<string, string>) => {
  const s = connect(base, auth, headers);
  sockets.push(s);
  return s;
};

async function auditEntries(filter: { action?: string; actor?: string } = {}): Promise<AuditEntry[]> {
  const q = new URLSearchParams({ limit: '1000', ...filter });
  const answer = await call<{ entries: AuditEntry[] }>(base, `/api/audit?${q}`, { token: tokens.mia });
  expect(answer.status).toBe(200);
  return answer.body.entries;
}

const command = (socket: LiveClient, request: unknown) =>
  new Promise<CommandAck>((resolve) => socket.emit('command', request as never, resolve));

describe('authentication', () => {
  it('answers health without a session, saying only that the edge is alive; status says auth is required', async () => {
    const health = await call(base, '/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const status = await call(base, '/api/status', { token: tokens.olga });
    expect(status.body.auth).toEqual({ mode: 'required', users: 4, notice: null });
  });

  it('refuses REST calls without a valid token, and audits each refusal', async () => {
    const none = await call(base, '/api/machines');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthenticated');
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const forged = await call(base, '/api/machines', { token: `${tokens.olga!.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('token-invalid');
    const write = await call(base, '/api/commands', { body: { kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'tuning' } });
    expect(write.status).toBe(401);

    const refused = await auditEntries({ action: 'api.refused' });
    expect(refused.map((e) => e.target)).toEqual(expect.arrayContaining(['GET /api/machines', 'POST /api/commands']));
    expect(refused.every((e) => e.outcome === 'refused' && e.actor === 'anonymous')).toBe(true);
    expect(refused.find((e) => e.target === 'POST /api/commands')!.details).toMatchObject({ code: 'unauthenticated', source: '127.0.0.1' });
  });

  it('refuses sockets without a valid token, and audits it', async () => {
    await expect(connected(open())).rejects.toThrow(/log in first/);
    await expect(connected(open({ token: 'v1.bogus.token' }))).rejects.toThrow(/not valid/);
    const refused = await auditEntries({ action: 'socket.refused' });
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.map((e) => (e.details as { code: string }).code)).toEqual(expect.arrayContaining(['unauthenticated', 'token-invalid']));
  });

  it('lets a logged-in user read, and tells the socket who it is', async () => {
    const machines = await call(base, '/api/machines', { token: tokens.olga });
    expect(machines.status).toBe(200);
    expect(machines.body.machines).toHaveLength(line.plant.machines.length);
    const session = await call<Session>(base, '/api/session', { token: tokens.max });
    expect(session.body).toMatchObject({ user: 'max', role: 'maintenance', via: 'token', demo: null });

    const socket = open({ token: tokens.olga });
    let who: Session | undefined;
    let delta: LineDelta | undefined;
    socket.on('session', (s) => { who = s; });
    socket.on('delta', (d) => { delta = d; });
    await connected(socket);
    await waitFor('session and a delta', () => who && delta);
    expect(who).toMatchObject({ user: 'olga', role: 'operator' });
  });

  it('audits logins, good and bad', async () => {
    const bad = await call(base, '/api/login', { body: { username: 'olga', password: 'wrong password!' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('wrong user name or password');
    const entries = await auditEntries({ action: 'login' });
    expect(entries.some((e) => e.actor === 'olga' && e.outcome === 'ok')).toBe(true);
    expect(entries.some((e) => e.target === 'olga' && e.outcome === 'refused' && e.actor === 'anonymous')).toBe(true);
  });
});

describe('commands', () => {
  it('refuses a setpoint write from an operator, over REST and over the socket, and audits both', async () => {
    const rest = await call(base, '/api/commands', { token: tokens.olga, body: { kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'go slower' } });
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ code: 'forbidden', error: expect.stringMatching(/maintenance role/) });
    const socket = open({ token: tokens.olga, autoJoin: false });
    await connected(socket);
    const ack = await command(socket, { kind: 'reset-fault', machineId: 'mill', reason: 'clear it' });
    expect(ack).toMatchObject({ ok: false, status: 403, code: 'forbidden' });
    const refused = (await auditEntries({ actor: 'olga' })).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.action, e.details?.transport])).toEqual(expect.arrayContaining([['command.speed-override', 'rest'], ['command.reset-fault', 'socket']]));
  });

  it('writes a speed override within limits, reads it back through the model, and audits request and outcome', async () => {
    const before = line.sim.machines().find((m) => m.id === 'washer')!.speedOverride;
    const target = before === 80 ? 85 : 80;
    const answer = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'speed-override', machineId: 'washer', percent: target, reason: 'washer runs hot, slow it down' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ kind: 'speed-override', outcome: 'done', readBack: { confirmed: true, observed: target } });
    // the device really holds it (Modbus holding register → simulator model)
    expect(line.sim.machines().find((m) => m.id === 'washer')!.speedOverride).toBe(target);
    expect(line.edge.machines().find((m) => m.machineId === 'washer')!.tags.speedOverride!.value).toBe(target);

    const entries = (await auditEntries({ actor: 'max' })).filter((e) => e.target === 'washer.speedOverride');
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([['command.speed-override.requested', 'ok'], ['command.speed-override', 'ok']]);
    expect(entries[1]!.id).toBe(answer.body.auditId);
    expect(entries[1]!.details).toMatchObject({ value: target, reason: 'washer runs hot, slow it down', readBack: { confirmed: true } });
  });

  it('writes an OPC UA setpoint through the socket and reads it back', async () => {
    const socket = open({ token: tokens.mia, autoJoin: false });
    await connected(socket);
    const ack = await command(socket, { kind: 'write-setpoint', machineId: 'mill', tag: 'speedOverride', value: 95, reason: 'manager trial run' });
    expect(ack).toMatchObject({ ok: true, result: { outcome: 'done', readBack: { confirmed: true, observed: 95 } } });
    expect(line.sim.machines().find((m) => m.id === 'mill')!.speedOverride).toBe(95);
  });

  it('refuses writes outside the limits, to read-only tags, and without a reason — nothing reaches the device', async () => {
    const millBefore = line.sim.machines().find((m) => m.id === 'mill')!.speedOverride;
    const high = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'speed-override', machineId: 'mill', percent: 150, reason: 'faster please' } });
    expect(high.status).toBe(422);
    expect(high.body).toMatchObject({ code: 'write-refused', field: 'percent', error: expect.stringMatching(/150 is above the limit 120 %/) });
    const readOnly = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'write-setpoint', machineId: 'mill', tag: 'totalCount', value: 0, reason: 'reset the counter' } });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.error).toMatch(/does not mark this tag writable/);
    const noReason = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'speed-override', machineId: 'mill', percent: 90 } });
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ code: 'invalid', field: 'reason' });
    const unknownTag = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'write-setpoint', machineId: 'mill', tag: 'nope', value: 1, reason: 'why not' } });
    expect(unknownTag.status).toBe(404);
    expect(line.sim.machines().find((m) => m.id === 'mill')!.speedOverride).toBe(millBefore);

    const refused = (await auditEntries({ actor: 'max' })).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => e.target)).toEqual(expect.arrayContaining(['mill', 'mill.totalCount', 'mill.nope']));
    expect(refused.find((e) => e.target === 'mill')!.details).toMatchObject({ code: 'write-refused', percent: 150 });
  });

  it('resets a real fault and confirms it by the fault clearing', async () => {
    line.sim.model.injectBreakdown('loader', 42, 3_600_000, 'gripper jam');
    await waitFor('the edge to see the loader fault', () => line.edge.machines().find((m) => m.machineId === 'loader')!.faultCode === 42, 15_000);
    const socket = open({ token: tokens.max, autoJoin: false });
    await connected(socket);
    const ack = await command(socket, { kind: 'reset-fault', machineId: 'loader', reason: 'jam cleared by hand' });
    expect(ack).toMatchObject({ ok: true, result: { kind: 'reset-fault', outcome: 'done', readBack: { confirmed: true, expected: 'no active fault' } } });
    expect(line.edge.machines().find((m) => m.machineId === 'loader')!.state).not.toBe('down');
    // nothing to reset now
    const again = await command(socket, { kind: 'reset-fault', machineId: 'loader', reason: 'once more' });
    expect(again).toMatchObject({ ok: false, status: 409, code: 'no-fault' });
  });

  it('routes alarm commands to the alarm engine, operator and up, audited', async () => {
    const key = line.edge.alarms.engine.points.find((p) => p.machineId === 'mill' && p.rule.id === 'fault')!.key;
    try {
      const shelved = await call(base, '/api/commands', { token: tokens.olga, body: { kind: 'shelve-alarm', alarmKey: key, minutes: 1, reason: 'maintenance on the mill' } });
      expect(shelved.status).toBe(200);
      expect(line.edge.alarms.engine.view(key)!.shelved).toMatchObject({ by: 'olga', reason: 'maintenance on the mill' });
      const missing = await call(base, '/api/commands', { token: tokens.olga, body: { kind: 'ack-alarm', alarmKey: 'nope@mill' } });
      expect(missing.status).toBe(404);
      const nothing = await call(base, '/api/commands', { token: tokens.olga, body: { kind: 'ack-alarm', alarmKey: key } });
      expect(nothing.status).toBe(409);
      const entries = (await auditEntries({ actor: 'olga' })).filter((e) => e.action === 'command.ack-alarm' || e.action === 'command.shelve-alarm');
      expect(entries.map((e) => `${e.action} ${e.outcome}`)).toEqual(['command.shelve-alarm ok', 'command.ack-alarm refused', 'command.ack-alarm refused']);
    } finally {
      line.edge.alarms.unshelve(key, 'test');
    }
  });
});

describe('hardening', () => {
  it('rejects malformed and oversized socket messages without disturbing other clients', async () => {
    const watcher = open({ token: tokens.olga });
    let deltas = 0;
    watcher.on('delta', () => { deltas++; });
    await connected(watcher);

    const rude = open({ token: tokens.olga, autoJoin: false });
    const errors: ProtocolError[] = [];
    rude.on('protocol-error', (e) => errors.push(e));
    await connected(rude);
    const ack = await new Promise((resolve) => rude.emit('join', { room: 'machine', id: 'mill', extra: 1 } as never, resolve));
    expect(ack).toMatchObject({ ok: false, field: 'extra' });
    (rude as any).emit('launch-missiles', { now: true });
    const badCommand = await command(rude, { kind: 'write-setpoint', machineId: 'mill', tag: 'speedOverride', value: { $gt: 1 }, reason: 'x'.repeat(10) });
    expect(badCommand).toMatchObject({ ok: false, status: 400, code: 'invalid', field: 'value' });
    await waitFor('a protocol error', () => errors.length > 0);
    expect(errors[0]).toMatchObject({ event: 'join', field: 'extra' });
    expect(rude.connected).toBe(true);

    const huge = open({ token: tokens.olga, autoJoin: false });
    await connected(huge);
    const closed = new Promise<string>((resolve) => huge.on('disconnect', (reason) => resolve(reason)));
    huge.emit('join', { room: 'machine', id: 'x'.repeat(100_000) } as never);
    expect(await closed).toMatch(/transport close|transport error/);

    const seen = deltas;
    await waitFor('the watcher to keep receiving deltas', () => deltas > seen + 3, 10_000);
    expect(watcher.connected).toBe(true);
    expect(rude.connected).toBe(true);
  });

  it('rejects malformed and oversized REST bodies with a clear answer', async () => {
    const garbage = await call(base, '/api/commands', { token: tokens.max, raw: '{"kind": "speed-override",' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toBeTruthy();
    const unknownKind = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'self-destruct' } });
    expect(unknownKind.status).toBe(400);
    expect(unknownKind.body).toMatchObject({ code: 'invalid', field: 'kind' });
    const big = await call(base, '/api/commands', { token: tokens.max, body: { kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'x'.repeat(100_000) } });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('too-large');
    const longPassword = await call(base, '/api/login', { body: { username: 'max', password: 'p'.repeat(300) } });
    expect(longPassword.status).toBe(400);
    expect(longPassword.body.field).toBe('password');
  });

  it('sends security headers, keeps CORS closed and refuses other origins', async () => {
    const health = await call(base, '/api/health');
    expect(health.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await call(base, '/api/commands', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const crossLogin = await call(base, '/api/login', { body: { username: 'max', password: PASSWORD }, headers: { origin: 'http://evil.example' } });
    expect(crossLogin.status).toBe(403);
    await expect(connected(open({ token: tokens.olga }, { origin: 'http://evil.example' }))).rejects.toThrow();
  });

  it('honours the session cookie for writes only with the twin request header', async () => {
    const res = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'max', password: PASSWORD }) });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const request = { kind: 'speed-override', machineId: 'mill', percent: 95, reason: 'cookie write check' };
    const read = await call(base, '/api/machines', { headers: { cookie } });
    expect(read.status).toBe(200);
    // What a forged form could send: the browser adds the cookie, but no custom header.
    const forged = await call(base, '/api/commands', { body: request, headers: { cookie } });
    expect(forged.status).toBe(401);
    const twin = await call(base, '/api/commands', { body: request, headers: { cookie, [CSRF_HEADER]: '1' } });
    expect(twin.status).toBe(200);
    expect(twin.body).toMatchObject({ kind: 'speed-override', outcome: 'done' });
    const crossSite = await call(base, '/api/commands', { body: request, headers: { cookie, [CSRF_HEADER]: '1', origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
  });

  it('serves the OpenAPI document built from the zod schemas, to logged-in users', async () => {
    expect((await call(base, '/api/openapi.json')).status).toBe(401);
    const doc = await call(base, '/api/openapi.json', { token: tokens.olga });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const post = doc.body.paths['/api/commands'].post;
    const kinds = post.requestBody.content['application/json'].schema.oneOf.map((s: any) => s.properties.kind.const);
    expect(kinds).toEqual(['ack-alarm', 'shelve-alarm', 'write-setpoint', 'reset-fault', 'speed-override']);
    expect(post['x-access']).toBe('operator');
    expect(doc.body.paths['/api/history/tags/{tag}'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['tag', 'from', 'to', 'maxPoints']));
    expect(doc.body.paths['/api/login'].post.security).toEqual([]);
    const page = await fetch(`${base}/api/docs`, { headers: { authorization: `Bearer ${tokens.olga}` } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/api/commands');
  });

  it('rate-limits failed logins per user name', async () => {
    for (let i = 0; i < 5; i++) expect((await call(base, '/api/login', { body: { username: 'lock', password: `guess number ${i}` } })).status).toBe(401);
    const limited = await call(base, '/api/login', { body: { username: 'lock', password: PASSWORD } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // other users are not locked out
    expect((await call(base, '/api/login', { body: { username: 'max', password: PASSWORD } })).status).toBe(200);
  });
});

describe('audit log', () => {
  it('is readable by managers only and verifies intact', async () => {
    expect((await call(base, '/api/audit', { token: tokens.max })).status).toBe(403);
    const verdict = await call(base, '/api/audit/verify', { token: tokens.mia });
    expect(verdict.body).toMatchObject({ ok: true, firstBroken: null });
    expect(verdict.body.entries).toBeGreaterThan(10);
  });

  it('npm run audit -- verify names a tampered entry', () => {
    const file = `${line.dir}/twinline.db`;
    const db = new Database(file);
    const target = db.prepare("SELECT id FROM audit_entries WHERE action = 'command.speed-override' AND outcome = 'ok' ORDER BY id LIMIT 1").get() as { id: number };
    // the table refuses changes…
    expect(() => db.prepare('DELETE FROM audit_entries WHERE id = ?').run(target.id)).toThrow(/append-only/);
    // …so someone with the file drops the guard and "corrects" the record of what was written
    db.exec('DROP TRIGGER audit_entries_no_update');
    db.prepare("UPDATE audit_entries SET details_json = replace(details_json, 'slow it down', 'speed it up') WHERE id = ?").run(target.id);
    db.close();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'edge/audit/audit-cli.ts', 'verify', '--db', file], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`audit log BROKEN at entry ${target.id}`);
    expect(run.stderr).toMatch(/changed after it was written/);
  });
});
