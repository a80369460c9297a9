// Plant file hot reload (issue 21.5) against the real simulator: the file is edited on disk as a
// person would. A layout change reaches a connected twin live (same edge, same socket); a machine
// added to the file appears after the edge is composed again, with what the historian stored
// before still there; an invalid file is reported naming the file and the field, and the running
// plant keeps acquiring.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineSnapshot } from '../../shared/live-protocol.js';
import type { PlantFileStatus } from '../../shared/layout-api.js';
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

function samplesOf(machineId: string): number {
  supervisor.edge().historian.flush();
  const db = new Database(join(disk.dir, 'twinline.db'), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM tag_samples s JOIN tags t ON t.id = s.tag_id WHERE t.name LIKE ? || '.%'").get(machineId) as { n: number }).n;
  } finally {
    db.close();
  }
}

const edit = (from: string | RegExp, to: string) => {
  const text = readFileSync(disk.file, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(disk.file, next);
};

describe('plant file hot reload', () => {
  it('applies a layout change live: same edge, the connected twin gets the new position', async () => {
    const edge = supervisor.edge();
    const socket = io(edge.url, { transports: ['websocket'], reconnection: false });
    const snapshots: LineSnapshot[] = [];
    socket.on('snapshot', (s) => snapshots.push(s));
    try {
      await waitFor('first snapshot', () => snapshots.length > 0);
      await waitFor('the mill acquiring', () => samplesOf('mill') > 0, 20_000);
      edit('layout: { x: 6, z: 0, rotationDeg: 0 }', 'layout: { x: 7.5, z: 2, rotationDeg: 90 }');
      const moved = await waitFor('a snapshot with the moved mill', () => snapshots.find((s) => s.plant.machines.find((m) => m.id === 'mill')?.layout.x === 7.5), 10_000);
      expect(moved.plant.machines.find((m) => m.id === 'mill')!.layout).toEqual({ x: 7.5, z: 2, rotationDeg: 90 });
      expect(supervisor.edge()).toBe(edge);
      expect(supervisor.lastReload()).toMatchObject({ result: 'layout', summary: 'machines moved: mill' });
      expect(socket.connected).toBe(true);
    } finally {
      socket.disconnect();
    }
  });

  it('adds a machine written into the file, keeping what was stored for the others', async () => {
    const before = supervisor.edge();
    const millSamples = samplesOf('mill');
    expect(millSamples).toBeGreaterThan(0);
    // A second mill on the same OPC UA server (the simulator's mill variables).
    const text = readFileSync(disk.file, 'utf8');
    const mill = /\n  - id: mill\n[\s\S]*?(?=\n  - id: washer)/.exec(text)![0];
    const copy = mill.replace('- id: mill', '- id: mill-2').replace(/name: .*/, 'name: Second mill').replace(/layout: \{[^}]*\}/, 'layout: { x: 6, z: 8, rotationDeg: 0 }');
    writeFileSync(disk.file, text.replace('\n  - id: washer', `${copy}\n  - id: washer`));
    await waitFor('the edge composed again', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== before, 20_000);
    expect(supervisor.lastReload()!.summary).toBe('machines added: mill-2');
    const edge = supervisor.edge();
    expect(edge.port).toBe(before.port);
    await waitFor('mill-2 acquiring', () => edge.machines().find((m) => m.machineId === 'mill-2' && m.state !== 'no-data'), 20_000);
    expect(samplesOf('mill-2')).toBeGreaterThan(0);
    // The mill's stored history survived and it goes on growing.
    expect(samplesOf('mill')).toBeGreaterThanOrEqual(millSamples);
    await waitFor('the mill still acquiring', () => samplesOf('mill') > millSamples, 20_000);
    const socket = io(edge.url, { transports: ['websocket'], reconnection: false });
    try {
      const snapshot = await new Promise<LineSnapshot>((resolve) => socket.once('snapshot', resolve));
      expect(snapshot.plant.machines.map((m) => m.id)).toContain('mill-2');
    } finally {
      socket.disconnect();
    }
  });

  it('refuses an invalid file naming file and field, and the running plant keeps acquiring', async () => {
    const edge = supervisor.edge();
    // A connected twin is told (live event plant-file), naming file and field.
    const socket = io(edge.url, { transports: ['websocket'], reconnection: false });
    const told: PlantFileStatus[] = [];
    socket.on('plant-file', (s) => told.push(s));
    await waitFor('the plant file state on joining', () => told.length > 0);
    expect(told[0]).toMatchObject({ file: 'plant.yaml', state: 'ok' });
    edit('idealCycleTimeSeconds: ', 'idealCycleTimeSeconds: -');
    await waitFor('the reload refused', () => supervisor.lastReload()?.result === 'invalid', 10_000);
    const refused = supervisor.lastReload()!;
    expect(refused.error).toContain('plant.yaml: machines[0].idealCycleTimeSeconds:');
    expect(refused.error).toContain('the running plant is kept');
    expect(disk.logs.some((l) => l.startsWith('[edge]') && l.includes(' error ') && l.includes('machines[0].idealCycleTimeSeconds'))).toBe(true);
    expect(supervisor.edge()).toBe(edge);
    const invalid = await waitFor('plant-file invalid pushed to the twin', () => told.find((s) => s.state === 'invalid'), 10_000);
    expect(invalid.file).toBe('plant.yaml');
    expect(invalid.error).toContain('plant.yaml: machines[0].idealCycleTimeSeconds:');
    expect(invalid.error).toContain('the running plant is kept');
    expect(invalid.error).not.toContain(disk.dir);
    // Anyone logged in sees it in the edge status, with the file and the field.
    const status = (await (await fetch(`${edge.url}/api/status`)).json()) as { status: string; plantFile: { result: string; error: string } };
    expect(status.status).toBe('degraded');
    expect(status.plantFile.result).toBe('invalid');
    expect(status.plantFile.error).toContain('plant.yaml: machines[0].idealCycleTimeSeconds:');
    const samples = samplesOf('packer') + samplesOf('mill');
    await waitFor('samples still stored', () => samplesOf('packer') + samplesOf('mill') > samples, 20_000);
    expect(edge.devices().every((d) => d.connected)).toBe(true);
    // Fixing the file goes back to normal without a restart (only the fix, nothing else, changed).
    edit('idealCycleTimeSeconds: -', 'idealCycleTimeSeconds: ');
    await waitFor('the fixed file accepted', () => supervisor.lastReload()?.result === 'unchanged', 10_000);
    expect(supervisor.edge()).toBe(edge);
    await waitFor('plant-file ok pushed to the twin', () => told.at(-1)?.state === 'ok' && told.length > 2, 10_000);
    socket.disconnect();
  });
});
