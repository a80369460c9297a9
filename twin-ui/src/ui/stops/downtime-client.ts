// The downtime and handover REST calls of the twin, with the page's session (writes carry the
// CSRF header). Answers are checked against the shared schemas; errors come back as text.
import { CSRF_HEADER } from '../../../../shared/auth-api.js';
import { ReasonsAnswerSchema, StopSchema, StopsAnswerSchema, type ClassifyBody, type ParetoRow, type ReasonsAnswer, type Revision, type Stop, type StopsAnswer } from '../../../../shared/downtime-api.js';
import { HandoverAnswerSchema, NoteSchema, type HandoverAnswer, type Note, type NoteBody } from '../../../../shared/handover-api.js';
import type { RestResult } from '../../live/rest-client.js';
import type { z } from 'zod';

async function request<T>(path: string, schema: z.ZodType<T> | null, init?: { method: 'POST'; body: unknown }): Promise<RestResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 15_000);
  try {
    const res = await fetch(path, {
      method: init?.method ?? 'GET', signal: controller.signal,
      headers: init ? { 'content-type': 'application/json', accept: 'application/json', [CSRF_HEADER]: '1' } : { accept: 'application/json' },
      ...(init ? { body: JSON.stringify(init.body) } : {}),
    });
    const answer: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const e = answer as { error?: string; field?: string } | null;
      return { ok: false, error: `${res.status} ${e?.error ?? res.statusText}${e?.field ? ` (${e.field})` : ''}` };
    }
    if (!schema) return { ok: true, value: answer as T };
    const parsed = schema.safeParse(answer);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `unexpected answer from ${path}` };
  } catch (err) {
    return { ok: false, error: controller.signal.aborted ? 'timed out' : String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}

const enc = encodeURIComponent;
/** GET /api/downtime/losses as the dashboard reads it: the shift's OEE, Pareto and waterfall with the operators' reasons applied. */
export interface ReasonLosses {
  pareto: ParetoRow[];
  unclassifiedSeconds: number;
  oee: number;
  availability: number;
  waterfall: Array<{ step: string; kind: 'total' | 'loss' | 'excluded'; seconds: number }>;
}

export const downtimeApi = {
  reasons: (machineId: string) => request<ReasonsAnswer>(`api/downtime/reasons?machine=${enc(machineId)}`, ReasonsAnswerSchema),
  stops: (machineId: string) => request<StopsAnswer>(`api/downtime/stops?machine=${enc(machineId)}`, StopsAnswerSchema),
  prompts: () => request<{ stops: Stop[] }>('api/downtime/prompts', null),
  classify: (stop: Stop, body: ClassifyBody) => request<Stop>(`api/downtime/stops/${enc(stop.machineId)}/${stop.start}/classification`, StopSchema, { method: 'POST', body }),
  history: (stop: Stop) => request<{ revisions: Revision[] }>(`api/downtime/stops/${enc(stop.machineId)}/${stop.start}/history`, null),
  losses: (machineId: string) => request<ReasonLosses>(`api/downtime/losses?machine=${enc(machineId)}`, null),
};

export const handoverApi = {
  current: () => request<HandoverAnswer>('api/handover', HandoverAnswerSchema),
  addNote: (body: NoteBody) => request<Note>('api/handover/notes', NoteSchema, { method: 'POST', body }),
  closeIssue: (id: number, text?: string) => request<Note>(`api/handover/issues/${id}/close`, NoteSchema, { method: 'POST', body: text ? { text } : {} }),
};
