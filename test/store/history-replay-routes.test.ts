// What the twin's replay reads from the historian, on a real HTTP socket (port 0) over a real
// SQLite file: part counts in a window with a base, every tag of a machine at one moment, and
// answers that include what the historian had queued but not yet written (it writes in batches).
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { registerHistoryRoutes } from '../../edge/api/history-routes.js';
import { installErrorHandler } from '../../edge/api/validation.js';
import type { CountsAnswer, StateInterval, ValuesAtAnswer } from '../../shared/history-api.js';
import { countEvent, manualClock, stateEvent, tagEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
const clock = manualClock(T0 + 600_000);
let dir: string;
let h: Historian;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-replay-routes-'));
  // A flush interval far longer than the test: only a query (or an explicit flush) writes.
  h = openHistorian({ file: join(dir, 'h.db'), now: clock.now, flushIntervalMs: 3_600_000, settings: { heartbeatSeconds: 86_400, backup: { enabled: false } } });
  h.onModelEvents([
    countEvent('mill', 2, 2, T0 + 10_000), countEvent('mill', 1, 0, T0 + 20_000), countEvent('mill', 3, 3, T0 + 30_000),
    countEvent('loader', 5, 5, T0 + 25_000),
    tagEvent('mill.spindleSpeed', 1000, T0 + 1000), tagEvent('mill.spindleSpeed', 1200, T0 + 5000), tagEvent('mill.spindleSpeed', null, T0 + 9000, 'bad'),
    tagEvent('mill.coolant', true, T0 + 2000), tagEvent('mill.program', 'O100', T0 + 3000),
    tagEvent('mill2.spindleSpeed', 7, T0 + 1000), tagEvent('loader.power', 3.5, T0 + 1000),
  ]);
  h.flush();
  app = Fastify();
  installErrorHandler(app, () => undefined);
  await registerHistoryRoutes(app, { queries: h.queries, machineIds: ['loader', 'mill', 'mill2'], now: clock.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async <T>(path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as T };
};

describe('GET /api/history/counts/:machineId', () => {
  it('answers the deltas in [from, to) and the parts made from `since` to `from`', async () => {
    const { status, body } = await get<CountsAnswer>(`/api/history/counts/mill?from=${T0 + 15_000}&to=${T0 + 30_000}&since=${T0}`);
    expect(status).toBe(200);
    expect(body).toEqual({ machineId: 'mill', from: T0 + 15_000, to: T0 + 30_000, since: T0, base: { total: 2, good: 2 }, deltas: [{ ts: T0 + 20_000, deltaTotal: 1, deltaGood: 0 }] });
  });

  it('has a zero base without `since`', async () => {
    const { body } = await get<CountsAnswer>(`/api/history/counts/mill?from=${T0}&to=${T0 + 60_000}`);
    expect(body.since).toBeNull();
    expect(body.base).toEqual({ total: 0, good: 0 });
    expect(body.deltas.map((d) => d.deltaTotal)).toEqual([2, 1, 3]);
  });

  it('names the bad parameter', async () => {
    const late = await get<{ error: string; field: string }>(`/api/history/counts/mill?from=${T0}&to=${T0 + 1000}&since=${T0 + 5}`);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ field: 'since', error: expect.stringMatching(/"since": must not be after "from"/) });
    const csv = await get<{ field: string }>(`/api/history/counts/mill?format=csv`);
    expect(csv).toMatchObject({ status: 400, body: { field: 'format' } });
    const unknown = await get<{ error: string }>(`/api/history/counts/lathe`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no machine "lathe" \(known: loader, mill, mill2\)/);
  });
});

describe('GET /api/history/values/:machineId', () => {
  it('gives each tag of the machine as stored at or before `at`, with its quality', async () => {
    const { status, body } = await get<ValuesAtAnswer>(`/api/history/values/mill?at=${T0 + 5000}`);
    expect(status).toBe(200);
    // Only this machine's tags (not mill2's, whose name shares the prefix "mill").
    expect(body).toEqual({
      machineId: 'mill', at: T0 + 5000,
      tags: {
        spindleSpeed: { ts: T0 + 5000, value: 1200, quality: 'good' },
        coolant: { ts: T0 + 2000, value: true, quality: 'good' },
        program: { ts: T0 + 3000, value: 'O100', quality: 'good' },
      },
    });
    const later = await get<ValuesAtAnswer>(`/api/history/values/mill?at=${new Date(T0 + 9500).toISOString()}`);
    expect(later.body.tags.spindleSpeed).toEqual({ ts: T0 + 9000, value: null, quality: 'bad' });
    const before = await get<ValuesAtAnswer>(`/api/history/values/mill?at=${T0 + 1500}`);
    expect(Object.keys(before.body.tags)).toEqual(['spindleSpeed']);
  });

  it('asks for `at`', async () => {
    const { status, body } = await get<{ error: string; field: string }>(`/api/history/values/mill`);
    expect(status).toBe(400);
    expect(body.field).toBe('at');
  });
});

describe('history answers and the historian write batches', () => {
  it('include what was recorded but not yet written: a state that changed just before the request', async () => {
    h.onModelEvents([stateEvent('loader', 'running', T0 + 100_000), stateEvent('loader', 'idle', T0 + 130_000, null, 'running'), countEvent('loader', 1, 1, T0 + 131_000)]);
    expect(h.stats().pending).toBe(3);
    const states = await get<{ intervals: StateInterval[] }>(`/api/history/states/loader?from=${T0}&to=${T0 + 200_000}`);
    expect(states.body.intervals.map((i) => [i.state, i.startTs, i.endTs])).toEqual([['running', T0 + 100_000, T0 + 130_000], ['idle', T0 + 130_000, null]]);
    expect(h.stats().pending).toBe(0);
    h.onModelEvents([countEvent('loader', 2, 2, T0 + 140_000)]);
    const counts = await get<CountsAnswer>(`/api/history/counts/loader?from=${T0 + 100_000}&to=${T0 + 200_000}`);
    expect(counts.body.deltas.map((d) => d.ts)).toEqual([T0 + 131_000, T0 + 140_000]);
  });
});
