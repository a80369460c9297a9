// History routes over the read worker on a real SQLite file and a real HTTP socket: a state
// timeline too long for a JSON answer is refused naming the limit but streams as CSV (read
// page by page, sent in chunks), and a full read queue answers 503 with Retry-After.
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { registerHistoryRoutes } from '../../edge/api/history-routes.js';
import { installErrorHandler } from '../../edge/api/validation.js';
import { openReadWorker } from '../../edge/store/read-worker-client.js';
import type { Reads } from '../../edge/store/reads.js';
import { MAX_JSON_ROWS, READ_RETRY_AFTER_S } from '../../shared/query-limits.js';
import { manualClock, stateEvent } from '../store/events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
const clock = manualClock(T0 + 86_400_000);
/** One more interval than a JSON answer may hold. */
const INTERVALS = MAX_JSON_ROWS + 1;
let dir: string;
let h: Historian;
const apps: FastifyInstance[] = [];
const workers: Reads[] = [];

async function serve(reads: Reads): Promise<string> {
  const app = Fastify();
  installErrorHandler(app, () => undefined);
  await registerHistoryRoutes(app, { queries: h.queries, reads, machineIds: ['mill'], now: clock.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
const worker = (o: { maxQueued?: number } = {}) => {
  const w = openReadWorker({ file: join(dir, 'h.db'), catchUp: () => h.queries.catchUp(), ...o });
  workers.push(w);
  return w;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-bounded-reads-'));
  h = openHistorian({ file: join(dir, 'h.db'), now: clock.now, flushIntervalMs: 3_600_000, settings: { heartbeatSeconds: 86_400, backup: { enabled: false } } });
  h.onModelEvents([stateEvent('mill', 'running', T0)]);
  h.flush();
  // A machine flapping every 100 ms for almost three hours.
  const put = h.sqlite.prepare('INSERT INTO machine_states (machine_id, state, start_ts, end_ts, reason) VALUES (?, ?, ?, ?, NULL)');
  h.sqlite.transaction(() => {
    h.sqlite.prepare('DELETE FROM machine_states').run();
    for (let i = 0; i < INTERVALS; i++) put.run('mill', i % 2 ? 'idle' : 'running', T0 + i * 100, i === INTERVALS - 1 ? null : T0 + (i + 1) * 100);
  })();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  for (const w of workers) await w.close();
  h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bounded history reads', () => {
  it('refuses a JSON timeline past the row limit, naming it, and streams the same window as CSV', async () => {
    const base = await serve(worker());
    const window = `from=${T0}&to=${T0 + 86_400_000}`;
    const json = await fetch(`${base}/api/history/states/mill?${window}`);
    expect(json.status).toBe(400);
    const refusal = await json.json() as { error: string; code: string; field: string };
    expect(refusal).toMatchObject({ code: 'limit', field: 'from' });
    expect(refusal.error).toMatch(/more than 100,000 state intervals; at most 100,000 per answer \(parameter: from\): ask for a shorter window, or format=csv/);

    const csv = await fetch(`${base}/api/history/states/mill?${window}&format=csv`);
    expect(csv.status).toBe(200);
    // Streamed: no length known up front.
    expect(csv.headers.get('content-length')).toBeNull();
    expect(csv.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('machine_id,state,reason,start_ts,start,end_ts,end,duration_s');
    expect(lines).toHaveLength(1 + INTERVALS);
    // Page boundaries (5,000 rows a page) neither lose nor repeat a row.
    const starts = lines.slice(1).map((l) => Number(l.split(',')[3]));
    expect(starts.every((t, i) => t === T0 + i * 100)).toBe(true);
  });

  it('answers 503 with Retry-After when the read queue is full', async () => {
    const base = await serve(worker({ maxQueued: 0 }));
    const res = await fetch(`${base}/api/history/states/mill?from=${T0}&to=${T0 + 60_000}`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(READ_RETRY_AFTER_S));
    expect(await res.json()).toMatchObject({ code: 'busy', error: expect.stringMatching(/try again in \d+ s/) });
  });
});
