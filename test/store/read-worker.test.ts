// The read worker on a real SQLite file: the same answers as the main-thread path, samples
// still queued in the historian included, the main event loop free while a heavy query runs,
// a bounded queue and a time budget that stops a runaway query and carries on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { inlineReads, ReadsBusy, ReadTimedOut, type Reads } from '../../edge/store/reads.js';
import { openReadWorker } from '../../edge/store/read-worker-client.js';
import { UnknownTagError } from '../../edge/store/history-query.js';
import { MAX_SPAN_MS } from '../../shared/query-limits.js';
import { countEvent, manualClock, stateEvent, tagEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
const MIN = 60_000;
const YEAR = MAX_SPAN_MS;
let dir: string;
let h: Historian;
let inline: Reads;
const workers: Reads[] = [];
const worker = (o: { budgetMs?: number; maxQueued?: number } = {}) => {
  const w = openReadWorker({ file: join(dir, 'h.db'), catchUp: () => h.queries.catchUp(), ...o });
  workers.push(w);
  return w;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-read-worker-'));
  const clock = manualClock(T0 + YEAR);
  h = openHistorian({ file: join(dir, 'h.db'), now: clock.now, flushIntervalMs: 3_600_000, settings: { heartbeatSeconds: 86_400, backup: { enabled: false }, retention: { rawDays: 3650, minuteDays: 3650, eventsDays: 3650 } } });
  h.onModelEvents([stateEvent('mill', 'running', T0), stateEvent('mill', 'down', T0 + 10 * MIN, 'fault 17', 'running'), stateEvent('mill', 'running', T0 + 20 * MIN, null, 'down')]);
  h.onModelEvents([countEvent('mill', 2, 2, T0 + MIN), countEvent('mill', 1, 0, T0 + 2 * MIN)]);
  h.onModelEvents(Array.from({ length: 600 }, (_, i) => tagEvent('mill.spindleSpeed', i, T0 + i * 1000)));
  h.flush();
  // A year of per-minute aggregates of one tag: the heaviest trend the API allows.
  const tag = (h.sqlite.prepare("SELECT id FROM tags WHERE name = 'mill.spindleSpeed'").pluck().get() as number);
  const put = h.sqlite.prepare('INSERT OR REPLACE INTO tag_minutes (tag_id, minute, min, max, sum, count, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  h.sqlite.transaction(() => {
    for (let m = T0; m < T0 + YEAR; m += MIN) put.run(tag, m, 1, 3, 120, 60, 2, m + 59_000);
  })();
  inline = inlineReads({ queries: h.queries });
});
afterAll(async () => {
  for (const w of workers) await w.close();
  h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the read worker', () => {
  it('answers as the main-thread path does', async () => {
    const w = worker();
    for (const [name, args] of [
      ['trend', ['mill.spindleSpeed', T0, T0 + 600_000, 1000]],
      ['trend', ['mill.spindleSpeed', T0, T0 + YEAR, 500]],
      ['states', ['mill', T0 + 5 * MIN, T0 + 15 * MIN, 100]],
      ['counts', ['mill', T0, T0 + 3 * MIN, 100]],
      ['countTotals', ['mill', T0, T0 + 3 * MIN]],
      ['kpiPeriods', ['mill', T0, T0 + YEAR, 100]],
    ] as const) {
      const a = await (w.run as (n: string, ...x: unknown[]) => Promise<unknown>)(name, ...args);
      const b = await (inline.run as (n: string, ...x: unknown[]) => Promise<unknown>)(name, ...args);
      expect(a, name).toEqual(b);
    }
    // The interval open at the window's start is in, the ones before it are not.
    expect((await w.run('states', 'mill', T0 + 15 * MIN, T0 + 30 * MIN, 100)).map((s) => s.state)).toEqual(['down', 'running']);
  });

  it('includes what the historian has queued but not written yet', async () => {
    const w = worker();
    h.onModelEvents([countEvent('mill', 5, 5, T0 + 3 * MIN)]);
    expect(h.stats().pending).toBe(1);
    expect(await w.run('countTotals', 'mill', T0, T0 + 4 * MIN)).toEqual({ total: 8, good: 7 });
  });

  it('turns an unknown tag into the same error as on the main thread', async () => {
    await expect(worker().run('trend', 'mill.nothing', T0, T0 + MIN, 10)).rejects.toBeInstanceOf(UnknownTagError);
  });

  it('leaves the main event loop free while a year-long trend runs', async () => {
    const w = worker();
    await w.run('countTotals', 'mill', T0, T0 + 1); // started
    const ticksDuring = async (reads: Reads) => {
      let ticks = 0;
      let done = false;
      const spin = () => { if (!done) { ticks++; setImmediate(spin); } };
      setImmediate(spin);
      await reads.run('trend', 'mill.spindleSpeed', T0, T0 + YEAR, 500);
      done = true;
      return ticks;
    };
    expect(await ticksDuring(inline)).toBe(0);
    expect(await ticksDuring(w)).toBeGreaterThan(0);
  });

  it('refuses reads past the queue limit with ReadsBusy, answering the others', async () => {
    const w = worker({ maxQueued: 1 });
    await w.run('countTotals', 'mill', T0, T0 + 1); // started: the first read runs at once, the second waits
    const first = w.run('trend', 'mill.spindleSpeed', T0, T0 + YEAR, 500);
    const second = w.run('countTotals', 'mill', T0, T0 + 3 * MIN);
    const third = w.run('countTotals', 'mill', T0, T0 + 3 * MIN);
    await expect(third).rejects.toBeInstanceOf(ReadsBusy);
    await expect(third).rejects.toThrow(/at most 1\b|try again in \d+ s/);
    await expect(first).resolves.toMatchObject({ resolution: 'aggregate' });
    await expect(second).resolves.toEqual({ total: 3, good: 2 });
  });

  it('stops a query past its time budget (the worker is started afresh)', async () => {
    const w = worker({ budgetMs: 1 });
    await expect(w.run('trend', 'mill.spindleSpeed', T0, T0 + YEAR, 500)).rejects.toBeInstanceOf(ReadTimedOut);
    expect((w as unknown as { restarts: number }).restarts).toBe(1);
  });
});
