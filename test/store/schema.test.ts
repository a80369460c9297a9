// Migrations apply on a new file and in memory, are idempotent on reopen, and give the
// sample tables their WITHOUT ROWID layout; pragmas are what the historian promises.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { manualClock, tagEvent } from './events.js';

/** The historian's own tables only: alarms, cases, users and the audit log have their modules' (test/store/module-tables.test.ts). */
const TABLES = ['energy_deltas', 'historian_meta', 'kpi_periods', 'machine_states', 'production_counts',
  'tag_minutes', 'tag_samples', 'tag_text_samples', 'tags'];

const open: Historian[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tables(h: Historian) {
  return (h.sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name").all() as { name: string; sql: string }[]);
}

describe('historian schema', () => {
  it('applies every migration in memory', () => {
    const h = openHistorian({ file: ':memory:', now: manualClock(0).now });
    open.push(h);
    const t = tables(h);
    expect(t.map((x) => x.name)).toEqual(TABLES);
    for (const name of ['tag_samples', 'tag_text_samples', 'tag_minutes']) {
      expect(t.find((x) => x.name === name)!.sql).toMatch(/WITHOUT ROWID\s*$/);
    }
  });

  it('creates a file in WAL mode with synchronous=NORMAL and reopens it without re-running migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-schema-'));
    dirs.push(dir);
    const file = join(dir, 'sub', 'h.db');
    const clock = manualClock(1_700_000_000_000);
    const h1 = openHistorian({ file, now: clock.now });
    expect(h1.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(h1.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(h1.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    h1.onModelEvents([tagEvent('mill.power', 3.5, clock.now())]);
    h1.flush();
    const applied = (h1.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    h1.close();

    const h2 = openHistorian({ file, now: clock.now });
    open.push(h2);
    expect((h2.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe(applied);
    expect(h2.tagHistory('mill.power', 0, Infinity)).toEqual([{ ts: clock.now(), value: 3.5, quality: 'good' }]);
    expect(h2.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
