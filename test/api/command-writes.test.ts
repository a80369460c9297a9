// PLC writes that cannot run away: limits required by the plant file, values the type cannot
// hold refused, rate limits per tag and per user, the audit entry on disk before the write goes
// out, and Sparkplug commands only over an authenticated TLS uplink, in the uplink's name.
// Real SQLite file and the real command service and audit log; the device is a test double
// that records what it receives (the device's own behaviour is tested in test/integration).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { ConfigError } from '../../edge/config/config-error.js';
import { openDatabase } from '../../edge/store/database.js';
import { openAuditLog, type AuditLog } from '../../edge/audit/audit-log.js';
import { createCommandService, type CommandService } from '../../edge/commands/command-service.js';
import { createReadBackWatch } from '../../edge/commands/read-back.js';
import { remoteCommandPolicy } from '../../edge/commands/remote-command-policy.js';
import { commandServiceHandler } from '../../edge/uplink/remote-commands.js';
import { checkWrite } from '../../edge/connectors/write-check.js';
import type { Connector } from '../../edge/connectors/connector.js';
import type { MachineStatus } from '../../edge/model/plant-model.js';
import type { Principal } from '../../edge/auth/auth-service.js';
import { UplinkSettingsSchema, type UplinkSettingsInput } from '../../shared/uplink-config.js';
import type { TagValue } from '../../shared/live-protocol.js';
import { TINY_PLANT } from './tiny-plant.js';

const plant = parsePlant(TINY_PLANT, 'tiny-plant.yaml');
const max: Principal = { user: 'max', role: 'maintenance', via: 'token', expiresAt: null, sessionId: null };
const pat: Principal = { ...max, user: 'pat' };

let dir: string;
let file: string;
let db: Database.Database;
let audit: AuditLog;
let commands: CommandService;
let t: number;
/** What the device received, and what the audit log held (seen from another connection) at that moment. */
let received: Array<{ tag: string; value: TagValue; auditedBefore: string | undefined }>;
/** Pragmas run on the audit connection, and how many had run when the device received each write. */
let pragmas: string[];
let pragmasAtWrite: number[];
const values = new Map<string, TagValue>();

function fakeDevice(): Connector {
  return {
    deviceId: 'plc',
    start: async () => {},
    async write(tag, value) {
      pragmasAtWrite.push(pragmas.length);
      const reader = new Database(file, { readonly: true });
      const last = reader.prepare('SELECT action FROM audit_entries ORDER BY id DESC LIMIT 1').get() as { action: string } | undefined;
      reader.close();
      received.push({ tag, value, auditedBefore: last?.action });
      values.set(tag, value);
    },
    health: () => ({ deviceId: 'plc', protocol: 'modbus-tcp', connected: true, lastError: null, lastSampleTs: null }) as never,
    stop: async () => {},
  };
}

const machine = (id: string): MachineStatus => ({
  machineId: id, state: 'running', stateSince: 0, faultCode: null, updatedAt: t,
  tags: Object.fromEntries([...values].filter(([k]) => k.startsWith(`${id}.`)).map(([k, v]) => [k.slice(id.length + 1), { value: v, quality: 'good', ts: t }])) as never,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-writes-'));
  file = join(dir, 'twinline.db');
  t = Date.UTC(2026, 0, 5, 8);
  received = [];
  pragmasAtWrite = [];
  values.clear();
  db = openDatabase(file); // as the edge opens it: NORMAL, the PLC write's entry asks for FULL itself
  audit = openAuditLog(db, () => t, { key: Buffer.alloc(32, 3) });
  // What the audit connection was switched to, in order: a durable append switches to FULL for its commit.
  pragmas = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) => { pragmas.push(source); return pragma(source, options); }) as typeof db.pragma;
  commands = createCommandService({ plant, connectors: [fakeDevice()], machine, audit, readBack: createReadBackWatch(), now: () => t, log: () => {}, readBackTimeoutMs: 50 });
});
afterEach(() => {
  commands.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const speed = (percent: number, reason = 'tuning the press') => ({ kind: 'speed-override' as const, machineId: 'press', percent, reason });
const attempt = (principal: Principal, percent: number) =>
  commands.execute(speed(percent), { principal, source: '10.0.0.5', transport: 'rest' }).then(() => 200, (e) => e as { status: number; retryAfterMs?: number });

describe('the plant file', () => {
  const withTag = (tag: Record<string, unknown>) => ({ ...TINY_PLANT, machines: [{ ...TINY_PLANT.machines[0]!, tags: [TINY_PLANT.machines[0]!.tags[0]!, tag] }] });

  it('refuses a writable number without min and max, naming the file and the field', () => {
    const tag = { name: 'setpoint', type: 'int16', writable: true, min: 0, modbus: { table: 'holding', address: 5 } };
    expect(() => parsePlant(withTag(tag), 'line.yaml')).toThrow(ConfigError);
    expect(() => parsePlant(withTag(tag), 'line.yaml')).toThrow(/line\.yaml: machines\[0\]\.tags\[1\]\.max: tag "setpoint" is writable: give it min and max/);
    // Read-only numbers and writable booleans need no limits.
    expect(() => parsePlant(withTag({ ...tag, writable: false }), 'line.yaml')).not.toThrow();
    expect(() => parsePlant(withTag({ name: 'reset', type: 'bool', writable: true, modbus: { table: 'coil', address: 1 } }), 'line.yaml')).not.toThrow();
  });

  it('refuses limits the tag\'s type cannot hold (after scale)', () => {
    const tag = { name: 'setpoint', type: 'int16', writable: true, min: 0, max: 4000, modbus: { table: 'holding', address: 5, scale: 0.1 } };
    expect(() => parsePlant(withTag(tag), 'line.yaml')).toThrow(/tags\[1\]\.max: max 4000 is outside what a int16 \(scale 0\.1, offset 0\) can hold: -3276\.8…3276\.7/);
  });

  it('write checks refuse what a float32 cannot hold', () => {
    const tag = { name: 'flow', role: 'process', type: 'float32', writable: true, min: -1e40, max: 1e40 } as const;
    expect(() => checkWrite('m.flow', tag as never, 1e39)).toThrow(/does not fit float32/);
    expect(checkWrite('m.flow', tag as never, 12.5)).toBe(12.5);
  });
});

describe('PLC writes', () => {
  it('audits the request on disk before the device receives the write', async () => {
    const result = await commands.execute(speed(80), { principal: max, source: '10.0.0.5', transport: 'rest' });
    expect(result.outcome).toBe('done');
    expect(received).toEqual([{ tag: 'press.speedOverride', value: 80, auditedBefore: 'command.speed-override.requested' }]);
    // …committed under synchronous=FULL (fsynced), the connection set back to NORMAL afterwards.
    expect(pragmas.slice(0, pragmasAtWrite[0])).toEqual(['synchronous', 'synchronous = FULL', 'synchronous = 1']);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('limits writes per tag: a burst, then 429 with a wait, then one per interval', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await attempt(i % 2 ? pat : max, 60 + i));
    expect(answers.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[5]).toMatchObject({ status: 429, code: 'rate-limited', retryAfterMs: 2000 });
    expect(received).toHaveLength(5);
    t += 2000;
    expect(await attempt(max, 90)).toBe(200);
    const refused = audit.page({ after: 0, limit: 100 }).entries.filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => e.details?.code)).toEqual(['rate-limited']);
  });

  it('limits writes per user across tags, and records only a few of the refusals', async () => {
    commands.close();
    commands = createCommandService({
      plant, connectors: [fakeDevice()], machine, audit, readBack: createReadBackWatch(), now: () => t, log: () => {}, readBackTimeoutMs: 50,
      writeRateLimits: { perTag: { burst: 100, refillMs: 10 }, perUser: { burst: 3, refillMs: 1000 } },
    });
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await attempt(max, 60 + i));
    expect(answers.filter((a) => a === 200)).toHaveLength(3);
    expect(answers[3]).toMatchObject({ status: 429, retryAfterMs: 1000 });
    // another user is not held back by max
    expect(await attempt(pat, 70)).toBe(200);
    const refused = audit.page({ after: 0, limit: 100 }).entries.filter((e) => e.outcome === 'refused');
    expect(refused).toHaveLength(5);
  });
});

describe('Sparkplug commands', () => {
  const settings = (extra: Partial<UplinkSettingsInput> & { broker?: Record<string, unknown>; commands?: Record<string, unknown> } = {}) => UplinkSettingsSchema.parse({
    groupId: 'plant-a', edgeNodeId: 'line-t', ...extra,
    broker: { url: 'mqtt://broker:1883', ...extra.broker },
    commands: { enabled: true, role: 'maintenance', ...extra.commands },
  });

  it('are allowed only over TLS with a verified broker and a broker login, or when the plant file accepts the risk', () => {
    expect(remoteCommandPolicy(settings())).toMatchObject({ allowed: false, secure: false, reason: expect.stringMatching(/not TLS.*does not authenticate.*allowInsecureCommands/) });
    expect(remoteCommandPolicy(settings({ broker: { url: 'mqtts://broker:8883' } }))).toMatchObject({ allowed: false });
    expect(remoteCommandPolicy(settings({ broker: { url: 'mqtts://broker:8883', username: 'edge-7', passwordEnv: 'PW', tls: { rejectUnauthorized: false } } }))).toMatchObject({ allowed: false, reason: expect.stringMatching(/rejectUnauthorized/) });
    expect(remoteCommandPolicy(settings({ broker: { url: 'mqtts://broker:8883', username: 'edge-7', passwordEnv: 'PW' } }))).toMatchObject({ allowed: true, secure: true, reason: null });
    expect(remoteCommandPolicy(settings({ commands: { allowInsecureCommands: true } }))).toMatchObject({ allowed: true, secure: false });
  });

  it('over an insecure uplink are refused and audited; over a secure one they run in the uplink\'s name', async () => {
    const logs: string[] = [];
    const origin = { groupId: 'plant-a', edgeNodeId: 'line-t', machineId: 'press', user: 'admin', hostId: 'host-1' };
    const insecure = commandServiceHandler(commands, settings(), { audit, log: (l, m) => logs.push(`${l} ${m}`) });
    expect(logs.join()).toMatch(/warn uplink: remote commands will be refused/);
    expect(await insecure(speed(70), origin)).toMatchObject({ ok: false, status: 403, code: 'insecure-uplink' });
    expect(received).toHaveLength(0);

    const secure = commandServiceHandler(commands, settings({ broker: { url: 'mqtts://broker:8883', username: 'edge-7', passwordEnv: 'PW' } }), { audit, log: () => {} });
    expect(await secure(speed(70), origin)).toMatchObject({ ok: true });
    expect(received.map((r) => r.value)).toEqual([70]);
    const entries = audit.page({ after: 0, limit: 100 }).entries;
    expect(entries.map((e) => [e.actor, e.action, e.outcome])).toEqual([
      ['uplink:anonymous@plant-a/line-t', 'command.remote', 'refused'],
      ['uplink:edge-7@plant-a/line-t', 'command.speed-override.requested', 'ok'],
      ['uplink:edge-7@plant-a/line-t', 'command.speed-override', 'ok'],
    ]);
    // The name in the payload is kept as a claim, never as the actor.
    expect(entries[2]!.details).toMatchObject({ claimedBy: 'host-1/admin', transport: 'sparkplug' });

    const lab = commandServiceHandler(commands, settings({ commands: { allowInsecureCommands: true } }), { audit, log: (l, m) => logs.push(`${l} ${m}`) });
    expect(logs.join()).toMatch(/warn uplink: remote commands are accepted over an uplink without TLS/);
    t += 10_000;
    expect(await lab(speed(75), origin)).toMatchObject({ ok: true });
  });
});
