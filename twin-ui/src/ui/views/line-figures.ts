// Line figures the header derives from the live machines. Pure.
import type { MachineLive } from '../../../../shared/live-protocol.js';

/**
 * kWh per good part of the whole line: every machine's energy over the parts that left the
 * line, i.e. the good count of the last machine in flow order (the plant file's order).
 * Null until the line has made a good part.
 */
export function lineEnergyPerPart(machinesInFlowOrder: readonly Pick<MachineLive, 'energyKWh' | 'counts'>[]): number | null {
  const last = machinesInFlowOrder[machinesInFlowOrder.length - 1];
  if (!last || last.counts.good <= 0) return null;
  let kWh = 0;
  for (const m of machinesInFlowOrder) kWh += m.energyKWh;
  return kWh / last.counts.good;
}
