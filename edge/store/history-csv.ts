// CSV exports of the history answers (RFC 4180: comma, CRLF, quotes doubled). Each row
// carries epoch ms for machines and an ISO time for people opening it in a spreadsheet.
// Exports are produced line by line (`…CsvLines`) from an iterator, so a large export is
// streamed to the client as it is read, never held as one string; `csvStream` turns the
// lines into a Readable in chunks of about 64 KB.
import { Readable } from 'node:stream';
import type { KpiPeriod, StateInterval, TagTrend } from '../../shared/history-api.js';

type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(cell).join(',')}\r\n`;

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return csvLine(header) + rows.map(csvLine).join('');
}

const iso = (ts: number | null) => (ts === null ? '' : new Date(ts).toISOString());

export const TREND_RAW_HEADER = ['ts', 'time', 'value', 'quality'] as const;
export const TREND_AGGREGATE_HEADER = ['ts', 'time', 'min', 'max', 'avg', 'last', 'count'] as const;
export const STATES_HEADER = ['machine_id', 'state', 'reason', 'start_ts', 'start', 'end_ts', 'end', 'duration_s'] as const;
export const KPI_HEADER = ['machine_id', 'kind', 'name', 'date', 'start_ts', 'start', 'end_ts', 'end', 'total_count', 'good_count', 'energy_kwh', 'availability', 'performance', 'quality', 'oee'] as const;

export function* trendCsvLines(trend: TagTrend): Generator<string> {
  if (trend.resolution === 'raw') {
    yield csvLine(TREND_RAW_HEADER);
    for (const p of trend.points) yield csvLine([p.ts, iso(p.ts), p.value, p.quality]);
    return;
  }
  yield csvLine(TREND_AGGREGATE_HEADER);
  for (const p of trend.points) yield csvLine([p.ts, iso(p.ts), p.min, p.max, p.avg, p.last, p.count]);
}

const stateRow = (s: StateInterval, now: number) =>
  csvLine([s.machineId, s.state, s.reason, s.startTs, iso(s.startTs), s.endTs, iso(s.endTs), ((s.endTs ?? now) - s.startTs) / 1000]);

/** `now` closes the open interval for its duration; `intervals` may come page by page from the read worker. */
export async function* statesCsvLines(intervals: AsyncIterable<StateInterval> | Iterable<StateInterval>, now: number): AsyncGenerator<string> {
  yield csvLine(STATES_HEADER);
  for await (const s of intervals) yield stateRow(s, now);
}

export function* kpiCsvLines(periods: readonly KpiPeriod[]): Generator<string> {
  yield csvLine(KPI_HEADER);
  for (const p of periods) yield csvLine([p.machineId, p.kind, p.name, p.date, p.startTs, iso(p.startTs), p.endTs, iso(p.endTs), p.totalCount, p.goodCount, p.energyKWh, p.availability, p.performance, p.quality, p.oee]);
}

export const trendCsv = (trend: TagTrend): string => [...trendCsvLines(trend)].join('');
export const statesCsv = (intervals: readonly StateInterval[], now: number): string => csvLine(STATES_HEADER) + intervals.map((s) => stateRow(s, now)).join('');
export const kpiCsv = (periods: readonly KpiPeriod[]): string => [...kpiCsvLines(periods)].join('');

const CHUNK_BYTES = 64 * 1024;

/** Lines as a byte stream in chunks of about 64 KB: read as the client takes them (backpressure), never all at once. */
export function csvStream(lines: AsyncIterable<string> | Iterable<string>): Readable {
  async function* chunks() {
    let chunk = '';
    for await (const line of lines) {
      chunk += line;
      if (chunk.length >= CHUNK_BYTES) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(chunks(), { objectMode: false });
}
