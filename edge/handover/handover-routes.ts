// /api/handover/…: the running shift's notes and the open issues (any logged-in user reads and
// writes them; audited), and the stored shift reports as JSON, CSV or a printable page.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/api-error.js';
import {
  CloseIssueBodySchema, HandoverAnswerSchema, NoteBodySchema, NotePathSchema, NoteSchema, PrintQuerySchema, ReportPathSchema, ReportQuerySchema, ReportsQuerySchema, ShiftReportSchema,
} from '../../shared/handover-api.js';
import { ApiFailure, apiRoute, ok, sendCsv } from '../api/index.js';
import { HandoverError, type HandoverService } from './handover-service.js';
import { shiftReportCsv, shiftReportPage } from './shift-report-views.js';

function refusal(err: unknown): ApiFailure | null {
  if (err instanceof HandoverError) return new ApiFailure(err.status, err.status === 404 ? 'not-found' : err.status === 409 ? 'conflict' : 'handover-refused', err.message, err.field ? { field: err.field } : {});
  return null;
}

const who = (principal: { user: string; role: 'operator' | 'maintenance' | 'manager' | 'admin' } | null) => {
  if (!principal) throw new ApiFailure(401, 'unauthenticated', 'log in first');
  return { user: principal.user, role: principal.role };
};

export const handoverRoutes: FastifyPluginAsync<{ handover: HandoverService }> = async (app, { handover }) => {
  app.route(apiRoute({
    method: 'GET', url: '/api/handover', access: 'operator', tag: 'handover',
    summary: "The running shift's handover notes, the open issues of this and earlier shifts, and the previous shift's report", query: z.strictObject({}),
    responses: ok('the handover', HandoverAnswerSchema),
  }, () => handover.current(), refusal));

  app.route(apiRoute({
    method: 'POST', url: '/api/handover/notes', access: 'operator', action: 'writing a handover note', tag: 'handover',
    summary: "A note (or an open issue: kind 'issue') in the running shift's handover, about the line or one machine",
    body: NoteBodySchema, responses: { ...ok('the note', NoteSchema), 400: { description: 'bad note', schema: ApiErrorSchema }, 409: { description: 'no shift', schema: ApiErrorSchema } },
  }, ({ body, principal }) => handover.addNote(body, who(principal)), refusal));

  app.route(apiRoute({
    method: 'POST', url: '/api/handover/issues/:id/close', access: 'operator', action: 'closing a handover issue', tag: 'handover',
    summary: 'Close an open issue (with what was done); it stops being carried into the next shifts', params: NotePathSchema, body: CloseIssueBodySchema,
    responses: { ...ok('the closed issue', NoteSchema), 404: { description: 'no such issue', schema: ApiErrorSchema }, 409: { description: 'already closed', schema: ApiErrorSchema } },
  }, ({ params, body, principal }) => handover.closeIssue(params.id, body.text, who(principal)), refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/handover/reports', access: 'operator', tag: 'handover',
    summary: 'The stored shift reports, newest first', query: ReportsQuerySchema, responses: ok('reports'),
  }, ({ query }) => ({ reports: handover.reports(query.limit) }), refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/handover/reports/:id', access: 'operator', tag: 'handover',
    summary: 'One shift report: OEE, losses by reason, scrap, energy, orders, notes and open issues; format=csv for a spreadsheet',
    params: ReportPathSchema, query: ReportQuerySchema,
    responses: { ...ok('the report', ShiftReportSchema), 404: { description: 'no such report', schema: ApiErrorSchema } },
  }, ({ params, query, reply }) => {
    const report = handover.report(params.id);
    if (query.format === 'json') return report;
    return sendCsv(reply, `shift-report-${report.shift.date}-${report.shift.name}`, shiftReportCsv(report));
  }, refusal));

  app.route(apiRoute({
    method: 'GET', url: '/api/handover/reports/:id/print', access: 'operator', tag: 'handover',
    summary: 'One shift report as a printable page (A4; print it or save it as PDF from the browser)', params: ReportPathSchema, query: PrintQuerySchema,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' }, 404: { description: 'no such report', schema: ApiErrorSchema } },
  }, ({ params, query, reply }) => reply.type('text/html; charset=utf-8').send(shiftReportPage(handover.report(params.id), query.lang)), refusal));
};
