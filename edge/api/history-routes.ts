// GET /api/history/…: tag trends, state timelines and KPI periods from the historian, as
// JSON or CSV (format=csv). Parameters are validated with the zod schemas of
// shared/history-api.ts; a 400 names the bad parameter and says what is expected.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  CountsQuerySchema, DEFAULT_WINDOW_MS, MachinePathSchema, TagHistoryQuerySchema, TagPathSchema, ValuesAtQuerySchema, WindowQuerySchema,
  type CountsAnswer, type HistoryError, type ValuesAtAnswer,
} from '../../shared/history-api.js';
import { UnknownTagError, type HistoryQueries } from '../store/history-query.js';
import { kpiCsv, statesCsv, trendCsv } from '../store/history-csv.js';

export interface HistoryRoutesOptions {
  queries: HistoryQueries;
  /** Machines of the plant: a timeline for anything else is a 404 that lists them. */
  machineIds: readonly string[];
  now: () => number;
}

class BadParameter extends Error {
  constructor(readonly parameter: string | undefined, message: string) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'path'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const parameter = keys.length ? String(keys[0]) : issue.path.length ? String(issue.path[0]) : undefined;
  const what = where === 'query' ? 'query parameter' : 'path parameter';
  const message = keys.length
    ? `unknown ${what} "${keys.join('", "')}"`
    : `${what} "${parameter}": ${issue.message}`;
  throw new BadParameter(parameter, message);
}

function window(q: { from?: number; to?: number }, defaultSpan: number, now: number): { from: number; to: number } {
  const to = q.to ?? (q.from !== undefined ? Math.max(now, q.from + 1) : now);
  const from = q.from ?? to - defaultSpan;
  return { from, to };
}

function csv(reply: FastifyReply, name: string, body: string) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.csv"`)
    .send(body);
}

export function registerHistoryRoutes(app: FastifyInstance, options: HistoryRoutesOptions): void {
  const { queries, now } = options;
  const machines = new Set(options.machineIds);

  // Only this module's errors become 400/404; anything else goes to Fastify's handler (500).
  const handle = <R>(fn: (req: FastifyRequest, reply: FastifyReply) => R) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      // The historian writes in batches: commit what is queued so the answer holds everything recorded until now.
      queries.catchUp();
      return fn(req, reply);
    } catch (err) {
      if (err instanceof BadParameter) return reply.code(400).send({ error: err.message, parameter: err.parameter } satisfies HistoryError);
      if (err instanceof UnknownTagError) return reply.code(404).send({ error: err.message } satisfies HistoryError);
      throw err;
    }
  };

  function machineOf(params: unknown): string {
    const { machineId } = parse(MachinePathSchema, params, 'path');
    if (!machines.has(machineId)) {
      throw new UnknownTagError(`no machine "${machineId}" (known: ${[...machines].join(', ')})`);
    }
    return machineId;
  }

  app.get('/api/history/tags', handle(() => ({ tags: queries.tags() })));

  app.get('/api/history/tags/:tag', handle((req, reply) => {
    const { tag } = parse(TagPathSchema, req.params, 'path');
    const q = parse(TagHistoryQuerySchema, req.query, 'query');
    const { from, to } = window(q, DEFAULT_WINDOW_MS.tag, now());
    const trend = queries.trend(tag, from, to, q.maxPoints);
    return q.format === 'csv' ? csv(reply, `${tag}-${from}-${to}`, trendCsv(trend)) : trend;
  }));

  app.get('/api/history/states/:machineId', handle((req, reply) => {
    const machineId = machineOf(req.params);
    const q = parse(WindowQuerySchema, req.query, 'query');
    const { from, to } = window(q, DEFAULT_WINDOW_MS.states, now());
    const intervals = queries.stateTimeline(machineId, from, to);
    return q.format === 'csv' ? csv(reply, `${machineId}-states-${from}-${to}`, statesCsv(intervals, now())) : { machineId, from, to, intervals };
  }));

  app.get('/api/history/kpi/:machineId', handle((req, reply) => {
    const machineId = machineOf(req.params);
    const q = parse(WindowQuerySchema, req.query, 'query');
    const { from, to } = window(q, DEFAULT_WINDOW_MS.kpi, now());
    const periods = queries.kpiPeriods(machineId, from, to);
    return q.format === 'csv' ? csv(reply, `${machineId}-kpi-${from}-${to}`, kpiCsv(periods)) : { machineId, from, to, periods };
  }));

  // Replay: parts made in a window (with the count before it, from `since`), and every tag of a
  // machine as it stood at one moment.
  app.get('/api/history/counts/:machineId', handle((req) => {
    const machineId = machineOf(req.params);
    const q = parse(CountsQuerySchema, req.query, 'query');
    if (q.format === 'csv') throw new BadParameter('format', 'query parameter "format": counts are JSON only (use /api/history/kpi for CSV)');
    const { from, to } = window(q, DEFAULT_WINDOW_MS.states, now());
    const since = q.since ?? null;
    const base = since === null ? { total: 0, good: 0 } : queries.countTotals(machineId, since, from);
    return { machineId, from, to, since, base, deltas: queries.counts(machineId, from, to) } satisfies CountsAnswer;
  }));

  app.get('/api/history/values/:machineId', handle((req) => {
    const machineId = machineOf(req.params);
    const { at } = parse(ValuesAtQuerySchema, req.query, 'query');
    return { machineId, at, tags: queries.valuesAt(machineId, at) } satisfies ValuesAtAnswer;
  }));
}
