// How a machine counts its parts, from the counter tags it offers. Real machines give a total
// and a good counter, a total and a reject counter, good and reject counters, or only a part
// counter (the most common case). Each way yields the same two numbers the KPIs need, total
// and good; with a total only, every part is good until scrap is booked (by an operator, a
// quality station or a reject counter). Pure and browser-safe.
import type { TagRole } from './plant-schema.js';

export const COUNTING_MODES = ['total+good', 'total+scrap', 'good+scrap', 'total-only', 'good-only', 'none'] as const;
export type CountingMode = (typeof COUNTING_MODES)[number];

/** Counter deltas of one batch, by role (0 for a role the machine does not have). */
export interface CounterDeltas { total: number; good: number; scrap: number }

/** From the plant file's machine, or the twin's plant view of it: only the tags' roles count. */
export function countingModeOf(machine: { tags: readonly { role: TagRole }[] }): CountingMode {
  const has = (role: TagRole) => machine.tags.some((t) => t.role === role);
  const total = has('totalCount');
  const good = has('goodCount');
  const scrap = has('scrapCount');
  if (total && good) return 'total+good';
  if (total && scrap) return 'total+scrap';
  if (good && scrap) return 'good+scrap';
  if (total) return 'total-only';
  if (good) return 'good-only';
  return 'none';
}

/**
 * The total and good parts a batch of counter deltas means. `deltaGood` may be negative for
 * 'total+scrap': a reject counter can tick in a poll after the part's total (the reject gate
 * sits downstream of the counting sensor); summed over a period it is exact.
 */
export function partsOf(mode: CountingMode, d: CounterDeltas): { deltaTotal: number; deltaGood: number } {
  switch (mode) {
    case 'total+good': return { deltaTotal: d.total, deltaGood: d.good };
    case 'total+scrap': return { deltaTotal: d.total, deltaGood: d.total - d.scrap };
    case 'good+scrap': return { deltaTotal: d.good + d.scrap, deltaGood: d.good };
    case 'total-only': return { deltaTotal: d.total, deltaGood: d.total };
    case 'good-only': return { deltaTotal: d.good, deltaGood: d.good };
    case 'none': return { deltaTotal: 0, deltaGood: 0 };
  }
}

/** One sentence for the KPI explanation and the twin: which way the machine is counted. */
export const COUNTING_EXPLANATION: Record<CountingMode, string> = {
  'total+good': 'counted by a total and a good counter: scrap = total − good (booked scrap is taken off good)',
  'total+scrap': 'counted by a total and a reject counter: good = total − rejects (booked scrap is taken off good)',
  'good+scrap': 'counted by a good and a reject counter: total = good + rejects (booked scrap is taken off good)',
  'total-only': 'counted by a part counter only: every part is good until scrap is booked',
  'good-only': 'counted by a good counter only: rejects are not seen unless scrap is booked',
  'none': 'no part counter: counts come from booked production only',
};
