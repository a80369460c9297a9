// Online backups while writing, keep-last-N, and a restore that opens with the data in it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { backupFileName, listBackups, restoreBackup, RestoreError } from '../../edge/store/backup.js';
import { manualClock, stateEvent, tagEvent } from './events.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const open: Historian[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('backups', () => {
  it('names backups so they sort by time', () => {
    expect(backupFileName(T0 + 7)).toBe('twinline-20261120T120000007Z.db');
  });

  it('writes online backups into the folder, keeps the last N, and a restored backup opens with its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-backup-'));
    dirs.push(dir);
    const file = join(dir, 'twinline.db');
    const clock = manualClock(T0);
    const h = openHistorian({ file, now: clock.now, flushIntervalMs: 10_000, settings: { backup: { keep: 2 } } });
    open.push(h);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.record([tagEvent('mill.power', i, clock.now()), stateEvent('mill', i % 2 ? 'idle' : 'running', clock.now())]);
      h.flush();
      h.record([tagEvent('mill.power', 100 + i, clock.now() + 1)]); // queued, not yet flushed: not in this backup
      made.push(await h.backupNow());
      h.flush();
      clock.advance(60_000);
    }
    const kept = listBackups(join(dir, 'backups'));
    expect(kept.map((f) => basename(f))).toEqual(made.slice(1).map((f) => basename(f)));
    expect(existsSync(made[0]!)).toBe(false);
    expect(h.health().lastBackup).toBe(made[2]);

    // restore the middle backup over the live file (edge stopped), keeping the replaced one
    h.close();
    open.splice(0);
    const { replaced } = restoreBackup(kept[0]!, file);
    expect(replaced).toBe(`${file}.before-restore`);
    const restored = openHistorian({ file, now: clock.now, flushIntervalMs: 10_000 });
    open.push(restored);
    expect(restored.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(restored.tagHistory('mill.power', 0, Infinity).map((p) => p.value)).toEqual([0, 100, 1]);
    // the interval open in the backup is closed where that run was last alive: no data since
    expect(restored.stateIntervals('mill', 0, Infinity).map((s) => s.state)).toEqual(['running', 'idle', 'no-data']);
    expect(restored.recovery.reopenedAsNoData).toBe(1);
  });

  it('refuses a missing or damaged backup and says what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-backup-'));
    dirs.push(dir);
    expect(() => restoreBackup(join(dir, 'nope.db'), join(dir, 'x.db'))).toThrow(RestoreError);
    expect(() => restoreBackup(join(dir, 'nope.db'), join(dir, 'x.db'))).toThrow(/list the backups folder/);
  });
});
