// REST for alarms (list, journal, KPIs, ISA-18.2 commands), remote diagnosis (health vs
// baseline, fault-code catalogue), the flight recorder (list, export JSON/CSV, record on
// demand) and service cases. Ack and shelve go through the audited command service (the
// same path as POST /api/commands); the other alarm commands are audited here. Parameters
// are zod schemas from shared/alarm-api.ts; errors have the API's shape {error, code, field}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AckAllBodySchema, AlarmHistoryQuerySchema, AlarmKeyPathSchema, AlarmKpiQuerySchema, AlarmListQuerySchema, FaultCodePathSchema,
  FaultCodeQuerySchema, IdPathSchema, MachineIdPathSchema, RecordingListQuerySchema, RecordingQuerySchema, ServiceHistoryQuerySchema,
} from '../../shared/alarm-api.js';
import {
  AckBodySchema, AlarmDiagnosisSchema, AlarmKpisSchema, AlarmListSchema, AlarmOccurrenceSchema, AlarmViewSchema, FaultAdviceSchema,
  MachineHealthSchema, OutOfServiceBodySchema, RecordBodySchema, RecordingSchema, RecordingSummarySchema, ShelveBodySchema,
} from '../../shared/alarm-wire.js';
import {
  AssignCaseBodySchema, CaseListQuerySchema, CaseNoteBodySchema, CloseCaseBodySchema, OpenCaseBodySchema, ServiceCaseSchema, ServiceHistorySchema,
} from '../../shared/alarm-service-cases.js';
import { lookupFault } from '../../shared/alarm-fault-catalogue.js';
import { ApiErrorSchema, type ApiError, type Role } from '../../shared/auth-api.js';
import type { CommandRequest } from '../../shared/command-api.js';
import type { AuthService, Principal } from '../auth/auth-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { CommandRefused, type CommandService } from '../commands/command-service.js';
import { AlarmCommandError } from '../alarms/alarm-engine.js';
import { UnknownPeriodError, type AlarmService } from '../alarms/alarm-service.js';
import { recordingCsv } from '../alarms/flight-recorder.js';
import { CaseError } from '../service/service-cases.js';
import type { RouteDoc } from './openapi.js';
import { requireRole } from './auth-guard.js';
import { parseInput } from './validation.js';

export interface AlarmRoutesOptions {
  alarms: AlarmService;
  auth: AuthService;
  audit: AuditLog;
  /** Ack and shelve go through it (audited, one path for REST and Socket.IO). */
  commands: CommandService;
  machineIds: readonly string[];
  now: () => number;
}

/** This module's errors with their status; anything else goes on to the API's error handler. */
function refusal(err: unknown): { status: number; body: ApiError } | null {
  if (err instanceof AlarmCommandError) return { status: err.status, body: { error: err.message, code: err.status === 404 ? 'unknown-alarm' : 'alarm-refused' } };
  if (err instanceof CaseError) return { status: err.status, body: { error: err.message, code: err.status === 404 ? 'not-found' : 'case-refused', ...(err.field ? { field: err.field } : {}) } };
  if (err instanceof UnknownPeriodError) return { status: 404, body: { error: err.message, code: 'unknown-period' } };
  if (err instanceof CommandRefused) return { status: err.status, body: { error: err.message, code: err.code, ...(err.field ? { field: err.field } : {}) } };
  if (err instanceof RangeError && /^no machine "/.test(err.message)) return { status: 404, body: { error: err.message, code: 'unknown-machine', field: 'id' } };
  return null;
}

export function registerAlarmRoutes(app: FastifyInstance, o: AlarmRoutesOptions): void {
  const { alarms, auth, audit, commands, now } = o;
  const machines = new Set(o.machineIds);

  type Handler = (req: FastifyRequest, reply: FastifyReply, who: Principal) => unknown;
  /** A route for `minimum` and up; `action` names it in refusals and the audit log. */
  const route = (minimum: Role | 'any', action: string, fn: Handler) => async (req: FastifyRequest, reply: FastifyReply) => {
    const who = minimum === 'any' ? req.principal : requireRole(auth, req, reply, minimum, action);
    if (!who) return reply;
    try {
      return await fn(req, reply, who);
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      return reply.code(r.status).send(r.body);
    }
  };

  const knownMachine = (id: string) => {
    if (!machines.has(id)) throw new RangeError(`no machine "${id}" (known: ${[...machines].join(', ')})`);
    return id;
  };

  /** Alarm commands outside the command service's set are audited here, refusals too. */
  function audited<T>(who: Principal, action: string, target: string, details: Record<string, unknown>, fn: () => T): T {
    try {
      const result = fn();
      audit.append({ actor: who.user, role: who.role, action, target, details, outcome: 'ok' });
      return result;
    } catch (err) {
      if (err instanceof AlarmCommandError || err instanceof CaseError) {
        audit.append({ actor: who.user, role: who.role, action, target, details: { ...details, error: err.message }, outcome: 'refused' });
      }
      throw err;
    }
  }

  const viaCommands = async (req: FastifyRequest, who: Principal, request: CommandRequest) => {
    await commands.execute(request, { principal: who, source: req.ip, transport: 'rest' });
    return alarms.engine.view((request as { alarmKey: string }).alarmKey);
  };

  // ---- alarms ----------------------------------------------------------------------
  app.get('/api/alarms', route('any', 'reading alarms', (req) => {
    const q = parseInput(AlarmListQuerySchema, req.query ?? {}, 'query');
    if (q.machineId) knownMachine(q.machineId);
    return alarms.list({ all: q.all, machineId: q.machineId });
  }));

  app.get('/api/alarms/history', route('any', 'reading the alarm journal', (req) => {
    const q = parseInput(AlarmHistoryQuerySchema, req.query ?? {}, 'query');
    const to = q.to ?? now() + 1;
    return { occurrences: alarms.history({ from: q.from ?? to - 86_400_000, to, machineId: q.machineId, limit: q.limit }) };
  }));

  app.get('/api/alarms/kpis', route('any', 'reading alarm KPIs', (req) => {
    const q = parseInput(AlarmKpiQuerySchema, req.query ?? {}, 'query');
    if (q.from !== undefined && q.to !== undefined) return alarms.kpis({ from: q.from, to: q.to });
    if (q.date && q.name) return alarms.kpis({ date: q.date, name: q.name });
    return alarms.kpis({ shift: q.shift ?? 'current' });
  }));

  app.get('/api/alarms/occurrences/:id', route('any', 'reading an alarm', (req, reply) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    const occurrence = alarms.occurrence(id);
    if (!occurrence) return reply.code(404).send({ error: `no alarm occurrence ${id}`, code: 'not-found', field: 'id' } satisfies ApiError);
    return { ...occurrence, recordings: alarms.recordings({ alarmId: id }) };
  }));

  app.post('/api/alarms/ack-all', route('operator', 'acknowledging alarms', (req, _reply, who) => {
    const body = parseInput(AckAllBodySchema, req.body ?? {}, 'body');
    if (body.machineId) knownMachine(body.machineId);
    return { acknowledged: audited(who, 'alarm.ack-all', body.machineId ?? 'line', {}, () => alarms.ackAll(who.user, body.machineId)) };
  }));

  app.post('/api/alarms/:key/ack', route('operator', 'acknowledging an alarm', async (req, _reply, who) => {
    const { key } = parseInput(AlarmKeyPathSchema, req.params, 'path');
    const body = parseInput(AckBodySchema, req.body ?? {}, 'body');
    return viaCommands(req, who, { kind: 'ack-alarm', alarmKey: key, ...(body.note ? { note: body.note } : {}) });
  }));

  app.post('/api/alarms/:key/shelve', route('operator', 'shelving an alarm', async (req, _reply, who) => {
    const { key } = parseInput(AlarmKeyPathSchema, req.params, 'path');
    const body = parseInput(ShelveBodySchema, req.body, 'body');
    return viaCommands(req, who, { kind: 'shelve-alarm', alarmKey: key, minutes: body.minutes, reason: body.reason });
  }));

  app.post('/api/alarms/:key/unshelve', route('operator', 'unshelving an alarm', (req, _reply, who) => {
    const { key } = parseInput(AlarmKeyPathSchema, req.params, 'path');
    return audited(who, 'alarm.unshelve', key, {}, () => alarms.unshelve(key, who.user));
  }));

  app.post('/api/alarms/:key/out-of-service', route('maintenance', 'taking an alarm out of service', (req, _reply, who) => {
    const { key } = parseInput(AlarmKeyPathSchema, req.params, 'path');
    const body = parseInput(OutOfServiceBodySchema, req.body, 'body');
    return audited(who, 'alarm.out-of-service', key, { reason: body.reason }, () => alarms.removeFromService(key, who.user, body.reason));
  }));

  app.post('/api/alarms/:key/in-service', route('maintenance', 'returning an alarm to service', (req, _reply, who) => {
    const { key } = parseInput(AlarmKeyPathSchema, req.params, 'path');
    return audited(who, 'alarm.in-service', key, {}, () => alarms.returnToService(key, who.user));
  }));

  // ---- diagnosis ---------------------------------------------------------------------
  app.get('/api/diagnosis/:id', route('any', 'reading a diagnosis', (req) => {
    const { id } = parseInput(MachineIdPathSchema, req.params, 'path');
    knownMachine(id);
    const faults = alarms.engine.list({ machineId: id }).filter((a) => a.faultCode !== null && a.active);
    const advice = faults.flatMap((a) => alarms.diagnosis(id, a.faultCode).advice);
    return { machineId: id, health: alarms.health(id) ?? null, advice, ts: now() };
  }));

  app.get('/api/fault-codes/:type/:code', route('any', 'reading the fault-code catalogue', (req) => {
    const { type, code } = parseInput(FaultCodePathSchema, req.params, 'path');
    const { lang } = parseInput(FaultCodeQuerySchema, req.query ?? {}, 'query');
    return lookupFault(alarms.catalogue, type, code, lang ?? 'en');
  }));

  // ---- flight recorder ---------------------------------------------------------------
  app.get('/api/recordings', route('any', 'listing recordings', (req) => {
    const q = parseInput(RecordingListQuerySchema, req.query ?? {}, 'query');
    return { recordings: alarms.recordings(q) };
  }));

  app.get('/api/recordings/:id', route('any', 'reading a recording', (req, reply) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    const { format } = parseInput(RecordingQuerySchema, req.query ?? {}, 'query');
    const rec = alarms.recording(id);
    if (!rec) return reply.code(404).send({ error: `no recording ${id}`, code: 'not-found', field: 'id' } satisfies ApiError);
    if (format === 'json') return rec;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="recording-${rec.id}-${rec.machineId}.csv"`)
      .send(recordingCsv(rec));
  }));

  app.post('/api/machines/:id/recordings', route('operator', 'starting a recording', (req, reply, who) => {
    const { id } = parseInput(MachineIdPathSchema, req.params, 'path');
    const body = parseInput(RecordBodySchema, req.body ?? {}, 'body');
    knownMachine(id);
    const summary = audited(who, 'recording.start', id, { note: body.note ?? null }, () => alarms.record(id, { by: who.user, ...body }));
    return reply.code(201).send(summary);
  }));

  // ---- service cases -----------------------------------------------------------------
  app.get('/api/service-cases', route('any', 'listing service cases', (req) => {
    const q = parseInput(CaseListQuerySchema, req.query ?? {}, 'query');
    return { cases: alarms.cases.list(q) };
  }));

  app.post('/api/service-cases', route('operator', 'opening a service case', (req, reply, who) => {
    const body = parseInput(OpenCaseBodySchema, req.body, 'body');
    const c = audited(who, 'service-case.open', body.machineId ?? `alarm ${body.alarmId}`, { alarmId: body.alarmId ?? null }, () => alarms.cases.open(body, who.user));
    return reply.code(201).send(c);
  }));

  app.get('/api/service-cases/:id', route('any', 'reading a service case', (req, reply) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    return alarms.cases.get(id) ?? reply.code(404).send({ error: `no service case ${id}`, code: 'not-found', field: 'id' } satisfies ApiError);
  }));

  app.post('/api/service-cases/:id/assign', route('maintenance', 'assigning a service case', (req, _reply, who) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    const body = parseInput(AssignCaseBodySchema, req.body, 'body');
    return audited(who, 'service-case.assign', `case ${id}`, { assignee: body.assignee }, () => alarms.cases.assign(id, body.assignee, who.user));
  }));

  app.post('/api/service-cases/:id/notes', route('operator', 'adding a note to a service case', (req, _reply, who) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    const body = parseInput(CaseNoteBodySchema, req.body, 'body');
    return audited(who, 'service-case.note', `case ${id}`, {}, () => alarms.cases.addNote(id, body.text, who.user));
  }));

  app.post('/api/service-cases/:id/close', route('maintenance', 'closing a service case', (req, _reply, who) => {
    const { id } = parseInput(IdPathSchema, req.params, 'path');
    const body = parseInput(CloseCaseBodySchema, req.body, 'body');
    return audited(who, 'service-case.close', `case ${id}`, { resolution: body.resolution }, () => alarms.cases.close(id, body.resolution, who.user));
  }));

  app.get('/api/machines/:id/service-history', route('any', 'reading a service history', (req) => {
    const { id } = parseInput(MachineIdPathSchema, req.params, 'path');
    const q = parseInput(ServiceHistoryQuerySchema, req.query ?? {}, 'query');
    knownMachine(id);
    return alarms.cases.history(id, q);
  }));
}

const KeyPath = AlarmKeyPathSchema;
const IdPath = IdPathSchema;
const err = (description: string) => ({ description, schema: ApiErrorSchema });
const ok = (description: string, schema?: z.ZodType) => ({ 200: { description, ...(schema ? { schema } : {}) } });
const view = { ...ok('the alarm after the command', AlarmViewSchema), 404: err('no such alarm'), 409: err('not possible in the alarm\'s state') };

/** OpenAPI entries of these routes (edge/api/openapi.ts). */
export const ALARM_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/api/alarms', tag: 'alarms', access: 'any', summary: 'Standing alarms (not normal), or every alarm point with all=1; with diagnosis and flood status', query: AlarmListQuerySchema, responses: ok('the alarm list', AlarmListSchema) },
  { method: 'GET', path: '/api/alarms/history', tag: 'alarms', access: 'any', summary: 'The alarm journal: occurrences raised in [from, to) or still open (default: the last 24 h)', query: AlarmHistoryQuerySchema, responses: ok('occurrences, oldest first', z.object({ occurrences: z.array(AlarmOccurrenceSchema) })) },
  { method: 'GET', path: '/api/alarms/kpis', tag: 'alarms', access: 'any', summary: 'Alarm-system KPIs of a shift (ISA-18.2 §16): rate per operator, flood share, standing/stale, top ten bad actors, chatter, time to ack', query: AlarmKpiQuerySchema, responses: { ...ok('KPIs', AlarmKpisSchema), 404: err('no such shift') } },
  { method: 'GET', path: '/api/alarms/occurrences/:id', tag: 'alarms', access: 'any', summary: 'One occurrence with its recordings and the machine\'s diagnosis', params: IdPath, responses: { ...ok('occurrence', AlarmOccurrenceSchema.extend({ diagnosis: AlarmDiagnosisSchema, recordings: z.array(RecordingSummarySchema) })), 404: err('no such occurrence') } },
  { method: 'POST', path: '/api/alarms/ack-all', tag: 'alarms', access: 'operator', summary: 'Acknowledge every unacknowledged alarm (of one machine)', body: AckAllBodySchema, responses: ok('acknowledged alarms', z.object({ acknowledged: z.array(AlarmViewSchema) })) },
  { method: 'POST', path: '/api/alarms/:key/ack', tag: 'alarms', access: 'operator', summary: 'Acknowledge an alarm (through the audited command service)', params: KeyPath, body: AckBodySchema, responses: view },
  { method: 'POST', path: '/api/alarms/:key/shelve', tag: 'alarms', access: 'operator', summary: 'Shelve an alarm for some minutes with a reason (time-limited, ISA-18.2 §11.4; audited)', params: KeyPath, body: ShelveBodySchema, responses: { ...view, 400: err('minutes beyond alarms.maxShelveMinutes, or no reason') } },
  { method: 'POST', path: '/api/alarms/:key/unshelve', tag: 'alarms', access: 'operator', summary: 'End shelving now (audited)', params: KeyPath, responses: view },
  { method: 'POST', path: '/api/alarms/:key/out-of-service', tag: 'alarms', access: 'maintenance', summary: 'Take an alarm out of service (e.g. instrument under repair; audited)', params: KeyPath, body: OutOfServiceBodySchema, responses: view },
  { method: 'POST', path: '/api/alarms/:key/in-service', tag: 'alarms', access: 'maintenance', summary: 'Return an alarm to service (audited)', params: KeyPath, responses: view },
  { method: 'GET', path: '/api/diagnosis/:id', tag: 'diagnosis', access: 'any', summary: 'A machine against its own healthy baseline (per tag: model, expected, z, CUSUM score) and advice for its active faults', params: MachineIdPathSchema, responses: { ...ok('diagnosis', z.object({ machineId: z.string(), health: MachineHealthSchema.nullable(), advice: z.array(FaultAdviceSchema), ts: z.number() })), 404: err('no such machine') } },
  { method: 'GET', path: '/api/fault-codes/:type/:code', tag: 'diagnosis', access: 'any', summary: 'Fault-code catalogue entry: cause, checks, remedy (lang=en|zh-CN)', params: FaultCodePathSchema, query: FaultCodeQuerySchema, responses: ok('advice (known=false when the code is not in the catalogue)', FaultAdviceSchema) },
  { method: 'GET', path: '/api/recordings', tag: 'recorder', access: 'any', summary: 'Flight recordings, newest first', query: RecordingListQuerySchema, responses: ok('recordings', z.object({ recordings: z.array(RecordingSummarySchema) })) },
  { method: 'GET', path: '/api/recordings/:id', tag: 'recorder', access: 'any', summary: 'One recording: every tag of the machine around the trigger, as JSON or CSV (format=csv)', params: IdPath, query: RecordingQuerySchema, responses: { ...ok('the recording', RecordingSchema), 404: err('no such recording') } },
  { method: 'POST', path: '/api/machines/:id/recordings', tag: 'recorder', access: 'operator', summary: 'Record every tag of a machine now (pre from the ring buffer, post from now on; audited)', params: MachineIdPathSchema, body: RecordBodySchema, responses: { 201: { description: 'recording started', schema: RecordingSummarySchema }, 404: err('no such machine') } },
  { method: 'GET', path: '/api/service-cases', tag: 'service', access: 'any', summary: 'Service cases, newest first', query: CaseListQuerySchema, responses: ok('cases', z.object({ cases: z.array(ServiceCaseSchema.omit({ notes: true, context: true })) })) },
  { method: 'POST', path: '/api/service-cases', tag: 'service', access: 'operator', summary: 'Open a case from an alarm (its recording and diagnosis attached) or for a machine (a recording is taken now)', body: OpenCaseBodySchema, responses: { 201: { description: 'the case', schema: ServiceCaseSchema }, 404: err('no such alarm or machine') } },
  { method: 'GET', path: '/api/service-cases/:id', tag: 'service', access: 'any', summary: 'A case with notes and context', params: IdPath, responses: { ...ok('the case', ServiceCaseSchema), 404: err('no such case') } },
  { method: 'POST', path: '/api/service-cases/:id/assign', tag: 'service', access: 'maintenance', summary: 'Assign (or reassign) a case', params: IdPath, body: AssignCaseBodySchema, responses: { ...ok('the case', ServiceCaseSchema), 409: err('the case is closed') } },
  { method: 'POST', path: '/api/service-cases/:id/notes', tag: 'service', access: 'operator', summary: 'Add a note', params: IdPath, body: CaseNoteBodySchema, responses: ok('the case', ServiceCaseSchema) },
  { method: 'POST', path: '/api/service-cases/:id/close', tag: 'service', access: 'maintenance', summary: 'Close a case with its resolution', params: IdPath, body: CloseCaseBodySchema, responses: { ...ok('the case', ServiceCaseSchema), 409: err('already closed') } },
  { method: 'GET', path: '/api/machines/:id/service-history', tag: 'service', access: 'any', summary: 'Breakdowns per fault code, repeated faults, MTBF/MTTR and cases of a machine (default: last 90 days)', params: MachineIdPathSchema, query: ServiceHistoryQuerySchema, responses: { ...ok('history', ServiceHistorySchema), 404: err('no such machine') } },
];
