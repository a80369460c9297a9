// GET /api/emissions/…: each outlet's live values against its limits, stored minute/hour/day
// records (JSON or CSV), and the transmission status per platform. For maintenance and managers
// (the people who answer to the environmental authority and keep the analysers running).
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { EmissionRecordsQuerySchema, EmissionReportQuerySchema, OutletPathSchema } from '../../shared/emission-api.js';
import { formatInstant, fromLocal } from '../../shared/kpi/index.js';
import { sendCsv } from '../api/index.js';
import { apiRoute, ok } from '../api/index.js';
import { ApiFailure } from '../api/index.js';
import type { EmissionMonitor } from './emission-monitor.js';
import { buildDayReport, csvLines } from './day-report.js';
import { localYear } from './emission-totals.js';

export interface EmissionRoutesOptions {
  emissions: EmissionMonitor;
  timezone: string;
  now: () => number;
}

export const emissionRoutes: FastifyPluginAsync<EmissionRoutesOptions> = async (app, o) => {
  const outletOf = (id: string) => {
    const outlet = o.emissions.outlets().find((x) => x.id === id);
    if (!outlet) throw new ApiFailure(404, 'not-found', `no outlet "${id}" (known: ${o.emissions.outlets().map((x) => x.id).join(', ')})`, { field: 'outlet' });
    return outlet;
  };

  app.route(apiRoute({
    method: 'GET', url: '/api/emissions', access: 'maintenance', tag: 'emissions',
    summary: 'Every monitored outlet: latest sample (measured and converted concentrations, flags) with its limits, the HJ 212 link of each platform (connected, backlog, last packet, last answer), standing conditions (hour/day over limit, daily permit exceeded, annual permit approaching/exceeded, calibration overdue, lost data), and each permitted pollutant\'s mass today and this year against the permit',
    responses: ok('outlets and platforms'),
  }, () => ({
    outlets: o.emissions.outlets().map((outlet) => ({
      id: outlet.id, name: outlet.name, kind: outlet.kind, mn: outlet.mn, referenceO2: outlet.referenceO2 ?? null,
      factors: outlet.factors.map((f) => ({ code: f.code, name: f.name ?? f.code, unit: f.unit ?? null, role: f.role, limits: f.limits ?? null, permit: f.permit ?? null })),
      latest: o.emissions.latest().find((s) => s.outlet === outlet.id) ?? null,
    })),
    platforms: o.emissions.platforms(),
    conditions: o.emissions.conditions(),
    totals: o.emissions.totals(),
  })));

  app.route(apiRoute({
    method: 'GET', url: '/api/emissions/report', access: 'maintenance', tag: 'emissions',
    summary: 'The daily emissions report of every outlet for one local date: hour values of each factor with flags, validity and exceedances, the day values, and the mass of the day and of the year to date against the permit; format=csv for the same as CSV',
    query: EmissionReportQuerySchema,
    responses: { ...ok('the day report'), 400: { description: 'bad parameter', schema: ApiErrorSchema } },
  }, ({ query, reply }) => {
    const [year, month, day] = query.date.split('-').map(Number) as [number, number, number];
    const from = fromLocal({ year, month, day }, 0, 0, o.timezone);
    const next = new Date(Date.UTC(year, month - 1, day + 1));
    const to = fromLocal({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, 0, 0, o.timezone);
    const report = buildDayReport({
      date: query.date, timezone: o.timezone, from, to, yearStart: localYear(from, o.timezone).start, now: o.now(),
      outlets: o.emissions.outlets(), records: (period, outlet, a, b) => o.emissions.records(period, outlet, a, b),
    });
    if (query.format === 'json') return report;
    return sendCsv(reply, `emissions-report-${query.date}`, csvLines(report).map((l) => `${l}\n`));
  }));

  app.route(apiRoute({
    method: 'GET', url: '/api/emissions/:outlet/records', access: 'maintenance', tag: 'emissions',
    summary: 'Stored minute, hour or day records of one outlet with their validity and flags (HJ 75); format=csv for the daily report',
    params: OutletPathSchema, query: EmissionRecordsQuerySchema,
    responses: { ...ok('records'), 400: { description: 'bad parameter', schema: ApiErrorSchema }, 404: { description: 'no such outlet', schema: ApiErrorSchema } },
  }, ({ params, query, reply }) => {
    const outlet = outletOf(params.outlet);
    const records = o.emissions.records(query.period, outlet.id, query.from, query.to);
    if (query.format === 'json') return { outlet: outlet.id, period: query.period, records };
    const lines = ['start,code,avg,min,max,zsAvg,zsMin,zsMax,cou,flag,validParts,expectedParts',
      ...records.map((r) => [formatInstant(r.start, o.timezone), r.code, r.avg, r.min, r.max, r.zsAvg, r.zsMin, r.zsMax, r.cou, r.flag, r.validParts, r.expectedParts]
        .map((v) => (v === null ? '' : String(v))).join(','))];
    return sendCsv(reply, `emissions-${outlet.id}-${query.period}`, lines.map((l) => `${l}\n`));
  }));
};
