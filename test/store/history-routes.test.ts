// REST history on a real HTTP socket (port 0) over a real SQLite historian: automatic
// resolution, state timeline, KPI periods, CSV, and errors that name the bad parameter.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { registerHistoryRoutes } from '../../edge/api/history-routes.js';
import { installErrorHandler } from '../../edge/api/validation.js';
import { emptyPeriodTotals } from '../../shared/kpi/period-totals.js';
import type { TagTrend } from '../../shared/history-api.js';
import { manualClock, stateEvent, tagEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
const HOUR = 3_600_000;
let h: Historian;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const clock = manualClock(T0 + 3 * HOUR);
  h = openHistorian({ file: ':memory:', now: clock.now, flushIntervalMs: 60_000, settings: { heartbeatSeconds: 86_400 } });
  // 3 hours at 1 Hz, second k of minute m reads 100·m + k (every aggregate is known exactly)
  const speed = (sec: number) => 100 * Math.floor(sec / 60) + (sec % 60);
  for (let s = 0; s < 3 * 3600; s += 600) {
    h.onModelEvents(Array.from({ length: 600 }, (_, i) => tagEvent('mill.spindleSpeed', speed(s + i), T0 + (s + i) * 1000)));
  }
  h.onModelEvents([tagEvent('mill.program', 'O1,"A"', T0)]);
  h.onModelEvents([stateEvent('mill', 'running', T0), stateEvent('mill', 'down', T0 + HOUR, 'fault 17', 'running'), stateEvent('mill', 'running', T0 + HOUR + 600_000, null, 'down')]);
  const totals = emptyPeriodTotals(T0 - 8 * HOUR, T0);
  totals.counts = { total: 2000, good: 1950 };
  h.recordShift({ machineId: 'mill', shift: { name: 'Night', date: '2026-11-01', start: T0 - 8 * HOUR, end: T0 }, totals });
  h.flush();
  app = Fastify();
  installErrorHandler(app, () => undefined);
  await registerHistoryRoutes(app, { queries: h.queries, machineIds: ['loader', 'mill'], now: clock.now });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
  h?.close();
});

const get = async (path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type')?.startsWith('text/csv') ? await res.text() : await res.json() };
};

describe('GET /api/history/tags/:tag', () => {
  it('answers raw samples for a short window', async () => {
    const { status, body } = await get(`/api/history/tags/mill.spindleSpeed?from=${T0}&to=${T0 + 600_000}&maxPoints=1000`);
    expect(status).toBe(200);
    const trend = body as TagTrend;
    expect(trend.resolution).toBe('raw');
    expect(trend.points).toHaveLength(600);
    expect(trend.points[61]).toEqual({ ts: T0 + 61_000, value: 101, quality: 'good' });
  });

  it('switches to per-minute aggregates when the window holds more than maxPoints, and to wider buckets for fewer points', async () => {
    const minute = (await get(`/api/history/tags/mill.spindleSpeed?from=${T0}&to=${T0 + 3 * HOUR}&maxPoints=1000`)).body as TagTrend;
    expect(minute).toMatchObject({ resolution: 'aggregate', bucketMs: 60_000 });
    expect(minute.points).toHaveLength(180);
    expect(minute.points[7]).toEqual({ ts: T0 + 7 * 60_000, min: 700, max: 759, avg: 729.5, last: 759, count: 60 });

    const wide = (await get(`/api/history/tags/mill.spindleSpeed?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3 * HOUR).toISOString()}&maxPoints=50`)).body as TagTrend;
    expect(wide).toMatchObject({ resolution: 'aggregate', bucketMs: 4 * 60_000 });
    expect(wide.points.length).toBeLessThanOrEqual(50);
    expect(wide.points[1]).toEqual({ ts: T0 + 4 * 60_000, min: 400, max: 759, avg: 579.5, last: 759, count: 240 });
  });

  it('exports CSV, quoting what needs it', async () => {
    const csv = await get(`/api/history/tags/mill.spindleSpeed?from=${T0}&to=${T0 + 3000}&format=csv`);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.body).toBe(`ts,time,value,quality\r\n${T0},${new Date(T0).toISOString()},0,good\r\n${T0 + 1000},${new Date(T0 + 1000).toISOString()},1,good\r\n${T0 + 2000},${new Date(T0 + 2000).toISOString()},2,good\r\n`);
    const text = await get(`/api/history/tags/mill.program?from=${T0}&to=${T0 + 1}&format=csv`);
    expect(text.body).toContain(',"O1,""A""",good');
  });

  it('names the bad parameter', async () => {
    const cases: [string, number, string, RegExp][] = [
      [`/api/history/tags/mill.spindleSpeed?from=yesterday`, 400, 'from', /query parameter "from": "yesterday" is not a time/],
      [`/api/history/tags/mill.spindleSpeed?from=${T0 + 10}&to=${T0}`, 400, 'from', /must be before "to"/],
      [`/api/history/tags/mill.spindleSpeed?maxPoints=1`, 400, 'maxPoints', /query parameter "maxPoints"/],
      [`/api/history/tags/mill.spindleSpeed?max=5`, 400, 'max', /unknown query parameter "max"/],
      [`/api/history/tags/mill.spindleSpeed?format=xml`, 400, 'format', /query parameter "format"/],
      [`/api/history/tags/spindleSpeed`, 400, 'tag', /path parameter "tag": name a tag as <machineId>.<tagName>/],
    ];
    for (const [path, status, parameter, message] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(status);
      expect(res.body, path).toMatchObject({ field: parameter, code: 'invalid' });
      expect(res.body.error, path).toMatch(message);
    }
    const unknown = await get('/api/history/tags/mill.nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/no history for tag "mill.nothing"/);
  });

  it('lists the tags with history', async () => {
    expect((await get('/api/history/tags')).body).toEqual({ tags: [{ name: 'mill.program', kind: 'string' }, { name: 'mill.spindleSpeed', kind: 'number' }] });
  });
});

describe('GET /api/history/states/:machineId and /api/history/kpi/:machineId', () => {
  it('answers the state timeline of a window, and as CSV', async () => {
    const { body } = await get(`/api/history/states/mill?from=${T0 + HOUR + 1}&to=${T0 + 2 * HOUR}`);
    expect(body.intervals).toEqual([
      { machineId: 'mill', state: 'down', startTs: T0 + HOUR, endTs: T0 + HOUR + 600_000, reason: 'fault 17' },
      { machineId: 'mill', state: 'running', startTs: T0 + HOUR + 600_000, endTs: null, reason: null },
    ]);
    const csv = await get(`/api/history/states/mill?from=${T0}&to=${T0 + 2 * HOUR}&format=csv`);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('machine_id,state,reason,start_ts,start,end_ts,end,duration_s');
    expect(lines[2]).toBe(`mill,down,fault 17,${T0 + HOUR},${new Date(T0 + HOUR).toISOString()},${T0 + HOUR + 600_000},${new Date(T0 + HOUR + 600_000).toISOString()},600`);
  });

  it('answers closed KPI periods, and as CSV', async () => {
    const { body } = await get(`/api/history/kpi/mill`);
    expect(body.periods).toHaveLength(1);
    expect(body.periods[0]).toMatchObject({ name: 'Night', date: '2026-11-01', totalCount: 2000, goodCount: 1950 });
    const csv = await get(`/api/history/kpi/mill?format=csv`);
    expect(csv.body.split('\r\n')[1]).toMatch(/^mill,shift,Night,2026-11-01,/);
  });

  it('404s an unknown machine and lists the known ones', async () => {
    const res = await get('/api/history/states/press');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('no machine "press" (known: loader, mill)');
  });
});
