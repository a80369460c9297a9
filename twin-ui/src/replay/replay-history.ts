// What replay reads over REST: each machine's state intervals, part counts and (for the machine
// in the inspector) every tag at the replayed moment from the historian, and the alarms raised
// in the window from the alarm journal. Errors come back as text, never as exceptions.
import type { CountsAnswer, StateInterval, ValuesAtAnswer } from '../../../shared/history-api.js';
import type { AlarmOccurrence } from '../../../shared/alarm-wire.js';
import { getJson, type RestResult } from '../live/rest-client.js';

/**
 * Intervals from `from` until the edge's "now": no `to` is sent, so the edge ends the window at
 * its own clock when it answers (after writing what it had queued) and says where in `to`.
 */
export function fetchStatesUntilNow(machineId: string, from: number): Promise<RestResult<{ from: number; to: number; intervals: StateInterval[] }>> {
  return getJson(`api/history/states/${encodeURIComponent(machineId)}?from=${Math.floor(from)}`);
}

/** Intervals in a window that ended in the past (the edge clips them to it). */
export function fetchStatesIn(machineId: string, from: number, to: number): Promise<RestResult<{ from: number; to: number; intervals: StateInterval[] }>> {
  return getJson(`api/history/states/${encodeURIComponent(machineId)}?from=${Math.floor(from)}&to=${Math.ceil(to)}`);
}

export function fetchCounts(machineId: string, from: number, to: number, since: number | null): Promise<RestResult<CountsAnswer>> {
  const q = new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  if (since !== null && since < from) q.set('since', String(Math.floor(since)));
  return getJson(`api/history/counts/${encodeURIComponent(machineId)}?${q}`);
}

export function fetchValuesAt(machineId: string, at: number): Promise<RestResult<ValuesAtAnswer>> {
  return getJson(`api/history/values/${encodeURIComponent(machineId)}?at=${Math.floor(at)}`);
}

export function fetchAlarmsIn(from: number, to: number): Promise<RestResult<{ occurrences: AlarmOccurrence[] }>> {
  return getJson(`api/alarms/history?from=${Math.floor(from)}&to=${Math.ceil(to)}`);
}
