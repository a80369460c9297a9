// The plant queries over REST on the host's main port (PostgreSQL mode): every route an
// apiRoute() with its access, zod query and CSV alternative; answered by any host of a redundant
// pair, primary or standby, since they read the shared database.
import type { FastifyPluginAsync } from 'fastify';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { apiRoute, ok, sendCsv } from '../../api/index.js';
import {
  PlantAlarmStatsQuerySchema, PlantEnergyByPeriodQuerySchema, PlantLossesQuerySchema, PlantOeeQuerySchema,
} from '../../../shared/plant-query-api.js';
import { plantAlarmStats, plantEnergy, plantLosses, plantOee } from './plant-queries.js';

type Cell = string | number | null;
const cell = (v: Cell) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
function* csvLines(header: readonly string[], rows: readonly (readonly Cell[])[]): Generator<string> {
  yield `${header.join(',')}\r\n`;
  for (const r of rows) yield `${r.map(cell).join(',')}\r\n`;
}
const plantOrLine = (line: string | null) => line ?? 'plant';

const csvNote = 'format=csv answers text/csv instead of JSON. Without `line`, each period has a row per line and one for the plant (line null; "plant" in CSV).';

export const plantQueryRoutes: FastifyPluginAsync<{ db: NodePgDatabase }> = async (app, { db }) => {
  const get = { method: 'GET', access: 'operator', tag: 'plant', action: 'reading plant history' } as const;
  app.route(apiRoute({
    ...get, url: '/api/plant/oee', query: PlantOeeQuerySchema, description: csvNote, responses: ok('OEE per line and period'),
    summary: 'OEE, availability, performance and quality of each line and of the plant by shift, day, ISO week or month (closed shifts)',
  }, async ({ query, reply }) => {
    const rows = await plantOee(db, query);
    if (query.format !== 'csv') return { from: query.from, to: query.to, by: query.by, rows };
    return sendCsv(reply, `plant-oee-${query.by}-${query.from}-${query.to}`, csvLines(
      ['line', 'period', 'start', 'availability', 'performance', 'quality', 'oee', 'plannedBusyHours', 'totalCount', 'goodCount', 'energyKWh', 'shifts'],
      rows.map((r) => [plantOrLine(r.line), r.period, new Date(r.start).toISOString(), r.availability, r.performance, r.quality, r.oee, r.plannedBusyHours, r.totalCount, r.goodCount, r.energyKWh, r.shifts])));
  }));
  app.route(apiRoute({
    ...get, url: '/api/plant/losses', query: PlantLossesQuerySchema, description: 'format=csv answers text/csv instead of JSON.', responses: ok('the top losses'),
    summary: 'The largest losses (stop time by bucket and reason) across the plant or of one line',
  }, async ({ query, reply }) => {
    const rows = await plantLosses(db, query);
    if (query.format !== 'csv') return { from: query.from, to: query.to, rows };
    return sendCsv(reply, `plant-losses-${query.from}-${query.to}`, csvLines(['line', 'bucket', 'reason', 'hours', 'events', 'lines'],
      rows.map((r) => [plantOrLine(r.line), r.bucket, r.reason, r.hours, r.events, r.lines])));
  }));
  app.route(apiRoute({
    ...get, url: '/api/plant/energy', query: PlantEnergyByPeriodQuerySchema, description: csvNote, responses: ok('energy per line and period'),
    summary: 'Energy, output and kWh per good part of each line and of the plant by day, ISO week or month (the edges\' shift counters, the open shift included)',
  }, async ({ query, reply }) => {
    const rows = await plantEnergy(db, query);
    if (query.format !== 'csv') return { from: query.from, to: query.to, by: query.by, rows };
    return sendCsv(reply, `plant-energy-${query.by}-${query.from}-${query.to}`, csvLines(['line', 'period', 'kWh', 'totalCount', 'goodCount', 'kWhPerGoodPart'],
      rows.map((r) => [plantOrLine(r.line), r.period, r.kWh, r.totalCount, r.goodCount, r.kWhPerGoodPart])));
  }));
  app.route(apiRoute({
    ...get, url: '/api/plant/alarms/stats', query: PlantAlarmStatsQuerySchema, description: 'format=csv answers the per-line rows as text/csv.', responses: ok('alarm statistics'),
    summary: 'ISA-18.2 alarm statistics of each line and the plant: raised by priority, per hour, peak per 10 minutes, flood share, acknowledge and active times, the most frequent alarms',
  }, async ({ query, reply }) => {
    const stats = await plantAlarmStats(db, query);
    if (query.format !== 'csv') return { from: query.from, to: query.to, ...stats };
    return sendCsv(reply, `plant-alarms-${query.from}-${query.to}`, csvLines(
      ['line', 'raised', 'critical', 'high', 'medium', 'low', 'perHour', 'peakPer10Min', 'floodShare', 'acked', 'meanAckSeconds', 'meanActiveSeconds'],
      stats.lines.map((r) => [plantOrLine(r.line), r.raised, r.byPriority.critical ?? 0, r.byPriority.high ?? 0, r.byPriority.medium ?? 0, r.byPriority.low ?? 0,
        r.perHour, r.peakPer10Min, r.floodShare, r.acked, r.meanAckSeconds, r.meanActiveSeconds])));
  }));
};
