// The alarm, diagnosis, flight-recorder and service-case REST routes (edge/api/alarm-routes.ts)
// as the twin uses them. Answers are validated with the shared schemas; errors come back as
// text for the UI ("403 …: what to do"), never as exceptions.
import { z } from 'zod';
import {
  AlarmListSchema, FaultAdviceSchema, MachineHealthSchema, RecordingSchema, RecordingSummarySchema,
  type AlarmList, type FaultAdvice, type MachineHealth, type Recording, type RecordingSummary,
} from '../../../../shared/alarm-wire.js';
import { ServiceCaseSchema, ServiceHistorySchema, type ServiceCase, type ServiceHistory } from '../../../../shared/alarm-service-cases.js';
import { getJson, type RestResult } from '../../live/rest-client.js';
import { CSRF_HEADER } from '../../../../shared/auth-api.js';

function validated<T>(schema: z.ZodType<T>, what: string) {
  return (r: RestResult<unknown>): RestResult<T> => {
    if (!r.ok) return r;
    const parsed = schema.safeParse(r.value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return { ok: false, error: `the edge sent ${what} this twin does not understand (${issue?.path.join('.')}: ${issue?.message})` };
  };
}

const enc = encodeURIComponent;

export function fetchAlarms(): Promise<RestResult<AlarmList>> {
  return getJson<unknown>('api/alarms').then(validated(AlarmListSchema, 'an alarm list'));
}

export function fetchFaultAdvice(type: string, code: number, lang: 'en' | 'zh-CN'): Promise<RestResult<FaultAdvice>> {
  return getJson<unknown>(`api/fault-codes/${enc(type)}/${code}?lang=${enc(lang)}`).then(validated(FaultAdviceSchema, 'a fault-code entry'));
}

const DiagnosisAnswerSchema = z.object({ machineId: z.string(), health: MachineHealthSchema.nullable(), advice: z.array(FaultAdviceSchema), ts: z.number() });
export type DiagnosisAnswer = { machineId: string; health: MachineHealth | null; advice: FaultAdvice[]; ts: number };

export function fetchDiagnosis(machineId: string): Promise<RestResult<DiagnosisAnswer>> {
  return getJson<unknown>(`api/diagnosis/${enc(machineId)}`).then(validated(DiagnosisAnswerSchema, 'a diagnosis'));
}

export function fetchRecording(id: number): Promise<RestResult<Recording>> {
  return getJson<unknown>(`api/recordings/${id}`).then(validated(RecordingSchema, 'a flight recording'));
}

/** A machine's recordings, newest first (alarm-triggered and on demand). */
export function fetchRecordings(machineId: string, limit = 20): Promise<RestResult<RecordingSummary[]>> {
  return getJson<unknown>(`api/recordings?machineId=${enc(machineId)}&limit=${limit}`)
    .then(validated(z.object({ recordings: z.array(RecordingSummarySchema) }), 'a recording list'))
    .then((r) => (r.ok ? { ok: true, value: [...r.value.recordings].sort((a, b) => b.triggerTs - a.triggerTs) } : r));
}

/** The CSV export of a recording (GET: the session cookie is enough). */
export function recordingCsvUrl(id: number): string {
  return `api/recordings/${id}?format=csv`;
}

export function fetchServiceHistory(machineId: string): Promise<RestResult<ServiceHistory>> {
  return getJson<unknown>(`api/machines/${enc(machineId)}/service-history`).then(validated(ServiceHistorySchema, 'a service history'));
}

/**
 * POST with the page's session: the edge honours its session cookie for writes only with
 * CSRF_HEADER (a forged cross-site form cannot send it). Without a session the edge's 401 says
 * to log in, and that is what the user sees.
 */
async function postJson(path: string, body: unknown, timeoutMs = 15_000): Promise<RestResult<unknown>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(path, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify(body),
    });
    const answer: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const e = answer as { error?: string; field?: string } | null;
      return { ok: false, error: `${res.status} ${e?.error ?? res.statusText}${e?.field ? ` (${e.field})` : ''}` };
    }
    return { ok: true, value: answer };
  } catch (err) {
    return { ok: false, error: controller.signal.aborted ? 'timed out' : String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}

export function openServiceCase(alarmId: number, note?: string): Promise<RestResult<ServiceCase>> {
  return postJson('api/service-cases', { alarmId, ...(note ? { note } : {}) }).then(validated(ServiceCaseSchema, 'a service case'));
}

/** A flight recording on demand (the edge's default window around now). */
export function recordNow(machineId: string): Promise<RestResult<RecordingSummary>> {
  return postJson(`api/machines/${enc(machineId)}/recordings`, { note: 'from the twin' }).then(validated(RecordingSummarySchema, 'a recording'));
}

export function unshelveAlarm(key: string): Promise<RestResult<unknown>> {
  return postJson(`api/alarms/${enc(key)}/unshelve`, {});
}

export function setOutOfService(key: string, reason: string | null): Promise<RestResult<unknown>> {
  return reason === null ? postJson(`api/alarms/${enc(key)}/in-service`, {}) : postJson(`api/alarms/${enc(key)}/out-of-service`, { reason });
}

/** One case with its notes and the context it was opened with. */
export function fetchServiceCase(id: number): Promise<RestResult<ServiceCase>> {
  return getJson<unknown>(`api/service-cases/${id}`).then(validated(ServiceCaseSchema, 'a service case'));
}

export function assignServiceCase(id: number, assignee: string): Promise<RestResult<ServiceCase>> {
  return postJson(`api/service-cases/${id}/assign`, { assignee }).then(validated(ServiceCaseSchema, 'a service case'));
}

export function addServiceCaseNote(id: number, text: string): Promise<RestResult<ServiceCase>> {
  return postJson(`api/service-cases/${id}/notes`, { text }).then(validated(ServiceCaseSchema, 'a service case'));
}

/** The edge takes a resolution with the close (what was done); it is required. */
export function closeServiceCase(id: number, resolution: string): Promise<RestResult<ServiceCase>> {
  return postJson(`api/service-cases/${id}/close`, { resolution }).then(validated(ServiceCaseSchema, 'a service case'));
}
