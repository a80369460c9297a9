// Redundant plant hosts on one PostgreSQL (issue 19.2): two hosts, each a real process, one the
// Sparkplug primary through the database lease (the standby started after the edges, so it must
// have them reborn to mirror them); ten simulated edges publish through Mosquitto.
// The primary is killed (SIGKILL) mid-run; the standby takes over, the edges store and forward
// until it is online and replay; afterwards every sample every edge fed is in the database once —
// from each edge's very first tick (before it was online, or just after its births: plant-edges.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pg from 'pg';
import { startTestPostgres } from './support/postgres.js';
import { startBroker, startEdges, startHostProcess, tempDir, until, type Broker, type EdgesProcess, type HostProcess } from './support/plant-rig.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/host-pg/failover.test.ts skipped: ${started.why}`);

const EDGES = 10;
const MACHINES = 2;
const TAGS = 5;

describe.skipIf(!started.ok)('redundant hosts on PostgreSQL', () => {
  const server = started.ok ? started.server : null!;
  const tmp = tempDir('twinline-failover-');
  let broker: Broker | null = null;
  const hosts: HostProcess[] = [];
  let edges: EdgesProcess | null = null;
  const db = new pg.Pool({ connectionString: server?.url, max: 2 });
  db.on('error', () => undefined);

  afterAll(async () => {
    await edges?.stop();
    for (const h of hosts) await h.stop().catch(() => undefined);
    await broker?.stop();
    await db.end();
    await server?.stop();
    tmp.remove();
  });

  it('a standby takes over when the primary is killed; nothing missing, nothing doubled', async () => {
    broker = await startBroker();
    const common = { brokerUrl: broker.url, pgUrl: server.url, hostId: 'plant', groupId: 'plant' };
    const a = await startHostProcess({ ...common, dataDir: join(tmp.dir, 'a') });
    hosts.push(a);
    await a.role(true, 20_000);
    edges = await startEdges({
      brokerUrl: broker.url, groupId: 'plant', hostId: 'plant', edges: EDGES, machines: MACHINES, tagsPerMachine: TAGS, hz: 4, publishIntervalMs: 100, dataDir: join(tmp.dir, 'edges'),
    });
    const e = edges;
    // The standby starts while the edges run: it asks them for births to mirror them too.
    const b = await startHostProcess({ ...common, dataDir: join(tmp.dir, 'b') });
    hosts.push(b);
    expect(b.primary).toBe(false);
    await until(async () => {
      const status = await (await fetch(`http://127.0.0.1:${b.port}/api/status`)).json() as { host?: { onlineEdgeNodes: number } };
      return status.host?.onlineEdgeNodes === EDGES;
    }, 30_000, 'the standby mirroring every edge');
    // Running, stored by the primary (and by the standby: the same rows).
    await until(async () => Number((await db.query(`SELECT count(*) AS n FROM tag_samples`)).rows[0].n) >= EDGES * MACHINES * TAGS * 4, 20_000, 'samples stored');

    const killedAt = Date.now();
    await a.kill();
    const tookOverAt = await b.role(true, 20_000);
    await until(async () => (await e.status()).edges.every((s) => s.online), 30_000, 'every edge online again with the new primary');
    const backAt = Date.now();
    // Some more live data under the new primary, then stop feeding and let every queue drain.
    const ticksThen = (await e.status()).edges.reduce((n, s) => n + s.ticks, 0);
    await until(async () => (await e.status()).edges.reduce((n, s) => n + s.ticks, 0) >= ticksThen + EDGES * 4, 10_000, 'more ticks');
    await e.hold();
    await until(async () => (await e.status()).edges.every((s) => s.online && s.queuedMetrics === 0), 30_000, 'edge queues drained');
    const final = await e.status(true);
    const expected = new Map(final.edges.map((s) => [s.lineId, s.ticks]));
    const firstTick = new Map(final.edges.map((s) => [s.lineId, s.firstTickTs]));
    // Every row, not only those after some start: a row the edges did not feed (a birth's "no value yet") is wrong too.
    const stored = async () => {
      await b.flush();
      const r = await db.query(`SELECT line_key, machine_id, tag, count(*)::int AS n, count(DISTINCT num)::int AS distinct_values,
          (extract(epoch FROM min(ts)) * 1000)::float8 AS first_ms
        FROM tag_samples WHERE tag <> 'state' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
      return r.rows as Array<{ line_key: string; machine_id: string; tag: string; n: number; distinct_values: number; first_ms: number }>;
    };
    let rows = await stored();
    await until(async () => {
      rows = await stored();
      return rows.length === EDGES * MACHINES * TAGS && rows.every((r) => r.distinct_values >= expected.get(r.line_key.split('/')[1]!)!);
    }, 20_000, 'every fed sample in the database').catch(() => undefined);

    // Every tag of every edge: one row per tick fed, each value once.
    expect(rows.length).toBe(EDGES * MACHINES * TAGS);
    const wrong = rows.filter((r) => r.n !== expected.get(r.line_key.split('/')[1]!) || r.distinct_values !== r.n);
    expect(wrong.map((r) => `${r.line_key} ${r.machine_id}.${r.tag}: ${r.n} rows, ${r.distinct_values} values, ${expected.get(r.line_key.split('/')[1]!)} fed`)).toEqual([]);
    // Each tag's first stored sample is its edge's first tick (ms precision: timestamptz keeps µs).
    const late = rows.filter((r) => Math.abs(r.first_ms - firstTick.get(r.line_key.split('/')[1]!)!) > 0.5);
    expect(late.map((r) => `${r.line_key} ${r.machine_id}.${r.tag}: first stored ${new Date(r.first_ms).toISOString()}, first fed ${new Date(firstTick.get(r.line_key.split('/')[1]!)!).toISOString()}`)).toEqual([]);
    // The edges did store and forward while no host was the primary.
    expect(final.edges.reduce((n, s) => n + s.historicalMetricsReplayed, 0)).toBeGreaterThan(0);
    expect(final.edges.every((s) => s.droppedMetrics === 0)).toBe(true);

    // The new primary answers the plant API from the database (demo sign-in here; access is declared per route).
    const url = `http://127.0.0.1:${b.port}`;
    const q = `from=${new Date(killedAt - 86_400_000).toISOString()}&to=${new Date(killedAt + 86_400_000).toISOString()}`;
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'maintenance', password: 'maintenance-demo' }) });
    const { token } = await login.json() as { token: string };
    const status = await (await fetch(`${url}/api/status`, { headers: { authorization: `Bearer ${token}` } })).json() as { postgres: { primary: boolean } };
    expect(status.postgres.primary).toBe(true);
    const csv = await fetch(`${url}/api/plant/energy?${q}&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    console.log(`failover: standby primary ${tookOverAt - killedAt} ms after the kill, edges online ${backAt - killedAt} ms after; ${rows.reduce((n, r) => n + r.n, 0)} samples, none missing or doubled`);
  }, 120_000);
});
