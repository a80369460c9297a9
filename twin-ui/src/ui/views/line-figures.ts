// Line figures the header derives from the live machines. Pure.
import type { MachineLive } from '../../../../shared/live-protocol.js';

/**
 * kWh per good part of the whole line: the sum along the flow of each machine's own kWh per good
 * part, since every part passes each step. Each machine's energy and count cover the same window
 * (its shift so far, or since it joined the plant mid-shift), so a machine added to a running
 * line brings its own figure from its first parts: dividing the whole line's shift energy by the
 * good count of one machine (the last in flow order) gave a jump to many times the real figure
 * when that machine had just been added and had counted only a few parts.
 * A machine that has used energy but made no good part yet (just added, or without part counters)
 * has its energy spread over the parts of the last machine in flow order that made some.
 * Null until some machine has made a good part.
 */
export function lineEnergyPerPart(machinesInFlowOrder: readonly Pick<MachineLive, 'energyKWh' | 'counts'>[]): number | null {
  let perPart = 0;
  let unassigned = 0;
  let outputGood = 0;
  for (const m of machinesInFlowOrder) {
    if (m.counts.good > 0) {
      perPart += m.energyKWh / m.counts.good;
      outputGood = m.counts.good;
    } else {
      unassigned += m.energyKWh;
    }
  }
  if (outputGood === 0) return null;
  return perPart + unassigned / outputGood;
}
