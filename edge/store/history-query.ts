// Read side of the historian: trends with automatic resolution, state timelines, KPI
// periods. A trend never returns more than `maxPoints`: raw samples when the window holds
// that few, else per-minute aggregates grouped into equal buckets.
import type { Database, Statement } from 'better-sqlite3';
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';
import { MINUTE_MS, minuteOf } from './minute-rollup.js';
import type { AggregatePoint, CountDelta, KpiPeriod, RawPoint, StateInterval, TagTrend } from '../../shared/history-api.js';

export type { AggregatePoint, KpiPeriod, RawPoint, StateInterval, TagTrend } from '../../shared/history-api.js';


export class UnknownTagError extends Error {
  override name = 'UnknownTagError';
}

export class HistoryQueries {
  private readonly tagByName: Statement;
  private readonly rawNum: Statement;
  private readonly rawText: Statement;
  private readonly countNum: Statement;
  private readonly countText: Statement;
  private readonly firstRaw: Statement;
  private readonly minutesAny: Statement;
  private readonly buckets: Statement;
  private readonly machineTags: Statement;
  private readonly lastNum: Statement;
  private readonly lastText: Statement;
  private readonly countDeltas: Statement;
  private readonly countSum: Statement;
  private readonly statesFirst: Statement;
  private readonly statesAfter: Statement;
  private readonly statesCount: Statement;
  private readonly periods: Statement;

  /**
   * @param pending writes what the historian has queued but not yet committed (it batches every
   * ~250 ms); REST answers call `catchUp()` first so they include everything recorded before the
   * request — a replay opened right after a state change must see the interval that closed.
   */
  constructor(
    private readonly sqlite: Database,
    private readonly db: BetterSQLite3Database<typeof schema>,
    private readonly pending: () => void = () => {},
  ) {
    this.tagByName = sqlite.prepare('SELECT id, kind FROM tags WHERE name = ?');
    this.rawNum = sqlite.prepare('SELECT ts, value, quality FROM tag_samples WHERE tag_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?').raw();
    this.rawText = sqlite.prepare('SELECT ts, value, quality FROM tag_text_samples WHERE tag_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?').raw();
    // Counting stops at the limit: deciding "raw or not" costs at most maxPoints+1 key steps.
    this.countNum = sqlite.prepare('SELECT count(*) FROM (SELECT 1 FROM tag_samples WHERE tag_id = ? AND ts >= ? AND ts < ? LIMIT ?)').pluck();
    this.countText = sqlite.prepare('SELECT count(*) FROM (SELECT 1 FROM tag_text_samples WHERE tag_id = ? AND ts >= ? AND ts < ? LIMIT ?)').pluck();
    this.firstRaw = sqlite.prepare('SELECT ts FROM tag_samples WHERE tag_id = ? ORDER BY ts LIMIT 1').pluck();
    this.minutesAny = sqlite.prepare('SELECT 1 FROM tag_minutes WHERE tag_id = ? AND minute >= ? AND minute < ? LIMIT 1').pluck();
    // `last` of a bucket comes from its latest minute (a bare column next to several
    // min()/max() aggregates would be taken from an arbitrary row).
    this.buckets = sqlite.prepare(
      `SELECT g.b, g.mn, g.mx, g.av,
              (SELECT m.last FROM tag_minutes m WHERE m.tag_id = @tagId AND m.minute >= @origin + g.b * @bucket
                 AND m.minute < @origin + (g.b + 1) * @bucket ORDER BY m.minute DESC LIMIT 1),
              g.n
         FROM (SELECT CAST((minute - @origin) / @bucket AS INTEGER) AS b, min(min) AS mn, max(max) AS mx, sum(sum) / sum(count) AS av, sum(count) AS n
                 FROM tag_minutes WHERE tag_id = @tagId AND minute >= @from AND minute < @to GROUP BY b) g
        ORDER BY g.b`,
    ).raw();
    // Tag names are "<machineId>.<tagName>": '/' is the character after '.', so [id + '.', id + '/') is the machine's range.
    this.machineTags = sqlite.prepare('SELECT id, name, kind FROM tags WHERE name >= ? AND name < ? ORDER BY name');
    this.lastNum = sqlite.prepare('SELECT ts, value, quality FROM tag_samples WHERE tag_id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1').raw();
    this.lastText = sqlite.prepare('SELECT ts, value, quality FROM tag_text_samples WHERE tag_id = ? AND ts <= ? ORDER BY ts DESC LIMIT 1').raw();
    this.countDeltas = sqlite.prepare('SELECT ts, delta_total AS deltaTotal, delta_good AS deltaGood FROM production_counts WHERE machine_id = ? AND ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?');
    // A machine's intervals follow one another: only the last one starting before `from` can
    // reach into the window, so the scan starts at `from` (not at the machine's first interval).
    const states = 'SELECT id, machine_id AS machineId, state, start_ts AS startTs, end_ts AS endTs, reason FROM machine_states';
    this.statesFirst = sqlite.prepare(
      `SELECT * FROM (SELECT * FROM (${states} WHERE machine_id = @m AND start_ts < @from ORDER BY start_ts DESC, id DESC LIMIT 1) WHERE endTs IS NULL OR endTs > @from
       UNION ALL ${states} WHERE machine_id = @m AND start_ts >= @from AND start_ts < @to) ORDER BY startTs, id LIMIT @limit`,
    );
    this.statesAfter = sqlite.prepare(`${states} WHERE machine_id = @m AND start_ts < @to AND (start_ts, id) > (@afterTs, @afterId) ORDER BY start_ts, id LIMIT @limit`);
    this.statesCount = sqlite.prepare('SELECT count(*) FROM (SELECT 1 FROM machine_states WHERE machine_id = ? AND start_ts >= ? AND start_ts < ? LIMIT ?)').pluck();
    this.periods = sqlite.prepare(
      `SELECT machine_id AS machineId, kind, name, date, start_ts AS startTs, end_ts AS endTs, total_count AS totalCount, good_count AS goodCount,
              energy_kwh AS energyKWh, availability, performance, quality, oee, totals_json AS totalsJson
         FROM kpi_periods WHERE machine_id = ? AND start_ts >= ? AND start_ts < ? ORDER BY start_ts LIMIT ?`,
    );
    this.countSum = sqlite.prepare('SELECT coalesce(sum(delta_total), 0) AS total, coalesce(sum(delta_good), 0) AS good FROM production_counts WHERE machine_id = ? AND ts >= ? AND ts < ?');
  }

  /** Commits what the historian has queued, so the next read sees everything recorded until now. */
  catchUp(): void {
    this.pending();
  }

  /** Every tag with history, by name. */
  tags(): { name: string; kind: schema.TagKind }[] {
    return this.sqlite.prepare('SELECT name, kind FROM tags ORDER BY name').all() as { name: string; kind: schema.TagKind }[];
  }

  tagId(tag: string): { id: number; kind: schema.TagKind } | undefined {
    return this.tagByName.get(tag) as { id: number; kind: schema.TagKind } | undefined;
  }

  /** Raw samples of `tag` in [from, to), oldest first, at most `limit`. */
  raw(tag: string, from: number, to: number, limit = 1_000_000): RawPoint[] {
    const t = this.tagId(tag);
    if (!t) return [];
    return this.rawRows(t.id, t.kind, from, to, limit);
  }

  private rawRows(id: number, kind: schema.TagKind, from: number, to: number, limit: number): RawPoint[] {
    const stmt = kind === 'string' ? this.rawText : this.rawNum;
    const rows = stmt.all(id, from, to, limit) as [number, number | string | null, number][];
    const out: RawPoint[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [ts, v, q] = rows[i]!;
      out[i] = { ts, value: kind === 'boolean' && v !== null ? v !== 0 : v, quality: schema.QUALITY_NAMES[q] ?? 'bad' };
    }
    return out;
  }

  /**
   * The trend of `tag` over [from, to) in at most `maxPoints` points: raw when the window
   * holds no more samples than that and raw data still covers it (raw retention is shorter
   * than aggregate retention), else per-minute aggregates in equal buckets of whole minutes.
   * Strings have no aggregates: the first `maxPoints` samples, flagged `truncated`.
   */
  trend(tag: string, from: number, to: number, maxPoints: number): TagTrend {
    const t = this.tagId(tag);
    if (!t) throw new UnknownTagError(`no history for tag "${tag}": tags are named <machineId>.<tagName>, e.g. "mill.spindleSpeed"`);
    if (t.kind === 'string') {
      const n = this.countText.get(t.id, from, to, maxPoints + 1) as number;
      return { tag, kind: t.kind, from, to, resolution: 'raw', bucketMs: null, truncated: n > maxPoints, points: this.rawRows(t.id, t.kind, from, to, maxPoints) };
    }
    const n = this.countNum.get(t.id, from, to, maxPoints + 1) as number;
    if (n <= maxPoints && this.rawCovers(t.id, from, to)) {
      return { tag, kind: t.kind, from, to, resolution: 'raw', bucketMs: null, truncated: false, points: this.rawRows(t.id, t.kind, from, to, maxPoints) };
    }
    const origin = minuteOf(from);
    const bucket = Math.max(1, Math.ceil((to - origin) / maxPoints / MINUTE_MS)) * MINUTE_MS;
    const rows = this.buckets.all({ tagId: t.id, origin, bucket, from: origin, to }) as [number, number, number, number, number, number][];
    const points: AggregatePoint[] = rows.map(([b, min, max, avg, last, count]) => ({ ts: origin + b * bucket, min, max, avg, last, count }));
    return { tag, kind: t.kind, from, to, resolution: 'aggregate', bucketMs: bucket, truncated: false, points };
  }

  /** False when raw samples were pruned inside the window while aggregates still have it. */
  private rawCovers(tagId: number, from: number, to: number): boolean {
    const first = this.firstRaw.get(tagId) as number | undefined;
    if (first === undefined || first <= from) return true;
    return !this.minutesAny.get(tagId, minuteOf(from), Math.min(to, minuteOf(first)));
  }

  /** State intervals of a machine overlapping [from, to), oldest first, at most `limit`. */
  stateTimeline(machineId: string, from: number, to: number, limit = -1): StateInterval[] {
    return this.statesPage(machineId, from, to, null, limit).map(({ id: _id, ...s }) => s);
  }

  /**
   * One page of a state timeline for an export read in pages: the intervals after `after`
   * (the last row of the previous page), with their ids as the next cursor.
   */
  statesPage(machineId: string, from: number, to: number, after: { startTs: number; id: number } | null, limit: number): (StateInterval & { id: number })[] {
    if (after === null) return this.statesFirst.all({ m: machineId, from, to, limit }) as (StateInterval & { id: number })[];
    return this.statesAfter.all({ m: machineId, to, afterTs: after.startTs, afterId: after.id, limit }) as (StateInterval & { id: number })[];
  }

  /** How many intervals start in [from, to), counted up to `cap` (a bounded answer to "more than cap?"). */
  stateCount(machineId: string, from: number, to: number, cap: number): number {
    // +1: the interval already open at `from`.
    return (this.statesCount.get(machineId, from, to, cap) as number) + 1;
  }

  /** Closed KPI periods of a machine that start in [from, to), oldest first, at most `limit`. */
  kpiPeriods(machineId: string, from: number, to: number, limit = -1): KpiPeriod[] {
    return (this.periods.all(machineId, from, to, limit) as (Omit<KpiPeriod, 'totals'> & { totalsJson: string })[])
      .map(({ totalsJson, ...row }) => ({ ...row, totals: JSON.parse(totalsJson) as unknown }));
  }

  /** Part-count deltas of a machine in [from, to), oldest first, at most `limit`. */
  counts(machineId: string, from: number, to: number, limit = -1): CountDelta[] {
    return this.countDeltas.all(machineId, from, to, limit) as CountDelta[];
  }

  /** Parts made by a machine in [from, to). */
  countTotals(machineId: string, from: number, to: number): { total: number; good: number } {
    return this.countSum.get(machineId, from, to) as { total: number; good: number };
  }

  /** The last stored sample at or before `at` of each tag of a machine, by tag name (tags without one are left out). */
  valuesAt(machineId: string, at: number): Record<string, RawPoint> {
    const out: Record<string, RawPoint> = {};
    for (const t of this.machineTags.all(`${machineId}.`, `${machineId}/`) as { id: number; name: string; kind: schema.TagKind }[]) {
      const row = (t.kind === 'string' ? this.lastText : this.lastNum).get(t.id, at) as [number, number | string | null, number] | undefined;
      if (!row) continue;
      const [ts, v, q] = row;
      out[t.name.slice(machineId.length + 1)] = { ts, value: t.kind === 'boolean' && v !== null ? v !== 0 : v, quality: schema.QUALITY_NAMES[q] ?? 'bad' };
    }
    return out;
  }

  /** Production counts and energy deltas of a machine in [from, to), for rebuilding KPIs. */
  countsAndEnergy(machineId: string, from: number, to: number) {
    const c = schema.productionCounts;
    const e = schema.energyReadings;
    const counts = this.db.select({ ts: c.ts, deltaTotal: c.deltaTotal, deltaGood: c.deltaGood }).from(c)
      .where(and(eq(c.machineId, machineId), gte(c.ts, from), lt(c.ts, to))).orderBy(asc(c.ts), asc(c.id)).all();
    const energy = this.db.select({ ts: e.ts, deltaKWh: e.deltaKWh }).from(e)
      .where(and(eq(e.machineId, machineId), gte(e.ts, from), lt(e.ts, to))).orderBy(asc(e.ts), asc(e.id)).all();
    return { counts, energy };
  }
}
