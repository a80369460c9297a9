// The edge's and host's log (edge/logger.ts): one JSON object a line with level, time and msg,
// the level setting honoured, info on stdout and problems on stderr, the human format only when
// asked, and settings from the command line before the environment.
import { spawn } from 'node:child_process';
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ONE_MACHINE_PLANT } from '../api/one-machine-plant.js';
import { make_errorLog, make_warningLog } from 'node-opcua-debug';
import { createLog, logSettingsFrom, LogSettingsError, routeLibraryOutput, type Log } from '../../edge/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(...s.split('\n').filter(Boolean)) } };
}

const T = Date.UTC(2026, 11, 2, 9, 30, 0, 250);

describe('structured log lines', () => {
  it('writes one JSON object a line with level, ISO time from the given clock, msg, pid and the service', () => {
    const out = capture();
    const err = capture();
    const log = createLog({ now: () => T, out: out.stream, err: err.stream, service: 'twinline-edge' });
    log('info', 'edge serving "Line 1"\nsecond line');
    expect(out.lines).toHaveLength(1);
    const o = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(o).toMatchObject({ level: 'info', time: '2026-12-02T09:30:00.250Z', msg: 'edge serving "Line 1"\nsecond line', pid: process.pid, service: 'twinline-edge' });
    expect(err.lines).toEqual([]);
  });

  it('sends warn and error to the error stream only, info to the output stream only', () => {
    const out = capture();
    const err = capture();
    const log = createLog({ now: () => T, out: out.stream, err: err.stream });
    log('info', 'a');
    log('warn', 'b');
    log('error', 'c');
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(['a']);
    expect(err.lines.map((l) => [JSON.parse(l).level, JSON.parse(l).msg])).toEqual([['warn', 'b'], ['error', 'c']]);
  });

  it.each([
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ] as const)('at level %s writes %j', (level, written) => {
    const all = capture();
    const log = createLog({ level, now: () => T, out: all.stream, err: all.stream });
    for (const l of ['info', 'warn', 'error'] as const) log(l, `at ${l}`);
    expect(all.lines.map((l) => JSON.parse(l).level)).toEqual(written);
  });

  it('prints the human line only in the pretty format', () => {
    const all = capture();
    const log = createLog({ format: 'pretty', now: () => T, out: all.stream, err: all.stream });
    log('warn', 'device plc-modbus: reconnecting');
    expect(all.lines).toEqual(['2026-12-02T09:30:00.250Z WARN  device plc-modbus: reconnecting']);
  });
});

describe('libraries that print for themselves', () => {
  it('go through the log: node-opcua\'s logger at its level with its source, console.* by method, colours removed', async () => {
    const got: Array<[string, string]> = [];
    const log: Log = (level, message) => got.push([level, message]);
    const restore = await routeLibraryOutput(log);
    try {
      make_warningLog('opcua_server')('Cannot find suitable endpoints in available endpoints. endpointUri =', 'opc.tcp://10.0.0.9:4840');
      make_errorLog('x')('bad %s', 'thing');
      console.log('\u001b[36mplain\u001b[39m line', 42);
      console.warn('careful');
      console.error(new Error('boom').message);
    } finally {
      restore();
    }
    console.info('after restore: not routed');
    expect(got.map(([level]) => level)).toEqual(['warn', 'error', 'info', 'warn', 'error']);
    expect(got[0]![1]).toMatch(/^node-opcua logger\.test:\d+: Cannot find suitable endpoints in available endpoints\. endpointUri = opc\.tcp:\/\/10\.0\.0\.9:4840$/);
    expect(got[1]![1]).toMatch(/: bad thing$/);
    expect(got.slice(2).map(([, m]) => m)).toEqual(['plain line 42', 'careful', 'boom']);
  });
});

describe('log settings', () => {
  it('takes the command line before the environment, and info as JSON by default', () => {
    expect(logSettingsFrom({ env: {} })).toEqual({ level: 'info', format: 'json' });
    expect(logSettingsFrom({ env: { TWINLINE_LOG_LEVEL: 'error', TWINLINE_LOG_FORMAT: 'pretty' } })).toEqual({ level: 'error', format: 'pretty' });
    expect(logSettingsFrom({ level: 'WARN', env: { TWINLINE_LOG_LEVEL: 'error' } })).toEqual({ level: 'warn', format: 'json' });
    expect(logSettingsFrom({ env: { TWINLINE_LOG_LEVEL: '', TWINLINE_LOG_FORMAT: '' } })).toEqual({ level: 'info', format: 'json' });
  });

  it('refuses a level or format that does not exist, naming the choices', () => {
    expect(() => logSettingsFrom({ level: 'verbose', env: {} })).toThrow(LogSettingsError);
    expect(() => logSettingsFrom({ level: 'verbose', env: {} })).toThrow(/info, warn, error, silent/);
    expect(() => logSettingsFrom({ format: 'xml', env: {} })).toThrow(/json or pretty/);
  });
});

describe('the edge process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-log-'));
  // One machine on a Modbus device that is not there: the edge logs its info lines and an error.
  const plantFile = join(dir, 'plant.yaml');
  writeFileSync(plantFile, JSON.stringify(ONE_MACHINE_PLANT));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const edgeArgs = (data: string) => ['--plant', plantFile, '--port', '0', '--host', '127.0.0.1', '--data', join(dir, data), '--demo'];
  const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; time: string; msg: string });

  /** Runs the edge until `done` holds on what it printed (then SIGTERM), or until it exits by itself. */
  function run(args: string[], done: (out: { stdout: string; stderr: string }) => boolean = () => false): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'edge/main.ts', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TWINLINE_LOG_LEVEL: '', TWINLINE_LOG_FORMAT: '', TWINLINE_SECRET: 'log-test-secret-0123456789abcdefghijklmnop' },
      });
      const out = { stdout: '', stderr: '' };
      let signalled = false;
      const check = () => {
        if (!signalled && done(out)) {
          signalled = true;
          child.kill('SIGTERM');
        }
      };
      child.stdout.on('data', (c: Buffer) => { out.stdout += c.toString(); check(); });
      child.stderr.on('data', (c: Buffer) => { out.stderr += c.toString(); check(); });
      const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve({ code, ...out });
      });
    });
  }
  /** As node-opcua checks it (node-opcua-secure-channel verify_pcks1): does this Node refuse RSA PKCS#1 v1.5 decryption? */
  const rsaPkcs1Refused = () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    try {
      const encrypted = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('buffer'));
      return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, encrypted).toString() !== 'buffer';
    } catch {
      return true;
    }
  };

  /** Every non-empty line, parsed as JSON (a line that is not fails the test, naming it). */
  const everyLine = (text: string, stream: string) => text.split('\n').filter(Boolean).map((l) => {
    try {
      return JSON.parse(l) as { level: string; msg: string };
    } catch {
      throw new Error(`a line on ${stream} is not JSON: ${l.slice(0, 300)}`);
    }
  });

  // The demo plant (OPC UA and Modbus PLCs that are not there, meter gateways) with the OPC UA
  // server (node-opcua in a thread of its own): every line the process writes is JSON, node-opcua's
  // own included — on a Node that refuses RSA PKCS#1 v1.5 decryption (CVE-2023-46809) node-opcua
  // warns about it as its server sets up ([NODE-OPCUA-W27]), and that warning must come out as a
  // JSON line at warn, not as its own coloured console line. Stopped once that line (else the
  // edge's "serving" line) is out.
  it('writes JSON lines only, node-opcua\'s own warnings included (demo plant, OPC UA server)', async () => {
    const refused = rsaPkcs1Refused();
    const r = await run(['--plant', 'config/demo-plant.yaml', '--port', '0', '--host', '127.0.0.1', '--data', join(dir, 'demo'), '--demo', '--opcua-server-port', '0'],
      (o) => (refused ? o.stderr.includes('NODE-OPCUA-W27') : o.stdout.includes('edge serving')));
    expect(refused ? r.stderr : r.stdout, `stdout:\n${r.stdout.slice(-1500)}\nstderr:\n${r.stderr.slice(-1500)}`).toContain(refused ? 'NODE-OPCUA-W27' : 'edge serving');
    const lines = [...everyLine(r.stdout, 'stdout'), ...everyLine(r.stderr, 'stderr')];
    expect(lines.length).toBeGreaterThan(3);
    if (refused) {
      expect(everyLine(r.stderr, 'stderr').find((l) => l.msg.includes('NODE-OPCUA-W27'))).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^node-opcua \S+:\d+: /) });
    }
  }, 60_000);

  // One real process (they are slow to start here): JSON on stderr for the dead device, nothing at info.
  it('logs JSON lines with level, time and msg, writes nothing below --log-level warn, and refuses a level that does not exist', async () => {
    const r = await run([...edgeArgs('quiet'), '--log-level', 'warn'], (o) => o.stderr.includes('"level":"error"'));
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([]);
    const err = jsonLines(r.stderr);
    for (const l of err) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['level', 'time', 'msg']));
      expect(new Date(l.time).toISOString()).toBe(l.time);
    }
    expect(err.some((l) => l.level === 'error' && l.msg.includes('plc'))).toBe(true);
    expect(err.map((l) => l.level)).not.toContain('info');
    const bad = await run(['--log-level', 'chatty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--log-level\/TWINLINE_LOG_LEVEL must be one of info, warn, error, silent, got "chatty"/);
  }, 60_000);
});
