// The heavy reads REST answers need (trends, state timelines, KPI periods, count deltas, the
// alarm journal and alarm statistics), as one table of plain functions over a SQLite
// connection. The same functions run on the main thread (tests, ':memory:' databases) and on
// the read worker (edge/store/read-worker.ts) with its own read-only connection, so an answer
// does not depend on where it was computed.
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { AlarmStore } from '../alarms/index.js';
import { alarmKpisFromJournal, type AlarmKpiSettings } from '../alarms/index.js';
import { MAX_QUEUED_READS, READ_BUDGET_MS, READ_RETRY_AFTER_S } from '../../shared/query-limits.js';
import { HistoryQueries, UnknownTagError, type StateInterval } from './history-query.js';
import * as schema from './schema.js';

export interface ReadSources {
  queries: HistoryQueries;
  /** The alarm journal; absent where only history is served (then alarm reads throw). */
  alarms?: () => Pick<AlarmStore, 'occurrences'>;
}

export function readFunctions(s: ReadSources) {
  const alarms = () => {
    if (!s.alarms) throw new Error('alarm reads are not available here');
    return s.alarms();
  };
  const q = s.queries;
  return {
    trend: (tag: string, from: number, to: number, maxPoints: number) => q.trend(tag, from, to, maxPoints),
    states: (machineId: string, from: number, to: number, limit: number) => q.stateTimeline(machineId, from, to, limit),
    statesPage: (machineId: string, from: number, to: number, after: { startTs: number; id: number } | null, limit: number) => q.statesPage(machineId, from, to, after, limit),
    stateCount: (machineId: string, from: number, to: number, cap: number) => q.stateCount(machineId, from, to, cap),
    kpiPeriods: (machineId: string, from: number, to: number, limit: number) => q.kpiPeriods(machineId, from, to, limit),
    counts: (machineId: string, from: number, to: number, limit: number) => q.counts(machineId, from, to, limit),
    countTotals: (machineId: string, from: number, to: number) => q.countTotals(machineId, from, to),
    valuesAt: (machineId: string, at: number) => q.valuesAt(machineId, at),
    alarmHistory: (query: { from: number; to: number; machineId?: string; limit: number }) => alarms().occurrences(query),
    alarmKpis: (period: { from: number; to: number; shift?: { name: string; date: string } | null; shelvedNow?: number }, settings: AlarmKpiSettings) =>
      alarmKpisFromJournal(alarms(), period, settings),
  };
}

export type ReadFunctions = ReturnType<typeof readFunctions>;
export type ReadName = keyof ReadFunctions;

/** Where heavy reads run: `run` resolves with the function's answer (or rejects with its error). */
export interface Reads {
  run<K extends ReadName>(name: K, ...args: Parameters<ReadFunctions[K]>): Promise<ReturnType<ReadFunctions[K]>>;
  close(): Promise<void>;
}

/** Too many reads already waiting: a 503 with Retry-After. */
export class ReadsBusy extends Error {
  override name = 'ReadsBusy';
  readonly retryAfterSeconds = READ_RETRY_AFTER_S;
  constructor(waiting: number, max = MAX_QUEUED_READS) {
    super(`${waiting} history/report queries are already waiting (at most ${max}): try again in ${READ_RETRY_AFTER_S} s`);
  }
}

/** A read ran past its time budget and was stopped: a 503. */
export class ReadTimedOut extends Error {
  override name = 'ReadTimedOut';
  readonly retryAfterSeconds = READ_RETRY_AFTER_S;
  constructor(what: string, budgetMs: number) {
    super(`the ${what} query ran longer than ${budgetMs / 1000} s and was stopped: ask for a shorter window or fewer points`);
  }
}

/** The errors a read may end with that are the caller's to answer (404 unknown tag); others are bugs. */
export function readError(name: string, message: string): Error {
  if (name === 'UnknownTagError') return new UnknownTagError(message);
  const err = new Error(message);
  err.name = name;
  return err;
}

/** Reads on the caller's thread and connection: the path tests and in-memory databases use. */
export function inlineReads(sources: ReadSources, catchUp: () => void = () => sources.queries.catchUp()): Reads {
  const fns = readFunctions(sources);
  return {
    async run(name, ...args) {
      catchUp();
      return (fns[name] as (...a: unknown[]) => never)(...args);
    },
    async close() {},
  };
}

/** The read functions over a connection of their own (the worker's). */
export function readFunctionsOn(sqlite: Database.Database): ReadFunctions {
  let store: AlarmStore | undefined;
  return readFunctions({ queries: new HistoryQueries(sqlite, drizzle(sqlite, { schema })), alarms: () => (store ??= new AlarmStore(sqlite)) });
}

export const DEFAULT_READ_BUDGET_MS = READ_BUDGET_MS;

/** Every interval of a state timeline, page by page (one read each), for a streamed export. */
export async function* statesPaged(reads: Reads, machineId: string, from: number, to: number, pageSize = 5000): AsyncGenerator<StateInterval> {
  let after: { startTs: number; id: number } | null = null;
  for (;;) {
    const page: (StateInterval & { id: number })[] = await reads.run('statesPage', machineId, from, to, after, pageSize);
    for (const { id: _id, ...s } of page) yield s;
    if (page.length < pageSize) return;
    const last: StateInterval & { id: number } = page.at(-1)!;
    after = { startTs: last.startTs, id: last.id };
  }
}
