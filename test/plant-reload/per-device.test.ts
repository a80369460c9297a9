// Per-device apply of a plant change (issue 21.5) against the real simulator: a machine added on
// a new device, then removed, while the line's two devices go on acquiring. Their connectors are
// the same objects across both changes, the OPC UA session is not opened again, and the history
// of the polled Modbus device has no gap longer than its poll interval across the swap.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import { waitFor } from '../support/wait-for.js';
import { plantFileWithSimulator, type PlantOnDisk, superviseEdge } from './support.js';

let disk: PlantOnDisk;
let supervisor: PlantSupervisor<RunningEdge>;

beforeAll(async () => {
  disk = await plantFileWithSimulator();
  supervisor = await superviseEdge({ file: disk.file, dir: disk.dir, logs: disk.logs });
});
afterAll(async () => {
  await supervisor?.stop();
  await disk?.sim.stop();
  if (disk) rmSync(disk.dir, { recursive: true, force: true });
});

/** Source times of the samples the historian stored for these machines between `from` and `to`, ascending. */
function sampleTimes(machineIds: readonly string[], from: number, to: number): number[] {
  supervisor.edge().historian.flush();
  const db = new Database(join(disk.dir, 'twinline.db'), { readonly: true });
  try {
    const byMachine = machineIds.map(() => "t.name LIKE ? || '.%'").join(' OR ');
    const rows = db.prepare(`SELECT DISTINCT s.ts AS ts FROM tag_samples s JOIN tags t ON t.id = s.tag_id WHERE s.ts BETWEEN ? AND ? AND (${byMachine}) ORDER BY s.ts`)
      .all(from, to, ...machineIds) as { ts: number }[];
    return rows.map((r) => r.ts);
  } finally {
    db.close();
  }
}

/** The longest time between two stored samples, and where it was. */
function longestGap(times: readonly number[]): { ms: number; at: number } {
  let gap = { ms: 0, at: 0 };
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > gap.ms) gap = { ms: times[i]! - times[i - 1]!, at: times[i - 1]! };
  return gap;
}

const sessionsOpened = () => disk.logs.filter((l) => l.includes('plc-opcua: OPC UA session open')).length;

/** Waits for a recomposition after `edit`, failing with what the supervisor and the edge last did. */
async function applied(edit: () => void): Promise<RunningEdge> {
  const before = supervisor.edge();
  edit();
  await waitFor('the edge composed again', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== before, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; last reload: ${JSON.stringify(supervisor.lastReload())}; last log lines:\n${disk.logs.slice(-30).join('\n')}`);
  });
  return supervisor.edge();
}

const MODBUS_MACHINES = ['loader', 'washer', 'packer', 'furnace'];

describe('per-device apply of a plant change', () => {
  it('adds a machine on a new device: the other devices keep their connectors, session and data', async () => {
    await waitFor('both devices acquiring', () => sampleTimes(MODBUS_MACHINES, 0, Date.now()).length > 0 && sampleTimes(['mill'], 0, Date.now()).length > 0, 20_000);
    await waitFor('the OPC UA session open', () => sessionsOpened() === 1, 20_000);
    const before = supervisor.edge();
    const opcua = before.connector('plc-opcua')!;
    const modbus = before.connector('plc-modbus')!;
    const device = supervisor.plant().devices.find((d) => d.id === 'plc-modbus')!;
    const pollMs = device.protocol === 'modbus-tcp' ? device.pollIntervalMs : NaN;
    let writtenAt = 0;
    // A second Modbus device (the simulator's Modbus server again) with a machine reading the loader's registers.
    const edge = await applied(() => {
      const doc = parseDocument(readFileSync(disk.file, 'utf8'));
      const modbusDevice = (doc.toJS() as { devices: Record<string, unknown>[] }).devices.find((d) => d.id === 'plc-modbus')!;
      doc.addIn(['devices'], doc.createNode({ ...modbusDevice, id: 'plc-modbus-2' }));
      doc.addIn(['machines'], doc.createNode({
        id: 'loader-2', name: 'Second loader', type: 'robot', device: 'plc-modbus-2', idealCycleTimeSeconds: 8, layout: { x: 0, z: 8, rotationDeg: 0 },
        tags: [
          { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
          { name: 'totalCount', role: 'totalCount', type: 'uint32', modbus: { table: 'holding', address: 2, wordOrder: 'high-first' } },
        ],
      }));
      writeFileSync(disk.file, doc.toString({ lineWidth: 0 }));
      writtenAt = Date.now();
    });
    const swappedAt = Date.now();
    // No gap in the polled device's history across the swap (the file was written in the window):
    // at most two poll intervals between stored samples, where reading with a receive timestamp
    // jitters by a request's time; composing the edge again with a new connector left 2 s here.
    await waitFor('samples after the swap', () => sampleTimes(MODBUS_MACHINES, swappedAt + 1_000, Date.now()).length > 0, 10_000);
    const window = sampleTimes(MODBUS_MACHINES, writtenAt - 2_000, swappedAt + 1_000);
    const gap = longestGap(window);
    expect(gap.ms, `longest gap ${gap.ms} ms at ${new Date(gap.at).toISOString()} (poll ${pollMs} ms); log:\n${disk.logs.slice(-20).join('\n')}`)
      .toBeLessThanOrEqual(2 * pollMs);
    expect(supervisor.lastReload()!.summary).toBe('machines added: loader-2; devices added: plc-modbus-2');
    expect(edge.connector('plc-opcua')).toBe(opcua);
    expect(edge.connector('plc-modbus')).toBe(modbus);
    await waitFor('loader-2 acquiring', () => edge.machines().find((m) => m.machineId === 'loader-2' && m.state !== 'no-data'), 20_000);
    // The kept machines show their state at once (their last values were handed over), and go on.
    expect(edge.machines().find((m) => m.machineId === 'mill')!.state).not.toBe('no-data');
    expect(sessionsOpened()).toBe(1);
  });

  it('removing that machine and its device stops only its connector; a request left open does not hold the swap', async () => {
    const before = supervisor.edge();
    // A client that sent half a request and went quiet: closing the HTTP server waits for it
    // (it held a CI recomposition past 30 s) until the stop step's deadline closes it.
    const held = request({ host: '127.0.0.1', port: before.port, method: 'POST', path: '/api/login', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
    held.on('error', () => {});
    held.write('{"username":');
    await waitFor('the request under way', () => disk.logs.length > 0 && held.writableLength === 0);
    const opcua = before.connector('plc-opcua')!;
    const modbus = before.connector('plc-modbus')!;
    const second = before.connector('plc-modbus-2')!;
    expect(second.health().connected).toBe(true);
    const edge = await applied(() => {
      const doc = parseDocument(readFileSync(disk.file, 'utf8'));
      const js = doc.toJS() as { devices: { id: string }[]; machines: { id: string }[] };
      doc.deleteIn(['machines', js.machines.findIndex((m) => m.id === 'loader-2')]);
      doc.deleteIn(['devices', js.devices.findIndex((d) => d.id === 'plc-modbus-2')]);
      writeFileSync(disk.file, doc.toString({ lineWidth: 0 }));
    });
    expect(supervisor.lastReload()!.summary).toBe('machines removed: loader-2; devices removed: plc-modbus-2');
    expect(disk.logs.find((l) => l.includes('did not finish in'))).toMatch(/closing the (live|HTTP) server did not finish in 5000 ms/);
    held.destroy();
    expect(edge.connector('plc-opcua')).toBe(opcua);
    expect(edge.connector('plc-modbus')).toBe(modbus);
    expect(edge.connector('plc-modbus-2')).toBeUndefined();
    expect(second.health().connected).toBe(false);
    expect(sessionsOpened()).toBe(1);
    const t = Date.now();
    await waitFor('the Modbus machines still acquiring', () => sampleTimes(MODBUS_MACHINES, t, t + 60_000).length > 0, 20_000);
  });
});
