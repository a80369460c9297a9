import type Database from 'better-sqlite3';

/**
 * The last good stored value of each named tag. The plant model starts its counters and
 * meters from these after a restart, so parts made and energy used while the edge was down
 * are counted when it comes back instead of being taken as the new baseline.
 */
export function lastGoodValues(sqlite: Database.Database, tagNames: readonly string[]): Map<string, number> {
  // (tag_id, ts) is the table's key: this walks one tag's newest rows backwards.
  const latest = sqlite
    .prepare('SELECT s.value FROM tag_samples s JOIN tags t ON t.id = s.tag_id WHERE t.name = ? AND s.quality = 0 AND s.value IS NOT NULL ORDER BY s.ts DESC LIMIT 1')
    .pluck();
  const out = new Map<string, number>();
  for (const name of tagNames) {
    const value = latest.get(name) as number | undefined;
    if (typeof value === 'number') out.set(name, value);
  }
  return out;
}
