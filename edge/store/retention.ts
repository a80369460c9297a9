// Keeps the database bounded: rows older than their table's retention go, and when the file
// nears its size budget the oldest raw samples go first (then the oldest per-minute
// aggregates). Deletes run in small chunks and yield to the event loop between chunks, so
// the one writer keeps flushing acquisition data while a large backlog is pruned.
import type { Database } from 'better-sqlite3';
import type { RetentionConfig } from '../../shared/historian-config.js';

const DAY_MS = 86_400_000;
/** Rows per delete statement: a few ms of work, short enough not to delay a flush. */
const CHUNK = 5_000;

export interface PruneReport {
  /** Rows deleted per table. */
  deleted: Record<string, number>;
}

export interface SizeReport extends PruneReport {
  beforeBytes: number;
  afterBytes: number;
  /** Raw (and, if that was not enough, per-minute) data older than this is gone. */
  droppedBefore: number | null;
}

export interface DbSize {
  /** Bytes of the database file (page_count × page_size). */
  fileBytes: number;
  /** Bytes in pages that hold data (free pages excluded; SQLite reuses them before growing the file). */
  usedBytes: number;
}

export function dbSize(sqlite: Database): DbSize {
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const free = sqlite.pragma('freelist_count', { simple: true }) as number;
  return { fileBytes: pages * pageSize, usedBytes: (pages - free) * pageSize };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tables keyed by (tag_id, ts|minute): pruned per tag along the primary key. */
const KEYED = [
  { table: 'tag_samples', col: 'ts' },
  { table: 'tag_text_samples', col: 'ts' },
  { table: 'tag_minutes', col: 'minute' },
] as const;
type KeyedTable = (typeof KEYED)[number]['table'];

export class Pruner {
  private readonly tagIds;
  private readonly keyedDelete = new Map<KeyedTable, import('better-sqlite3').Statement>();
  private readonly keyedOldest = new Map<KeyedTable, import('better-sqlite3').Statement>();

  constructor(
    private readonly sqlite: Database,
    /** Pruning stops (between chunks) once this turns true, e.g. when the historian closes. */
    private readonly stopped: () => boolean,
  ) {
    this.tagIds = sqlite.prepare('SELECT id FROM tags').pluck();
    for (const { table, col } of KEYED) {
      // Deletes at most CHUNK rows of one tag: everything older than the cut-off, or older
      // than the (CHUNK+1)-th old row when there are more.
      this.keyedDelete.set(table, sqlite.prepare(
        `DELETE FROM ${table} WHERE tag_id = @tagId AND ${col} < coalesce(
           (SELECT ${col} FROM ${table} WHERE tag_id = @tagId AND ${col} < @cutoff ORDER BY ${col} LIMIT 1 OFFSET ${CHUNK}), @cutoff)`,
      ));
      this.keyedOldest.set(table, sqlite.prepare(`SELECT ${col} FROM ${table} WHERE tag_id = ? ORDER BY ${col} LIMIT 1`).pluck());
    }
  }

  /** Deletes rows of a keyed table older than `cutoff`, for every tag. */
  async pruneKeyed(table: KeyedTable, cutoff: number): Promise<number> {
    const del = this.keyedDelete.get(table)!;
    let deleted = 0;
    for (const tagId of this.tagIds.all() as number[]) {
      for (;;) {
        if (this.stopped()) return deleted;
        const n = del.run({ tagId, cutoff }).changes;
        deleted += n;
        if (n < CHUNK) break;
        await yieldToLoop();
      }
    }
    return deleted;
  }

  /** Oldest timestamp in a keyed table across all tags, or null when it is empty. */
  oldest(table: KeyedTable): number | null {
    const first = this.keyedOldest.get(table)!;
    let oldest: number | null = null;
    for (const tagId of this.tagIds.all() as number[]) {
      const ts = first.get(tagId) as number | undefined;
      if (ts !== undefined && (oldest === null || ts < oldest)) oldest = ts;
    }
    return oldest;
  }

  /**
   * Deletes old rows of an append-only rowid table. Rows are appended in time order, so the
   * oldest are at the front: each chunk looks only at the first CHUNK rows by id.
   */
  private async pruneAppendOnly(table: string, condition: string, cutoff: number): Promise<number> {
    const del = this.sqlite.prepare(
      `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT ${CHUNK}) AND ${condition}`,
    );
    let deleted = 0;
    for (;;) {
      if (this.stopped()) return deleted;
      const n = del.run({ cutoff }).changes;
      deleted += n;
      if (n === 0) return deleted;
      await yieldToLoop();
    }
  }

  /** Applies every table's retention at time `now`. The audit log is evidence and is never pruned by age. */
  async applyRetention(retention: RetentionConfig, now: number): Promise<PruneReport> {
    const before = (d: number) => now - d * DAY_MS;
    const deleted: Record<string, number> = {};
    deleted.tag_samples = await this.pruneKeyed('tag_samples', before(retention.rawDays));
    deleted.tag_text_samples = await this.pruneKeyed('tag_text_samples', before(retention.rawDays));
    deleted.tag_minutes = await this.pruneKeyed('tag_minutes', before(retention.minuteDays));
    // An open state interval (end_ts null) is the machine's current state: never pruned.
    deleted.machine_states = await this.pruneAppendOnly('machine_states', 'end_ts IS NOT NULL AND end_ts < @cutoff', before(retention.eventsDays));
    deleted.production_counts = await this.pruneAppendOnly('production_counts', 'ts < @cutoff', before(retention.eventsDays));
    deleted.energy_deltas = await this.pruneAppendOnly('energy_deltas', 'ts < @cutoff', before(retention.eventsDays));
    deleted.kpi_periods = await this.pruneAppendOnly('kpi_periods', 'end_ts < @cutoff', before(retention.kpiDays));
    // The alarm journal is the alarm module's table now: it applies retention.alarmsDays itself (AlarmStore.pruneOccurrences).
    return { deleted };
  }

  /**
   * Holds the size budget: when the data outgrows `highBytes`, deletes the oldest raw samples
   * (then the oldest per-minute aggregates) in time slices until it is below `lowBytes`.
   * Returns null when nothing had to go.
   */
  async holdBudget(highBytes: number, lowBytes: number, now: number): Promise<SizeReport | null> {
    const start = dbSize(this.sqlite).usedBytes;
    if (start <= highBytes) return null;
    const deleted: Record<string, number> = { tag_samples: 0, tag_text_samples: 0, tag_minutes: 0 };
    let droppedBefore: number | null = null;
    const tiers: KeyedTable[][] = [['tag_samples', 'tag_text_samples'], ['tag_minutes']];
    for (const tier of tiers) {
      for (;;) {
        if (this.stopped() || dbSize(this.sqlite).usedBytes <= lowBytes) break;
        const oldest = Math.min(...tier.map((t) => this.oldest(t) ?? Infinity));
        if (oldest === Infinity) break; // this tier is empty
        // A slice of 5 % of what is left (at least a minute): few passes, little overshoot.
        const cutoff = oldest + Math.max(60_000, Math.floor((Math.max(now, oldest) - oldest) / 20));
        for (const t of tier) deleted[t]! += await this.pruneKeyed(t, cutoff);
        droppedBefore = Math.max(droppedBefore ?? cutoff, cutoff);
      }
    }
    return { deleted, beforeBytes: start, afterBytes: dbSize(this.sqlite).usedBytes, droppedBefore };
  }
}
