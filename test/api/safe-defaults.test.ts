// Safe by default to deploy (issue 16.6), on real edges: owner-only files, demo mode only where it
// was asked for, HTTPS with a Secure cookie (a self-signed certificate made here with openssl), and
// a real edge process that exits 1 on a fatal error with its database intact.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { demoModeOf, DEMO_PLANT_FILE } from '../../edge/demo-mode.js';
import { startEdge, type RunningEdge } from '../../edge/edge-runtime.js';
import { ONE_MACHINE_PLANT } from './one-machine-plant.js';

const PASSWORD = 'a long enough passphrase';
const SECRET = 'safe-defaults-secret-0123456789abcdefghij';
const mode = (file: string) => statSync(file).mode & 0o777;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-safe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plant = () => parsePlant(ONE_MACHINE_PLANT, 'one-machine.yaml');

describe('owner-only files', () => {
  it('creates the data folder 0700 and the database, its WAL, the keys and backups 0600 (whatever the umask)', async () => {
    expect(process.umask() & 0o077).not.toBe(0o077); // the test process would create group/world-readable files itself
    const dataDir = join(dir, 'data');
    const edge = await startEdge({
      plant: plant(), port: 0, host: '127.0.0.1', dataDir, dbFile: join(dataDir, 'twinline.db'), uiDir: join(dir, 'no-ui'), log: () => {},
      auth: { mode: 'required' },
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      const files = readdirSync(dataDir).filter((f) => /\.(db|db-wal|key)$/.test(f));
      expect(files).toEqual(expect.arrayContaining(['twinline.db', 'twinline.db-wal', 'secret.key']));
      for (const f of files) expect(`${f} ${mode(join(dataDir, f)).toString(8)}`).toBe(`${f} 600`);
      const backup = await edge.historian.backupNow();
      expect(mode(backup)).toBe(0o600);
      expect(mode(join(backup, '..'))).toBe(0o700);
    } finally {
      await edge.stop();
    }
  });
});

describe('demo mode only where it was asked for', () => {
  it('takes TWINLINE_DEMO=1 on the demo plant, refuses it on another plant, and always takes an explicit --demo', () => {
    const other = join(dir, 'my-plant.yaml');
    writeFileSync(other, readFileSync(DEMO_PLANT_FILE));
    expect(demoModeOf({ demoFlag: false, env: '1', plantFile: 'config/demo-plant.yaml' })).toBe(true);
    expect(demoModeOf({ demoFlag: false, env: undefined, plantFile: 'config/demo-plant.yaml' })).toBe(false);
    expect(() => demoModeOf({ demoFlag: false, env: '1', plantFile: other })).toThrow(/is not the demo plant: pass --demo if you really mean it/);
    expect(demoModeOf({ demoFlag: true, env: undefined, plantFile: other })).toBe(true);
  });

  it('the edge refuses to start (exit 2) with TWINLINE_DEMO=1 on a plant that is not the demo\'s', async () => {
    const plantFile = join(dir, 'real-plant.yaml');
    writeFileSync(plantFile, JSON.stringify(ONE_MACHINE_PLANT));
    const run = await runEdge(['--plant', plantFile, '--port', '0', '--host', '127.0.0.1', '--data', join(dir, 'demo-refused')], { TWINLINE_DEMO: '1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TWINLINE_DEMO=1 asks for demo mode.*is not the demo plant/);
  });
});

describe('HTTPS with --tls-cert/--tls-key', () => {
  let edge: RunningEdge;
  let cert: Buffer;
  beforeAll(async () => {
    const keyFile = join(dir, 'tls.key');
    const certFile = join(dir, 'tls.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = readFileSync(certFile);
    const dataDir = join(dir, 'tls-data');
    edge = await startEdge({
      plant: plant(), port: 0, host: '127.0.0.1', dataDir, dbFile: join(dataDir, 'twinline.db'), uiDir: join(dir, 'no-ui'), log: () => {},
      auth: { mode: 'required', secret: SECRET }, tls: { cert, key: readFileSync(keyFile) },
    });
    await edge.auth.users.add({ username: 'ron', role: 'operator', password: PASSWORD, now: Date.now() });
  }, 60_000);
  afterAll(async () => edge?.stop());

  const https = (path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const url = new URL(path, edge.url);
      const req = request({ host: '127.0.0.1', port: url.port, path: url.pathname, method: options.method ?? 'GET', ca: cert, servername: 'localhost', headers: options.headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end(options.body);
    });

  it('serves the API over TLS, and the session cookie is Secure', async () => {
    expect(edge.url).toMatch(/^https:/);
    expect(JSON.parse((await https('/api/health')).body)).toEqual({ status: 'ok' });
    const login = await https('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ron', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/twinline_session=.+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure/);
    const { token } = JSON.parse(login.body) as { token: string };
    expect((await https('/api/machines', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('carries the live feed over wss with a session', async () => {
    const token = JSON.parse((await https('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ron', password: PASSWORD }) })).body).token as string;
    const socket = io(edge.url, { transports: ['websocket'], reconnection: false, auth: { token }, ca: cert, rejectUnauthorized: true } as never);
    try {
      const session = await new Promise<{ user: string }>((resolve, reject) => {
        socket.once('session', resolve);
        socket.once('connect_error', reject);
      });
      expect(session.user).toBe('ron');
    } finally {
      socket.disconnect();
    }
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const plain = await fetch(edge.url.replace('https:', 'http:') + '/api/health').then((r) => r.status, () => 'refused');
    expect(plain).not.toBe(200);
  });
});

describe('a fatal error ends the process', () => {
  it('exits 1 on an unhandled rejection after start, says so, and leaves an intact database', async () => {
    const plantFile = join(dir, 'crash-plant.yaml');
    writeFileSync(plantFile, JSON.stringify(ONE_MACHINE_PLANT));
    const data = join(dir, 'crash-data');
    const run = await runEdge(['--plant', plantFile, '--port', '0', '--host', '127.0.0.1', '--data', data, '--demo'], {}, ['--import', './test/fixtures/crash-after-start.mjs']);
    expect(run.stdout).toMatch(/edge serving/);
    expect(run.stderr).toMatch(/fatal unhandled rejection: Error: injected fault after start/);
    expect(run.code).toBe(1);
    const db = new Database(join(data, 'twinline.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }, 60_000);
});

function runEdge(args: string[], env: Record<string, string>, preload: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...preload, 'edge/main.ts', ...args], {
      env: { ...process.env, TWINLINE_SECRET: SECRET, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    // A process that outlives its fault would hang the test: end it after a generous bound.
    const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
