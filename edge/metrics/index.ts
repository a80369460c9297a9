// Prometheus metrics of the edge and of the plant host: GET /metrics (access 'scrape': the scrape
// token or an admin), filled from the modules' own status functions at scrape time.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { attachEdgeMetrics, attachHostMetrics } from './attach-metrics.js';
export type { AttachMetricsOptions } from './attach-metrics.js';
export { createEdgeMetrics } from './edge-metrics.js';
export type { EdgeMetricSources, EdgeMetrics } from './edge-metrics.js';
export { createHostMetrics } from './host-metrics.js';
export type { HostMetricSources, HostMetrics } from './host-metrics.js';
export { METRICS_PATH, metricsRoutes, metricsText } from './metrics-routes.js';
export { loadScrapeToken, scrapeTokenOf } from './scrape-token.js';
export type { ScrapeToken } from './scrape-token.js';
