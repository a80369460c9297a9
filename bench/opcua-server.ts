// The edge's OPC UA server under load (issue 20.5): S external sessions (default 50), each
// subscribing to I of the edge's variables (default 1,000) at 250 ms, while the edge acquires
// 1,000 tags at 250 ms from an OPC UA load server. Prints notifications/s served, the edge's
// CPU, and acquisition with the clients against without them (before and after, same run):
// the rate must stay within 5 %.
// `npm run bench -- opcua-server [--sessions 50] [--items 1000] [--seconds 10]`
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEdge } from '../edge/edge-runtime.js';
import { PlantSchema } from '../shared/plant-schema.js';
import { freePort } from '../test/support/free-port.js';
import { spawnReady } from './support/spawn-ready.js';
import { fmt, measure, type Window } from './support/measure.js';

export interface OpcUaServerBenchOptions { sessions: number; items: number; seconds: number; publishingMs: number }
const TAGS = 1000;
const MACHINES = 10;

export function optionsFromArgs(argv: readonly string[]): OpcUaServerBenchOptions {
  const num = (flag: string, fallback: number) => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? Number(argv[i + 1]) : fallback;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} needs a positive number`);
    return v;
  };
  return { sessions: num('--sessions', 50), items: num('--items', 1000), seconds: num('--seconds', 10), publishingMs: 250 };
}

export async function runOpcUaServerBench(o: OpcUaServerBenchOptions): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-bench-uasrv-'));
  const loadPort = await freePort();
  const load = await spawnReady('bench/support/opcua-load-server.ts', [String(loadPort), String(TAGS), join(dir, 'pki-load')]);
  const perMachine = TAGS / MACHINES;
  const plant = PlantSchema.parse({
    site: { id: 'bench', name: 'bench', timezone: 'UTC' },
    line: { id: 'bench-line', name: 'bench line' },
    calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
    devices: [{ id: 'load', protocol: 'opcua', endpointUrl: `opc.tcp://127.0.0.1:${loadPort}`, samplingIntervalMs: o.publishingMs, publishingIntervalMs: o.publishingMs }],
    machines: Array.from({ length: MACHINES }, (_, m) => ({
      id: `m${m}`, name: `machine ${m}`, type: 'cnc', device: 'load', idealCycleTimeSeconds: 10, layout: { x: m, z: 0 },
      tags: Array.from({ length: perMachine }, (_, t) => ({ name: `t${t}`, type: 'float64', opcua: { nodeId: `ns=1;s=load.t${m * perMachine + t}` } })),
    })),
    opcuaServer: { port: 0, hostname: '127.0.0.1', securityModes: ['None'], allowAnonymous: true, maxSessions: Math.max(100, o.sessions + 10) },
  });
  const edge = await startEdge({
    plant, port: 0, host: '127.0.0.1', dbFile: join(dir, 'twinline.db'), dataDir: dir, uiDir: join(dir, 'no-ui'),
    log: () => {}, auth: { mode: 'required', secret: 'bench-secret-of-at-least-thirty-two-characters' },
  });
  const server = edge.opcuaServer!;
  const counter = () => server.tagChanges();
  let clients: ChildProcess | undefined;
  try {
    const deadline = Date.now() + 60_000;
    while (counter() < TAGS * 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await measure(counter, 3); // warm-up
    const before = await measure(counter, o.seconds);

    const nodes = plant.machines.flatMap((m) => m.tags.map((t) => `ns=1;s=${m.id}.${t.name}`));
    const connectStart = performance.now();
    clients = await spawnReady('bench/support/opcua-server-clients.ts', [
      `opc.tcp://127.0.0.1:${server.port}`, String(o.sessions), String(o.items), String(o.publishingMs), join(dir, 'pki-clients'), nodes.join(','),
    ]);
    const connectSeconds = (performance.now() - connectStart) / 1000;
    const lines = createInterface({ input: clients.stdout! });
    const counts: number[] = [];
    lines.on('line', (l) => { if (l.startsWith('{')) counts.push((JSON.parse(l) as { notifications: number }).notifications); });
    const askCount = async () => {
      const n = counts.length;
      clients!.stdin!.write('count\n');
      while (counts.length === n) await new Promise((r) => setTimeout(r, 20));
      return counts[counts.length - 1]!;
    };
    await measure(counter, 3);
    const n0 = await askCount();
    const loaded = await measure(counter, o.seconds);
    const n1 = await askCount();
    const sessions = server.sessions();
    clients.stdin!.end('stop\n');
    await new Promise((r) => clients!.once('exit', r));
    clients = undefined;
    await measure(counter, 3);
    const after = await measure(counter, o.seconds);

    const quiet = (before.perSecond + after.perSecond) / 2;
    const ratio = loaded.perSecond / quiet;
    const row = (name: string, w: Window) => `  ${name.padEnd(26)} ${fmt(w.perSecond).padStart(8)} tag changes/s   edge CPU ${fmt(w.cpuPercent, 1).padStart(5)} %`;
    return [
      `  ${fmt(o.sessions)} sessions × ${fmt(o.items)} monitored items at ${o.publishingMs} ms (${sessions} sessions open; connected and subscribed in ${fmt(connectSeconds, 1)} s); acquisition ${TAGS} tags at ${o.publishingMs} ms`,
      row('without clients (before)', before),
      row('with the clients', loaded),
      row('without clients (after)', after),
      `  notifications served       ${fmt((n1 - n0) / loaded.seconds).padStart(8)} /s (${fmt(n1 - n0)} in ${fmt(loaded.seconds, 1)} s)`,
      `  acquisition with clients / without: ${fmt(ratio * 100, 1)} % — ${Math.abs(1 - ratio) <= 0.05 ? 'within' : 'OUTSIDE'} the 5 % the issue allows`,
    ];
  } finally {
    if (clients) clients.kill('SIGKILL');
    await edge.stop();
    load.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
