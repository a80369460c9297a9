// GET /api/history/…: tag trends, state timelines and KPI periods from the historian, as JSON or
// CSV (format=csv), and the replay reads (counts, values at a moment). Parameters are the zod
// schemas of shared/history-api.ts; a 400 names the bad parameter and says what is expected.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import {
  CountsQuerySchema, DEFAULT_WINDOW_MS, MachinePathSchema, TagHistoryQuerySchema, TagPathSchema, ValuesAtQuerySchema, WindowQuerySchema,
  type CountsAnswer, type ValuesAtAnswer,
} from '../../shared/history-api.js';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { MAX_EXPORT_ROWS, MAX_JSON_ROWS, MAX_SPAN_DAYS, rowsProblem as rowsProblemOf, sinceProblem } from '../../shared/query-limits.js';
import { UnknownTagError, type HistoryQueries } from '../store/index.js';
import { kpiCsvLines, statesCsvLines, trendCsvLines } from '../store/index.js';
import { inlineReads, statesPaged, type Reads } from '../store/index.js';
import { ok, routesWith, type RouteSpec } from './api-route.js';
import { READ_REFUSED, boundedRefusal, boundedWindow as window, checkRows, limitFailure, sendCsv } from './bounded-reads.js';
import { ApiFailure, InvalidInput } from './validation.js';

export interface HistoryRoutesOptions {
  queries: HistoryQueries;
  /** Where the heavy reads run (the read worker); default: on this thread, through `queries`. */
  reads?: Reads;
  /** Machines of the plant: a timeline for anything else is a 404 that lists them. */
  machineIds: readonly string[];
  now: () => number;
  /** The stored tags from elsewhere (a plant host's database), instead of `queries.tags()`. */
  tags?: () => Promise<{ name: string; kind: string }[]>;
}

const csvNote = 'format=csv answers text/csv instead of JSON.';
const notFound = { 404: { description: 'no such tag or machine', schema: ApiErrorSchema }, ...READ_REFUSED };
const spec = <const S extends Omit<RouteSpec, 'method' | 'tag' | 'access'>>(s: S) => ({ method: 'GET', tag: 'history', access: 'operator', ...s }) as const;

export const historyRoutes: FastifyPluginAsync<HistoryRoutesOptions> = async (app, options) => {
  const { queries, now } = options;
  const reads = options.reads ?? inlineReads({ queries });
  const machines = new Set(options.machineIds);
  const route = routesWith((err) => (err instanceof UnknownTagError ? new ApiFailure(404, 'not-found', err.message) : boundedRefusal(err)));

  function known(machineId: string): string {
    if (!machines.has(machineId)) throw new ApiFailure(404, 'not-found', `no machine "${machineId}" (known: ${[...machines].join(', ')})`, { field: 'machineId' });
    // The historian writes in batches: commit what is queued so the answer holds everything recorded until now.
    queries.catchUp();
    return machineId;
  }

  app.route(route(spec({ url: '/api/history/tags', summary: 'Every tag the historian has stored', responses: { ...ok('tags'), ...READ_REFUSED } }), async () => {
    if (options.tags) return { tags: await options.tags() };
    queries.catchUp();
    return { tags: queries.tags() };
  }));

  app.route(route(spec({
    url: '/api/history/tags/:tag', summary: 'Trend of one tag: raw samples, or per-minute aggregates when the window holds more than maxPoints',
    description: csvNote, params: TagPathSchema, query: TagHistoryQuerySchema, responses: { ...ok('trend'), ...notFound },
  }), async ({ params: { tag }, query: q, reply }) => {
    const { from, to } = window(q, DEFAULT_WINDOW_MS.tag, now());
    const trend = await reads.run('trend', tag, from, to, q.maxPoints);
    return q.format === 'csv' ? sendCsv(reply, `${tag}-${from}-${to}`, trendCsvLines(trend)) : trend;
  }));

  app.route(route(spec({
    url: '/api/history/states/:machineId', summary: 'State timeline of a machine', description: csvNote,
    params: MachinePathSchema, query: WindowQuerySchema, responses: { ...ok('intervals'), ...notFound },
  }), async ({ params, query: q, reply }) => {
    const machineId = known(params.machineId);
    const { from, to } = window(q, DEFAULT_WINDOW_MS.states, now());
    if (q.format === 'csv') {
      // Counted before the first byte: past the limit the answer can still be a 400.
      if (await reads.run('stateCount', machineId, from, to, MAX_EXPORT_ROWS) > MAX_EXPORT_ROWS) throw limitFailure(rowsProblemOf('state intervals', MAX_EXPORT_ROWS, true), { maxRows: MAX_EXPORT_ROWS });
      return sendCsv(reply, `${machineId}-states-${from}-${to}`, statesCsvLines(statesPaged(reads, machineId, from, to), now()));
    }
    const intervals = checkRows(await reads.run('states', machineId, from, to, MAX_JSON_ROWS + 1), MAX_JSON_ROWS, 'state intervals');
    return { machineId, from, to, intervals };
  }));

  app.route(route(spec({
    url: '/api/history/kpi/:machineId', summary: 'Stored KPI periods (closed shifts) of a machine', description: csvNote,
    params: MachinePathSchema, query: WindowQuerySchema, responses: { ...ok('periods'), ...notFound },
  }), async ({ params, query: q, reply }) => {
    const machineId = known(params.machineId);
    const { from, to } = window(q, DEFAULT_WINDOW_MS.kpi, now());
    const periods = checkRows(await reads.run('kpiPeriods', machineId, from, to, MAX_JSON_ROWS + 1), MAX_JSON_ROWS, 'KPI periods', q.format === 'csv');
    return q.format === 'csv' ? sendCsv(reply, `${machineId}-kpi-${from}-${to}`, kpiCsvLines(periods)) : { machineId, from, to, periods };
  }));

  // Replay: parts made in a window (with the count before it, from `since`), and every tag of a
  // machine as it stood at one moment.
  app.route(route(spec({
    url: '/api/history/counts/:machineId', summary: 'Part-count deltas of a machine in a window, with the parts made from `since` to `from` as a base (replay)',
    params: MachinePathSchema, query: CountsQuerySchema, responses: { ...ok('deltas'), ...notFound },
  }), async ({ params, query: q }) => {
    const machineId = known(params.machineId);
    if (q.format === 'csv') throw new InvalidInput('query parameter "format": counts are JSON only (use /api/history/kpi for CSV)', 'format');
    const { from, to } = window(q, DEFAULT_WINDOW_MS.states, now());
    const since = q.since ?? null;
    const early = since === null ? null : sinceProblem(since, from);
    if (early) throw limitFailure(early, { maxSpanDays: MAX_SPAN_DAYS });
    const base = since === null ? { total: 0, good: 0 } : await reads.run('countTotals', machineId, since, from);
    const deltas = checkRows(await reads.run('counts', machineId, from, to, MAX_JSON_ROWS + 1), MAX_JSON_ROWS, 'count deltas');
    return { machineId, from, to, since, base, deltas } satisfies CountsAnswer;
  }));

  app.route(route(spec({
    url: '/api/history/values/:machineId', summary: 'Every tag of a machine as stored at one moment: the last sample at or before `at` (replay)',
    params: MachinePathSchema, query: ValuesAtQuerySchema, responses: { ...ok('tags'), ...notFound },
  }), async ({ params, query: { at } }) => {
    const machineId = known(params.machineId);
    return { machineId, at, tags: await reads.run('valuesAt', machineId, at) } satisfies ValuesAtAnswer;
  }));
};

/** For tests and benchmarks that serve only the history (no access control installed). */
export async function registerHistoryRoutes(app: FastifyInstance, options: HistoryRoutesOptions): Promise<void> {
  await app.register(historyRoutes, options);
}
