// A host line's history routes on the plant database (edge/host/pg/line-history.ts) under fuzz:
// the trend, state timeline (JSON and CSV), values-at, count-delta, alarm journal and closed-shift (KPI) routes of a line server, as the host
// registers them in PostgreSQL mode, take hostile query strings and paths — wrong types, huge and
// negative times, reversed and year-long windows, SQL in the tag and machine, unknown keys — on a
// real PostgreSQL holding some of the line's rows. Every answer is a 200, a 400 naming the field
// or a 404 for an unknown tag or machine, within 2 s; never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { createApiApp, historyRoutes, kpiRoutes, storedShiftsRead } from '../../edge/api/index.js';
import { openAuditLog, openStoreFile } from '../../edge/audit/index.js';
import { createAuthService } from '../../edge/auth/index.js';
import { inlineReads, openHistorian, type Historian } from '../../edge/store/index.js';
import { openPlantStore, PLANT_STORE_DEFAULTS, type PlantStore } from '../../edge/host/pg/index.js';
import { lineHistory, lineHistoryReads } from '../../edge/host/pg/line-history.js';
import { lineAlarmHistoryRoutes } from '../../edge/host/pg/line-alarm-routes.js';
import { databaseShiftsKpi } from '../../edge/host/pg/line-closed-shifts.js';
import { createLiveKpiEngine } from '../../edge/kpi/index.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { emptyPeriodTotals } from '../../shared/kpi/period-totals.js';
import { TagChanges } from '../../edge/model/index.js';
import { startTestPostgres } from '../host-pg/support/postgres.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/fuzz/line-history-pg.fuzz.test.ts skipped: ${started.why}`);

const NOW = Date.now();
const LINE = 'plant/line-1';
const time = fc.oneof(
  fc.integer({ min: -1e15, max: 1e15 }).map(String),
  fc.integer({ min: NOW - 500 * 86_400_000, max: NOW + 86_400_000 }).map(String),
  fc.integer({ min: NOW - 500 * 86_400_000, max: NOW + 86_400_000 }).map((t) => new Date(t).toISOString()),
  fc.constantFrom('2026-13-45', '', '1e400', 'NaN', '-0', '9'.repeat(40)),
  fc.string({ maxLength: 30 }),
);
const query = fc.record({
  from: time, to: time, at: time, since: time,
  maxPoints: fc.oneof(fc.integer({ min: -5, max: 20_000 }).map(String), fc.string({ maxLength: 8 })),
  limit: fc.oneof(fc.integer({ min: -5, max: 20_000 }).map(String), fc.string({ maxLength: 8 })),
  machineId: fc.oneof(fc.constantFrom('mill', "m'; DROP TABLE machine_states; --", ''), fc.string({ maxLength: 20 })),
  format: fc.constantFrom('json', 'csv', 'xml', ''),
  junk: fc.string({ maxLength: 20 }),
}, { requiredKeys: [] });
const segment = fc.oneof(
  fc.constantFrom('mill', 'mill.speed', 'mill.state', 'press.label', "mill.x'; DROP TABLE tag_samples; --", 'meter:main.total', '.', '%2e%2e', 'mill.'),
  fc.string({ minLength: 1, maxLength: 40 }),
).map(encodeURIComponent);
const url = fc.oneof(
  segment.map((s) => `/api/history/tags/${s}`),
  segment.map((s) => `/api/history/states/${s}`),
  segment.map((s) => `/api/history/values/${s}`),
  segment.map((s) => `/api/history/counts/${s}`),
  fc.constant('/api/alarms/history'),
  segment.map((s) => `/api/history/kpi/${s}`),
  segment.map((s) => `/api/kpi/machines/${s}/shifts`),
  fc.tuple(segment, fc.constantFrom('day', 'week', 'month', '')).map(([s, k]) => `/api/kpi/machines/${s}/periods/${k}`),
  fc.constant('/api/kpi/line/shifts'),
  fc.constant('/api/history/tags'),
);
const plant = loadPlantFile('config/demo-plant.yaml');

describe.skipIf(!started.ok)(`a host line's history from PostgreSQL under fuzz (${seedNote})`, () => {
  const server = started.ok ? started.server : null!;
  let store: PlantStore;
  let readPool: pg.Pool;
  let historian: Historian;
  let app: FastifyInstance;

  beforeAll(async () => {
    store = await openPlantStore({ settings: { ...PLANT_STORE_DEFAULTS, url: server.url }, log: () => undefined });
    // Some of the line's history: a minute of a number and a text tag, state changes, one alarm.
    const changes = [];
    for (let i = 0; i < 120; i++) {
      changes.push({ machineId: 'mill', tagName: 'speed', value: i, quality: 'good' as const, ts: NOW - 120_000 + i * 500, receivedTs: NOW });
      if (i % 30 === 0) changes.push({ machineId: 'press', tagName: 'label', value: `lot-${i}`, quality: 'good' as const, ts: NOW - 120_000 + i * 500, receivedTs: NOW });
    }
    store.writer.events(LINE, [
      { kind: 'tags', changes: TagChanges.from(changes) },
      { kind: 'state', machineId: 'mill', state: 'running', previous: 'no-data', ts: NOW - 100_000, reason: null },
      { kind: 'state', machineId: 'mill', state: 'down', previous: 'running', ts: NOW - 50_000, reason: 'fault 3' },
    ]);
    store.writer.alarms(LINE, 'mill', [{
      key: 'fault@mill', ruleId: 'fault', kind: 'fault', machineId: 'mill', tag: 'faultCode', priority: 'high', message: 'Mill fault 3', state: 'active-unacked',
      active: true, acked: false, occurrenceId: 1, activeTs: NOW - 50_000, ackTs: null, ackBy: null, returnTs: null, value: 3, faultCode: 3,
      shelved: null, outOfService: null, suppressed: false, chattering: false,
    }]);
    // A closed shift of the mill (an hour ending a minute ago), as a host's KPI engine books it.
    const shift = { name: 'Early', date: new Date(NOW).toISOString().slice(0, 10), start: NOW - 3_660_000, end: NOW - 60_000 };
    const totals = { ...emptyPeriodTotals(shift.start, shift.end), counts: { total: 40, good: 38 } };
    totals.times.productionMs = 3_000_000;
    totals.reasons['breakdown|fault 3'] = { bucket: 'breakdown', reason: 'fault 3', ms: 600_000, events: 1 };
    store.writer.shiftClosed(LINE, { machineId: 'mill', shift, totals });
    // The mill's shift totals as received: that shift's (a part scrapped after it was counted), then the next one's from 0.
    for (const [start, ago, total, good] of [[shift.start, 100_000, 5, 5], [shift.start, 90_000, 8, 7], [shift.start, 80_000, 8, 6], [shift.end, 50_000, 2, 2], [shift.end, 40_000, 3, 3]]) {
      store.writer.totals(LINE, 'mill', { shiftStart: start!, total: total!, good: good!, energyKWh: 0 }, NOW - ago!);
    }
    await store.flush();
    readPool = new pg.Pool({ connectionString: server.url, max: 2, statement_timeout: 10_000 });
    readPool.on('error', () => undefined);
    readPool.on('connect', (client) => client.on('error', () => undefined));
    const history = lineHistory({
      pool: readPool, lineKey: LINE, machineIds: ['mill', 'press'], flush: () => store.flush(),
      tagKinds: new Map([['mill.speed', 'number'], ['mill.state', 'number'], ['press.label', 'string']]),
    });
    historian = openHistorian({ file: ':memory:', now: Date.now });
    const sqlite = openStoreFile(':memory:');
    const audit = openAuditLog(sqlite, Date.now);
    const auth = await createAuthService({ sqlite, secret: Buffer.alloc(32, 3), mode: 'demo', audit, now: Date.now, log: () => {} });
    app = createApiApp({ auth, log: () => undefined });
    const reads = lineHistoryReads(history, inlineReads({ queries: historian.queries }));
    await app.register(historyRoutes, { queries: historian.queries, reads, machineIds: ['mill', 'press'], now: Date.now, tags: history.tags });
    const engine = createLiveKpiEngine({ plant, now: Date.now, kpi: {} });
    await app.register(kpiRoutes, { plant, kpi: databaseShiftsKpi(plant, engine, history, Date.now), now: Date.now, storedShifts: storedShiftsRead(reads) });
    await app.register(lineAlarmHistoryRoutes, { history, now: Date.now });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    historian?.close();
    await readPool?.end();
    await store?.close();
    await server?.stop();
  });

  it('answers hostile history requests with a 200, 400 or 404, never a 5xx or a hang', async () => {
    // The seeded rows answer (not only refusals): a trend and the journal.
    const trend = await app.inject({ method: 'GET', url: `/api/history/tags/mill.speed?from=${NOW - 200_000}&to=${NOW}` });
    expect(trend.statusCode, trend.body).toBe(200);
    expect(trend.json().points).toHaveLength(120);
    const journal = await app.inject({ method: 'GET', url: `/api/alarms/history?from=${NOW - 200_000}` });
    expect(journal.json().occurrences.map((o: { key: string }) => o.key)).toEqual(['fault@mill']);
    const values = await app.inject({ method: 'GET', url: `/api/history/values/mill?at=${NOW - 120_000 + 10 * 500}` });
    expect(values.json().tags.speed).toEqual({ ts: NOW - 120_000 + 10 * 500, value: 10, quality: 'good' });
    const counts = await app.inject({ method: 'GET', url: `/api/history/counts/mill?from=${NOW - 95_000}&to=${NOW}&since=${NOW - 200_000}` });
    expect(counts.statusCode, counts.body).toBe(200);
    expect(counts.json()).toMatchObject({ base: { total: 5, good: 5 }, deltas: [
      { ts: NOW - 90_000, deltaTotal: 3, deltaGood: 2 }, { ts: NOW - 80_000, deltaTotal: 0, deltaGood: -1 },
      { ts: NOW - 50_000, deltaTotal: 2, deltaGood: 2 }, { ts: NOW - 40_000, deltaTotal: 1, deltaGood: 1 },
    ] });
    const tags = await app.inject({ method: 'GET', url: '/api/history/tags' });
    expect(tags.json().tags).toEqual([{ name: 'mill.speed', kind: 'number' }, { name: 'press.label', kind: 'string' }]);
    const shifts = await app.inject({ method: 'GET', url: '/api/kpi/machines/mill/shifts' });
    expect(shifts.json().shifts.map((x: { totals: { counts: unknown; reasons: unknown } }) => [x.totals.counts, x.totals.reasons]))
      .toEqual([[{ total: 40, good: 38 }, { 'breakdown|fault 3': { bucket: 'breakdown', reason: 'fault 3', ms: 600_000, events: 1 } }]]);

    const findings: string[] = [];
    await fc.assert(
      fc.asyncProperty(url, query, async (path, q) => {
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url: path, query: q as Record<string, string> });
        const ms = performance.now() - t;
        if (![200, 400, 404].includes(res.statusCode)) findings.push(`${path} ${JSON.stringify(q)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (ms > 2000) findings.push(`${path} ${JSON.stringify(q)} took ${Math.round(ms)} ms`);
      }),
      fuzzParameters(80),
    );
    expect(findings).toEqual([]);
    // The hostile names were values, not SQL.
    expect((await store.pool.query(`SELECT to_regclass('tag_samples') IS NOT NULL AND to_regclass('machine_states') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
  }, fuzzTimeout(60_000));
});
