// Reads the historian over REST (shared/history-api.ts). Errors come back as text for the UI
// ("history unavailable: …"), never as exceptions that would break the live view.
import type { StateInterval, TagTrend } from '../../../shared/history-api.js';
import { getJson, type RestResult } from './rest-client.js';

export type HistoryResult<T> = RestResult<T>;

export function fetchTrend(machineId: string, tag: string, from: number, to: number, maxPoints = 400): Promise<HistoryResult<TagTrend>> {
  const q = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)), maxPoints: String(maxPoints) });
  return getJson<TagTrend>(`api/history/tags/${encodeURIComponent(`${machineId}.${tag}`)}?${q}`);
}

export function fetchStates(machineId: string, from: number, to: number): Promise<HistoryResult<{ intervals: StateInterval[] }>> {
  const q = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  return getJson<{ intervals: StateInterval[] }>(`api/history/states/${encodeURIComponent(machineId)}?${q}`);
}

/** A trend as plain (ts, value) pairs: raw samples as they are, aggregates by their mean. */
export function trendPoints(trend: TagTrend): { ts: number; v: number }[] {
  const out: { ts: number; v: number }[] = [];
  if (trend.resolution === 'raw') {
    for (const p of trend.points) {
      const v = typeof p.value === 'boolean' ? Number(p.value) : p.value;
      if (typeof v === 'number' && Number.isFinite(v) && p.quality !== 'bad') out.push({ ts: p.ts, v });
    }
  } else {
    for (const p of trend.points) if (Number.isFinite(p.avg)) out.push({ ts: p.ts + trend.bucketMs / 2, v: p.avg });
  }
  return out;
}
