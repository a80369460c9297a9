// The OPC UA connector against a real node-opcua server on a real socket.
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpcUaDeviceSchema, type TagConfig } from '../../shared/plant-schema.js';
import { createOpcUaConnector, edgePkiFolder } from '../../edge/connectors/opcua-connector.js';
import type { BoundTag, TagSample } from '../../edge/connectors/connector.js';
import { startTinyOpcUaServer } from '../support/tiny-opcua-server.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';

const dir = mkdtempSync(join(tmpdir(), 'twinline-opcua-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const tag = (name: string, nodeId = `ns=1;s=press.${name}`): BoundTag => ({
  id: `press.${name}`, machineId: 'press',
  config: { name, role: 'process', type: 'float64', writable: false, opcua: { nodeId } } satisfies TagConfig,
});

describe('OPC UA connector', () => {
  it('fails only the tag with an unknown node id, then survives a server restart without losing or duplicating items', async () => {
    const port = await freePort();
    let server = await startTinyOpcUaServer(port, join(dir, 'pki-server'), { temperature: 20, pressure: 5 });
    const latest = new Map<string, TagSample>();
    const counts = new Map<string, number>();
    const logs: string[] = [];
    const device = OpcUaDeviceSchema.parse({ id: 'plc', protocol: 'opcua', endpointUrl: server.endpoint, samplingIntervalMs: 50, publishingIntervalMs: 50 });
    const connector = createOpcUaConnector({
      device, tags: [tag('temperature'), tag('ghost', 'ns=1;s=press.doesNotExist'), tag('pressure')],
      now: Date.now, dataDir: dir, log: (_l, m) => logs.push(m),
    });
    try {
      await connector.start((batch) => batch.forEach((s) => {
        latest.set(s.tag, s);
        counts.set(s.tag, (counts.get(s.tag) ?? 0) + 1);
      }));
      await waitFor('good values for the known nodes', () =>
        latest.get('press.temperature')?.value === 20 && latest.get('press.pressure')?.value === 5, 20_000);
      await waitFor('the unknown node reported bad', () => latest.get('press.ghost')?.quality === 'bad', 10_000);
      expect(logs.some((m) => m.includes('press.ghost') && m.includes('BadNodeIdUnknown'))).toBe(true);

      await server.stop();
      await waitFor('tags bad after the connection is lost', () => latest.get('press.temperature')?.quality === 'bad', 20_000);
      expect(connector.health().connected).toBe(false);

      server = await startTinyOpcUaServer(port, join(dir, 'pki-server'), { temperature: 21, pressure: 6 });
      await waitFor('values flow again after the server restarted', () =>
        latest.get('press.temperature')?.value === 21 && latest.get('press.temperature')?.quality === 'good', 30_000);

      // exactly one live monitored item per tag: one change → one notification
      counts.clear();
      server.set('pressure', 7);
      await waitFor('the change arrives', () => latest.get('press.pressure')?.value === 7, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(counts.get('press.pressure')).toBe(1);
    } finally {
      await connector.stop();
      await server.stop();
    }
  }, 90_000);
});

describe('OPC UA connector security', () => {
  it('SignAndEncrypt with a username: refuses an untrusted server with a hint, connects once its certificate is trusted', async () => {
    const port = await freePort();
    const server = await startTinyOpcUaServer(port, join(dir, 'pki-secure'), { temperature: 42 }, { users: { maint: 's3cret' } });
    const edgeDir = join(dir, 'edge-secure');
    process.env.TWINLINE_TEST_OPCUA_PASSWORD = 's3cret';
    const device = OpcUaDeviceSchema.parse({
      id: 'plc', protocol: 'opcua', endpointUrl: server.endpoint, samplingIntervalMs: 50, publishingIntervalMs: 50,
      securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', username: 'maint', passwordEnv: 'TWINLINE_TEST_OPCUA_PASSWORD',
    });
    const latest = new Map<string, TagSample>();
    const logs: string[] = [];
    const connector = createOpcUaConnector({ device, tags: [tag('temperature')], now: Date.now, dataDir: edgeDir, log: (_l, m) => logs.push(m) });
    try {
      await connector.start((b) => b.forEach((s) => latest.set(s.tag, s)));
      const hint = await waitFor('an untrusted-server hint', () => logs.find((m) => m.includes('not trusted')), 30_000);
      const rejected = join(edgePkiFolder(edgeDir), 'rejected');
      expect(hint).toContain(rejected);
      expect(latest.get('press.temperature')?.quality ?? 'bad').toBe('bad');

      // what the hint tells the engineer to do
      const trusted = join(edgePkiFolder(edgeDir), 'trusted', 'certs');
      for (const f of readdirSync(rejected)) renameSync(join(rejected, f), join(trusted, f));

      await waitFor('an encrypted, authenticated session delivering values', () => latest.get('press.temperature')?.value === 42, 30_000).catch((err) => { throw new Error(`${err.message}; moved ${readdirSync(trusted).join(',')}; log: ${logs.join(' | ')}`); });
      expect(logs.some((m) => m.includes('SignAndEncrypt/Basic256Sha256'))).toBe(true);
    } finally {
      await connector.stop();
      await server.stop();
    }
  }, 90_000);

  it('polling mode reads every tag each period', async () => {
    const port = await freePort();
    const server = await startTinyOpcUaServer(port, join(dir, 'pki-poll'), { temperature: 1 });
    const device = OpcUaDeviceSchema.parse({ id: 'plc', protocol: 'opcua', endpointUrl: server.endpoint, mode: 'polling', pollIntervalMs: 100 });
    const latest = new Map<string, TagSample>();
    const connector = createOpcUaConnector({ device, tags: [tag('temperature'), tag('ghost', 'ns=1;s=press.nope')], now: Date.now, dataDir: join(dir, 'edge-poll'), log: () => {} });
    try {
      await connector.start((b) => b.forEach((s) => latest.set(s.tag, s)));
      await waitFor('a polled value', () => latest.get('press.temperature')?.value === 1, 20_000);
      server.set('temperature', 2);
      await waitFor('the next poll sees the change', () => latest.get('press.temperature')?.value === 2, 5000);
      expect(latest.get('press.ghost')?.quality).toBe('bad');
    } finally {
      await connector.stop();
      await server.stop();
    }
  }, 60_000);
});
