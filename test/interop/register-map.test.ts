// The documentation is the contract: every row of the README register map reads back as
// documented over Modbus TCP (our client and mbpoll), and an OPC UA browse shows the
// documented structure.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowseDirection, DataType, type ReferenceDescription } from 'node-opcua';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { renderOpcUaNodes, renderRegisterMap } from '../../plc-sim/register-map.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { connectModbus, connectModbusRtu, connectOpcUa, readUa, waitUntil, type UaSession } from '../sim/sim-clients.js';

const run = promisify(execFile);
// Interop: mbpoll and the RTU line (a socat pseudo-terminal pair) come from Debian packages,
// which .ci/run installs (apt-get install mbpoll socat).
const hasSocat = spawnSync('socat', ['-V']).status === 0;
if (!hasSocat) throw new Error('socat is not installed: apt-get install socat (the Modbus RTU checks need it)');
const plant = loadPlantFile('config/demo-plant.yaml');
const README = readFileSync('plc-sim/README.md', 'utf8');
const START = Date.parse('2025-03-03T06:30:00+08:00');

function block(name: string): string {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(README);
  if (!m) throw new Error(`plc-sim/README.md has no ${name} block`);
  return m[1]!;
}

interface DocRow { unit: number; table: string; address: number; words: number; key: string; type: string; wordOrder: string; scale: number }

/** Parses the README's register map table the way a person would read it. */
function documentedRows(): DocRow[] {
  return block('register-map').split('\n').slice(2).map((line) => {
    const c = line.split('|').slice(1, -1).map((s) => s.trim());
    const [from, to] = c[2]!.split('–').map(Number);
    return { unit: Number(c[0]), table: c[1]!, address: from!, words: to === undefined ? 1 : to - from! + 1, key: c[4]!, type: c[5]!, wordOrder: c[6]!, scale: Number(c[7]) };
  });
}

/** Decodes registers from the documented type, word order and scale — independently of the simulator's codec. */
function decode(words: number[], row: DocRow): number {
  const ordered = row.wordOrder === 'low-first' ? [...words].reverse() : words;
  const buf = Buffer.alloc(ordered.length * 2);
  ordered.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  const raw = { uint16: () => buf.readUInt16BE(0), int16: () => buf.readInt16BE(0), uint32: () => buf.readUInt32BE(0), int32: () => buf.readInt32BE(0), float32: () => buf.readFloatBE(0) }[row.type as 'uint16']();
  return raw * row.scale;
}

describe('documented maps', () => {
  let dir: string;
  let sim: RunningSimulator;
  let ua: UaSession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-simmap-'));
    // Counters and meters past 16 bits, so both words of every 32-bit value matter.
    const big = { initialTotalCount: 3_000_123, initialGoodCount: 2_950_456, initialEnergyKWh: 123_456.78 };
    sim = await startSimulator({
      plant, opcuaPort: 0, modbusPort: 0, seed: 5, timeScale: 30, startTime: START, pkiDir: join(dir, 'pki'), rtu: hasSocat ? {} : undefined,
      scenario: { name: 'map', tickMs: 250, line: { products: [{ id: 'A', cycleTimeFactor: 1 }], orderSize: 100, buffers: {}, defaultBufferCapacity: 5, initialBufferFill: 0.5 }, machines: Object.fromEntries(plant.machines.map((m) => [m.id, big])) },
    });
    await waitUntil('a minute of simulated production', () => sim.clock.now() > START + 60_000);
    // Hold every value still so what the clients read can be compared with what is published.
    for (const m of plant.machines) sim.inject({ kind: 'freeze', tag: m.id });
    ua = await connectOpcUa(sim.opcuaEndpoint, join(dir, 'pki'));
  });
  afterAll(async () => {
    await ua?.close();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('README tables are the ones generated from the plant file', () => {
    expect(block('register-map')).toBe(renderRegisterMap(plant));
    expect(block('opcua-nodes')).toBe(renderOpcUaNodes(plant));
    expect(documentedRows().length).toBe(plant.machines.filter((m) => m.device === 'plc-modbus').reduce((n, m) => n + m.tags.length, 0));
  });

  it.each(hasSocat ? ['tcp', 'rtu'] as const : ['tcp'] as const)('every row of the register map reads back as documented over Modbus %s', async (transport) => {
    const client = transport === 'tcp' ? await connectModbus(sim.modbusPort) : await connectModbusRtu(sim.rtu!.clientPath!, sim.rtu!.baudRate);
    try {
      for (const row of documentedRows()) {
        const published = sim.tagValue(row.key);
        if (row.table === 'coil') {
          const bits = (await client.readCoils(row.address, 1)).data;
          expect(bits[0], row.key).toBe(published);
          continue;
        }
        const words = (await client.readHoldingRegisters(row.address, row.words)).data;
        const value = decode(words, row);
        if (row.type === 'float32') expect(value, row.key).toBe(Math.fround(published as number));
        else expect(value, row.key).toBeCloseTo(published as number, 6);
      }
      expect(sim.tagValue('loader.totalCount') as number).toBeGreaterThan(3_000_123);
      expect(sim.tagValue('loader.energy') as number).toBeGreaterThan(123_456);
    } finally {
      client.close(() => {});
    }
  });

  it('mbpoll reads the documented values with the README commands', async () => {
    const commands = README.split('\n').filter((l) => l.startsWith('mbpoll -m tcp'));
    expect(commands).toHaveLength(3);
    const values = async (command: string) => {
      const args = command.split(/\s+/).slice(1).map((a) => (a === '5020' ? String(sim.modbusPort) : a));
      const { stdout } = await run('mbpoll', args, { timeout: 10_000 });
      return [...stdout.matchAll(/^\[(\d+)\]:\s+(-?[\d.]+|nan)/gim)].map((m) => Number(m[2]));
    };
    const client = await connectModbus(sim.modbusPort);
    const raw = (await client.readHoldingRegisters(0, 12)).data;
    client.close(() => {});
    expect(await values(commands[0]!)).toEqual(raw);
    expect(await values(commands[1]!)).toEqual([sim.tagValue('loader.totalCount')]);
    const [power] = await values(commands[2]!);
    expect(power).toBeCloseTo(sim.tagValue('loader.power') as number, 3);
    if (!hasSocat) return;
    // The same read over the RTU line (pseudo-terminal pair), as the README shows.
    const rtuCommand = README.split('\n').find((l) => l.startsWith('mbpoll -m rtu'))!;
    const rtuArgs = rtuCommand.split(/\s+/).slice(1).map((a) => (a === '/dev/pts/7' ? sim.rtu!.clientPath! : a));
    const { stdout } = await run('mbpoll', rtuArgs, { timeout: 10_000 });
    expect([...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => Number(m[2]))).toEqual(raw);
  });

  it('an OPC UA browse shows Machines/<machine> with Identification, the tags and units', async () => {
    const children = async (nodeId: string): Promise<ReferenceDescription[]> =>
      (await ua.session.browse({ nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, resultMask: 63 })).references ?? [];
    const objects = await children('i=85');
    expect(objects.map((r) => r.browseName.name)).toContain('Machines');
    const machines = await children('ns=1;s=Machines');
    expect(machines.map((r) => r.browseName.name).sort()).toEqual(['inspection', 'mill']);
    expect(machines.find((r) => r.browseName.name === 'mill')!.displayName.text).toBe('CNC mill');
    const mill = (await children('ns=1;s=mill')).map((r) => r.browseName.name);
    for (const name of ['Identification', 'Status', 'State', 'FaultCode', 'TotalCount', 'GoodCount', 'Power', 'Energy', 'SpeedOverride', 'SpindleSpeed', 'SpindleTemperature', 'Vibration', 'ResetFault']) {
      expect(mill, name).toContain(name);
    }
    const ident = await children('ns=1;s=mill.Identification');
    expect(ident.map((r) => r.browseName.name).sort()).toEqual(['Manufacturer', 'Model', 'ProductInstanceUri', 'SerialNumber']);
    expect((await readUa(ua.session, 'ns=1;s=mill.Identification.Manufacturer')).value.value.text).toBe('DMG Mori');
    expect((await readUa(ua.session, 'ns=1;s=mill.Identification.Model')).value.value.text).toBe('DMU 50');
    expect((await readUa(ua.session, 'ns=1;s=mill.Identification.SerialNumber')).value.value).toBe('DM-19-11832');
    const power = await children('ns=1;s=mill.Power');
    const eu = power.find((r) => r.browseName.name === 'EngineeringUnits');
    expect(eu).toBeDefined();
    const euValue = (await readUa(ua.session, eu!.nodeId.toString())).value.value as { displayName: { text: string } };
    expect(euValue.displayName.text).toBe('kW');
    // Every plant tag is served at its node id with its data type.
    const types = { bool: DataType.Boolean, uint16: DataType.UInt16, uint32: DataType.UInt32, float32: DataType.Float, float64: DataType.Double } as Record<string, DataType>;
    for (const m of plant.machines.filter((x) => x.device === 'plc-opcua')) {
      for (const tag of m.tags) {
        const dv = await readUa(ua.session, tag.opcua!.nodeId);
        expect(dv.statusCode.isGood(), tag.opcua!.nodeId).toBe(true);
        expect(dv.value.dataType, tag.opcua!.nodeId).toBe(types[tag.type]);
        expect(dv.value.value, tag.opcua!.nodeId).toEqual(typeof dv.value.value === 'number' && Number.isNaN(dv.value.value) ? NaN : sim.tagValue(`${m.id}.${tag.name}`));
      }
    }
  });
});
