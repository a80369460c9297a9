// Number formatting for operators: fixed precision per magnitude, units always shown.
import type { LiveTag } from '../../shared/live-protocol.js';

export function percent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(1)} %`;
}

export function number(value: number, digits?: number): string {
  if (!Number.isFinite(value)) return '—';
  if (digits !== undefined) return value.toFixed(digits);
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return String(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 100) return value.toFixed(1);
  return value.toFixed(2);
}

export function tagValue(tag: LiveTag | undefined): string {
  if (!tag || tag.value === null) return '—';
  if (typeof tag.value === 'number') return number(tag.value);
  if (typeof tag.value === 'boolean') return tag.value ? 'true' : 'false';
  return tag.value;
}

/** "3 min 12 s" style ages; clamps negatives (clock skew) to zero. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function clockTime(epochMs: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(epochMs);
  } catch {
    return new Date(epochMs).toISOString().slice(11, 16);
  }
}

/** Short age for narrow columns: "9 s", "4 min", "2 h". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}
