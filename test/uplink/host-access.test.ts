// Host mode, attacked as an edge is (issue 16.1/16.2): every line's API under /lines/<group>/<node>/
// and the plant API on the main port give each spelling of a path the canonical path's answer, and
// a WebSocket upgrade to a line's live feed needs a session. A real host in required-login mode,
// a real broker and a real Sparkplug edge node (the plant model fed by the test, no PLCs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { parseHostConfig } from '../../edge/host/host-config.js';
import { startHost, type RunningHost } from '../../edge/host/host-runtime.js';
import { createEdgeNode, type EdgeNode } from '../../edge/uplink/edge-node.js';
import { UplinkSettingsSchema } from '../../shared/uplink-config.js';
import { ONE_MACHINE_PLANT } from '../api/one-machine-plant.js';
import { login } from '../api/api-client.js';
import { rawRequest } from '../api/raw-http.js';
import { waitFor } from '../support/wait-for.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import { modelLine } from './support/model-line.js';

const GROUP = 'Plant1';
const NODE = 'line-a';
const PASSWORD = 'a long enough passphrase';

let dir: string;
let broker: TestBroker;
let host: RunningHost;
let edge: EdgeNode;
let base: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-host-access-'));
  broker = await startTestBroker();
  host = await startHost({
    config: parseHostConfig({
      host: { id: 'scada', groups: [GROUP] },
      broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
      http: { port: 0, host: '127.0.0.1' },
      auth: { mode: 'required' },
    }, 'host-access.yaml'),
    dataDir: join(dir, 'host'), uiDir: join(dir, 'no-ui'), configDir: dir, log: () => {},
    env: { TWINLINE_SECRET: 'host-access-secret-0123456789abcdefghijkl' },
  });
  base = host.url;
  const line = modelLine(parsePlant(ONE_MACHINE_PLANT, 'one-machine.yaml'), Date.now());
  edge = createEdgeNode({
    settings: UplinkSettingsSchema.parse({ broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 }, groupId: GROUP, edgeNodeId: NODE, primaryHostId: 'scada', publishIntervalMs: 20 }),
    source: line.source, dataDir: join(dir, 'edge'), log: () => {},
  });
  line.sink = edge;
  line.allRunning();
  edge.start();
  await waitFor('the line served by the host', () => host.line(`${GROUP}/${NODE}`), 20_000);
  await host.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
  token = await login(base, 'ron', PASSWORD);
}, 60_000);

afterAll(async () => {
  await edge?.stop();
  await host?.stop();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const LINE = `/lines/${GROUP}/${NODE}`;

function lineSpellings(rest: string, hostHeader: string): Record<string, string> {
  return {
    canonical: `${LINE}${rest}`,
    'percent-encoded prefix': `/%6Cines/${GROUP}/${NODE}${rest}`,
    'percent-encoded inside the line': `${LINE}${rest.replace('/api/', '/%61pi/')}`,
    'upper-case prefix': `/LINES/${GROUP}/${NODE}${rest}`,
    'absolute-form': `http://${hostHeader}${LINE}${rest}`,
    'doubled slashes': `//lines//${GROUP}//${NODE}/${rest}`,
    'dot segments before': `/x/../lines/${GROUP}/${NODE}${rest}`,
    'dot segments inside': `${LINE}/api/../${rest.slice(1)}`,
    'encoded dot segments': `${LINE}/x/%2e%2e${rest}`,
    'trailing slash': `${LINE}${rest}/`,
  };
}

describe('a line\'s API through the host\'s main port', () => {
  it('refuses every spelling of a line\'s data route without a session, and answers each alike with one', async () => {
    const hostHeader = new URL(base).host;
    for (const rest of ['/api/machines', '/api/status', '/api/history/tags']) {
      for (const [name, target] of Object.entries(lineSpellings(rest, hostHeader))) {
        const none = await rawRequest(base, target);
        expect(none.status, `${name}: ${target}`).toBe(401);
        expect(JSON.parse(none.body).code, `${name}: ${target}`).toBe('unauthenticated');
        const withSession = await rawRequest(base, target, { headers: { authorization: `Bearer ${token}` } });
        expect(withSession.status, `${name}: ${target}`).toBe(200);
      }
    }
  });

  it('climbing out of a line with dot segments lands on the plant API, which needs a session too', async () => {
    for (const target of [`${LINE}/../../../api/lines`, `${LINE}/%2e%2e/%2e%2e/%2e%2e/api/lines`]) {
      expect((await rawRequest(base, target)).status, target).toBe(401);
      const answer = await rawRequest(base, target, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status, target).toBe(200);
      expect(JSON.parse(answer.body).lines.map((l: { key: string }) => l.key)).toEqual([`${GROUP}/${NODE}`]);
    }
  });

  it('health on the main port and on a line says only "ok"; status needs a session', async () => {
    for (const prefix of ['', LINE]) {
      expect(JSON.parse((await rawRequest(base, `${prefix}/api/health`)).body)).toEqual({ status: 'ok' });
      expect((await rawRequest(base, `${prefix}/api/status`)).status).toBe(401);
    }
  });
});

/** The status line of a WebSocket upgrade request, written byte for byte. */
function upgradeStatus(target: string, headers: Record<string, string> = {}): Promise<number | 'hang'> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: url.hostname, port: Number(url.port) });
    const timer = setTimeout(() => { socket.destroy(); resolve('hang'); }, 3000);
    socket.on('connect', () => socket.write(
      `GET ${target} HTTP/1.1\r\nhost: ${url.host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n` +
      `${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`,
    ));
    socket.once('data', (c: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Number(c.toString('latin1').split(' ')[1]));
    });
    socket.on('error', () => undefined);
  });
}

describe('a line\'s live feed through the host', () => {
  const feed = '/socket.io/?EIO=4&transport=websocket';

  it('refuses the WebSocket upgrade without a session, however the path is spelled', async () => {
    for (const target of [`${LINE}${feed}`, `/%6Cines/${GROUP}/${NODE}${feed}`, `//lines/${GROUP}/${NODE}/x/..${feed}`, `/LINES/${GROUP}/${NODE}${feed}`]) {
      expect(await upgradeStatus(target), target).toBe(401);
      expect(await upgradeStatus(target, { authorization: 'Bearer v1.forged.token' }), target).toBe(401);
      expect(await upgradeStatus(target, { authorization: `Bearer ${token}` }), target).toBe(101);
    }
  });

  it('lets a logged-in client (bearer header or session cookie) follow the line', async () => {
    for (const extraHeaders of [{ authorization: `Bearer ${token}` }, { cookie: `twinline_session=${encodeURIComponent(token)}` }] as Record<string, string>[]) {
      const socket = io(base, { path: `${LINE}/socket.io`, transports: ['websocket'], reconnection: false, extraHeaders, auth: { token } });
      try {
        const snapshot = await new Promise<{ plant: { line: { id: string } } }>((resolve, reject) => {
          socket.once('snapshot', resolve);
          socket.once('connect_error', reject);
        });
        expect(snapshot.plant.line.id).toBe('line-a');
      } finally {
        socket.disconnect();
      }
    }
  });
});

describe('HTTPS on the host (--tls-cert/--tls-key)', () => {
  it('serves the plant port over TLS, and the session cookie is Secure', async () => {
    const keyFile = join(dir, 'host-tls.key');
    const certFile = join(dir, 'host-tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const cert = readFileSync(certFile);
    const secure = await startHost({
      config: parseHostConfig({
        host: { id: 'scada-tls', groups: ['OtherGroup'] },
        broker: { url: broker.url, reconnectMinMs: 50, reconnectMaxMs: 300 },
        http: { port: 0, host: '127.0.0.1' },
        auth: { mode: 'required' },
      }, 'host-tls.yaml'),
      dataDir: join(dir, 'host-tls'), uiDir: join(dir, 'no-ui'), configDir: dir, log: () => {},
      env: { TWINLINE_SECRET: 'host-access-secret-0123456789abcdefghijkl' }, tls: { cert, key: readFileSync(keyFile) },
    });
    try {
      expect(secure.url).toMatch(/^https:/);
      await secure.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
      const ask = (path: string, method = 'GET', body?: string) => new Promise<{ status: number; cookie: string; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: new URL(secure.url).port, path, method, ca: cert, servername: 'localhost', headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode!, cookie: String(res.headers['set-cookie'] ?? ''), body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(JSON.parse((await ask('/api/health')).body)).toEqual({ status: 'ok' });
      expect((await ask('/api/lines')).status).toBe(401);
      const login = await ask('/api/login', 'POST', JSON.stringify({ username: 'ron', password: PASSWORD }));
      expect(login.status).toBe(200);
      expect(login.cookie).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
    } finally {
      await secure.stop();
    }
  }, 30_000);
});
