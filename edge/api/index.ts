// The edge's HTTP API: the Fastify server, one route plugin per area, OpenAPI, the auth guard.
// This file is the folder's public surface: other folders import from here and nothing else
// (test/unit/module-boundaries.test.ts checks it); every other file in the folder is private.
export { apiRoute, ok } from './api-route.js';
export type { Access } from './api-route.js';
export { auditRoutes } from './audit-routes.js';
export { SESSION_COOKIE, bearerToken, cookieValue } from './auth-guard.js';
export { authRoutes } from './auth-routes.js';
export { READ_REFUSED, boundedRefusal, boundedWindow, sendCsv } from './bounded-reads.js';
export { canonicalUrl } from './canonical-url.js';
export { commandRoutes } from './command-routes.js';
export { docsRoutes } from './docs-routes.js';
export { registerEdgeApi, storedShiftsOf, storedShiftsRead } from './edge-api.js';
export { historyRoutes } from './history-routes.js';
export { createApiApp, createHttpServer } from './http-server.js';
export type { TlsFiles } from './http-server.js';
export { kpiRoutes } from './kpi-routes.js';
export type { KpiRoutesOptions } from './kpi-routes.js';
export { machineRoutes } from './machine-routes.js';
export { modelRoutes, MAX_MODEL_BYTES } from './model-routes.js';
export type { ApiRouteInfo } from './openapi.js';
export { isCrossOrigin } from './security-headers.js';
export { statusRoutes } from './status-routes.js';
export { ApiFailure, describeIssue } from './validation.js';
