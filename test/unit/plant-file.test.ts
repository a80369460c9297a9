import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadPlantFile, parsePlant } from '../../edge/config/load-plant.js';
import { ConfigError } from '../../edge/config/config-error.js';

const DEMO = 'config/demo-plant.yaml';
const demoDoc = () => parse(readFileSync(DEMO, 'utf8'));

function writeTemp(doc: unknown, name = 'plant.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'twinline-plant-')), name);
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('plant file validation', () => {
  it('accepts a new plant file with only the line: no devices, no machines, placeholder site and calendar', () => {
    const plant = loadPlantFile(writeTemp('line: { id: hall-2, name: Hall 2 }\n'));
    expect(plant.devices).toEqual([]);
    expect(plant.machines).toEqual([]);
    expect(plant.site.timezone).toBe('UTC');
    expect(plant.calendar.shifts).toEqual([{ name: 'all-day', start: '00:00', end: '00:00', breaks: [] }]);
    expect(loadPlantFile(writeTemp('line: { id: a, name: A }\ndevices: []\nmachines: []\n')).machines).toEqual([]);
  });

  it.each([
    ['no line', 'devices: []\n', 'line'],
    ['a machine whose device is not there yet', 'line: { id: a, name: A }\nmachines:\n  - { id: p, name: P, type: press, device: plc, idealCycleTimeSeconds: 5, layout: { x: 0, z: 0 }, tags: [{ name: s, type: uint16, opcua: { nodeId: "ns=1;s=x" } }] }\n', 'machines[0].device: no device "plc": the plant file has no devices yet'],
    ['a device id twice', 'line: { id: a, name: A }\ndevices:\n  - { id: plc, protocol: opcua, endpointUrl: "opc.tcp://h:4840" }\n  - { id: plc, protocol: modbus-tcp, host: h }\n', 'devices[1].id: duplicate device id "plc"'],
  ])('names the field and file for a new plant file with %s', (_what, text, expected) => {
    const file = writeTemp(text);
    const err = errorOf(() => loadPlantFile(file));
    expect(err.message).toContain(`${file}: ${expected}`);
  });

  it('accepts the demo plant with OPC UA and Modbus machines', () => {
    const plant = loadPlantFile(DEMO);
    expect(plant.machines.length).toBeGreaterThanOrEqual(4);
    const protocols = new Set(plant.machines.map((m) => plant.devices.find((d) => d.id === m.device)!.protocol));
    expect(protocols).toEqual(new Set(['opcua', 'modbus-tcp']));
  });

  it.each([
    ['a wrong type', (d: any) => { d.machines[1].idealCycleTimeSeconds = 'fast'; }, 'machines[1].idealCycleTimeSeconds'],
    ['a negative cycle time', (d: any) => { d.machines[0].idealCycleTimeSeconds = -3; }, 'machines[0].idealCycleTimeSeconds'],
    ['an unknown data type', (d: any) => { d.machines[2].tags[3].type = 'uint24'; }, 'machines[2].tags[3].type'],
    ['an unknown field (typo)', (d: any) => { d.machines[0].idealCycleTime = 3; }, 'machines[0]'],
    ['a device that does not exist', (d: any) => { d.machines[3].device = 'plc-9'; }, 'machines[3].device'],
    ['a Modbus tag without an address', (d: any) => { delete d.machines[0].tags[1].modbus; }, 'machines[0].tags[1].modbus'],
    ['a bad time zone', (d: any) => { d.site.timezone = 'Mars/Olympus'; }, 'site.timezone'],
    ['a bad shift time', (d: any) => { d.calendar.shifts[0].start = '6am'; }, 'calendar.shifts[0].start'],
  ])('reports %s with its path and the file name', (_label, mutate, path) => {
    const doc = demoDoc();
    mutate(doc);
    const err = errorOf(() => parsePlant(doc, 'plants/line-7.yaml'));
    expect(err.message).toContain(`plants/line-7.yaml: ${path}`);
  });

  it('reports YAML syntax errors with file and line', () => {
    const file = writeTemp('site:\n  id: x\n  name: [unclosed\n');
    const err = errorOf(() => loadPlantFile(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/line \d+/);
  });

  it('reports a missing file and says what to do', () => {
    const err = errorOf(() => loadPlantFile('/nonexistent/plant.yaml'));
    expect(err.message).toContain('/nonexistent/plant.yaml');
    expect(err.message).toContain('--plant');
  });

  it('the edge exits non-zero with the field and file, and no stack trace', () => {
    const doc = demoDoc();
    doc.machines[1].tags[0].type = 'int99';
    const file = writeTemp(doc, 'broken-plant.yaml');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'edge/main.ts', '--plant', file, '--port', '0'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${file}: machines[1].tags[0].type`);
    expect(run.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });
});
