// GET /metrics in Prometheus' text format: this process's metrics (edge or host) followed by the
// process metrics. Access 'scrape' (edge/api/api-route.ts): the scrape token as a bearer token, or
// an admin's session; never open, whatever address the server listens on.
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { apiRoute } from '../api/index.js';
import { processRegistry } from './process-metrics.js';
import type { ScrapeToken } from './scrape-token.js';

export const METRICS_PATH = '/metrics';

export interface MetricsRoutesOptions {
  /** Fills the metrics from their sources and returns the registry to render. */
  collect: () => Registry;
  token: ScrapeToken;
}

/** The exposition text: the process's own registry, then the shared process metrics. */
export async function metricsText(collect: () => Registry): Promise<{ contentType: string; body: string }> {
  const own = collect();
  const body = `${await own.metrics()}\n${await processRegistry().metrics()}`;
  return { contentType: own.contentType, body };
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, o) => {
  app.route(apiRoute({
    method: 'GET', url: METRICS_PATH, access: 'scrape', action: 'reading the metrics', tag: 'status',
    summary: 'Prometheus metrics: acquisition per device, historian and store-and-forward backlog, live clients, KPIs, alarms, process',
    description: 'Scrape with `Authorization: Bearer <scrape token>` (the contents of <data>/metrics.token, or TWINLINE_METRICS_TOKEN); an admin session also reads it. docs/observability.md lists every metric.',
    responses: { 200: { description: 'Prometheus text exposition format 0.0.4', contentType: 'text/plain; version=0.0.4' } },
    scrapeToken: o.token.matches,
  }, async ({ reply }) => {
    const { contentType, body } = await metricsText(o.collect);
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  }));
};
