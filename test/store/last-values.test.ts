import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openHistorian } from '../../edge/store/historian.js';
import { lastGoodValues } from '../../edge/store/last-values.js';
import type { ModelEvent } from '../../edge/model/plant-model.js';
import { TagChanges } from '../../edge/model/tag-changes.js';

const tagEvent = (tag: string, value: number | null, ts: number, quality: 'good' | 'bad' = 'good'): ModelEvent =>
  ({ kind: 'tags', changes: TagChanges.from([{ machineId: tag.split('.')[0]!, tagName: tag.split('.')[1]!, value, quality, ts, receivedTs: ts }]) });

describe('last good stored values', () => {
  it('returns the newest good value per tag from a real SQLite file, skipping bad samples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-last-'));
    const historian = openHistorian({ file: join(dir, 'h.db'), now: () => 0 });
    try {
      historian.onModelEvents([tagEvent('mill.totalCount', 5, 1), tagEvent('mill.totalCount', 9, 2), tagEvent('mill.totalCount', null, 3, 'bad'), tagEvent('loader.totalCount', 3, 1)]);
      historian.flush();
      const last = lastGoodValues(historian.sqlite, ['mill.totalCount', 'loader.totalCount', 'washer.totalCount']);
      expect(Object.fromEntries(last)).toEqual({ 'mill.totalCount': 9, 'loader.totalCount': 3 });
    } finally {
      historian.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
