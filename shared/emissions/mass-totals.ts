// Mass totals against the permit (排污许可量): what an outlet has emitted today and this calendar
// year, counted the way the day records count it — closed days as their day records say, today's
// closed hours if valid, the open hour's valid minutes — so a total never drops when a day closes
// (except when the open hour ends invalid). HJ 75-2017's substitution of missing data is not
// applied (docs/emissions.md). Pure; the edge reads the records from its store.
import { isValidFlag, type DataFlag } from './data-flags.js';

export interface MassPart {
  cou: number | null;
  flag: DataFlag;
}

/** Sums the mass of the parts that count: every closed day (its Cou already holds only valid hours), valid hours and valid minutes. */
export function massSoFarKg(parts: { days: readonly MassPart[]; hours: readonly MassPart[]; minutes: readonly MassPart[] }): number {
  let kg = 0;
  for (const d of parts.days) kg += d.cou ?? 0;
  for (const p of [...parts.hours, ...parts.minutes]) if (isValidFlag(p.flag)) kg += p.cou ?? 0;
  return kg;
}

/**
 * The year's mass if it goes on at the pace so far: kg × (length of the year / time elapsed).
 * Null in the year's first day, when one day's pace says little about a year.
 */
export function projectedYearKg(yearKg: number, yearStart: number, yearEnd: number, now: number): number | null {
  const elapsed = now - yearStart;
  if (elapsed < 86_400_000) return null;
  return (yearKg * (yearEnd - yearStart)) / elapsed;
}

export type PermitStatus = 'ok' | 'approaching' | 'exceeded';

/** A total against its permitted mass: approaching at `warnShare` of it, exceeded above it. */
export function permitStatus(kg: number, permitKg: number | undefined, warnShare: number): PermitStatus {
  if (permitKg === undefined) return 'ok';
  if (kg > permitKg) return 'exceeded';
  return kg >= warnShare * permitKg ? 'approaching' : 'ok';
}
