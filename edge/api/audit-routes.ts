// GET /api/audit and /api/audit/verify: the audit log, for managers and admins.
import type { FastifyPluginAsync } from 'fastify';
import { AuditPageSchema, AuditQuerySchema, AuditVerifySchema } from '../../shared/command-api.js';
import type { AuditLog } from '../audit/index.js';
import { apiRoute, ok } from './api-route.js';

export const auditRoutes: FastifyPluginAsync<{ audit: AuditLog }> = async (app, { audit }) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/audit', access: 'manager', action: 'reading the audit log', tag: 'audit',
    summary: 'Audit log entries in order, paged with ?after=<id>', query: AuditQuerySchema, responses: ok('a page of entries', AuditPageSchema),
  }, ({ query }) => audit.page(query)));

  app.route(apiRoute({
    method: 'GET', url: '/api/audit/verify', access: 'manager', action: 'verifying the audit log', tag: 'audit',
    summary: 'Checks the hash chain; names the first broken entry', responses: ok('verdict', AuditVerifySchema),
  }, () => audit.verify()));
};
