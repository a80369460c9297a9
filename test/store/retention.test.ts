// Retention per table and the size budget, on real SQLite files.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { dbSize } from '../../edge/store/retention.js';
import { countEvent, manualClock, stateEvent, tagEvent, waitFor } from './events.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const open: Historian[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'twinline-retention-'));
  dirs.push(d);
  return d;
}

describe('retention', () => {
  it('deletes rows older than their table keeps, and nothing newer', async () => {
    const clock = manualClock(T0);
    const h = openHistorian({ file: ':memory:', now: clock.now, flushIntervalMs: 10_000, settings: { retention: { rawDays: 1, minuteDays: 3, eventsDays: 2 } } });
    open.push(h);
    const ages = [5, 2.5, 1.5, 0.5].map((d) => T0 - d * DAY);
    h.onModelEvents(ages.map((ts, i) => tagEvent('mill.power', i + 1, ts)));
    h.onModelEvents([stateEvent('mill', 'running', ages[0]!), stateEvent('mill', 'idle', ages[1]!), stateEvent('mill', 'running', ages[2]!)]);
    h.onModelEvents([stateEvent('washer', 'down', ages[0]!, 'fault 3')]); // still open: the washer's current state
    h.onModelEvents(ages.map((ts) => countEvent('mill', 1, 1, ts)));
    h.flush();
    const { retention } = await h.maintain();

    expect(h.tagHistory('mill.power', 0, T0).map((p) => p.value)).toEqual([4]);
    expect(h.sqlite.prepare('SELECT count(*) FROM tag_minutes').pluck().get()).toBe(3); // 2.5, 1.5, 0.5 days old
    expect(h.stateIntervals('mill', 0, T0 + 1).map((s) => s.state)).toEqual(['idle', 'running']); // running ended 2.5 d ago: gone
    expect(h.stateIntervals('washer', 0, T0 + 1)).toHaveLength(1);
    expect(h.queries.countsAndEnergy('mill', 0, T0).counts.map((c) => c.ts)).toEqual([ages[2], ages[3]]);
    expect(retention.deleted).toMatchObject({ tag_samples: 3, tag_minutes: 1, machine_states: 1, production_counts: 2 });
  });

  it('prunes a large backlog in chunks without losing recent rows', async () => {
    const clock = manualClock(T0);
    const h = openHistorian({ file: ':memory:', now: clock.now, flushIntervalMs: 10_000, settings: { retention: { rawDays: 1 } } });
    open.push(h);
    const events = [];
    for (let i = 0; i < 12_000; i++) events.push(tagEvent('mill.vibration', i, T0 - 2 * DAY + i * 1000));
    events.push(tagEvent('mill.vibration', -1, T0 - 1000));
    h.onModelEvents(events);
    h.flush();
    const { retention } = await h.maintain();
    expect(retention.deleted.tag_samples).toBe(12_000);
    expect(h.tagHistory('mill.vibration', 0, T0).map((p) => p.value)).toEqual([-1]);
  });
});

describe('size budget', () => {
  it('is checked after commits by itself, without waiting for the retention timer', async () => {
    const file = join(tempDir(), 'auto.db');
    const clock = manualClock(T0);
    const logs: string[] = [];
    const h = openHistorian({ file, now: clock.now, flushIntervalMs: 10_000, settings: { maxDatabaseMB: 0.5, heartbeatSeconds: 3600 }, log: (l, m) => logs.push(`${l} ${m}`) });
    open.push(h);
    let ts = T0 - DAY;
    for (let batch = 0; batch < 40 && !logs.some((l) => l.startsWith('warn')); batch++) {
      const events = [];
      for (let i = 0; i < 1000; i++, ts += 1000) events.push(tagEvent('mill.t', i, ts));
      h.onModelEvents(events);
      h.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor('the budget warning', () => logs.some((l) => l.startsWith('warn historian: database reached')), 5_000);
    await waitFor('data back under 80 % of the budget', () => dbSize(h.sqlite).usedBytes <= 0.5 * 1024 * 1024 * 0.8, 5_000);
  });

  it('holds the file within maxDatabaseMB by dropping the oldest raw samples first, with a warning', async () => {
    const file = join(tempDir(), 'small.db');
    const clock = manualClock(T0);
    const logs: string[] = [];
    const h = openHistorian({ file, now: clock.now, flushIntervalMs: 10_000, settings: { maxDatabaseMB: 1, heartbeatSeconds: 3600 }, log: (l, m) => logs.push(`${l} ${m}`) });
    open.push(h);
    const tags = Array.from({ length: 10 }, (_, i) => `mill.t${i}`);
    let ts = T0 - DAY;
    // ~120,000 changing samples ≈ 3 MB raw: three times the budget
    for (let batch = 0; batch < 120; batch++) {
      const events = [];
      for (let i = 0; i < 100; i++, ts += 1000) for (const [k, tag] of tags.entries()) events.push(tagEvent(tag, Math.sin(ts / 7e4 + k) * 100, ts));
      h.onModelEvents(events);
      h.flush();
      await h.maintain();
      expect(statSync(file).size).toBeLessThanOrEqual(1024 * 1024);
    }
    const newest = ts - 1000;
    expect(h.tagHistory('mill.t3', newest, newest + 1)).toHaveLength(1); // the newest data is there
    expect(h.tagHistory('mill.t3', T0 - DAY, T0 - DAY + 3_600_000)).toHaveLength(0); // the oldest raw is gone…
    expect(h.sqlite.prepare('SELECT min(minute) FROM tag_minutes').pluck().get()).toBe(T0 - DAY); // …its aggregates are kept
    expect(logs.some((l) => /^warn historian: database reached .* of its 1 MB budget; dropped raw samples before/.test(l))).toBe(true);
    expect(h.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
