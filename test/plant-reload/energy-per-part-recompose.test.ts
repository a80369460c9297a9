// The line's kWh per part, as the twin's header shows it, across a recomposition that adds a
// machine (issue 21: the layout editor appends it to the plant file, after the others). Sampled
// from the live feed a real client gets (snapshot, deltas, the reconnect), through the twin's own
// store and figure: it must stay in the band of the values before and after, give or take the
// figure's own movement, and never go blank. It once divided the whole line's shift energy by
// the good parts of the machine last in the file, i.e. the one just added: "—", then several
// times the real figure, falling back slowly as the new machine counted parts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { parseDocument, type YAMLSeq } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import type { LineDelta, LineSnapshot } from '../../shared/live-protocol.js';
import { LineStore } from '../../twin-ui/src/live/line-store.js';
import { lineEnergyPerPart } from '../../twin-ui/src/ui/views/line-figures.js';
import { waitFor } from '../support/wait-for.js';
import { plantFileWithSimulator, type PlantOnDisk, superviseEdge } from './support.js';

let disk: PlantOnDisk;
let supervisor: PlantSupervisor<RunningEdge>;

beforeAll(async () => {
  disk = await plantFileWithSimulator({ timeScale: 30 });
  supervisor = await superviseEdge({ file: disk.file, dir: disk.dir, logs: disk.logs, watch: false });
}, 60_000);
afterAll(async () => {
  await supervisor?.stop();
  await disk?.sim.stop();
  if (disk) rmSync(disk.dir, { recursive: true, force: true });
});

interface Sample { t: number; perPart: number | null; good: Record<string, number> }

describe('the line kWh per part when a machine is added', () => {
  it('stays in the band of the figures before and after the recomposition, never blank', async () => {
    const store = new LineStore();
    const samples: Sample[] = [];
    const sample = () => {
      const machines = store.plant!.machines.flatMap((m) => store.machines.get(m.id) ?? []);
      samples.push({ t: Date.now(), perPart: lineEnergyPerPart(machines), good: Object.fromEntries(machines.map((m) => [m.machineId, m.counts.good])) });
    };
    const socket: Socket = io(supervisor.edge().url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 });
    socket.on('snapshot', (s: LineSnapshot) => { store.applySnapshot(s); sample(); });
    socket.on('delta', (d: LineDelta) => { store.applyDelta(d); sample(); });
    const series = (from: number) => samples.filter((s) => s.t >= from).map((s) => `${s.t - from}ms ${s.perPart?.toFixed(4) ?? '—'}`).join(', ');
    try {
      // Enough parts on every machine that one more part moves the figure by a few per cent only.
      await waitFor('every machine has made 10 good parts', () => { const last = samples.at(-1); return last && Object.values(last.good).every((g) => g >= 10); }, 60_000);
      const beforeFrom = Date.now();
      await waitFor('2 s of figures before', () => samples.at(-1)!.t - beforeFrom >= 2000, 10_000);

      // A second mill on the OPC UA device, reading the mill's counters and meter; appended last.
      const doc = parseDocument(readFileSync(disk.file, 'utf8'));
      const mill = (doc.toJS() as { machines: { id: string }[] }).machines.find((m) => m.id === 'mill')!;
      (doc.get('machines') as YAMLSeq).add(doc.createNode({ ...mill, id: 'mill-4', name: 'Mill 4', visual: undefined, layout: { x: 20, z: 0, rotationDeg: 0 } }));
      writeFileSync(disk.file, doc.toString({ lineWidth: 0 }));
      const first = supervisor.edge();
      const reloadAt = Date.now();
      expect((await supervisor.reload('manual')).result).toBe('recomposed');
      expect(supervisor.edge()).not.toBe(first);
      // Settled: a few seconds on, and mill-4 has a few parts of its own (its first one may take a cycle or a fault).
      await waitFor('mill-4 has made 3 good parts', () => (store.machines.get('mill-4')?.counts.good ?? 0) >= 3, 30_000);
      const settledFrom = Math.max(Date.now(), reloadAt + 3000);
      await waitFor('2 s of figures after the settling time', () => samples.at(-1)!.t - settledFrom >= 2000, 20_000);

      const values = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to);
      const before = values(beforeFrom, reloadAt).map((s) => s.perPart!);
      const after = values(settledFrom, Infinity).map((s) => s.perPart!);
      const transition = values(reloadAt, settledFrom);
      const context = `before: ${before.map((v) => v.toFixed(4)).join(', ')}; after the reload: ${series(reloadAt)}`;
      expect(before.length, context).toBeGreaterThan(5);
      expect(after.length, context).toBeGreaterThan(5);
      expect([...before, ...after].every((v) => v !== null && v > 0), context).toBe(true);
      const lo = Math.min(...before, ...after);
      const hi = Math.max(...before, ...after);
      // The figure's own movement: a part finishing on one machine, a meter step.
      const slack = 0.15 * hi;
      for (const s of transition) {
        expect(s.perPart, `at ${s.t - reloadAt} ms after the reload: ${context}`).not.toBeNull();
        expect(s.perPart!, `at ${s.t - reloadAt} ms after the reload (band ${lo.toFixed(4)}–${hi.toFixed(4)}): ${context}`).toBeGreaterThanOrEqual(lo - slack);
        expect(s.perPart!, `at ${s.t - reloadAt} ms after the reload (band ${lo.toFixed(4)}–${hi.toFixed(4)}): ${context}`).toBeLessThanOrEqual(hi + slack);
      }
      // A second mill adds about one mill's share, not a multiple of the line's figure.
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(after) / mean(before), context).toBeLessThan(1.6);
    } finally {
      socket.close();
    }
  }, 120_000);
});
