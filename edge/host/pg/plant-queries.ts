// Questions about the whole plant, answered by PostgreSQL from the plant store: OEE of each line
// and of the plant by shift, day, ISO week or month; the top losses; energy per line; alarm
// statistics. The database sums (each period's rows sit in few partitions, found by the
// (time, line) indexes); the KPI formulas stay the shared ISO 22400 ones (shared/kpi).
//
// A line's or the plant's OEE over a period is computed from the SUM of its machines' closed-shift
// totals (time-weighted: the machines' planned busy time, run time, ideal output and counts
// added up) — how aggregates over lines are usually reported — not the live view's bottleneck
// method, which answers "how is this line doing now" for one line and one shift.
import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { computeOeeFactors } from '../../../shared/kpi/index.js';
import type {
  PlantAlarmStatsQuery, PlantAlarmStatsRow, PlantEnergyByPeriodQuery, PlantEnergyRow, PlantLossesQuery, PlantLossRow, PlantOeeQuery, PlantOeeRow, PlantPeriod,
} from '../../../shared/plant-query-api.js';
import { ALARM_PRIORITIES } from '../../../shared/alarm-rules.js';

const HOUR_MS = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const lineFilter = (line: string | undefined, column = sql.raw('line_key')): SQL => (line ? sql`AND ${column} = ${line}` : sql``);

/** The plant-local label of a closed shift's period (shift_date is the shift's production date). */
function periodOfShift(by: PlantPeriod): SQL {
  switch (by) {
    case 'shift': return sql.raw(`shift_date || ' ' || shift_name`);
    case 'day': return sql.raw('shift_date');
    case 'week': return sql.raw(`to_char(shift_date::date, 'IYYY-"W"IW')`);
    case 'month': return sql.raw('left(shift_date, 7)');
  }
}

/** A period's sums of closed-shift totals, of one line or (line null) the plant. */
interface OeeSums { line: string | null; period: string; start: number; end: number; po: number; pd: number; nd: number; prod: number; total: number; good: number; ideal: number; kwh: number; shifts: number }

function oeeRow(s: OeeSums): PlantOeeRow {
  const k = computeOeeFactors({
    // The times ISO 22400-2 availability and performance are made of (micro-stops as down time, computeKpis' default).
    times: { plannedOperationMs: s.po, plannedDownMs: s.pd, noDataMs: s.nd, productionMs: s.prod, setupMs: 0, breakdownMs: 0, microStopMs: 0, idleMs: 0 },
    counts: { total: s.total, good: s.good }, idealOutputSeconds: s.ideal,
  });
  return {
    line: s.line, period: s.period, start: s.start, end: s.end, availability: k.availability, performance: k.performance, quality: k.quality, oee: k.oee,
    plannedBusyHours: k.plannedBusyTime / 3600, totalCount: s.total, goodCount: s.good, energyKWh: s.kwh, shifts: s.shifts,
  };
}

export async function plantOee(db: NodePgDatabase, q: PlantOeeQuery): Promise<PlantOeeRow[]> {
  const period = periodOfShift(q.by);
  // Each line's sums per period, ordered by period; the plant's are added up here (one hash aggregate
  // instead of two grouping sets). Only the sums the answer is made from, each as float8: sum(bigint)
  // accumulates in numeric, whose big states made a year by day spill to disk; whole milliseconds and
  // counts stay exact in float8 far beyond a plant's year (2^53).
  const r = await db.execute(sql`
    SELECT line_key AS line, ${period} AS period,
      (extract(epoch FROM min(shift_start)) * 1000)::float8 AS start, (extract(epoch FROM max(shift_end)) * 1000)::float8 AS "end",
      sum(planned_operation_ms::float8) AS po, sum(planned_down_ms::float8) AS pd, sum(no_data_ms::float8) AS nd, sum(production_ms::float8) AS prod,
      sum(total_count::float8) AS total, sum(good_count::float8) AS good, sum(ideal_output_seconds) AS ideal, sum(energy_kwh) AS kwh,
      count(*)::int AS shifts
    FROM line_shift_totals
    WHERE shift_start >= ${at(q.from)}::timestamptz AND shift_start < ${at(q.to)}::timestamptz ${lineFilter(q.line)}
    GROUP BY 1, 2
    ORDER BY 2, 1`);
  const out: PlantOeeRow[] = [];
  let lines: PlantOeeRow[] = [];
  let plant: OeeSums | null = null;
  const flush = () => {
    if (plant) out.push(oeeRow(plant), ...lines);
    lines = [];
  };
  for (const row of r.rows as unknown as OeeSums[]) {
    if (!plant || plant.period !== row.period) {
      flush();
      plant = { ...row, line: null };
    } else {
      plant.start = Math.min(plant.start, row.start);
      plant.end = Math.max(plant.end, row.end);
      plant.po += row.po; plant.pd += row.pd; plant.nd += row.nd; plant.prod += row.prod;
      plant.total += row.total; plant.good += row.good; plant.ideal += row.ideal; plant.kwh += row.kwh; plant.shifts += row.shifts;
    }
    lines.push(oeeRow(row));
  }
  flush();
  return out;
}

export async function plantLosses(db: NodePgDatabase, q: PlantLossesQuery): Promise<PlantLossRow[]> {
  // Per line first, then across lines: two hash aggregates (a count of distinct lines would sort every
  // row); milliseconds summed as float8 (exact below 2^53), not numeric as sum(bigint) would.
  const r = await db.execute(sql`
    SELECT ${q.line ? sql`line_key` : sql`NULL`} AS line, bucket, reason, sum(ms)::float8 AS ms, sum(events)::float8 AS events, count(*)::int AS lines
    FROM (SELECT line_key, bucket, reason, sum(ms::float8) AS ms, sum(events) AS events FROM line_shift_losses
      WHERE shift_start >= ${at(q.from)}::timestamptz AND shift_start < ${at(q.to)}::timestamptz ${lineFilter(q.line)}
      GROUP BY line_key, bucket, reason) per_line
    GROUP BY ${q.line ? sql`line_key, ` : sql``}bucket, reason
    ORDER BY 4 DESC, 2, 3
    LIMIT ${q.limit}`);
  return r.rows.map((row) => ({
    line: (row.line as string | null) ?? null, bucket: String(row.bucket), reason: String(row.reason),
    hours: num(row.ms) / HOUR_MS, events: num(row.events), lines: num(row.lines),
  }));
}

/**
 * Closed shifts from the line rollup (the host's KPI engine booked their energy and counts from the
 * edge's counters); shifts not closed yet from the edges' shift counters directly.
 */
export async function plantEnergy(db: NodePgDatabase, q: PlantEnergyByPeriodQuery, now = Date.now()): Promise<PlantEnergyRow[]> {
  const local = (d: string) => (q.by === 'day' ? `${d}` : q.by === 'week' ? `to_char(${d}::date, 'IYYY-"W"IW')` : `left(${d}, 7)`);
  const openSince = Math.max(q.from, now - 3 * 86_400_000);
  const r = await db.execute(sql`
    WITH shifts AS (
      SELECT line_key, shift_date AS d, energy_kwh AS kwh, total_count::float8 AS total, good_count::float8 AS good FROM line_shift_totals
      WHERE shift_start >= ${at(q.from)}::timestamptz AND shift_start < ${at(q.to)}::timestamptz ${lineFilter(q.line)}
      UNION ALL
      SELECT c.line_key, to_char(c.shift_start AT TIME ZONE l.timezone, 'YYYY-MM-DD'), c.energy_kwh, c.total::float8, c.good::float8
      FROM shift_counters c JOIN plant_lines l ON l.line_key = c.line_key
      WHERE c.shift_start >= ${at(openSince)}::timestamptz AND c.shift_start < ${at(q.to)}::timestamptz ${lineFilter(q.line, sql.raw('c.line_key'))}
        AND NOT EXISTS (SELECT 1 FROM line_shift_totals t WHERE t.line_key = c.line_key AND t.shift_start = c.shift_start))
    SELECT CASE WHEN grouping(line_key) = 1 THEN NULL ELSE line_key END AS line, ${sql.raw(local('d'))} AS period,
      sum(kwh)::float8 AS kwh, sum(total)::float8 AS total, sum(good)::float8 AS good
    FROM shifts
    GROUP BY GROUPING SETS ((line_key, ${sql.raw(local('d'))}), (${sql.raw(local('d'))}))
    ORDER BY 2, 1 NULLS FIRST`);
  return r.rows.map((row) => {
    const good = num(row.good);
    return { line: (row.line as string | null) ?? null, period: String(row.period), kWh: num(row.kwh), totalCount: num(row.total), goodCount: good, kWhPerGoodPart: good > 0 ? num(row.kwh) / good : null };
  });
}

export interface PlantAlarmStats {
  lines: PlantAlarmStatsRow[];
  /** The alarms raised most often (ISA-18.2 "bad actors"). */
  topAlarms: Array<{ line: string; alarmKey: string; message: string; priority: string; raised: number }>;
}

/**
 * From the per line and UTC day rollups: the window is taken in whole UTC days (the days its
 * start and end fall in). The plant row's peak is the busiest line's (ISA-18.2 rates are per
 * operator position, a line here).
 */
export async function plantAlarmStats(db: NodePgDatabase, q: PlantAlarmStatsQuery): Promise<PlantAlarmStats> {
  const fromDay = new Date(Math.floor(q.from / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  const toDay = new Date(Math.ceil(q.to / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
  const days = sql`day >= ${fromDay}::date AND day < ${toDay}::date ${lineFilter(q.line)}`;
  const hours = (Date.parse(toDay) - Date.parse(fromDay)) / HOUR_MS;
  const r = await db.execute(sql`
    SELECT CASE WHEN grouping(line_key) = 1 THEN NULL ELSE line_key END AS line,
      sum(raised)::float8 AS raised, ${sql.join(ALARM_PRIORITIES.map((p) => sql`sum(${sql.identifier(p)})::float8 AS ${sql.identifier(p)}`), sql`, `)},
      sum(acked)::float8 AS acked, sum(ack_seconds)::float8 AS ack_s, sum(returned)::float8 AS returned, sum(active_seconds)::float8 AS active_s,
      max(peak_10min)::float8 AS peak, sum(flood_intervals)::float8 AS floods, count(DISTINCT line_key)::float8 AS lines
    FROM alarm_days WHERE ${days}
    GROUP BY ROLLUP (line_key)
    ORDER BY 1 NULLS FIRST`);
  const lines = r.rows.map((row): PlantAlarmStatsRow => {
    const acked = num(row.acked);
    const returned = num(row.returned);
    const intervals = (hours * 6) * (row.line === null ? Math.max(1, num(row.lines)) : 1);
    return {
      line: (row.line as string | null) ?? null,
      raised: num(row.raised),
      byPriority: Object.fromEntries(ALARM_PRIORITIES.map((p) => [p, num(row[p])])),
      perHour: hours > 0 ? num(row.raised) / hours : 0,
      peakPer10Min: num(row.peak),
      floodShare: intervals > 0 ? num(row.floods) / intervals : 0,
      acked,
      meanAckSeconds: acked > 0 ? num(row.ack_s) / acked : null,
      meanActiveSeconds: returned > 0 ? num(row.active_s) / returned : null,
    };
  });
  const top = await db.execute(sql`
    SELECT line_key, alarm_key, max(message) AS message, max(priority) AS priority, sum(raised)::int AS raised
    FROM alarm_key_days WHERE ${days}
    GROUP BY line_key, alarm_key ORDER BY 5 DESC, 1, 2 LIMIT ${q.limit}`);
  return {
    lines,
    topAlarms: top.rows.map((row) => ({ line: String(row.line_key), alarmKey: String(row.alarm_key), message: String(row.message), priority: String(row.priority), raised: num(row.raised) })),
  };
}
