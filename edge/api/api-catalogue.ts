// What each REST route takes and answers, as zod schemas from shared/: the source of the
// OpenAPI document (edge/api/openapi.ts). A module that adds routes adds its entries here
// (or calls docs.add() in the composition root); routes without an entry still appear in the
// document, flagged x-undocumented.
import { z } from 'zod';
import { AuthHealthSchema, LoginBodySchema, LoginResponseSchema, SessionSchema } from '../../shared/auth-api.js';
import { AuditPageSchema, AuditQuerySchema, AuditVerifySchema, CommandRequestSchema, CommandResultSchema } from '../../shared/command-api.js';
import { DeviceHealthSchema, MachineLiveSchema } from '../../shared/live-protocol.js';
import { CountsQuerySchema, MachinePathSchema, TagHistoryQuerySchema, TagPathSchema, ValuesAtQuerySchema, WindowQuerySchema } from '../../shared/history-api.js';
import { ClosedShiftsQuerySchema, KpiMachinePathSchema, KpiPeriodPathSchema } from '../../shared/kpi-api.js';
import { ApiErrorSchema } from '../../shared/auth-api.js';
import type { RouteDoc } from './openapi.js';

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    uptimeSeconds: z.number(),
    devices: z.array(DeviceHealthSchema),
    auth: AuthHealthSchema,
  })
  .loose()
  .describe('Other modules add sections (historian, …)');

const MachineIdPath = z.strictObject({ id: z.string().describe('machine id from the plant file, e.g. mill') });
const ok = (description: string, schema?: z.ZodType) => ({ 200: { description, ...(schema ? { schema } : {}) } });

export const CORE_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/api/health', tag: 'edge', access: 'public', summary: 'Edge, device and historian health; whether auth runs in demo mode', responses: ok('health', HealthSchema) },
  { method: 'GET', path: '/api/machines', tag: 'live', access: 'any', summary: 'Every machine: state, counts, energy, OEE of the current shift, live tags', responses: ok('machines', z.object({ machines: z.array(MachineLiveSchema) })) },
  {
    method: 'GET', path: '/api/machines/:id', tag: 'live', access: 'any', summary: 'One machine, as in /api/machines', params: MachineIdPath,
    responses: { ...ok('the machine', MachineLiveSchema), 404: { description: 'no such machine', schema: ApiErrorSchema } },
  },
  {
    method: 'POST', path: '/api/login', tag: 'auth', access: 'public', summary: 'Log in: a signed token (8 h) in the answer and an HttpOnly cookie',
    description: 'Rate-limited per client address and per user name (429 with Retry-After). Every attempt is audited.',
    body: LoginBodySchema, responses: { ...ok('logged in', LoginResponseSchema), 401: { description: 'wrong user name or password', schema: ApiErrorSchema }, 429: { description: 'too many attempts', schema: ApiErrorSchema } },
  },
  { method: 'POST', path: '/api/logout', tag: 'auth', access: 'public', summary: 'Forget the session cookie', responses: { 204: { description: 'cookie cleared' } } },
  { method: 'GET', path: '/api/session', tag: 'auth', access: 'any', summary: 'Who the caller is, and the demo-mode notice the twin must show', responses: ok('session', SessionSchema) },
  {
    method: 'POST', path: '/api/commands', tag: 'commands', access: 'operator',
    summary: 'Act on the line: ack/shelve an alarm (operator+), write a setpoint, reset a fault, override speed (maintenance+)',
    description: 'Validated against the plant file (writable tags, type, min/max), written through the connector, read back through the live model, audited (a "requested" entry before the write, the outcome after). Writes need a reason.',
    body: CommandRequestSchema,
    responses: {
      ...ok('carried out (outcome "done"), or written without the value coming back in time ("unconfirmed")', CommandResultSchema),
      404: { description: 'unknown machine, tag or alarm', schema: ApiErrorSchema },
      409: { description: 'nothing to do (no active fault; alarm in the wrong state)', schema: ApiErrorSchema },
      422: { description: 'write refused: tag not writable, wrong type, or outside its limits', schema: ApiErrorSchema },
      502: { description: 'the device refused or did not answer the write', schema: ApiErrorSchema },
      503: { description: 'device offline, alarms unavailable, or too many commands in flight', schema: ApiErrorSchema },
    },
  },
  { method: 'GET', path: '/api/audit', tag: 'audit', access: 'manager', summary: 'Audit log entries in order, paged with ?after=<id>', query: AuditQuerySchema, responses: ok('a page of entries', AuditPageSchema) },
  { method: 'GET', path: '/api/audit/verify', tag: 'audit', access: 'manager', summary: 'Checks the hash chain; names the first broken entry', responses: ok('verdict', AuditVerifySchema) },
  { method: 'GET', path: '/api/openapi.json', tag: 'docs', access: 'any', summary: 'This document', responses: ok('OpenAPI 3.1 document') },
  { method: 'GET', path: '/api/docs', tag: 'docs', access: 'any', summary: 'This document as a page', responses: { 200: { description: 'HTML', contentType: 'text/html' } } },
];

const csvNote = 'format=csv answers text/csv instead of JSON.';

export const HISTORY_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/api/history/tags', tag: 'history', access: 'any', summary: 'Every tag the historian has stored', responses: ok('tags') },
  { method: 'GET', path: '/api/history/tags/:tag', tag: 'history', access: 'any', summary: 'Trend of one tag: raw samples, or per-minute aggregates when the window holds more than maxPoints', description: csvNote, params: TagPathSchema, query: TagHistoryQuerySchema, responses: ok('trend') },
  { method: 'GET', path: '/api/history/states/:machineId', tag: 'history', access: 'any', summary: 'State timeline of a machine', description: csvNote, params: MachinePathSchema, query: WindowQuerySchema, responses: ok('intervals') },
  { method: 'GET', path: '/api/history/kpi/:machineId', tag: 'history', access: 'any', summary: 'Stored KPI periods (closed shifts) of a machine', description: csvNote, params: MachinePathSchema, query: WindowQuerySchema, responses: ok('periods') },
  { method: 'GET', path: '/api/history/counts/:machineId', tag: 'history', access: 'any', summary: 'Part-count deltas of a machine in a window, with the parts made from `since` to `from` as a base (replay)', params: MachinePathSchema, query: CountsQuerySchema, responses: ok('deltas') },
  { method: 'GET', path: '/api/history/values/:machineId', tag: 'history', access: 'any', summary: 'Every tag of a machine as stored at one moment: the last sample at or before `at` (replay)', params: MachinePathSchema, query: ValuesAtQuerySchema, responses: ok('tags') },
];

export const KPI_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/api/kpi/machines', tag: 'kpi', access: 'any', summary: 'Current-shift KPIs of every machine, with formulas and inputs', responses: ok('KPIs') },
  { method: 'GET', path: '/api/kpi/machines/:id', tag: 'kpi', access: 'any', summary: 'Current-shift KPI report of one machine', params: KpiMachinePathSchema, responses: ok('report') },
  { method: 'GET', path: '/api/kpi/machines/:id/shifts', tag: 'kpi', access: 'any', summary: 'Closed shifts of one machine', params: KpiMachinePathSchema, query: ClosedShiftsQuerySchema, responses: ok('closed shifts') },
  { method: 'GET', path: '/api/kpi/machines/:id/periods/:kind', tag: 'kpi', access: 'any', summary: 'Plant-local day or ISO week of one machine', params: KpiPeriodPathSchema, responses: ok('period') },
  { method: 'GET', path: '/api/kpi/line', tag: 'kpi', access: 'any', summary: 'Line KPIs (bottleneck method)', responses: ok('line KPIs') },
  { method: 'GET', path: '/api/kpi/line/shifts', tag: 'kpi', access: 'any', summary: 'Closed shifts of the line', query: ClosedShiftsQuerySchema, responses: ok('closed shifts') },
];
