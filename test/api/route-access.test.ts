// Access declared on the route and decided on the route that matched (issue 16.1 and 16.2), on a
// real edge in required-login mode: real TCP, each spelling of a path written byte for byte. The
// edge reads one Modbus device that is not there (nothing here needs live data): no simulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { createApiApp } from '../../edge/api/http-server.js';
import { call, connect, connected, login } from './api-client.js';
import { checkLiveEventTable, LIVE_EVENT_ACCESS } from '../../edge/live/live-event-access.js';
import type { ProtocolError } from '../../shared/live-protocol.js';
import { rawRequest, spellingsOf } from './raw-http.js';
import { ONE_MACHINE_PLANT } from './one-machine-plant.js';

const PASSWORD = 'a long enough passphrase';


let dir: string;
let edge: RunningEdge;
let base: string;
let host: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-access-'));
  edge = await startEdge({
    plant: parsePlant(ONE_MACHINE_PLANT, 'one-machine.yaml'), port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: () => {}, auth: { mode: 'required', secret: 'access-test-secret-0123456789abcdefghij' },
  });
  base = edge.url;
  host = new URL(base).host;
  await edge.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
  token = await login(base, 'ron', PASSWORD);
}, 60_000);

afterAll(async () => {
  await edge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// One route per area that holds plant data (the ones issue 16 found open), and the alarm list that hung.
const DATA_PATHS = ['/api/machines', '/api/alarms', '/api/history/tags', '/api/kpi/machines', '/api/status', '/api/audit'];

describe('every spelling of a path gets the canonical path\'s answer', () => {
  for (const path of DATA_PATHS) {
    it(`${path}: refused without a session however it is spelled, never answered with data, never hung`, async () => {
      for (const [name, target] of Object.entries(spellingsOf(path, host))) {
        const answer = await rawRequest(base, target);
        expect(answer.status, `${name}: ${target}`).toBe(401);
        expect(JSON.parse(answer.body), `${name}: ${target}`).toMatchObject({ code: 'unauthenticated', error: expect.stringMatching(/log in first/) });
      }
    });
  }

  it('answers each spelling alike with a session (the operator\'s data, or 403 for the manager\'s audit log)', async () => {
    for (const path of DATA_PATHS) {
      const canonical = await rawRequest(base, path, { headers: { authorization: `Bearer ${token}` } });
      expect(canonical.status, path).toBe(path === '/api/audit' ? 403 : 200);
      for (const [name, target] of Object.entries(spellingsOf(path, host))) {
        const answer = await rawRequest(base, target, { headers: { authorization: `Bearer ${token}` } });
        expect(answer.status, `${name}: ${target}`).toBe(canonical.status);
        expect(Object.keys(JSON.parse(answer.body)).sort(), `${name}: ${target}`).toEqual(Object.keys(JSON.parse(canonical.body)).sort());
      }
    }
  });

  it('decides on a path parameter as on its canonical route (a machine id spelled with escapes)', async () => {
    const plain = await rawRequest(base, '/api/machines/press', { headers: { authorization: `Bearer ${token}` } });
    expect(plain.status).toBe(200);
    for (const target of ['/api/machines/%70ress', '/%61pi/machines/press', '/api/x/../machines/press', `http://${host}/api/machines/press/`]) {
      expect((await rawRequest(base, target)).status, target).toBe(401);
      const answer = await rawRequest(base, target, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status, target).toBe(200);
      expect(JSON.parse(answer.body).machineId, target).toBe('press');
    }
  });

  it('answers an unknown /api path 404 in the API\'s error shape, with and without a session, with no data', async () => {
    for (const target of ['/api/nothing-here', '/%61pi/nothing-here', '/api/machines/press/secret', '/api']) {
      for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
        const answer = await rawRequest(base, target, { headers });
        expect(answer.status, target).toBe(404);
        const body = JSON.parse(answer.body);
        expect(body, target).toMatchObject({ code: 'not-found', error: expect.any(String) });
        expect(Object.keys(body).sort()).toEqual(['code', 'error']);
      }
    }
  });

  it('answers what the router refuses (a malformed escape, an over-long parameter) in the API\'s error shape, with the security headers', async () => {
    const bad = await rawRequest(base, '/api/machines/%zz', { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ code: 'bad-url', error: expect.stringMatching(/not valid/) });
    expect(bad.headers['x-content-type-options']).toBe('nosniff');
    const long = await rawRequest(base, `/api/machines/${'p'.repeat(200)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body)).toMatchObject({ code: 'too-long' });
  });
});

describe('one error shape for the whole API', () => {
  it('answers 400, 401, 403, 404 and 413 as {error, code, field?}', async () => {
    const operator = { token };
    const answers = {
      400: await call(base, '/api/history/states/press?from=yesterday', operator),
      401: await call(base, '/api/kpi/line'),
      403: await call(base, '/api/audit', operator),
      404: await call(base, '/api/kpi/machines/lathe', operator),
      413: await call(base, '/api/login', { raw: JSON.stringify({ username: 'ron', password: 'x'.repeat(70_000) }) }),
    };
    for (const [status, answer] of Object.entries(answers)) {
      expect(answer.status).toBe(Number(status));
      expect(answer.body, status).toMatchObject({ error: expect.any(String), code: expect.any(String) });
      expect(Object.keys(answer.body).every((k) => ['error', 'code', 'field', 'details'].includes(k)), status).toBe(true);
    }
    expect(answers[400].body).toMatchObject({ code: 'invalid', field: 'from' });
  });
});

describe('safe by default', () => {
  it('public health says only that the edge is alive; the details need a session', async () => {
    const health = await call(base, '/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect((await call(base, '/api/status')).status).toBe(401);
    const status = await call(base, '/api/status', { token });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ devices: [expect.objectContaining({ deviceId: 'plc' })], auth: { mode: 'required', users: 1 }, historian: expect.any(Object) });
  });
});

describe('the route catalogue', () => {
  it('lists every /api route with its access, and all but health, login and logout need a session', async () => {
    const routes = edge.routes().filter((r) => r.url.startsWith('/api'));
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.every((r) => r.access !== undefined && r.spec !== undefined)).toBe(true);
    expect(routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /api/health', 'POST /api/login', 'POST /api/logout']);
  });

  it('documents the routes from their own definitions (OpenAPI with access)', async () => {
    const doc = await call(base, '/api/openapi.json', { token });
    expect(doc.status).toBe(200);
    expect(doc.body.paths['/api/status'].get['x-access']).toBe('operator');
    expect(doc.body.paths['/api/audit'].get['x-access']).toBe('manager');
    expect(doc.body.paths['/api/health'].get['x-access']).toBe('public');
    const undocumented = Object.values(doc.body.paths as Record<string, Record<string, { 'x-undocumented'?: boolean }>>).flatMap((ops) => Object.values(ops)).filter((op) => op['x-undocumented']);
    expect(undocumented).toEqual([]);
  });
});

describe('deny by default', () => {
  const app = () => createApiApp({ auth: edge.auth, log: () => {} });

  it('refuses to start with a route under /api that does not say who may call it, naming the route', async () => {
    const start = async () => {
      const a = app();
      await a.register(async (plugin) => {
        plugin.get('/api/forgotten/:id', async () => ({ secret: true }));
      });
      await a.ready();
    };
    await expect(start()).rejects.toThrow(/route GET \/api\/forgotten\/:id does not declare who may call it/);
  });

  it('refuses a declaration that is not public or a role', async () => {
    const start = async () => {
      const a = app();
      a.get('/api/typo', { config: { access: 'operater' as never } }, async () => ({}));
      await a.ready();
    };
    await expect(start()).rejects.toThrow(/declares access "operater"/);
  });

  it('starts with every route declared, and serves pages outside /api without a declaration', async () => {
    const a = app();
    a.get('/api/fine', { config: { access: 'public' } }, async () => ({ fine: true }));
    a.get('/page', async () => 'a page');
    await a.ready();
    expect((await a.inject({ url: '/API/fine/' })).json()).toEqual({ fine: true });
    expect((await a.inject({ url: '/page' })).body).toBe('a page');
    await a.close();
  });
});

describe('Socket.IO events declare access too', () => {
  it('has a table entry for every event of the protocol, and the live server checks it at startup', () => {
    expect(Object.keys(LIVE_EVENT_ACCESS).sort()).toEqual(['command', 'join', 'leave']);
    expect(() => checkLiveEventTable(['join', 'leave', 'command', 'export-all'])).toThrow(/"export-all" is handled but does not declare who may send it/);
    expect(() => checkLiveEventTable(['join', 'leave'])).toThrow(/"command" is declared .* no handler/);
    expect(() => checkLiveEventTable(['join'], { join: 'visitor' })).toThrow(/declares access "visitor"/);
    expect(() => checkLiveEventTable(['join', 'leave', 'command'])).not.toThrow();
  });

  it('refuses a connection without a session, and an undeclared event on a connected socket', async () => {
    await expect(connected(connect(base, {}))).rejects.toThrow(/log in first/);
    const socket = connect(base, { token, autoJoin: false });
    try {
      await connected(socket);
      const refused = new Promise<ProtocolError>((resolve) => socket.on('protocol-error', resolve));
      (socket as unknown as { emit(event: string): void }).emit('export-all');
      expect(await refused).toMatchObject({ event: 'export-all', error: expect.stringMatching(/unknown event/) });
    } finally {
      socket.disconnect();
    }
  });
});
