// REST for alarms (list, journal, KPIs, ISA-18.2 commands), remote diagnosis (health vs
// baseline, fault-code catalogue), the flight recorder (list, export JSON/CSV, record on
// demand) and service cases. Ack and shelve go through the audited command service (the
// same path as POST /api/commands); the other alarm commands are audited here. Parameters
// are zod schemas from shared/alarm-api.ts; errors have the API's shape {error, code, field?}.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
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
import { ApiErrorSchema } from '../../shared/api-error.js';
import type { CommandRequest } from '../../shared/command-api.js';
import type { Principal } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import { CommandRefused, type CommandService } from '../commands/index.js';
import { AlarmCommandError } from '../alarms/index.js';
import { UnknownPeriodError, type AlarmService } from '../alarms/index.js';
import { recordingCsvLines } from '../alarms/index.js';
import type { Reads } from '../store/index.js';
import { CaseError, type ServiceCases } from '../service/index.js';
import { caller, ok, routesWith } from './api-route.js';
import { ApiFailure } from './validation.js';
import { READ_REFUSED, boundedRefusal, boundedWindow, checkSpan, limitFailure, sendCsv } from './bounded-reads.js';
import { MAX_JSON_ROWS } from '../../shared/query-limits.js';

/** The service history's default window (edge/service/service-cases.ts). */
const SERVICE_HISTORY_DAYS = 90;

export interface AlarmRoutesOptions {
  alarms: AlarmService;
  /** After-sales service cases (edge/service), beside the alarms they are opened from. */
  cases: ServiceCases;
  audit: AuditLog;
  /** Ack and shelve go through it (audited, one path for REST and Socket.IO). */
  commands: CommandService;
  machineIds: readonly string[];
  now: () => number;
  /** Where the journal and the KPIs of a from/to window are read (the read worker); default: the alarm service, on this thread. */
  reads?: Reads;
}

/** This module's errors as the API's refusals; anything else goes on to the API's error handler. */
function refusal(e: unknown): ApiFailure | null {
  if (e instanceof AlarmCommandError) return new ApiFailure(e.status, e.status === 404 ? 'unknown-alarm' : 'alarm-refused', e.message);
  if (e instanceof CaseError) return new ApiFailure(e.status, e.status === 404 ? 'not-found' : 'case-refused', e.message, e.field ? { field: e.field } : {});
  if (e instanceof UnknownPeriodError) return new ApiFailure(404, 'unknown-period', e.message);
  if (e instanceof CommandRefused) return new ApiFailure(e.status, e.code, e.message, e.field ? { field: e.field } : {});
  return boundedRefusal(e);
}

const KeyPath = AlarmKeyPathSchema;
const IdPath = IdPathSchema;
const err = (description: string) => ({ description, schema: ApiErrorSchema });
const view = { ...ok('the alarm after the command', AlarmViewSchema), 404: err('no such alarm'), 409: err('not possible in the alarm\'s state') };

export const alarmRoutes: FastifyPluginAsync<AlarmRoutesOptions> = async (app, o) => {
  const { alarms, cases, audit, commands, now } = o;
  const machines = new Set(o.machineIds);
  const route = routesWith(refusal);

  const knownMachine = (id: string) => {
    if (!machines.has(id)) throw new ApiFailure(404, 'unknown-machine', `no machine "${id}" (known: ${[...machines].join(', ')})`, { field: 'id' });
    return id;
  };

  /** Alarm commands outside the command service's set are audited here, refusals too. */
  function audited<T>(who: Principal, action: string, target: string, details: Record<string, unknown>, fn: () => T): T {
    try {
      const result = fn();
      audit.append({ actor: who.user, role: who.role, action, target, details, outcome: 'ok' });
      return result;
    } catch (e) {
      if (e instanceof AlarmCommandError || e instanceof CaseError) {
        audit.append({ actor: who.user, role: who.role, action, target, details: { ...details, error: e.message }, outcome: 'refused' });
      }
      throw e;
    }
  }

  const viaCommands = async (req: FastifyRequest, who: Principal, request: CommandRequest) => {
    await commands.execute(request, { principal: who, source: req.ip, transport: 'rest' });
    return alarms.engine.view((request as { alarmKey: string }).alarmKey);
  };

  // ---- alarms ----------------------------------------------------------------------
  app.route(route({
    method: 'GET', url: '/api/alarms', access: 'operator', tag: 'alarms', action: 'reading alarms',
    summary: 'Standing alarms (not normal), or every alarm point with all=1; with diagnosis and flood status', query: AlarmListQuerySchema, responses: ok('the alarm list', AlarmListSchema),
  }, ({ query: q }) => {
    if (q.machineId) knownMachine(q.machineId);
    return alarms.list({ all: q.all, machineId: q.machineId });
  }));

  app.route(route({
    method: 'GET', url: '/api/alarms/history', access: 'operator', tag: 'alarms', action: 'reading the alarm journal',
    summary: 'The alarm journal: occurrences raised in [from, to) or still open (default: the last 24 h)', query: AlarmHistoryQuerySchema,
    responses: { ...ok('occurrences, oldest first', z.object({ occurrences: z.array(AlarmOccurrenceSchema) })), ...READ_REFUSED },
  }, async ({ query: q }) => {
    const { from, to } = boundedWindow(q, 86_400_000, now() + 1);
    const query = { from, to, machineId: q.machineId, limit: q.limit };
    return { occurrences: o.reads ? await o.reads.run('alarmHistory', query) : alarms.history(query) };
  }));

  app.route(route({
    method: 'GET', url: '/api/alarms/kpis', access: 'operator', tag: 'alarms', action: 'reading alarm KPIs',
    summary: 'Alarm-system KPIs of a shift (ISA-18.2 §16): rate per operator, flood share, standing/stale, top ten bad actors, chatter, time to ack',
    query: AlarmKpiQuerySchema, responses: { ...ok('KPIs', AlarmKpisSchema), 404: err('no such shift'), ...READ_REFUSED },
  }, ({ query: q }) => {
    if (q.from !== undefined && q.to !== undefined) {
      // Up to 366 days of journal: read on the read worker. A shift (below) is at most a day.
      if (!o.reads) return alarms.kpis({ from: q.from, to: q.to });
      const { operators, flood, staleAfterHours } = alarms.settings;
      const shelvedNow = alarms.engine.list().filter((a) => a.state === 'shelved').length;
      return o.reads.run('alarmKpis', { from: q.from, to: q.to, shift: null, shelvedNow }, { operators, floodCount: flood.count, staleAfterMs: staleAfterHours * 3_600_000 });
    }
    if (q.date && q.name) return alarms.kpis({ date: q.date, name: q.name });
    return alarms.kpis({ shift: q.shift ?? 'current' });
  }));

  app.route(route({
    method: 'GET', url: '/api/alarms/occurrences/:id', access: 'operator', tag: 'alarms', action: 'reading an alarm',
    summary: 'One occurrence with its recordings and the machine\'s diagnosis', params: IdPath,
    responses: { ...ok('occurrence', AlarmOccurrenceSchema.extend({ diagnosis: AlarmDiagnosisSchema, recordings: z.array(RecordingSummarySchema) })), 404: err('no such occurrence') },
  }, ({ params: { id } }) => {
    const occurrence = alarms.occurrence(id);
    if (!occurrence) throw new ApiFailure(404, 'not-found', `no alarm occurrence ${id}`, { field: 'id' });
    return { ...occurrence, recordings: alarms.recordings({ alarmId: id }) };
  }));

  app.route(route({
    method: 'POST', url: '/api/alarms/ack-all', access: 'operator', tag: 'alarms', action: 'acknowledging alarms',
    summary: 'Acknowledge every unacknowledged alarm (of one machine)', body: AckAllBodySchema, responses: ok('acknowledged alarms', z.object({ acknowledged: z.array(AlarmViewSchema) })),
  }, (input) => {
    const who = caller(input);
    const { machineId } = input.body;
    if (machineId) knownMachine(machineId);
    return { acknowledged: audited(who, 'alarm.ack-all', machineId ?? 'line', {}, () => alarms.ackAll(who.user, machineId)) };
  }));

  app.route(route({
    method: 'POST', url: '/api/alarms/:key/ack', access: 'operator', tag: 'alarms', action: 'acknowledging an alarm',
    summary: 'Acknowledge an alarm (through the audited command service)', params: KeyPath, body: AckBodySchema, responses: view,
  }, (input) => viaCommands(input.req, caller(input), { kind: 'ack-alarm', alarmKey: input.params.key, ...(input.body.note ? { note: input.body.note } : {}) })));

  app.route(route({
    method: 'POST', url: '/api/alarms/:key/shelve', access: 'operator', tag: 'alarms', action: 'shelving an alarm',
    summary: 'Shelve an alarm for some minutes with a reason (time-limited, ISA-18.2 §11.4; audited)', params: KeyPath, body: ShelveBodySchema,
    responses: { ...view, 400: err('minutes beyond alarms.maxShelveMinutes, or no reason') },
  }, (input) => viaCommands(input.req, caller(input), { kind: 'shelve-alarm', alarmKey: input.params.key, minutes: input.body.minutes, reason: input.body.reason })));

  app.route(route({
    method: 'POST', url: '/api/alarms/:key/unshelve', access: 'operator', tag: 'alarms', action: 'unshelving an alarm',
    summary: 'End shelving now (audited)', params: KeyPath, responses: view,
  }, (input) => {
    const who = caller(input);
    return audited(who, 'alarm.unshelve', input.params.key, {}, () => alarms.unshelve(input.params.key, who.user));
  }));

  app.route(route({
    method: 'POST', url: '/api/alarms/:key/out-of-service', access: 'maintenance', tag: 'alarms', action: 'taking an alarm out of service',
    summary: 'Take an alarm out of service (e.g. instrument under repair; audited)', params: KeyPath, body: OutOfServiceBodySchema, responses: view,
  }, (input) => {
    const who = caller(input);
    const { key } = input.params;
    return audited(who, 'alarm.out-of-service', key, { reason: input.body.reason }, () => alarms.removeFromService(key, who.user, input.body.reason));
  }));

  app.route(route({
    method: 'POST', url: '/api/alarms/:key/in-service', access: 'maintenance', tag: 'alarms', action: 'returning an alarm to service',
    summary: 'Return an alarm to service (audited)', params: KeyPath, responses: view,
  }, (input) => {
    const who = caller(input);
    return audited(who, 'alarm.in-service', input.params.key, {}, () => alarms.returnToService(input.params.key, who.user));
  }));

  // ---- diagnosis ---------------------------------------------------------------------
  app.route(route({
    method: 'GET', url: '/api/diagnosis/:id', access: 'operator', tag: 'diagnosis', action: 'reading a diagnosis',
    summary: 'A machine against its own healthy baseline (per tag: model, expected, z, CUSUM score) and advice for its active faults', params: MachineIdPathSchema,
    responses: { ...ok('diagnosis', z.object({ machineId: z.string(), health: MachineHealthSchema.nullable(), advice: z.array(FaultAdviceSchema), ts: z.number() })), 404: err('no such machine') },
  }, ({ params: { id } }) => {
    knownMachine(id);
    const faults = alarms.engine.list({ machineId: id }).filter((a) => a.faultCode !== null && a.active);
    const advice = faults.flatMap((a) => alarms.diagnosis(id, a.faultCode).advice);
    return { machineId: id, health: alarms.health(id) ?? null, advice, ts: now() };
  }));

  app.route(route({
    method: 'GET', url: '/api/fault-codes/:type/:code', access: 'operator', tag: 'diagnosis', action: 'reading the fault-code catalogue',
    summary: 'Fault-code catalogue entry: cause, checks, remedy (lang=en|zh-CN)', params: FaultCodePathSchema, query: FaultCodeQuerySchema,
    responses: ok('advice (known=false when the code is not in the catalogue)', FaultAdviceSchema),
  }, ({ params: { type, code }, query: { lang } }) => lookupFault(alarms.catalogue, type, code, lang ?? 'en')));

  // ---- flight recorder ---------------------------------------------------------------
  app.route(route({
    method: 'GET', url: '/api/recordings', access: 'operator', tag: 'recorder', action: 'listing recordings',
    summary: 'Flight recordings, newest first', query: RecordingListQuerySchema, responses: ok('recordings', z.object({ recordings: z.array(RecordingSummarySchema) })),
  }, ({ query }) => ({ recordings: alarms.recordings(query) })));

  app.route(route({
    method: 'GET', url: '/api/recordings/:id', access: 'operator', tag: 'recorder', action: 'reading a recording',
    summary: 'One recording: every tag of the machine around the trigger, as JSON or CSV (format=csv)', params: IdPath, query: RecordingQuerySchema,
    responses: { ...ok('the recording', RecordingSchema), 404: err('no such recording') },
  }, ({ params: { id }, query: { format }, reply }) => {
    const rec = alarms.recording(id);
    if (!rec) throw new ApiFailure(404, 'not-found', `no recording ${id}`, { field: 'id' });
    if (format === 'json') return rec;
    return sendCsv(reply, `recording-${rec.id}-${rec.machineId}`, recordingCsvLines(rec));
  }));

  app.route(route({
    method: 'POST', url: '/api/machines/:id/recordings', access: 'operator', tag: 'recorder', action: 'starting a recording',
    summary: 'Record every tag of a machine now (pre from the ring buffer, post from now on; audited)', params: MachineIdPathSchema, body: RecordBodySchema,
    responses: { 201: { description: 'recording started', schema: RecordingSummarySchema }, 404: err('no such machine') },
  }, (input) => {
    const who = caller(input);
    const { id } = input.params;
    knownMachine(id);
    const summary = audited(who, 'recording.start', id, { note: input.body.note ?? null }, () => alarms.record(id, { by: who.user, ...input.body }));
    return input.reply.code(201).send(summary);
  }));

  // ---- service cases -----------------------------------------------------------------
  app.route(route({
    method: 'GET', url: '/api/service-cases', access: 'operator', tag: 'service', action: 'listing service cases',
    summary: 'Service cases, newest first', query: CaseListQuerySchema, responses: ok('cases', z.object({ cases: z.array(ServiceCaseSchema.omit({ notes: true, context: true })) })),
  }, ({ query }) => ({ cases: cases.list(query) })));

  app.route(route({
    method: 'POST', url: '/api/service-cases', access: 'operator', tag: 'service', action: 'opening a service case',
    summary: 'Open a case from an alarm (its recording and diagnosis attached) or for a machine (a recording is taken now)', body: OpenCaseBodySchema,
    responses: { 201: { description: 'the case', schema: ServiceCaseSchema }, 404: err('no such alarm or machine') },
  }, (input) => {
    const who = caller(input);
    const { body } = input;
    const c = audited(who, 'service-case.open', body.machineId ?? `alarm ${body.alarmId}`, { alarmId: body.alarmId ?? null }, () => cases.open(body, who.user));
    return input.reply.code(201).send(c);
  }));

  app.route(route({
    method: 'GET', url: '/api/service-cases/:id', access: 'operator', tag: 'service', action: 'reading a service case',
    summary: 'A case with notes and context', params: IdPath, responses: { ...ok('the case', ServiceCaseSchema), 404: err('no such case') },
  }, ({ params: { id } }) => {
    const c = cases.get(id);
    if (!c) throw new ApiFailure(404, 'not-found', `no service case ${id}`, { field: 'id' });
    return c;
  }));

  app.route(route({
    method: 'POST', url: '/api/service-cases/:id/assign', access: 'maintenance', tag: 'service', action: 'assigning a service case',
    summary: 'Assign (or reassign) a case', params: IdPath, body: AssignCaseBodySchema, responses: { ...ok('the case', ServiceCaseSchema), 409: err('the case is closed') },
  }, (input) => {
    const who = caller(input);
    const { id } = input.params;
    return audited(who, 'service-case.assign', `case ${id}`, { assignee: input.body.assignee }, () => cases.assign(id, input.body.assignee, who.user));
  }));

  app.route(route({
    method: 'POST', url: '/api/service-cases/:id/notes', access: 'operator', tag: 'service', action: 'adding a note to a service case',
    summary: 'Add a note', params: IdPath, body: CaseNoteBodySchema, responses: ok('the case', ServiceCaseSchema),
  }, (input) => {
    const who = caller(input);
    const { id } = input.params;
    return audited(who, 'service-case.note', `case ${id}`, {}, () => cases.addNote(id, input.body.text, who.user));
  }));

  app.route(route({
    method: 'POST', url: '/api/service-cases/:id/close', access: 'maintenance', tag: 'service', action: 'closing a service case',
    summary: 'Close a case with its resolution', params: IdPath, body: CloseCaseBodySchema, responses: { ...ok('the case', ServiceCaseSchema), 409: err('already closed') },
  }, (input) => {
    const who = caller(input);
    const { id } = input.params;
    return audited(who, 'service-case.close', `case ${id}`, { resolution: input.body.resolution }, () => cases.close(id, input.body.resolution, who.user));
  }));

  app.route(route({
    method: 'GET', url: '/api/machines/:id/service-history', access: 'operator', tag: 'service', action: 'reading a service history',
    summary: 'Breakdowns per fault code, repeated faults, MTBF/MTTR and cases of a machine (default: last 90 days)', params: MachineIdPathSchema, query: ServiceHistoryQuerySchema,
    responses: { ...ok('history', ServiceHistorySchema), 404: err('no such machine'), ...READ_REFUSED },
  }, async ({ params: { id }, query }) => {
    knownMachine(id);
    checkSpan(query, now());
    // The history is computed here from every state interval of the window: at most MAX_JSON_ROWS of them.
    const to = query.to ?? now();
    const intervals = o.reads ? await o.reads.run('stateCount', id, query.from ?? to - SERVICE_HISTORY_DAYS * 86_400_000, to, MAX_JSON_ROWS) : 0;
    if (intervals > MAX_JSON_ROWS) {
      throw limitFailure({ parameter: 'from', message: `the window holds more than ${MAX_JSON_ROWS.toLocaleString('en-US')} state intervals; at most ${MAX_JSON_ROWS.toLocaleString('en-US')} per service history (parameter: from): ask for a shorter window` }, { maxRows: MAX_JSON_ROWS });
    }
    return cases.history(id, query);
  }));
};
