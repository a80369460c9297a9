// What the history, KPI and alarm routes share to keep every request's work bounded
// (issue 16 §2): windows checked after their defaults are filled in (a `from` alone reaches
// to now), row counts checked before an answer is built, CSV sent as a stream, and the read
// worker's refusals (queue full, time budget) answered as 503 with Retry-After. Limits are
// the constants of shared/query-limits.ts; a refusal names the limit and the parameter.
import type { FastifyReply } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { MAX_SPAN_MS, rowsProblem, spanProblem } from '../../shared/query-limits.js';
import { RecordingLimitError } from '../alarms/index.js';
import { csvStream } from '../store/index.js';
import { ReadsBusy, ReadTimedOut } from '../store/index.js';
import { ApiFailure } from './validation.js';

/** The documented answer of a route whose reads run on the read worker. */
export const READ_REFUSED = {
  503: { description: 'busy (more than 8 queries waiting) or timed-out (a query ran past 10 s); try again after Retry-After seconds', schema: ApiErrorSchema },
} as const;

/** A 400 for a request past one of the limits: code "limit", the parameter in `field`. */
export function limitFailure(problem: { parameter: string; message: string }, limit: Record<string, number>): ApiFailure {
  return new ApiFailure(400, 'limit', problem.message, { field: problem.parameter, details: { limit } });
}

/**
 * [from, to) with the defaults of the route (`to` now, or just after `from`; `from` a
 * default span before `to`), refused past the span limit: `from=0` alone is 56 years.
 */
export function boundedWindow(q: { from?: number; to?: number }, defaultSpanMs: number, now: number, maxMs = MAX_SPAN_MS): { from: number; to: number } {
  const to = q.to ?? (q.from !== undefined ? Math.max(now, q.from + 1) : now);
  const from = q.from ?? to - defaultSpanMs;
  const tooLong = spanProblem(from, to, { to: q.to !== undefined }, maxMs);
  if (tooLong) throw limitFailure(tooLong, { maxSpanDays: maxMs / 86_400_000 });
  return { from, to };
}

/** Only a span check: for routes whose service fills in its own defaults (service history). */
export function checkSpan(q: { from?: number; to?: number }, now: number, maxMs = MAX_SPAN_MS): void {
  if (q.from === undefined) return;
  const tooLong = spanProblem(q.from, q.to ?? now, { to: q.to !== undefined }, maxMs);
  if (tooLong) throw limitFailure(tooLong, { maxSpanDays: maxMs / 86_400_000 });
}

/** Refuses an answer of more than `max` rows; `rows` was read with a limit of max + 1. */
export function checkRows<T>(rows: T[], max: number, what: string, csv = false): T[] {
  if (rows.length > max) throw limitFailure(rowsProblem(what, max, csv), { maxRows: max });
  return rows;
}

/** A CSV download, streamed line by line. */
export function sendCsv(reply: FastifyReply, name: string, lines: AsyncIterable<string> | Iterable<string>) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}.csv"`)
    .send(csvStream(lines));
}

/** The read worker's and the flight recorder's refusals in the API's shape (null: not one of them). */
export function boundedRefusal(err: unknown): ApiFailure | null {
  if (err instanceof ReadsBusy || err instanceof ReadTimedOut) {
    return new ApiFailure(503, err instanceof ReadsBusy ? 'busy' : 'timed-out', err.message, { headers: { 'retry-after': String(err.retryAfterSeconds) } });
  }
  if (err instanceof RecordingLimitError) return new ApiFailure(400, 'limit', err.message, { field: 'id', details: { limit: { openRecordings: err.limit } } });
  return null;
}
