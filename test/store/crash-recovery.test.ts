// Crash safety, end to end: the real edge runs as a child process (node --import tsx
// edge/main.ts) against the real simulator (OPC UA + Modbus on free ports), is killed with
// SIGKILL while it writes, and is started again on the same database. The database must
// open cleanly, every sample acknowledged before the kill must be there, and the shift's
// KPIs must continue from where they were.
//
// "Acknowledged" (edge/store/historian.ts): GET /api/status → historian.lastAcknowledgedSeq
// is the sequence number of the last event whose write transaction has committed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseYaml, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlant } from '../../edge/config/load-plant.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import type { RawPoint, StateInterval, TagTrend } from '../../shared/history-api.js';
import type { HistorianHealth } from '../../edge/store/historian.js';
import { waitFor } from './events.js';

interface EdgeProcess {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<number | null>;
}

let dir: string;
let sim: RunningSimulator;
let plantFile: string;
let dbFile: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-crash-'));
  // The demo line, on one 24-hour UTC shift so the test never straddles a shift change,
  // with a short flush interval so kills land between and during many commits.
  const doc = parseYaml(readFileSync('config/demo-plant.yaml', 'utf8')) as Record<string, any>;
  doc.site.timezone = 'UTC';
  doc.calendar = { shifts: [{ name: 'Day', start: '00:00', end: '00:00' }] };
  doc.historian = { flushIntervalMs: 100, backup: { enabled: false } };
  const basePlant = parsePlant(doc, 'crash-plant.yaml');
  sim = await startSimulator({ plant: basePlant, opcuaPort: 0, modbusPort: 0, seed: 11, timeScale: 1, pkiDir: join(dir, 'pki-sim') });
  for (const d of doc.devices) {
    if (d.protocol === 'opcua') d.endpointUrl = sim.opcuaEndpoint;
    else Object.assign(d, { host: '127.0.0.1', port: sim.modbusPort, pollIntervalMs: 200 });
  }
  plantFile = join(dir, 'plant.yaml');
  writeFileSync(plantFile, stringify(doc));
  dbFile = join(dir, 'twinline.db');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `--demo`: requests without a token read as the demo operator (auth is not what this test is about). */
async function startEdgeProcess(): Promise<EdgeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'edge/main.ts', '--plant', plantFile, '--port', '0', '--host', '127.0.0.1', '--data', dir, '--db', dbFile, '--demo'], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  const port = await waitFor(`the edge to listen (output so far: ${output.join(' | ')})`, () => {
    if (child.exitCode !== null) throw new Error(`edge exited with ${child.exitCode}: ${output.join('\n')}`);
    for (const line of output) {
      const m = /on http:\/\/localhost:(\d+)/.exec(line);
      if (m) return Number(m[1]);
    }
    return undefined;
  }, 30_000, 100);
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
}

const getJson = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const health = (edge: EdgeProcess) => getJson<{ historian: HistorianHealth }>(`${edge.url}/api/status`);
const machines = async (edge: EdgeProcess) => new Map((await getJson<{ machines: MachineLive[] }>(`${edge.url}/api/machines`)).machines.map((m) => [m.machineId, m]));

/** Polls `probe` (async) until it returns a value; fails with `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TAGS = ['mill.spindleSpeed', 'mill.power', 'inspection.cameraTemperature', 'loader.axisTemperature', 'packer.power'];

describe('crash safety: SIGKILL while writing, then restart', () => {
  it('opens cleanly, keeps every acknowledged sample, and continues the shift KPIs', async () => {
    const first = await startEdgeProcess();
    const startedAt = Date.now();
    // Let it run until parts were counted on both protocols (mill: OPC UA, loader/washer/packer: Modbus).
    await until('parts counted on OPC UA and Modbus machines', async () => {
      const m = await machines(first);
      return m.get('mill')!.counts.total > 0 && ['loader', 'washer', 'packer'].some((id) => m.get(id)!.counts.total > 0);
    }, 60_000);

    // …and until the mill's spindle speed has a few stored samples (on a loaded machine the first
    // parts can be counted before the historian holds more than a handful).
    await until('a few stored mill spindle samples', async () => {
      const trend = await getJson<TagTrend>(`${first.url}/api/history/tags/mill.spindleSpeed?from=${startedAt - 60_000}&to=${Date.now() + 60_000}&maxPoints=10000`);
      return trend.points.length > 5;
    }, 60_000);

    // What the KPI engine knew, then proof that all of it was committed: the acknowledged
    // sequence number catches up with the events recorded before the read.
    const countsBefore = await machines(first);
    const recorded = (await health(first)).historian.lastRecordedSeq;
    const acked = await until('the historian to acknowledge what was recorded', async () => {
      const h = (await health(first)).historian;
      return h.lastAcknowledgedSeq >= recorded && h;
    });
    // Acknowledged samples, as the REST API answers them (read from the database).
    const window = `from=${startedAt - 60_000}&to=${Date.now() + 60_000}&maxPoints=10000`;
    const samplesBefore = new Map<string, RawPoint[]>();
    for (const tag of TAGS) {
      const trend = await getJson<TagTrend>(`${first.url}/api/history/tags/${tag}?${window}`);
      expect(trend.resolution).toBe('raw');
      samplesBefore.set(tag, trend.points as RawPoint[]);
    }
    expect(samplesBefore.get('mill.spindleSpeed')!.length).toBeGreaterThan(5);

    // Kill it while it keeps acquiring and committing (every 100 ms).
    await until('more writes after the acknowledgement', async () => (await health(first)).historian.lastAcknowledgedSeq > acked.lastAcknowledgedSeq);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    const killedAt = Date.now();

    // The file opens cleanly on its own (WAL recovered), before the edge touches it again.
    const db = new Database(dbFile);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare("SELECT value FROM historian_meta WHERE key = 'acknowledged_seq'").pluck().get()).toBeGreaterThanOrEqual(acked.lastAcknowledgedSeq);
    } finally {
      db.close();
    }

    const second = await startEdgeProcess();
    try {
      const h2 = (await health(second)).historian;
      expect(h2.lastAcknowledgedSeq).toBeGreaterThanOrEqual(acked.lastAcknowledgedSeq);
      expect(second.output.some((l) => /historian: opened .* acknowledged through seq \d+; previous run last alive/.test(l))).toBe(true);
      expect(second.output.some((l) => /KPIs rebuilt from the historian: \d+ stored events/.test(l))).toBe(true);

      // Every acknowledged sample is there.
      for (const tag of TAGS) {
        const after = (await getJson<TagTrend>(`${second.url}/api/history/tags/${tag}?${window}`)).points as RawPoint[];
        const have = new Set(after.map((p) => JSON.stringify(p)));
        const missing = samplesBefore.get(tag)!.filter((p) => !have.has(JSON.stringify(p)));
        expect(missing, `${tag}: acknowledged samples missing after the crash`).toEqual([]);
      }

      // The shift's KPIs continue: nothing counted before the kill is lost…
      const countsAfter = await machines(second);
      for (const [id, before] of countsBefore) {
        const after = countsAfter.get(id)!;
        expect(after.shift, id).toEqual(before.shift);
        expect(after.counts.total, id).toBeGreaterThanOrEqual(before.counts.total);
        expect(after.counts.good, id).toBeGreaterThanOrEqual(before.counts.good);
        expect(after.energyKWh, id).toBeGreaterThanOrEqual(before.energyKWh - 1e-9);
      }
      // …the time the edge was down is "no data" in the timeline…
      const timeline = await getJson<{ intervals: StateInterval[] }>(`${second.url}/api/history/states/mill?from=${startedAt - 60_000}&to=${Date.now() + 60_000}`);
      const gap = timeline.intervals.find((s) => s.state === 'no-data' && s.reason === 'edge not running');
      expect(gap, JSON.stringify(timeline.intervals)).toBeDefined();
      expect(gap!.startTs).toBeLessThanOrEqual(killedAt);
      expect(gap!.startTs).toBeGreaterThan(killedAt - 5_000);
      // intervals follow each other and never run backwards, also across the restart
      timeline.intervals.forEach((s, i) => {
        if (s.endTs !== null) expect(s.endTs, JSON.stringify(s)).toBeGreaterThanOrEqual(s.startTs);
        if (i > 0) expect(s.startTs, JSON.stringify(timeline.intervals)).toBe(timeline.intervals[i - 1]!.endTs);
      });
      // …and counting goes on from there.
      const total = (m: Map<string, MachineLive>) => [...m.values()].reduce((s, x) => s + x.counts.total, 0);
      await until('line counts to grow after the restart', async () => total(await machines(second)) > total(countsAfter), 60_000);
    } catch (err) {
      second.child.kill('SIGKILL');
      throw err;
    }
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output.slice(-10).join('\n')).toBe(0);
    // A clean stop leaves a clean file too.
    const db2 = new Database(dbFile, { readonly: true });
    try {
      expect(db2.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db2.close();
    }
  }, 180_000);
});
