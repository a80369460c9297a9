// Online backups while writing, keep-last-N, and a restore that opens with the data in it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, type Historian } from '../../edge/store/historian.js';
import { backupFileName, listBackups, restoreBackup, RestoreError } from '../../edge/store/backup.js';
import { manualClock, stateEvent, tagEvent, waitFor } from './events.js';

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
      h.onModelEvents([tagEvent('mill.power', i, clock.now()), stateEvent('mill', i % 2 ? 'idle' : 'running', clock.now())]);
      h.flush();
      h.onModelEvents([tagEvent('mill.power', 100 + i, clock.now() + 1)]); // queued, not yet flushed: not in this backup
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

  it('takes backups on its schedule while the edge writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-backup-'));
    dirs.push(dir);
    let t = T0;
    // every 0.5 s of wall time (the schedule is a real timer); file names come from the clock
    const h = openHistorian({ file: join(dir, 'twinline.db'), now: () => t, flushIntervalMs: 20, settings: { backup: { intervalHours: 0.5 / 3600, keep: 3 } } });
    open.push(h);
    const writer = setInterval(() => {
      t += 1000;
      h.onModelEvents([tagEvent('mill.power', t % 97, t)]);
    }, 10);
    try {
      await waitFor('three scheduled backups', () => listBackups(join(dir, 'backups')).length >= 3, 10_000);
    } finally {
      clearInterval(writer);
    }
    const newest = listBackups(join(dir, 'backups')).at(-1)!;
    const copy = new Database(newest, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('SELECT count(*) FROM tag_samples').pluck().get()).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
  });

  it('restores from the command line, and lists backups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-backup-'));
    dirs.push(dir);
    const clock = manualClock(T0);
    const h = openHistorian({ file: join(dir, 'live.db'), now: clock.now, flushIntervalMs: 10_000 });
    h.onModelEvents([tagEvent('washer.waterTemperature', 61.5, T0)]);
    h.flush();
    const backup = await h.backupNow();
    h.close();
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'edge/store/restore-cli.ts', ...args], { encoding: 'utf8' });
    expect(cli('--list', '--dir', join(dir, 'backups')).stdout.trim()).toBe(backup);
    const target = join(dir, 'restored.db');
    const ok = cli(backup, '--db', target);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/restored .* start the edge again/);
    const restored = openHistorian({ file: target, now: clock.now, flushIntervalMs: 10_000 });
    open.push(restored);
    expect(restored.tagHistory('washer.waterTemperature', 0, Infinity).map((p) => p.value)).toEqual([61.5]);
    const bad = cli(join(dir, 'missing.db'), '--db', target);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^restore: no backup file .*list the backups folder/);
  });

  it('refuses a missing or damaged backup and says what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-backup-'));
    dirs.push(dir);
    expect(() => restoreBackup(join(dir, 'nope.db'), join(dir, 'x.db'))).toThrow(RestoreError);
    expect(() => restoreBackup(join(dir, 'nope.db'), join(dir, 'x.db'))).toThrow(/list the backups folder/);
    const junk = join(dir, 'twinline-20261120T120000000Z.db');
    writeFileSync(junk, 'SQLite format 3\0' + 'x'.repeat(5000));
    expect(() => restoreBackup(junk, join(dir, 'x.db'))).toThrow(/cannot be read as a database .*pick another backup/);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });
});
