// CSV exports of the history answers (RFC 4180: comma, CRLF, quotes doubled). Each row
// carries epoch ms for machines and an ISO time for people opening it in a spreadsheet.
import type { KpiPeriod, StateInterval, TagTrend } from '../../shared/history-api.js';

type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [header.map(cell).join(',')];
  for (const r of rows) lines.push(r.map(cell).join(','));
  return lines.join('\r\n') + '\r\n';
}

const iso = (ts: number | null) => (ts === null ? '' : new Date(ts).toISOString());

export function trendCsv(trend: TagTrend): string {
  if (trend.resolution === 'raw') {
    return toCsv(['ts', 'time', 'value', 'quality'], trend.points.map((p) => [p.ts, iso(p.ts), p.value, p.quality]));
  }
  return toCsv(['ts', 'time', 'min', 'max', 'avg', 'last', 'count'], trend.points.map((p) => [p.ts, iso(p.ts), p.min, p.max, p.avg, p.last, p.count]));
}

/** `now` closes the open interval for its duration. */
export function statesCsv(intervals: readonly StateInterval[], now: number): string {
  return toCsv(
    ['machine_id', 'state', 'reason', 'start_ts', 'start', 'end_ts', 'end', 'duration_s'],
    intervals.map((s) => [s.machineId, s.state, s.reason, s.startTs, iso(s.startTs), s.endTs, iso(s.endTs), ((s.endTs ?? now) - s.startTs) / 1000]),
  );
}

export function kpiCsv(periods: readonly KpiPeriod[]): string {
  return toCsv(
    ['machine_id', 'kind', 'name', 'date', 'start_ts', 'start', 'end_ts', 'end', 'total_count', 'good_count', 'energy_kwh', 'availability', 'performance', 'quality', 'oee'],
    periods.map((p) => [p.machineId, p.kind, p.name, p.date, p.startTs, iso(p.startTs), p.endTs, iso(p.endTs), p.totalCount, p.goodCount, p.energyKWh, p.availability, p.performance, p.quality, p.oee]),
  );
}
