// GET /api/energy/…: the site's meters live, the running 15-minute block against the
// contract, one period's report (per meter, medium or area; JSON or CSV) and a meter's
// 15-minute blocks. Live views for any logged-in user; reports and exports for managers.
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { EnergyBlocksQuerySchema, EnergyConsumptionQuerySchema, EnergyReportQuerySchema, MeterPathSchema } from '../../shared/energy-api.js';
import { formatInstant } from '../../shared/kpi/index.js';
import { sendCsv } from '../api/index.js';
import { apiRoute, ok } from '../api/index.js';
import { ApiFailure } from '../api/index.js';
import type { EnergyModule } from './energy-module.js';

export interface EnergyRoutesOptions {
  energy: EnergyModule;
  meterIds: readonly string[];
  timezone: string;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const energyRoutes: FastifyPluginAsync<EnergyRoutesOptions> = async (app, o) => {
  const known = new Set(o.meterIds);
  const meterOf = (id: string) => {
    if (!known.has(id)) throw new ApiFailure(404, 'not-found', `no meter "${id}" (known: ${o.meterIds.join(', ')})`, { field: 'id' });
    return id;
  };

  app.route(apiRoute({
    method: 'GET', url: '/api/energy/meters', access: 'operator', tag: 'energy',
    summary: 'Every site meter: its place in the metering tree, last total, rate and power', responses: ok('meters'),
  }, () => ({ meters: o.energy.meters(), devices: o.energy.health() })));

  app.route(apiRoute({
    method: 'GET', url: '/api/energy/demand', access: 'operator', tag: 'energy',
    summary: 'The running 15-minute block of the demand meter: energy so far, forecast, headroom against the contract, alarm', responses: ok('demand'),
  }, () => o.energy.demand()));

  app.route(apiRoute({
    method: 'GET', url: '/api/energy/report', access: 'manager', tag: 'energy',
    summary: 'One period: consumption, kgce/tce/kgCO2e, balance, cost by tariff period, peak demand (docs/energy.md); filter by meter, medium or area; good=<output> adds the EnPI and, with a baseline in the plant file, expected energy, savings and SEnPI; format=csv for the meter table',
    query: EnergyReportQuerySchema, responses: { ...ok('the report'), 400: { description: 'bad parameter', schema: ApiErrorSchema } },
  }, ({ query, reply }) => {
    if (query.meter) meterOf(query.meter);
    const report = o.energy.report(query.from, query.to, query);
    if (query.format === 'json') return report;
    const header = ['meter', 'parent', 'medium', 'unit', 'area', 'consumption', 'kgce', 'kgCO2e', 'from', 'to'];
    const lines = [header.join(','), ...report.meters.map((m) =>
      [m.id, m.parent, m.medium, m.unit, m.area, m.consumption, m.kgce, m.kgCO2e, report.period.start, report.period.end].map(csvCell).join(','))];
    return sendCsv(reply, `energy-${report.period.start.slice(0, 10)}`, lines.map((l) => `${l}\n`));
  }));

  app.route(apiRoute({
    method: 'GET', url: '/api/energy/consumption', access: 'manager', tag: 'energy',
    summary: 'Consumption per meter per plant-local hour, shift, day or month (bucket=…), filtered by meter, medium or area; format=csv for a spreadsheet',
    query: EnergyConsumptionQuerySchema, responses: { ...ok('consumption per bucket'), 400: { description: 'bad parameter', schema: ApiErrorSchema } },
  }, ({ query, reply }) => {
    if (query.meter) meterOf(query.meter);
    const table = o.energy.consumption(query.from, query.to, query.bucket, query);
    if (query.format === 'json') return table;
    const lines = [['meter', 'medium', 'unit', 'bucket', 'start', 'units', 'coveredMs'].join(',')];
    for (const m of table.meters) {
      table.buckets.forEach((b, i) => lines.push([m.id, m.medium, m.unit, b.label, formatInstant(b.start, o.timezone), m.units[i], m.coveredMs[i]].map(csvCell).join(',')));
    }
    return sendCsv(reply, `energy-${query.bucket}`, lines.map((l) => `${l}\n`));
  }));

  app.route(apiRoute({
    method: 'GET', url: '/api/energy/meters/:id/blocks', access: 'manager', tag: 'energy',
    summary: "A meter's 15-minute blocks (units, coverage, kW for complete electricity blocks): the load curve", params: MeterPathSchema, query: EnergyBlocksQuerySchema,
    responses: { ...ok('blocks'), 404: { description: 'no such meter', schema: ApiErrorSchema } },
  }, ({ params, query, reply }) => {
    const id = meterOf(params.id);
    const blocks = o.energy.blocks(id, query.from, query.to).map((b) => ({ ...b, complete: b.coveredMs >= 900_000, kW: b.units * 4 }));
    if (query.format === 'json') return { meter: id, blocks };
    const lines = ['blockStart,units,coveredMs,complete,kW', ...blocks.map((b) => [formatInstant(b.blockStart, o.timezone), b.units, b.coveredMs, b.complete, b.kW].join(','))];
    return sendCsv(reply, `energy-${id}-blocks`, lines.map((l) => `${l}\n`));
  }));
};
