// The edge's OPC UA connector against the real PLC simulator with security on: a
// SignAndEncrypt (Basic256Sha256) session with a username, the untrusted-server refusal and
// its hint, trusting the certificate the way the hint says, and a mode the server lacks.
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { OpcUaDeviceSchema } from '../../shared/plant-schema.js';
import { createOpcUaConnector, edgePkiFolder } from '../../edge/connectors/opcua-connector.js';
import { tagsOfDevice, type Connector, type TagSample } from '../../edge/connectors/connector.js';
import type { SampleBatch } from '../../edge/connectors/sample-batch.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { waitFor } from '../support/wait-for.js';

const plant = loadPlantFile('config/demo-plant.yaml');
// 06:30 in Shanghai on a working day: inside the Early shift, away from its break.
const START = Date.parse('2025-03-03T06:30:00+08:00');
const PASSWORD_ENV = 'TWINLINE_TEST_SIM_OPCUA_PASSWORD';
const tags = tagsOfDevice(plant, 'plc-opcua');

describe('OPC UA connector ↔ simulator with security', () => {
  let dir: string;
  let sim: RunningSimulator;
  const connectors: Connector[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-sim-sec-'));
    process.env[PASSWORD_ENV] = 'line-3-maint';
    // The server insists on encryption and a login: no Sign, no None endpoint for sessions.
    sim = await startSimulator({
      plant, opcuaPort: 0, modbusPort: 0, seed: 3, timeScale: 30, startTime: START, pkiDir: join(dir, 'sim-pki'),
      opcuaSecurity: { modes: ['SignAndEncrypt'], policies: ['Basic256Sha256'], users: [{ name: 'maint', password: 'line-3-maint' }] },
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of connectors) await c.stop().catch(() => {});
    await sim?.stop();
    delete process.env[PASSWORD_ENV];
    rmSync(dir, { recursive: true, force: true });
  });

  function connect(name: string, overrides: Record<string, unknown>) {
    const device = OpcUaDeviceSchema.parse({
      id: 'plc-opcua', protocol: 'opcua', endpointUrl: sim.opcuaEndpoint, samplingIntervalMs: 100, publishingIntervalMs: 100, ...overrides,
    });
    const latest = new Map<string, TagSample>();
    const seen = new Map<string, Set<unknown>>();
    const logs: string[] = [];
    const dataDir = join(dir, name);
    const connector = createOpcUaConnector({ device, tags, now: Date.now, dataDir, log: (_l, m) => logs.push(m) });
    connectors.push(connector);
    const onSamples = (batch: SampleBatch) => batch.forEach((s) => {
      latest.set(s.tag, s);
      if (s.quality === 'good') seen.set(s.tag, (seen.get(s.tag) ?? new Set()).add(s.value));
    });
    return { connector, latest, seen, logs, pki: edgePkiFolder(dataDir), start: () => connector.start(onSamples) };
  }

  it('SignAndEncrypt + username: refused while the simulator is untrusted, then reads changing values once its certificate is trusted', async () => {
    const edge = connect('edge-secure', {
      securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', username: 'maint', passwordEnv: PASSWORD_ENV,
    });
    await edge.start();
    const hint = await waitFor('an untrusted-server hint', () => edge.logs.find((m) => m.includes('not trusted')), 30_000);
    const rejected = join(edge.pki, 'rejected');
    const trusted = join(edge.pki, 'trusted', 'certs');
    expect(hint).toContain(sim.opcuaEndpoint);
    expect(hint).toContain(rejected);
    expect(hint).toContain(trusted);
    expect(edge.connector.health().connected).toBe(false);
    expect(edge.latest.get('mill.state')?.quality ?? 'bad').toBe('bad');
    // The simulator's own certificate is the one that was refused.
    const simCerts = readdirSync(join(dir, 'sim-pki', 'server', 'own', 'certs'));
    expect(simCerts.length).toBeGreaterThan(0);
    const refused = readdirSync(rejected);
    expect(refused.length).toBeGreaterThan(0);

    // What the hint tells the engineer to do.
    for (const f of refused) renameSync(join(rejected, f), join(trusted, f));

    await waitFor('an encrypted, authenticated session', () => edge.connector.health().connected, 30_000)
      .catch((err: Error) => { throw new Error(`${err.message}; log: ${edge.logs.join(' | ')}`); });
    expect(edge.logs.some((m) => m.includes('SignAndEncrypt/Basic256Sha256'))).toBe(true);
    // At 30× the mill makes a part every few seconds of wall time and its power draw moves all the time.
    await waitFor('the mill energy meter to move (values that change)', () => (edge.seen.get('mill.energy')?.size ?? 0) >= 3, 30_000);
    const total0 = sim.tagValue('mill.totalCount') as number;
    await waitFor('the mill total count read over the encrypted session to pass its earlier value', () => {
      const s = edge.latest.get('mill.totalCount');
      return s?.quality === 'good' && typeof s.value === 'number' && s.value > total0;
    }, 60_000);
    for (const t of tags) expect(edge.latest.get(t.id)?.quality, t.id).toBe('good');
  }, 150_000);

  it('a wrong password is refused with a message that names the user and the variable', async () => {
    const edge = connect('edge-secure', { // same data dir: the simulator is trusted by now
      securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', username: 'maint', passwordEnv: 'TWINLINE_TEST_SIM_WRONG_PASSWORD',
    });
    process.env.TWINLINE_TEST_SIM_WRONG_PASSWORD = 'guess';
    try {
      await edge.start();
      const refusal = await waitFor('a refused-login message', () => edge.logs.find((m) => /refused user "maint"/.test(m)), 30_000)
        .catch((err: Error) => { throw new Error(`${err.message}; log: ${edge.logs.join(' | ')}`); });
      expect(refusal).toContain('TWINLINE_TEST_SIM_WRONG_PASSWORD');
      expect(edge.connector.health().connected).toBe(false);
    } finally {
      await edge.connector.stop();
      delete process.env.TWINLINE_TEST_SIM_WRONG_PASSWORD;
    }
  }, 60_000);

  it('a security mode the simulator does not offer gives a clear error', async () => {
    const edge = connect('edge-sign', { securityMode: 'Sign', securityPolicy: 'Basic256Sha256', username: 'maint', passwordEnv: PASSWORD_ENV });
    try {
      await edge.start();
      const error = await waitFor('a connect error', () => edge.logs.find((m) => m.includes('does not offer')), 30_000)
        .catch((err: Error) => { throw new Error(`${err.message}; log: ${edge.logs.join(' | ')}`); });
      expect(error).toContain('does not offer Sign/Basic256Sha256');
      expect(error).toContain('(it offers: SignAndEncrypt/Basic256Sha256)'); // what it does offer, and only that
      expect(error).toContain('device plc-opcua in the plant file');
      expect(edge.connector.health().connected).toBe(false);
      expect(existsSync(join(edge.pki, 'own', 'certs'))).toBe(true);
    } finally {
      await edge.connector.stop();
    }
  }, 60_000);
});
