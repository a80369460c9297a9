// The uplink section of the plant file and the host file: bad input names the file and the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePlant } from '../../edge/config/load-plant.js';
import { loadHostConfig, parseHostConfig } from '../../edge/host/host-config.js';

const demo = parse(readFileSync('config/demo-plant.yaml', 'utf8')) as Record<string, unknown>;
const withUplink = (uplink: unknown) => parsePlant({ ...demo, uplink }, 'plant.yaml');

describe('plant file uplink section', () => {
  it('fills the defaults', () => {
    const plant = withUplink({ broker: { url: 'mqtt://broker:1883' }, groupId: 'plant' });
    expect(plant.uplink).toMatchObject({
      groupId: 'plant', qos: 1, publishIntervalMs: 100,
      storeAndForward: { maxMetrics: 5_000_000 }, commands: { enabled: false, role: 'operator' },
      broker: { keepaliveSeconds: 30 },
    });
    expect(plant.uplink!.edgeNodeId).toBeUndefined();
  });

  it.each([
    [{ broker: { url: 'http://broker' }, groupId: 'g' }, /plant\.yaml: uplink\.broker\.url: use mqtt:\/\/host:1883 or mqtts:\/\/host:8883/],
    [{ broker: { url: 'mqtt://b:1883' }, groupId: 'a/b' }, /uplink\.groupId: a Sparkplug id is one MQTT topic level/],
    [{ broker: { url: 'mqtt://b:1883', username: 'u' }, groupId: 'g' }, /uplink\.broker\.passwordEnv: a username needs passwordEnv/],
    [{ broker: { url: 'mqtt://b:1883', tls: { caFile: 'ca.pem' } }, groupId: 'g' }, /uplink\.broker\.url: tls settings need a TLS URL/],
    [{ broker: { url: 'mqtts://b:8883', tls: { certFile: 'c.pem' } }, groupId: 'g' }, /uplink\.broker\.tls\.keyFile: a client certificate needs both/],
    [{ broker: { url: 'mqtt://b:1883' }, groupId: 'g', qos: 2 }, /uplink\.qos/],
    [{ broker: { url: 'mqtt://b:1883' }, groupId: 'g', commands: { enabled: true, role: 'admin' } }, /uplink\.commands\.role/],
  ])('refuses %j', (uplink, message) => {
    expect(() => withUplink(uplink)).toThrow(message);
  });
});

describe('host file', () => {
  const ok = { host: { id: 'h' }, broker: { url: 'mqtt://b:1883' } };

  it('fills the defaults', () => {
    expect(parseHostConfig(ok, 'host.yaml')).toMatchObject({
      host: { id: 'h', groups: [], rebirthMinIntervalSeconds: 5 }, http: { port: 8080 }, lines: [], auth: { mode: 'required' }, commands: { timeoutSeconds: 15 },
    });
  });

  it('names the file and field', () => {
    expect(() => parseHostConfig({ ...ok, lines: [{ groupId: 'g', edgeNodeId: 'l1', port: 8080 }] }, 'host.yaml'))
      .toThrow(/host\.yaml: lines\[0\]\.port: port 8080 is already used/);
    expect(() => parseHostConfig({ ...ok, host: { id: 'a#b' } }, 'host.yaml')).toThrow(/host\.yaml: host\.id:/);
    expect(() => loadHostConfig('no/such/host.yaml')).toThrow(/cannot read host file no\/such\/host\.yaml: ENOENT/);
  });

  it('the example config/host.yaml is valid', () => {
    const config = loadHostConfig('config/host.yaml');
    // One address for the plant; per-line ports are an option left commented out.
    expect(config.http.port).toBe(8080);
    expect(config.lines).toEqual([]);
    expect(config.host.groups).toEqual(['jiangsu-plant']);
  });
});
