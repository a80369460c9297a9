// GET /api/emissions/…: each outlet's live values against its limits, stored minute/hour/day
// records (JSON or CSV), and the transmission status per platform. For maintenance and managers
// (the people who answer to the environmental authority and keep the analysers running).
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { EmissionRecordsQuerySchema, OutletPathSchema } from '../../shared/emission-api.js';
import { formatInstant } from '../../shared/kpi/index.js';
import { sendCsv } from '../api/index.js';
import { apiRoute, ok } from '../api/index.js';
import { ApiFailure } from '../api/index.js';
import type { EmissionMonitor } from './emission-monitor.js';

export interface EmissionRoutesOptions {
  emissions: EmissionMonitor;
  timezone: string;
}

export const emissionRoutes: FastifyPluginAsync<EmissionRoutesOptions> = async (app, o) => {
  const outletOf = (id: string) => {
    const outlet = o.emissions.outlets().find((x) => x.id === id);
    if (!outlet) throw new ApiFailure(404, 'not-found', `no outlet "${id}" (known: ${o.emissions.outlets().map((x) => x.id).join(', ')})`, { field: 'outlet' });
    return outlet;
  };

  app.route(apiRoute({
    method: 'GET', url: '/api/emissions', access: 'maintenance', tag: 'emissions',
    summary: 'Every monitored outlet: latest sample (measured and converted concentrations, flags) with its limits, the HJ 212 link of each platform (connected, backlog, last packet, last answer), and standing conditions (hour/day over limit, daily permit exceeded, calibration overdue, lost data)',
    responses: ok('outlets and platforms'),
  }, () => ({
    outlets: o.emissions.outlets().map((outlet) => ({
      id: outlet.id, name: outlet.name, kind: outlet.kind, mn: outlet.mn, referenceO2: outlet.referenceO2 ?? null,
      factors: outlet.factors.map((f) => ({ code: f.code, name: f.name ?? f.code, unit: f.unit ?? null, role: f.role, limits: f.limits ?? null, permit: f.permit ?? null })),
      latest: o.emissions.latest().find((s) => s.outlet === outlet.id) ?? null,
    })),
    platforms: o.emissions.platforms(),
    conditions: o.emissions.conditions(),
  })));

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
