// GET /metrics wired onto an edge's or a host's Fastify app, with the scrape token loaded (or
// created) once at start.
import type { FastifyInstance } from 'fastify';
import type { Log } from '../logger.js';
import { createEdgeMetrics, type EdgeMetricSources } from './edge-metrics.js';
import { createHostMetrics, type HostMetricSources } from './host-metrics.js';
import { metricsRoutes } from './metrics-routes.js';
import { loadScrapeToken, type ScrapeToken } from './scrape-token.js';

export interface AttachMetricsOptions {
  app: FastifyInstance;
  /** Where metrics.token is kept (created 0600 on the first start). */
  dataDir: string;
  /** The token itself (tests, embedding); else TWINLINE_METRICS_TOKEN, else the file. */
  token?: string;
  env?: NodeJS.ProcessEnv;
  log: Log;
}

function tokenFor(o: AttachMetricsOptions): ScrapeToken {
  const token = loadScrapeToken({ given: o.token, env: (o.env ?? process.env).TWINLINE_METRICS_TOKEN, dataDir: o.dataDir });
  if (token.source === 'file-created') o.log('info', `created the metrics scrape token ${token.file} (mode 0600): give it to Prometheus as authorization credentials_file (docs/observability.md)`);
  return token;
}

/** GET /metrics on an edge's app. */
export async function attachEdgeMetrics(o: AttachMetricsOptions & { sources: EdgeMetricSources }): Promise<void> {
  const metrics = createEdgeMetrics(o.sources);
  await o.app.register(metricsRoutes, { collect: metrics.collect, token: tokenFor(o) });
}

/** GET /metrics on a plant host's main app. */
export async function attachHostMetrics(o: AttachMetricsOptions & { sources: HostMetricSources }): Promise<void> {
  const metrics = createHostMetrics(o.sources);
  await o.app.register(metricsRoutes, { collect: metrics.collect, token: tokenFor(o) });
}
