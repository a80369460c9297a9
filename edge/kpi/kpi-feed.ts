// The KPI engine's side of the model event stream, written once: the live edge, the replay
// from the historian and the plant host all feed the engine through here.
//
// The engine books an event older than the one before it at the later time, so it must be fed
// in time order: with source timestamps a state change in a batch can be older than the energy
// reading that came with it (the model lists states last). At equal times counts and energy go
// before the state change — the order the model emits them in one apply() — and the sort is
// stable, so anything else keeps the order it came in.
import type { MachineState } from '../../shared/plant-schema.js';
import type { MachineEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import type { LiveKpiEngine } from './live-kpi-engine.js';

/** What the engine takes: a machine's state, part counts or energy at a time (epoch ms). */
export type KpiEvent =
  | { kind: 'state'; machineId: string; state: MachineState; ts: number; reason: string | null }
  | { kind: 'count'; machineId: string; deltaTotal: number; deltaGood: number; ts: number }
  | { kind: 'energy'; machineId: string; deltaKWh: number; ts: number };

export type KpiInput = Pick<LiveKpiEngine, 'onState' | 'onCounts' | 'onEnergy'>;

const rank = (e: KpiEvent) => (e.kind === 'state' ? 1 : 0);

/** Sorts `events` in place into the order the engine must see them; returns them. */
export function inKpiOrder<E extends KpiEvent>(events: E[]): E[] {
  return events.sort((a, b) => a.ts - b.ts || rank(a) - rank(b));
}

/** Feeds events to the engine in time order (see above); returns how many it fed. */
export function feedKpis(kpi: KpiInput, events: readonly KpiEvent[]): number {
  for (const e of inKpiOrder([...events])) {
    if (e.kind === 'state') kpi.onState(e.machineId, e.state, e.ts, e.reason ?? undefined);
    else if (e.kind === 'count') kpi.onCounts(e.machineId, e.deltaTotal, e.deltaGood, e.ts);
    else kpi.onEnergy(e.machineId, e.deltaKWh, e.ts);
  }
  return events.length;
}

/**
 * The engine as a model event sink. `select` picks (and may adjust) what the engine gets of
 * each machine event — the host books state changes only, never before the edge started —
 * and returns null to leave an event out. Default: every machine event as it is.
 */
export function kpiSink(kpi: KpiInput, select: (e: MachineEvent) => KpiEvent | null = (e) => e): ModelEventSink {
  return {
    name: 'kpi',
    onModelEvents(events) {
      const picked: KpiEvent[] = [];
      for (const e of events) {
        if (e.kind === 'tags') continue;
        const k = select(e);
        if (k) picked.push(k);
      }
      if (picked.length) feedKpis(kpi, picked);
    },
  };
}
