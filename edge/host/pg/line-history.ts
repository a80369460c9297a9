// One line's history as the plant database holds it, for the line's twin and KPI engine on any
// host: tag trends (raw samples, or aggregates when the window holds more than asked for), state
// timelines (intervals from the stored state changes) and the current shift's states and counters.
// Every host reads the same rows, whether it mirrored them itself or not, so a standby that just
// started or took over shows the history from before its start (docs/host.md).
//
// Bounded as the edge's reads are: the routes cap the window (shared/query-limits.ts), trends
// never return more than maxPoints, timelines stop at the route's row limit, each statement runs
// under READ_BUDGET_MS (statement_timeout on the read pool) and at most MAX_QUEUED_READS wait.
import type pg from 'pg';
import { MACHINE_STATES, type MachineState } from '../../../shared/plant-schema.js';
import type { AggregatePoint, CountDelta, KpiPeriod, RawPoint, StateInterval, TagKind, TagTrend } from '../../../shared/history-api.js';
import { MAX_QUEUED_READS, READ_BUDGET_MS } from '../../../shared/query-limits.js';
import { ReadsBusy, ReadTimedOut, UnknownTagError, type Reads } from '../../store/index.js';
import type { KpiEvent } from '../../kpi/index.js';
import { ALARM_KINDS } from '../../../shared/alarm-rules.js';
import type { AlarmOccurrence } from '../../../shared/alarm-wire.js';
import type { KpiShiftRef } from '../../../shared/kpi-api.js';
import { GOOD_COUNT_TAG, goodCountMachine, TOTAL_COUNT_TAG } from './plant-energy-store.js';
import { computeKpis, type KpiOptions, type PeriodTotals } from '../../../shared/kpi/index.js';

const MINUTE_MS = 60_000;
/** PostgreSQL's error code of a statement stopped by statement_timeout. */
const QUERY_CANCELED = '57014';

/** Milliseconds since the epoch of a timestamptz column, exact (the store writes whole milliseconds). */
const ms = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8`;
const at = (n: number) => new Date(n).toISOString();
/** How far before the window an occurrence still open is looked for (bounded: the journal goes back years). */
export const OPEN_ALARM_LOOKBACK_MS = 30 * 86_400_000;

export interface LineHistoryOptions {
  /** The read pool (statement_timeout set to the read budget). */
  pool: pg.Pool;
  lineKey: string;
  /** Machines of the line, in plant order. */
  machineIds: readonly string[];
  /** "<machineId>.<tagName>" → kind, from the line's plant view (booleans are stored as 0/1). */
  tagKinds: ReadonlyMap<string, TagKind>;
  /** Writes what this host has buffered, so an answer holds everything it received until now. */
  flush: () => Promise<void>;
}

export interface StateChange {
  machineId: string;
  ts: number;
  state: string;
  reason: string | null;
}

export interface LineKpiSeed {
  /** States (the one in force at `from` included, at `from`), counts and energy of the shifts since `from`, for feedKpis. */
  events: KpiEvent[];
  /** The latest time the database has anything of this line (a state, a counter, a sample): the history is known until then. */
  lastSeen: number | null;
}

export interface LineHistory {
  trend(tag: string, from: number, to: number, maxPoints: number): Promise<TagTrend>;
  /** State intervals overlapping [from, to), oldest first, at most `limit`; `after`: the start of the previous page's last interval. */
  states(machineId: string, from: number, to: number, limit: number, afterTs?: number | null): Promise<StateInterval[]>;
  /** Every tag of a machine as stored at one moment: the last sample at or before `at`, by tag name (tags without one left out). */
  valuesAt(machineId: string, at: number): Promise<Record<string, RawPoint>>;
  /** State changes in [from, to) counted up to `cap`, plus the interval open at `from`. */
  stateCount(machineId: string, from: number, to: number, cap: number): Promise<number>;
  /**
   * The alarm journal: occurrences raised in [from, to), or raised up to 30 days before and still
   * open (not both returned and acknowledged), oldest first, at most `limit` — built from the transitions the edges' alarm lists stated.
   */
  alarmHistory(q: { from: number; to: number; machineId?: string; limit: number }): Promise<AlarmOccurrence[]>;
  /** The line's shift(s) since `from` for a KPI engine that starts now: states, counters, and how far the history reaches. */
  kpiSeed(from: number, to: number): Promise<LineKpiSeed>;
  /**
   * A machine's closed shifts starting in [from, to), oldest first, at most `limit` (-1: all; the
   * routes cap the window): the booking every host kept (shift_totals, shift_losses), as PeriodTotals.
   */
  closedShifts(machineId: string, from: number, to: number, limit: number): Promise<StoredClosedShift[]>;
  /**
   * A machine's part-count deltas in [from, to), oldest first, at most `limit`: one per shift total
   * the hosts received (the `counts:<machine>` samples), as the host's KPI engine books them.
   */
  counts(machineId: string, from: number, to: number, limit: number): Promise<CountDelta[]>;
  /** Parts made by a machine in [from, to): the sum of its deltas. */
  countTotals(machineId: string, from: number, to: number): Promise<{ total: number; good: number }>;
  /** Every tag the database holds samples of for this line ("<machine>.<tag>", sorted; the shift totals' `counts:` samples left out), at most MAX_LISTED_TAGS; kind from the plant view, else from the stored column. */
  tags(): Promise<{ name: string; kind: TagKind }[]>;
}

/** A line lists a few hundred tags; the cap bounds the skip scan below. */
export const MAX_LISTED_TAGS = 10_000;

/** A closed shift as the plant database keeps it (the edge's StoredShift). */
export interface StoredClosedShift {
  shift: KpiShiftRef;
  totals: PeriodTotals;
}

export function lineHistory(o: LineHistoryOptions): LineHistory {
  const { pool, lineKey } = o;
  let running = 0;

  async function query<R extends pg.QueryResultRow>(what: string, text: string, values: unknown[]): Promise<R[]> {
    if (running >= MAX_QUEUED_READS) throw new ReadsBusy(running);
    running++;
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (err) {
      if ((err as { code?: string }).code === QUERY_CANCELED) throw new ReadTimedOut(what, READ_BUDGET_MS);
      throw err;
    } finally {
      running--;
    }
  }

  /** The machine of "<machineId>.<tagName>": the longest machine id it starts with (ids may hold dots). */
  function splitTag(tag: string): { machineId: string; tagName: string } | null {
    let best: string | null = null;
    for (const id of o.machineIds) if (tag.startsWith(`${id}.`) && (best === null || id.length > best.length)) best = id;
    if (best !== null) return { machineId: best, tagName: tag.slice(best.length + 1) };
    // Tags of no machine (the meters' totals, "meter:<id>.total") are stored under their own prefix.
    const dot = tag.indexOf('.');
    return dot > 0 ? { machineId: tag.slice(0, dot), tagName: tag.slice(dot + 1) } : null;
  }

  const unknownTag = (tag: string) => new UnknownTagError(`no history for tag "${tag}": tags are named <machineId>.<tagName>, e.g. "mill.spindleSpeed"`);

  async function kindOf(tag: string, machineId: string, tagName: string): Promise<TagKind> {
    const known = o.tagKinds.get(tag);
    if (known) return known;
    const rows = await query<{ txt: string | null }>('trend', 'SELECT txt FROM tag_samples WHERE line_key = $1 AND machine_id = $2 AND tag = $3 LIMIT 1', [lineKey, machineId, tagName]);
    if (!rows.length) throw unknownTag(tag);
    return rows[0]!.txt !== null ? 'string' : 'number';
  }

  const value = (kind: TagKind, num: number | null, txt: string | null): RawPoint['value'] =>
    kind === 'string' ? txt : num === null ? null : kind === 'boolean' ? num !== 0 : num;

  async function raw(key: unknown[], kind: TagKind, limit: number): Promise<RawPoint[]> {
    const rows = await query<{ ts: number; num: number | null; txt: string | null; quality: RawPoint['quality'] }>('trend',
      `SELECT ${ms('ts')} AS ts, num, txt, quality FROM tag_samples
        WHERE line_key = $1 AND machine_id = $2 AND tag = $3 AND ts >= $4::timestamptz AND ts < $5::timestamptz ORDER BY ts LIMIT $6`, [...key, limit]);
    return rows.map((r) => ({ ts: r.ts, value: value(kind, r.num, r.txt), quality: r.quality }));
  }

  async function stateRows(machineId: string, from: number, to: number, limit: number, afterTs: number | null): Promise<StateInterval[]> {
    // The change in force at `from` (first page only), the changes in the window (one more than
    // the limit), and the first change after the window: each interval ends where the next starts.
    const first = afterTs === null;
    const rows = await query<{ ts: number; state: string; reason: string | null; end_ts: number | null }>('state timeline',
      `SELECT ts, state, reason, lead(ts) OVER (ORDER BY ts) AS end_ts FROM (
         (SELECT ${ms('ts')} AS ts, state, reason FROM machine_states WHERE line_key = $1 AND machine_id = $2 AND $6::boolean AND ts < $3::timestamptz ORDER BY ts DESC LIMIT 1)
         UNION ALL
         (SELECT ${ms('ts')}, state, reason FROM machine_states WHERE line_key = $1 AND machine_id = $2 AND ts >= $5::timestamptz AND ts < $4::timestamptz
            AND (${first ? 'true' : `ts > $5::timestamptz`}) ORDER BY ts LIMIT $7)
         UNION ALL
         (SELECT ${ms('ts')}, state, reason FROM machine_states WHERE line_key = $1 AND machine_id = $2 AND ts >= $4::timestamptz ORDER BY ts LIMIT 1)
       ) c ORDER BY ts`,
      [lineKey, machineId, at(from), at(to), at(first ? from : afterTs), first, limit >= 0 ? limit + 1 : null]);
    const out: StateInterval[] = [];
    for (const r of rows) {
      if (r.ts >= to) continue; // only there to end the last interval
      if (r.ts < from && r.end_ts !== null && r.end_ts <= from) continue; // ended before the window
      out.push({ machineId, state: r.state, startTs: r.ts, endTs: r.end_ts, reason: r.reason });
    }
    return limit >= 0 ? out.slice(0, limit) : out;
  }

  /**
   * The deltas of [from, to) as SQL (parameters: $1 line, $2 counts machine, $3 from, $4 to, $5 the
   * two tags), as line-kpi.ts books each shift total it receives: within one shift (the samples'
   * text), total grows by what exceeds the largest total before (never negative) and good moves by
   * its difference to the previous good (scrap booked later makes it fall); the first total of a
   * shift counts from 0. The sample before `from` of each tag continues its shift into the window.
   * Good samples without a total beside them (stored by an older host) give deltas of good alone.
   */
  const DELTAS = `WITH s AS (
      SELECT k.t AS tag, x.ts, x.num, x.txt FROM unnest($5::text[]) AS k(t) CROSS JOIN LATERAL (
        (SELECT ts, num, txt FROM tag_samples WHERE line_key = $1 AND machine_id = $2 AND tag = k.t AND ts < $3::timestamptz ORDER BY ts DESC LIMIT 1)
        UNION ALL
        (SELECT ts, num, txt FROM tag_samples WHERE line_key = $1 AND machine_id = $2 AND tag = k.t AND ts >= $3::timestamptz AND ts < $4::timestamptz)) x
    ), d AS (
      SELECT tag, ts, CASE WHEN tag = '${TOTAL_COUNT_TAG}'
               THEN greatest(0, num - coalesce(max(num) OVER (PARTITION BY tag, txt ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))
               ELSE num - coalesce(lag(num) OVER (PARTITION BY tag, txt ORDER BY ts), 0) END AS delta
        FROM s
    ), c AS (
      SELECT ts, coalesce(sum(delta) FILTER (WHERE tag = '${TOTAL_COUNT_TAG}'), 0) AS dt, coalesce(sum(delta) FILTER (WHERE tag = '${GOOD_COUNT_TAG}'), 0) AS dg
        FROM d WHERE ts >= $3::timestamptz GROUP BY ts
    )`;
  const countTags = [TOTAL_COUNT_TAG, GOOD_COUNT_TAG];

  return {
    async counts(machineId, from, to, limit) {
      await o.flush();
      return query<CountDelta>('count deltas',
        `${DELTAS} SELECT ${ms('ts')} AS "ts", dt::float8 AS "deltaTotal", dg::float8 AS "deltaGood" FROM c WHERE dt > 0 OR dg <> 0 ORDER BY ts LIMIT $6`,
        [lineKey, goodCountMachine(machineId), at(from), at(to), countTags, limit >= 0 ? limit : null]);
    },

    async countTotals(machineId, from, to) {
      await o.flush();
      const rows = await query<{ total: number; good: number }>('count totals',
        `${DELTAS} SELECT coalesce(sum(dt), 0)::float8 AS total, coalesce(sum(dg), 0)::float8 AS good FROM c`,
        [lineKey, goodCountMachine(machineId), at(from), at(to), countTags]);
      return rows[0] ?? { total: 0, good: 0 };
    },

    async trend(tag, from, to, maxPoints) {
      const split = splitTag(tag);
      if (!split) throw unknownTag(tag);
      await o.flush();
      const kind = await kindOf(tag, split.machineId, split.tagName);
      const key = [lineKey, split.machineId, split.tagName, at(from), at(to)];
      const counted = await query<{ n: number }>('trend',
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM tag_samples WHERE line_key = $1 AND machine_id = $2 AND tag = $3 AND ts >= $4::timestamptz AND ts < $5::timestamptz LIMIT $6) x`,
        [...key, maxPoints + 1]);
      const n = counted[0]?.n ?? 0;
      // Strings have no aggregates: the first maxPoints samples, flagged truncated (as on the edge).
      if (kind === 'string' || n <= maxPoints) {
        return { tag, kind, from, to, resolution: 'raw', bucketMs: null, truncated: n > maxPoints, points: await raw(key, kind, maxPoints) };
      }
      // Buckets of whole minutes from the minute of `from`, as the edge's per-minute aggregates.
      const origin = from - (((from % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
      const bucket = Math.max(1, Math.ceil((to - origin) / maxPoints / MINUTE_MS)) * MINUTE_MS;
      // Binned on the timestamps themselves (date_bin) and ordered by date_part (float8): per-row
      // millisecond arithmetic in numeric made this three times slower.
      const rows = await query<{ b: number; mn: number; mx: number; av: number; last: number; n: number }>('trend',
        `SELECT ${ms('b')} AS b, mn, mx, av, (lt)[2] AS last, n FROM (
           SELECT date_bin(make_interval(secs => $6::float8 / 1000), ts, $4::timestamptz) AS b, min(num) AS mn, max(num) AS mx, avg(num) AS av,
                  max(ARRAY[date_part('epoch', ts), num]) AS lt, count(*)::int AS n
             FROM tag_samples WHERE line_key = $1 AND machine_id = $2 AND tag = $3 AND ts >= $4::timestamptz AND ts < $5::timestamptz AND num IS NOT NULL
            GROUP BY 1) g ORDER BY b`,
        [lineKey, split.machineId, split.tagName, at(origin), at(to), bucket]);
      const points: AggregatePoint[] = rows.map((r) => ({ ts: r.b, min: r.mn, max: r.mx, avg: r.av, last: r.last, count: r.n }));
      return { tag, kind, from, to, resolution: 'aggregate', bucketMs: bucket, truncated: false, points };
    },

    async states(machineId, from, to, limit, afterTs = null) {
      await o.flush();
      return stateRows(machineId, from, to, limit, afterTs);
    },

    async stateCount(machineId, from, to, cap) {
      await o.flush();
      const rows = await query<{ n: number }>('state count',
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM machine_states WHERE line_key = $1 AND machine_id = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz LIMIT $5) x`,
        [lineKey, machineId, at(from), at(to), cap]);
      return (rows[0]?.n ?? 0) + 1;
    },

    async valuesAt(machineId, atTs) {
      await o.flush();
      const tags = [...o.tagKinds.keys()].filter((name) => splitTag(name)?.machineId === machineId);
      if (!tags.length) return {};
      const names = tags.map((name) => name.slice(machineId.length + 1));
      // One index probe per tag (newest first from `at`).
      const rows = await query<{ tag: string; ts: number; num: number | null; txt: string | null; quality: RawPoint['quality'] }>('values at',
        `SELECT k.t AS tag, x.ts, x.num, x.txt, x.quality FROM unnest($3::text[]) AS k(t)
           CROSS JOIN LATERAL (SELECT ${ms('ts')} AS ts, num, txt, quality FROM tag_samples
                                WHERE line_key = $1 AND machine_id = $2 AND tag = k.t AND ts <= $4::timestamptz ORDER BY ts DESC LIMIT 1) x`,
        [lineKey, machineId, names, at(atTs)]);
      const out: Record<string, RawPoint> = {};
      for (const r of rows) out[r.tag] = { ts: r.ts, value: value(o.tagKinds.get(`${machineId}.${r.tag}`) ?? 'number', r.num, r.txt), quality: r.quality };
      return out;
    },

    async alarmHistory(q) {
      await o.flush();
      // Every transition of an occurrence has ts >= its activation: the lookback bounds the scan (and prunes partitions).
      const rows = await query<{
        alarm_key: string; machine_id: string; active: number; priority: AlarmOccurrence['priority']; message: string; rule_id: string | null; kind: string | null;
        tag: string | null; fault_code: number | null; ack_ts: number | null; ack_by: string | null; return_ts: number | null;
      }>('alarm journal',
        `SELECT alarm_key, machine_id, ${ms('active_ts')} AS active, max(priority) AS priority, max(message) AS message, max(rule_id) AS rule_id, max(kind) AS kind,
                max(tag) AS tag, max(fault_code) AS fault_code,
                min(${ms('ts')}) FILTER (WHERE event = 'acked') AS ack_ts, max("by") FILTER (WHERE event = 'acked') AS ack_by,
                min(${ms('ts')}) FILTER (WHERE event = 'returned') AS return_ts
           FROM alarm_events
          WHERE line_key = $1 AND ts >= $2::timestamptz AND active_ts >= $2::timestamptz AND active_ts < $4::timestamptz AND ($5::text IS NULL OR machine_id = $5)
          GROUP BY alarm_key, machine_id, active_ts
         HAVING active_ts >= $3::timestamptz OR count(*) FILTER (WHERE event = 'returned') = 0 OR count(*) FILTER (WHERE event = 'acked') = 0
          ORDER BY active_ts, alarm_key LIMIT $6`,
        [lineKey, at(q.from - OPEN_ALARM_LOOKBACK_MS), at(q.from), at(q.to), q.machineId ?? null, q.limit]);
      return rows.map((r) => {
        const acked = r.ack_ts !== null;
        const returned = r.return_ts !== null;
        return {
          id: occurrenceId(r.alarm_key, r.active),
          key: r.alarm_key,
          ruleId: r.rule_id ?? r.alarm_key.split('@')[0]!,
          // Rows stored before migration 0003 carry no kind: a derived alarm is the least specific of the kinds.
          kind: (ALARM_KINDS as readonly string[]).includes(r.kind ?? '') ? r.kind as AlarmOccurrence['kind'] : 'derived',
          machineId: r.machine_id, tag: r.tag, priority: r.priority, message: r.message,
          state: acked && returned ? 'normal' : returned ? 'rtn-unacked' : acked ? 'active-acked' : 'active-unacked',
          faultCode: r.fault_code, activeTs: r.active, ackTs: r.ack_ts, ackBy: r.ack_by, returnTs: r.return_ts,
          // Back to normal once both returned and acknowledged; shelving and suppression are the edge's and not in the journal here.
          closedTs: acked && returned ? Math.max(r.ack_ts!, r.return_ts!) : null,
          chattering: false, recordingId: null,
        };
      });
    },

    async kpiSeed(from, to) {
      await o.flush();
      const events: KpiEvent[] = [];
      let lastSeen: number | null = null;
      const seen = (ts: number | null) => {
        if (ts !== null && (lastSeen === null || ts > lastSeen)) lastSeen = ts;
      };
      for (const machineId of o.machineIds) {
        for (const s of await stateRows(machineId, from, to, -1, null)) {
          events.push({ kind: 'state', machineId, state: s.state as MachineState, ts: Math.max(s.startTs, from), reason: s.reason });
          seen(s.startTs);
        }
      }
      // The edge's counters of each shift since `from` (the largest seen, whichever host wrote them): one count and one energy booking each.
      const counters = await query<{ machine_id: string; ts: number; total: number; good: number; energy_kwh: number }>('KPI seed',
        `SELECT machine_id, ${ms('ts')} AS ts, total::float8 AS total, good::float8 AS good, energy_kwh FROM shift_counters
          WHERE line_key = $1 AND shift_start >= $2::timestamptz AND machine_id = ANY($3::text[]) ORDER BY shift_start, machine_id`,
        [lineKey, at(from), [...o.machineIds]]);
      for (const c of counters) {
        const ts = Math.max(c.ts, from);
        if (c.total > 0 || c.good !== 0) events.push({ kind: 'count', machineId: c.machine_id, deltaTotal: c.total, deltaGood: c.good, ts });
        if (c.energy_kwh > 0) events.push({ kind: 'energy', machineId: c.machine_id, deltaKWh: c.energy_kwh, ts });
        seen(c.ts);
      }
      // The newest sample of each of the line's tags (one index probe each): the line was heard from until then.
      const machines: string[] = [];
      const tags: string[] = [];
      for (const name of o.tagKinds.keys()) {
        const split = splitTag(name);
        if (split && o.machineIds.includes(split.machineId)) {
          machines.push(split.machineId);
          tags.push(split.tagName);
        }
      }
      if (tags.length) {
        const latest = await query<{ ts: number | null }>('KPI seed',
          `SELECT max(x.ts) AS ts FROM unnest($2::text[], $3::text[]) AS k(m, t)
             CROSS JOIN LATERAL (SELECT ${ms('ts')} AS ts FROM tag_samples WHERE line_key = $1 AND machine_id = k.m AND tag = k.t AND ts >= $4::timestamptz ORDER BY ts DESC LIMIT 1) x`,
          [lineKey, machines, tags, at(from)]);
        seen(latest[0]?.ts ?? null);
      }
      return { events, lastSeen };
    },

    async tags() {
      await o.flush();
      // A skip scan over the primary key (line, machine, tag, ts): one index probe per tag, not a scan of every sample.
      const rows = await query<{ machine_id: string; tag: string; txt: boolean }>('tag list',
        `WITH RECURSIVE t AS (
           (SELECT machine_id, tag FROM tag_samples WHERE line_key = $1 ORDER BY machine_id, tag LIMIT 1)
           UNION ALL
           SELECT x.machine_id, x.tag FROM t CROSS JOIN LATERAL (
             SELECT machine_id, tag FROM tag_samples WHERE line_key = $1 AND (machine_id, tag) > (t.machine_id, t.tag) ORDER BY machine_id, tag LIMIT 1) x
         )
         SELECT t.machine_id, t.tag,
                (SELECT s.txt IS NOT NULL FROM tag_samples s WHERE s.line_key = $1 AND s.machine_id = t.machine_id AND s.tag = t.tag ORDER BY s.ts DESC LIMIT 1) AS txt
           FROM (SELECT * FROM t LIMIT $2) t`,
        [lineKey, MAX_LISTED_TAGS]);
      return rows
        // The edges' shift totals kept as samples (plant-energy-store.ts) are no tags of the line.
        .filter((r) => !r.machine_id.startsWith(goodCountMachine('')))
        .map((r) => {
          const name = `${r.machine_id}.${r.tag}`;
          return { name, kind: o.tagKinds.get(name) ?? (r.txt ? 'string' : 'number') };
        })
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    },

    async closedShifts(machineId, from, to, limit) {
      await o.flush();
      const rows = await query<Record<string, number> & {
        start: number; end: number; shift_name: string; shift_date: string;
        energy_detail: { byState: Record<string, number>; blocks: Record<string, number> } | null;
        losses: Array<[PeriodTotals['reasons'][string]['bucket'], string, number, number]>;
      }>('closed shifts',
        `SELECT ${ms('t.shift_start')} AS start, ${ms('t.shift_end')} AS "end", t.shift_name, t.shift_date, t.energy_detail,
                ${SHIFT_NUMBERS.map((c) => `t.${c}::float8 AS ${c}`).join(', ')},
                (SELECT coalesce(jsonb_agg(jsonb_build_array(l.bucket, l.reason, l.ms::float8, l.events) ORDER BY l.bucket, l.reason), '[]'::jsonb) FROM shift_losses l
                  WHERE l.line_key = t.line_key AND l.machine_id = t.machine_id AND l.shift_start = t.shift_start) AS losses
           FROM shift_totals t WHERE t.line_key = $1 AND t.machine_id = $2 AND t.shift_start >= $3::timestamptz AND t.shift_start < $4::timestamptz
          ORDER BY t.shift_start LIMIT $5`,
        [lineKey, machineId, at(from), at(to), limit >= 0 ? limit : null]);
      return rows.map((r) => {
        const byState = Object.fromEntries(MACHINE_STATES.map((st) => [st, r.energy_detail?.byState[st] ?? 0])) as Record<MachineState, number>;
        const totals: PeriodTotals = {
          start: r.start, end: r.end, calendarMs: r.calendar_ms!,
          times: {
            plannedOperationMs: r.planned_operation_ms!, plannedDownMs: r.planned_down_ms!, noDataMs: r.no_data_ms!, productionMs: r.production_ms!,
            setupMs: r.setup_ms!, breakdownMs: r.breakdown_ms!, microStopMs: r.micro_stop_ms!, idleMs: r.idle_ms!,
          },
          stops: { breakdowns: r.breakdowns!, microStops: r.micro_stops!, setups: r.setups!, idles: r.idles! },
          reasons: Object.fromEntries(r.losses.map(([bucket, reason, lost, events]) => [`${bucket}|${reason}`, { bucket, reason, ms: lost, events }])),
          counts: { total: r.total_count!, good: r.good_count! },
          idealOutputSeconds: r.ideal_output_seconds!,
          energy: { kWh: r.energy_kwh!, byState, blocks: r.energy_detail?.blocks ?? {} },
        };
        return { shift: { name: r.shift_name, date: r.shift_date, start: r.start, end: r.end }, totals };
      });
    },
  };
}

/** shift_totals' numeric columns (bigint read as float8: exact below 2^53). */
const SHIFT_NUMBERS = ['calendar_ms', 'planned_operation_ms', 'planned_down_ms', 'no_data_ms', 'production_ms', 'setup_ms', 'breakdown_ms', 'micro_stop_ms', 'idle_ms',
  'breakdowns', 'micro_stops', 'setups', 'idles', 'total_count', 'good_count', 'ideal_output_seconds', 'energy_kwh'] as const;

/** A stable number for an occurrence (the edge's journal row id has no counterpart here): FNV-1a of key and activation, 48 bits. */
function occurrenceId(key: string, activeTs: number): number {
  let h = 0xcbf29ce484222325n;
  for (const c of `${key}\u0000${activeTs}`) h = BigInt.asUintN(64, (h ^ BigInt(c.codePointAt(0)!)) * 0x100000001b3n);
  return Number(h >> 16n);
}

/**
 * The line server's history reads from the database: trends, state timelines (and their CSV
 * pages and counts), tag values at a moment and closed shifts (the KPI periods, with their KPIs
 * computed under the line's `kpi` conventions as the edge's historian stores them) and the replay's
 * count deltas; any other read stays on `local`, the host's SQLite historian of the line.
 */
export function lineHistoryReads(history: LineHistory, local: Reads, kpi: KpiOptions = {}): Reads {
  return {
    async run(name, ...args) {
      const a = args as unknown[];
      switch (name) {
        case 'trend': return history.trend(a[0] as string, a[1] as number, a[2] as number, a[3] as number) as never;
        case 'states': return history.states(a[0] as string, a[1] as number, a[2] as number, a[3] as number) as never;
        case 'statesPage': {
          const after = a[3] as { startTs: number; id: number } | null;
          const page = await history.states(a[0] as string, a[1] as number, a[2] as number, a[4] as number, after?.startTs ?? null);
          // The cursor is the interval's start: a machine has one state change per instant (the table's key).
          return page.map((s) => ({ ...s, id: 0 })) as never;
        }
        case 'stateCount': return history.stateCount(a[0] as string, a[1] as number, a[2] as number, a[3] as number) as never;
        case 'valuesAt': return history.valuesAt(a[0] as string, a[1] as number) as never;
        case 'counts': return history.counts(a[0] as string, a[1] as number, a[2] as number, (a[3] as number | undefined) ?? -1) as never;
        case 'countTotals': return history.countTotals(a[0] as string, a[1] as number, a[2] as number) as never;
        case 'kpiPeriods': {
          const machineId = a[0] as string;
          return (await history.closedShifts(machineId, a[1] as number, a[2] as number, a[3] as number)).map(({ shift, totals }): KpiPeriod => {
            const k = computeKpis(totals, kpi);
            return {
              machineId, kind: 'shift', name: shift.name, date: shift.date, startTs: shift.start, endTs: shift.end,
              totalCount: totals.counts.total, goodCount: totals.counts.good, energyKWh: totals.energy.kWh,
              availability: finite(k.availability), performance: finite(k.performance), quality: finite(k.quality), oee: finite(k.oee), totals,
            };
          }) as never;
        }
        default: return local.run(name, ...args);
      }
    },
    close: () => local.close(),
  };
}

/** As the edge's historian stores a KPI of a shift without time (NaN): 0. */
function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
