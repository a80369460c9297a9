// The plant host's own routes on its main port: health (public, alive only), status, the lines,
// their KPIs and alarms (any logged-in user), and the overview page with its script (public: they
// hold no data, they ask the API for it). Every line's own API sits under /lines/<group>/<node>/
// (line-server.ts), dispatched in front of this app (host-runtime.ts).
import type { FastifyPluginAsync } from 'fastify';
import { apiRoute, ok } from '../api/index.js';
import type { AuthService } from '../auth/index.js';
import { PLANT_PAGE, PLANT_SCRIPT } from './plant-overview.js';
import { PlantEnergyQuerySchema } from '../../shared/energy-api.js';

export interface PlantRoutesOptions {
  hostId: string;
  auth: AuthService;
  /** Broker connection, edge nodes and lines: the host's /api/status. */
  status: () => { status: 'ok' | 'degraded'; [section: string]: unknown };
  lines: () => unknown;
  kpiLines: () => unknown;
  alarms: () => unknown;
  /** Every line's energy for [from, to] and the plant's sums (plant-energy.ts). */
  energy?: (from: number, to: number) => unknown;
}

export const plantRoutes: FastifyPluginAsync<PlantRoutesOptions> = async (app, o) => {
  const get = { method: 'GET', access: 'operator', tag: 'plant' } as const;
  app.route(apiRoute({ ...get, url: '/api/health', access: 'public', summary: 'Alive: {"status":"ok"} while the host runs (details: /api/status)', responses: ok('alive') }, () => ({ status: 'ok' })));
  app.route(apiRoute({ ...get, url: '/api/status', action: 'reading the host status', summary: 'Broker connection, edge nodes, lines and auth', responses: ok('status') }, () => ({ ...o.status(), auth: o.auth.health() })));
  app.route(apiRoute({ ...get, url: '/api/lines', summary: 'Every line: edge state, machines by state, OEE recomputed on the host, alarms', responses: ok('lines') }, () => o.lines()));
  app.route(apiRoute({ ...get, url: '/api/kpi/lines', summary: 'Every line\'s KPI answer (the edge\'s GET /api/kpi/line shape)', responses: ok('line KPIs') }, () => o.kpiLines()));
  app.route(apiRoute({ ...get, url: '/api/alarms', summary: 'The plant\'s standing alarms, each with its line (read-only: actions stay with the edges)', responses: ok('alarms') }, () => o.alarms()));
  const energy = o.energy;
  if (energy) {
    app.route(apiRoute({
      ...get, url: '/api/energy/lines', access: 'manager', action: 'reading the plant\'s energy', query: PlantEnergyQuerySchema,
      summary: 'Every line\'s energy for [from, to] (consumption, kgce/tce, kgCO2e by medium, cost, peak demand) from the totals its edge published, and the plant\'s sums',
      responses: ok('the plant energy report'),
    }, ({ query }) => energy(query.from, query.to)));
  }
  const page = { ...get, access: 'public', hidden: true, responses: ok('for browsers') } as const;
  app.route(apiRoute({ ...page, url: '/', summary: 'The plant overview page' }, ({ reply }) => reply.type('text/html; charset=utf-8').send(PLANT_PAGE(o.hostId))));
  app.route(apiRoute({ ...page, url: '/plant.js', summary: 'The overview page\'s script' }, ({ reply }) => reply.type('text/javascript; charset=utf-8').send(PLANT_SCRIPT)));
};
