// GET /api/alarms/history of a line on a host with a plant database: the alarm journal the twin's
// replay reads, built from the transitions every host stored (line-history.ts), so any host
// answers it for the whole stored time. Without a plant database the host has no journal of a
// line (alarms are the edge's; its line server lists only the standing ones).
import type { FastifyPluginAsync } from 'fastify';
import { AlarmHistoryQuerySchema } from '../../../shared/alarm-api.js';
import { READ_REFUSED, apiRoute, boundedRefusal, boundedWindow, ok } from '../../api/index.js';
import type { LineHistory } from './line-history.js';

const DEFAULT_WINDOW_MS = 86_400_000;

export const lineAlarmHistoryRoutes: FastifyPluginAsync<{ history: Pick<LineHistory, 'alarmHistory'>; now: () => number }> = async (app, { history, now }) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/alarms/history', access: 'operator', tag: 'alarms',
    summary: 'The alarm journal from the plant database: occurrences raised in [from, to) or still open (default: the last 24 h)', query: AlarmHistoryQuerySchema,
    responses: { ...ok('occurrences, oldest first'), ...READ_REFUSED },
  }, async ({ query: q }) => {
    const { from, to } = boundedWindow(q, DEFAULT_WINDOW_MS, now() + 1);
    return { occurrences: await history.alarmHistory({ from, to, machineId: q.machineId, limit: q.limit }) };
  }, boundedRefusal));
};
