// How much work one request may ask of the edge (issue 16 §2). Every limit of the REST API
// is a named constant here, used by the zod schemas in shared/ and by the routes; past one,
// the answer is a 400 that names the limit and the parameter (docs/security.md "Bounded
// work" lists them). Browser-safe: the twin can keep its own requests inside them.

export const DAY_MS = 86_400_000;

/** Longest window of any time-range query: history, KPI history, alarm journal and statistics, service history. */
export const MAX_SPAN_DAYS = 366;
export const MAX_SPAN_MS = MAX_SPAN_DAYS * DAY_MS;

/** Points of one trend (raw samples or buckets; bucket count = points). */
export const MAX_TREND_POINTS = 10_000;
/** Rows of one JSON answer (state intervals, KPI periods, count deltas); past it, ask for a shorter window or CSV. */
export const MAX_JSON_ROWS = 100_000;
/** Rows of one CSV export (streamed row by row); past it, ask for a shorter window. */
export const MAX_EXPORT_ROWS = 1_000_000;

/** Alarm journal rows per request (`limit`). */
export const MAX_ALARM_HISTORY_ROWS = 10_000;
/** Closed shifts per KPI answer (`limit`). */
export const MAX_SHIFTS_PER_ANSWER = 1000;
/** One page of a list: recordings, service cases, audit entries (`limit`). */
export const MAX_PAGE_ROWS = 1000;

/** Flight recordings still recording, per machine and on the whole edge (alarm-triggered ones count too). */
export const MAX_OPEN_RECORDINGS_PER_MACHINE = 4;
export const MAX_OPEN_RECORDINGS = 16;
/** Samples one recording keeps; a recording that reaches it ends early. */
export const MAX_RECORDING_SAMPLES = 200_000;

/** Heavy reads waiting for the read worker; past it, 503 with Retry-After. */
export const MAX_QUEUED_READS = 8;
/** A read that runs longer than this on the read worker is stopped (the worker is restarted): 503. */
export const READ_BUDGET_MS = 10_000;
/** Retry-After (seconds) of a 503 from a full read queue. */
export const READ_RETRY_AFTER_S = 2;

const days = (ms: number) => {
  const d = ms / DAY_MS;
  return Number.isInteger(d) ? String(d) : d.toFixed(1);
};

/**
 * Whether [from, to) is longer than `maxMs`, and whom to blame: `to` when the caller gave
 * both ends, `from` when `to` defaulted to now. Null when the window is allowed.
 */
export function spanProblem(
  from: number, to: number, given: { to: boolean }, maxMs = MAX_SPAN_MS,
): { parameter: 'from' | 'to'; message: string } | null {
  if (to - from <= maxMs) return null;
  const limit = `at most ${days(maxMs)} days per request`;
  return given.to
    ? { parameter: 'to', message: `to − from is ${days(to - from)} days; ${limit} (parameter: to)` }
    : { parameter: 'from', message: `from is ${days(to - from)} days before now; ${limit} (parameter: from)` };
}

/** The start of a running count (`since`) at most `maxMs` before `from`. */
export function sinceProblem(since: number, from: number, maxMs = MAX_SPAN_MS): { parameter: 'since'; message: string } | null {
  if (from - since <= maxMs) return null;
  return { parameter: 'since', message: `from − since is ${days(from - since)} days; at most ${days(maxMs)} days per request (parameter: since)` };
}

/** A 400 for an answer that would hold more than `max` rows. */
export function rowsProblem(what: string, max: number, csv: boolean): { parameter: 'from'; message: string } {
  return {
    parameter: 'from',
    message: `the window holds more than ${max.toLocaleString('en-US')} ${what}; at most ${max.toLocaleString('en-US')} per ${csv ? 'export' : 'answer'} (parameter: from)${csv ? ': ask for a shorter window' : ': ask for a shorter window, or format=csv'}`,
  };
}
