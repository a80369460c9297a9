// The plant host's PostgreSQL queries (/api/plant/*, edge/host/pg) under fuzz: hostile query
// strings — wrong types, huge and negative times, reversed and year-long windows, SQL in the line
// key, unknown keys — reach the real routes on a real PostgreSQL. Every answer is a 200 (JSON or
// CSV) or a 400 naming the field, within 2 s; never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { createApiApp } from '../../edge/api/index.js';
import { openAuditLog, openStoreFile } from '../../edge/audit/index.js';
import { createAuthService } from '../../edge/auth/index.js';
import { openPlantStore, PLANT_STORE_DEFAULTS, type PlantStore } from '../../edge/host/pg/index.js';
import { plantQueryRoutes } from '../../edge/host/pg/plant-query-routes.js';
import { startTestPostgres } from '../host-pg/support/postgres.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const started = await startTestPostgres();
if (!started.ok) console.warn(`test/fuzz/plant-queries.fuzz.test.ts skipped: ${started.why}`);

const NOW = Date.UTC(2026, 10, 30, 12);
const time = fc.oneof(
  fc.integer({ min: -1e15, max: 1e15 }).map(String),
  fc.integer({ min: NOW - 500 * 86_400_000, max: NOW + 86_400_000 }).map((t) => new Date(t).toISOString()),
  fc.constantFrom('2026-13-45', '2026-11-30T25:00:00Z', '', '1e400', 'NaN', '-0', '9'.repeat(40)),
  fc.string({ maxLength: 30 }),
);
const query = fc.record({
  from: time, to: time,
  by: fc.oneof(fc.constantFrom('shift', 'day', 'week', 'month', 'year', 'SHIFT'), fc.string({ maxLength: 10 })),
  line: fc.oneof(fc.constantFrom('plant/line-1', "g/a'; DROP TABLE tag_samples; --", 'a/b/c', '+/#', `${'x'.repeat(70)}/y`), fc.string({ maxLength: 40 })),
  limit: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.string({ maxLength: 8 })),
  format: fc.constantFrom('json', 'csv', 'xml', ''),
  junk: fc.string({ maxLength: 20 }),
}, { requiredKeys: [] });

describe.skipIf(!started.ok)(`plant queries under fuzz (${seedNote})`, () => {
  const server = started.ok ? started.server : null!;
  let store: PlantStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    store = await openPlantStore({ settings: { ...PLANT_STORE_DEFAULTS, url: server.url }, log: () => undefined, now: () => NOW });
    const sqlite = openStoreFile(':memory:');
    const audit = openAuditLog(sqlite, Date.now);
    const auth = await createAuthService({ sqlite, secret: Buffer.alloc(32, 3), mode: 'demo', audit, now: Date.now, log: () => {} });
    app = createApiApp({ auth, log: () => undefined });
    await app.register(plantQueryRoutes, { db: store.db });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await server?.stop();
  });

  it('answers hostile plant queries with a 200 or a 400, never a 5xx or a hang', async () => {
    const findings: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/plant/oee', '/api/plant/losses', '/api/plant/energy', '/api/plant/alarms/stats'), query, async (url, q) => {
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url, query: q as Record<string, string> });
        const ms = performance.now() - t;
        if (![200, 400].includes(res.statusCode)) findings.push(`${url} ${JSON.stringify(q)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (ms > 2000) findings.push(`${url} ${JSON.stringify(q)} took ${Math.round(ms)} ms`);
      }),
      fuzzParameters(60),
    );
    expect(findings).toEqual([]);
    // The hostile line key was a value, not SQL.
    expect((await store.pool.query(`SELECT to_regclass('tag_samples') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
  }, fuzzTimeout(60_000));
});
