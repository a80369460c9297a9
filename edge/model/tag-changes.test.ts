import { describe, expect, it } from 'vitest';
import { TagChanges, type TagChange } from './tag-changes.js';

describe("TagChanges: the model's changes, naming tags by catalogue position", () => {
  const catalogue = { ids: ['mill.state', 'lathe.state'], names: ['state', 'state'], machineIds: ['mill', 'lathe'] };

  it('gives machine, tag name and plant-wide tag id of each change, in order, through for…of', () => {
    const changes = new TagChanges(catalogue, 1);
    changes.add(1, 3, 0, 100, 101);
    changes.add(0, null, 2, 102, 103);
    expect(changes.length).toBe(2);
    const seen: TagChange[] = [];
    for (const c of changes) seen.push({ ...c });
    expect(seen).toEqual([
      { machineId: 'lathe', tagName: 'state', tagId: 'lathe.state', value: 3, quality: 'good', ts: 100, receivedTs: 101 },
      { machineId: 'mill', tagName: 'state', tagId: 'mill.state', value: null, quality: 'bad', ts: 102, receivedTs: 103 },
    ]);
    expect(changes.toList()).toEqual(seen);
  });

  it('reuses one cursor per loop, so two loops over the same list do not disturb each other', () => {
    const changes = new TagChanges(catalogue, 2);
    changes.add(0, 1, 0, 1, 1);
    changes.add(1, 2, 1, 2, 2);
    const pairs: string[] = [];
    let cursor: unknown;
    for (const a of changes) {
      cursor ??= a;
      expect(a).toBe(cursor);
      for (const b of changes) pairs.push(`${a.machineId}/${b.machineId}`);
    }
    expect(pairs).toEqual(['mill/mill', 'mill/lathe', 'lathe/mill', 'lathe/lathe']);
    expect(changes.toList().map((c) => c.quality)).toEqual(['good', 'uncertain']);
  });

  it('builds from plain changes and gives them back with their plant-wide ids', () => {
    const list = [{ machineId: 'press', tagName: 'force', value: 12.5, quality: 'uncertain' as const, ts: 7, receivedTs: 8 }];
    expect(TagChanges.from(list).toList()).toEqual([{ ...list[0], tagId: 'press.force' }]);
  });
});
