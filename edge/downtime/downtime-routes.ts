// /api/downtime/…: the reason tree of a machine, its stops with reasons, the andon's stops
// waiting for a reason, a stop's classification history, and a shift's losses by reason — for
// any logged-in user; classifying or splitting a stop for operators and up (audited).
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import {
  ClassifyBodySchema, LossesQuerySchema, PromptsQuerySchema, ReasonsAnswerSchema, StopPathSchema, StopSchema, StopsAnswerSchema, StopsQuerySchema,
} from '../../shared/downtime-api.js';
import { z } from 'zod';
import { ApiFailure, apiRoute, ok } from '../api/index.js';
import { DowntimeError, type DowntimeService } from './downtime-service.js';

const MachineQuerySchema = z.strictObject({ machine: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a machine id') });

function refusal(err: unknown): ApiFailure | null {
  if (err instanceof DowntimeError) return new ApiFailure(err.status, err.status === 404 ? 'not-found' : err.status === 409 ? 'conflict' : 'downtime-refused', err.message, err.field ? { field: err.field } : {});
  return null;
}

const errors = {
  400: { description: 'bad parameter', schema: ApiErrorSchema },
  404: { description: 'no such machine or stop', schema: ApiErrorSchema },
};

export const downtimeRoutes: FastifyPluginAsync<{ downtime: DowntimeService }> = async (app, { downtime }) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/downtime/reasons', access: 'operator', tag: 'downtime',
    summary: "A machine's reason tree (its type's categories and reasons, English and Chinese, planned or not, the OEE loss each books)",
    query: MachineQuerySchema, responses: { ...ok('the tree', ReasonsAnswerSchema), ...errors },
  }, ({ query }) => downtime.reasons(query.machine), refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/downtime/stops', access: 'operator', tag: 'downtime',
    summary: "A machine's stops (down intervals from the historian) with their reasons, newest first; micro-stops grouped. Default window: the current shift; at most 7 days",
    query: StopsQuerySchema, responses: { ...ok('stops', StopsAnswerSchema), ...errors },
  }, ({ query }) => downtime.stops(query.machine, { from: query.from, to: query.to }), refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/downtime/prompts', access: 'operator', tag: 'downtime',
    summary: "Every machine's stops in its current shift with no reason (neither an operator's nor the fault code's) that have lasted longer than the prompt threshold",
    query: PromptsQuerySchema, responses: ok('stops waiting for a reason'),
  }, () => ({ stops: downtime.prompts() }), refusal));

  app.route(apiRoute({
    method: 'POST', url: '/api/downtime/stops/:machineId/:start/classification', access: 'operator', action: 'classifying a stop', tag: 'downtime',
    summary: 'Give a stop a reason, or split it into consecutive parts with a reason each (parts[i].end, the last part open). Appends a revision; earlier ones stay in the history. basedOn: the revision you saw (409 when it moved on)',
    params: StopPathSchema, body: ClassifyBodySchema,
    responses: { ...ok('the stop with its new reasons', StopSchema), ...errors, 409: { description: 'classified again meanwhile', schema: ApiErrorSchema } },
  }, ({ params, body, principal }) => {
    if (!principal) throw new ApiFailure(401, 'unauthenticated', 'log in first');
    return downtime.classify(params.machineId, params.start, body, { user: principal.user, role: principal.role });
  }, refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/downtime/stops/:machineId/:start/history', access: 'operator', tag: 'downtime',
    summary: "A stop's classifications, oldest first: who gave which reasons when (never overwritten)",
    params: StopPathSchema, responses: { ...ok('revisions'), ...errors },
  }, ({ params }) => ({ revisions: downtime.history(params.machineId, params.start) }), refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/downtime/losses', access: 'operator', tag: 'downtime',
    summary: "A machine's current or previous shift with the reasons applied: OEE, the loss waterfall with unclassified stops as their own bar, and the Pareto of losses by reason",
    query: LossesQuerySchema, responses: { ...ok('losses by reason'), ...errors },
  }, ({ query }) => {
    const losses = downtime.losses(query.machine, query.shift);
    if (!losses) throw new ApiFailure(404, 'no-shift', `${query.machine} has no ${query.shift} shift in the KPI engine's memory (between shifts, or the edge started during it)`);
    return losses;
  }, refusal));
};
