// The REST half of test/fuzz/edge-api.fuzz.test.ts. Fuzzes every REST route of a real edge
// (required-login mode, real simulator, real SQLite file, its own process): random and schema-aware mutated requests as anonymous, as each role,
// with bad and expired tokens, odd methods and path spellings. The routes are read from the
// running app (support/edge-child.ts), so a route added later is fuzzed without a change here.
// After each batch the invariants of support/invariants.ts must hold.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeProcess } from './edge-process.js';
import type { FuzzEdge } from './fuzz-edge.js';
import { baseline, invariantProblems, type InvariantState } from './invariants.js';
import { send } from './raw-http.js';
import { describeRequest, documented5xx, fuzzRequest, leak, routeModels, type Credentials, type FuzzRequest, type RouteModel } from './rest-requests.js';
import { Findings } from './findings.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './fuzz-settings.js';

let edge: EdgeProcess;
let routes: RouteModel[];
let creds: Credentials;
let state: InvariantState;
let known: string[];
const findings = new Findings('REST');
/** No answer within this is a hang (the slowest honest request, a command's read-back, takes about 1 s). */
const HANG_MS = 5000;

/** Registers the REST fuzz tests against the edge `fuzzEdge()` returns (started by the test file). */
export function describeRestFuzz(fuzzEdge: () => FuzzEdge): void {
  describe(`REST routes under fuzz (${seedNote})`, () => {
    beforeAll(async () => {
      const started = fuzzEdge();
      edge = started.edge;
      const { plant, tokens } = started;
      // The same object: refreshTokens() renews it in place, and the generators read it when they run.
      creds = { tokens, expired: started.expired };
      const doc = await send(edge.url, { method: 'GET', target: '/api/openapi.json', headers: { authorization: `Bearer ${tokens.admin}` } }, 10_000, 16 * 1024 * 1024);
      const openapi = doc.kind === 'answer' && doc.status === 200 ? (JSON.parse(doc.body) as never) : null;
      routes = routeModels(await edge.routes(), openapi);
      known = [
        ...plant.machines.map((m) => m.id), ...plant.machines.flatMap((m) => m.tags.map((tag) => `${m.id}.${tag.name}`)).slice(0, 20),
        '1', 'day', 'week', 'current', 'previous', `${plant.machines[0]!.id}:fault`,
      ];
      state = await baseline(edge);
    }, 60_000);
    afterAll(() => findings.report(seedNote));

    /** One answer against the oracle: no hang, no undocumented 5xx, no leak (one example per kind is kept). */
    function judge(r: FuzzRequest, a: Awaited<ReturnType<typeof send>>): void {
      const where = `${r.route.method} ${r.route.url} [${r.spelling}]`;
      if (a.kind === 'hung') findings.add(`hang ${where}`, `${describeRequest(r)} → no answer within ${HANG_MS} ms`);
      else if (a.kind === 'answer') {
        if (a.status >= 500 && !documented5xx(routes, r).includes(a.status)) findings.add(`${a.status} ${where}`, `${describeRequest(r)} → ${a.status} ${a.body.slice(0, 200)}`);
        const l = leak(routes, r, a.status);
        if (l) findings.add(`leak ${where} ${r.caller.kind}`, `${describeRequest(r)} → LEAK: ${l}`);
      }
    }

    /** Some routes fuzzed on their own, with every caller and ids that look known, so the short pass reaches each of them whatever the seed. */
    async function fuzzOnly(subset: RouteModel[], ids: string[], runs: number, share: number): Promise<void> {
      const port = Number(new URL(edge.url).port);
      await fc.assert(
        fc.asyncProperty(fuzzRequest(subset, creds, ids, port), async (r) => {
          judge(r, await send(edge.url, r.request, HANG_MS));
          if (edge.death()) throw new Error(edge.death()!);
        }),
        fuzzParameters(runs, share),
      );
      expect(findings.list()).toEqual([]);
    }

    it('reads the routes from the running app, with their access declarations', () => {
      expect(routes.length).toBeGreaterThan(20);
      expect(routes.some((r) => r.url === '/api/health')).toBe(true);
      // Every /api/ route states who may call it (issue 16.1); the fuzz oracle relies on it.
      const undeclared = routes.filter((r) => r.url.startsWith('/api/') && r.access === null).map((r) => `${r.method} ${r.url}`);
      expect(undeclared, 'routes without an access declaration').toEqual([]);
    });

    // Every problem is recorded (one example per kind) and the run goes on, so a long run lists
    // them all; a dead edge ends the run at once. The test fails at the end if anything was found.
    it('answers every request without a hang, an undocumented 5xx or a leak, and the invariants hold after each batch', async () => {
      const port = Number(new URL(edge.url).port);
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzRequest(routes, creds, known, port), { minLength: 1, maxLength: 8 }), async (batch) => {
          for (const r of batch) {
            const a = await send(edge.url, r.request, HANG_MS);
            if (edge.death()) {
              findings.add('death', `${describeRequest(r)} → the edge died: ${edge.death()}`);
              throw new Error(`the edge died after ${describeRequest(r)}`);
            }
            judge(r, a);
          }
          for (const p of await invariantProblems(edge, state)) findings.add(`invariant ${p.slice(0, 40)}`, `after a batch ending ${describeRequest(batch.at(-1)!)}: ${p}`);
          await fuzzEdge().refreshTokens();
          if (edge.death()) throw new Error(edge.death()!);
        }),
        fuzzParameters(20, 0.6),
      );
      expect(findings.list()).toEqual([]);
    }, fuzzTimeout(90_000, 0.6));

    // The operator's downtime and handover routes (issue 23: stops, classifications, notes, shift
    // reports): fuzzed on their own too, with every caller, so the short pass reaches each of them.
    it('answers hostile downtime and handover requests without a hang, a leak or an undocumented 5xx', async () => {
      const shopFloor = routes.filter((r) => r.url.startsWith('/api/downtime') || r.url.startsWith('/api/handover'));
      expect(shopFloor.length).toBeGreaterThanOrEqual(12);
      await fuzzOnly(shopFloor, [...known, '0', String(Date.now() - 3_600_000)], 150, 0.1);
    }, fuzzTimeout(40_000, 0.1));

    // Products, work orders and scrap (edge/orders, issue 23): fuzzed on their own too, with every
    // caller and known-looking ids, so the short pass reaches each of them whatever the seed.
    it('answers hostile product, order and scrap requests without a hang, a leak or an undocumented 5xx', async () => {
      const mes = routes.filter((r) => r.url.startsWith('/api/products') || r.url.startsWith('/api/orders') || r.url.startsWith('/api/scrap'));
      expect(mes.length).toBeGreaterThanOrEqual(13);
      await fuzzOnly(mes, [...known, 'HSG-100', 'WO-1001', '0'], 150, 0.1);
    }, fuzzTimeout(40_000, 0.1));

    // GET /metrics (edge/metrics) opens with a scrape token instead of a session: fuzzed on its own
    // too, so that the short pass reaches it whatever the seed picks from the whole catalogue.
    it('answers hostile scrapes of /metrics without a hang, a leak or an undocumented 5xx', async () => {
      const metrics = routes.filter((r) => r.url === '/metrics');
      expect(metrics.map((r) => r.access)).toContain('scrape');
      await fuzzEdge().refreshTokens();
      await fuzzOnly(metrics, known, 15, 0.05);
    }, fuzzTimeout(30_000, 0.05));
  });
}
