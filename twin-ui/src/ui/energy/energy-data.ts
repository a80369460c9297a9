// What the energy centre shows, fetched from the edge's energy routes (docs/energy.md) and
// arranged for drawing: the metering tree, the load curve, cost, tce/CO2e by medium and area.
// Pure apart from the fetches; the report's figures are the edge's (shared/energy), never redone here.
import type { EnergyReport } from '../../../../shared/energy/index.js';
import type { DemandStatus as DemandView, EnergyLive, MeterLive as MeterLiveView } from '../../../../shared/energy-api.js';
import type { CountsAnswer } from '../../../../shared/history-api.js';
export type { MeterLiveView };
import type { PeriodKpiAnswer } from '../../../../shared/kpi-api.js';
import { fromLocal, localDateOf } from '../../../../shared/kpi/index.js';
import { getJson, type RestResult } from '../../live/rest-client.js';

export interface BlockView { blockStart: number; units: number; coveredMs: number; complete: boolean; kW: number }

export type Period = 'today' | 'month';

/** [start, now] of the plant-local day or month. */
export function periodWindow(period: Period, now: number, timeZone: string): { from: number; to: number } {
  const d = localDateOf(now, timeZone);
  const start = period === 'today' ? d : { ...d, day: 1 };
  return { from: fromLocal(start, 0, 0, timeZone), to: Math.max(now, fromLocal(start, 0, 0, timeZone) + 1) };
}

/** The whole plant-local month of `now`: the printable monthly report's window (to now while the month runs). */
export function monthWindow(now: number, timeZone: string): { from: number; to: number; label: string } {
  const d = localDateOf(now, timeZone);
  const next = d.month === 12 ? { year: d.year + 1, month: 1, day: 1 } : { year: d.year, month: d.month + 1, day: 1 };
  const from = fromLocal({ ...d, day: 1 }, 0, 0, timeZone);
  const end = fromLocal(next, 0, 0, timeZone);
  return { from, to: Math.min(end, Math.max(now, from + 1)), label: `${d.year}-${String(d.month).padStart(2, '0')}` };
}

export interface TreeNode {
  meter: MeterLiveView;
  consumption: number | null;
  children: TreeNode[];
  /** Share of the parent's consumption, 0..1 (null at the roots or when the parent used nothing). */
  share: number | null;
}

/** The metering tree in the plant file's order, each node with its period consumption. */
export function meteringTree(meters: readonly MeterLiveView[], report: EnergyReport | null): TreeNode[] {
  const use = new Map(report?.meters.map((m) => [m.id, m.consumption]) ?? []);
  const nodes = new Map(meters.map((m) => [m.id, { meter: m, consumption: use.get(m.id) ?? null, children: [] as TreeNode[], share: null as number | null }]));
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.meter.parent ? nodes.get(n.meter.parent) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  for (const n of nodes.values()) {
    const parent = n.meter.parent ? nodes.get(n.meter.parent) : undefined;
    if (parent?.consumption && n.consumption !== null) n.share = n.consumption / parent.consumption;
  }
  return roots;
}

/** kgce and kgCO2e per area, counting in each area only its top-most meters (a child in the same area is already in its parent). */
export function byArea(report: EnergyReport): Array<{ area: string; kgce: number; kgCO2e: number }> {
  const byId = new Map(report.meters.map((m) => [m.id, m]));
  const out = new Map<string, { kgce: number; kgCO2e: number }>();
  for (const m of report.meters) {
    const area = m.area ?? '—';
    const parent = m.parent ? byId.get(m.parent) : undefined;
    if (parent && (parent.area ?? '—') === area) continue;
    const a = out.get(area) ?? { kgce: 0, kgCO2e: 0 };
    a.kgce += m.kgce;
    a.kgCO2e += m.kgCO2e;
    out.set(area, a);
  }
  return [...out.entries()].map(([area, v]) => ({ area, ...v })).sort((a, b) => b.kgce - a.kgce);
}

export interface MachineEnpi { id: string; kWh: number; good: number; kWhPerGood: number | null }

/**
 * Today's EnPIs: each machine's own meter per good part (the KPI engine's plant-local day), and
 * the site's kgce (root meters, today's report) per good part of the output machine — the one
 * the parts leave the line from (`outputMachine`, by default the last in the plant file's flow).
 */
export async function fetchEnpi(machineIds: readonly string[]): Promise<MachineEnpi[]> {
  const answers = await Promise.all(machineIds.map((id) => getJson<PeriodKpiAnswer>(`api/kpi/machines/${encodeURIComponent(id)}/periods/day`)));
  return answers.flatMap((a, i) => {
    if (!a.ok) return [];
    const r = a.value.report;
    return [{ id: machineIds[i]!, kWh: r.energy.kWh, good: r.kpis.counts.good, kWhPerGood: r.energy.kWhPerGoodPart }];
  });
}

export interface EnergyCentreData {
  meters: MeterLiveView[];
  report: EnergyReport | null;
  blocks: BlockView[];
  demand: DemandView | null;
  /** Good parts of the output machine in the window (the EnPI's and the baseline's output), null when unknown. */
  good: number | null;
  errors: string[];
}

/** The machine good parts leave the line from: the last in flow, a furnace beside the line does not count. */
export function outputMachine(machines: ReadonlyArray<{ id: string; type: string }>): string | null {
  return [...machines].reverse().find((m) => m.type !== 'furnace')?.id ?? null;
}

/** Good parts the machine made in [from, to), from the historian's counts (the `base` of a count from `from` up to `to`). */
export async function fetchGood(machineId: string, window: { from: number; to: number }): Promise<number | null> {
  const q = `since=${window.from}&from=${window.to}&to=${window.to + 1}`;
  const r = await getJson<CountsAnswer>(`api/history/counts/${encodeURIComponent(machineId)}?${q}`);
  return r.ok ? r.value.base.good : null;
}

/** The meters with what the live `energy` message says now (totals, power, flow, stuck); their place in the tree stays. */
export function withLive(meters: readonly MeterLiveView[], message: EnergyLive): MeterLiveView[] {
  const live = new Map(message.meters.map((m) => [m.id, m]));
  return meters.map((m) => {
    const l = live.get(m.id);
    return l ? { ...m, total: l.total, powerKW: l.powerKW, ratePerHour: l.ratePerHour, suspectStuck: l.suspectStuck, ts: message.ts } : m;
  });
}

export async function fetchEnergyCentre(window: { from: number; to: number }, dayWindow: { from: number; to: number }, output: string | null = null): Promise<EnergyCentreData> {
  const errors: string[] = [];
  const keep = <T>(r: RestResult<T>): T | null => {
    if (r.ok) return r.value;
    errors.push(r.error);
    return null;
  };
  // The output first: the report holds the EnPI and the baseline's expected energy for it.
  const good = output ? await fetchGood(output, window) : null;
  const [meters, report, demand] = await Promise.all([
    getJson<{ meters: MeterLiveView[] }>('api/energy/meters'),
    getJson<EnergyReport>(`api/energy/report?from=${window.from}&to=${window.to}${good !== null ? `&good=${good}` : ''}`),
    getJson<DemandView>('api/energy/demand'),
  ]);
  const m = keep(meters);
  const rep = keep(report);
  const d = keep(demand);
  const loadMeter = d?.meter ?? rep?.cost?.meter ?? null;
  let blocks: BlockView[] = [];
  if (loadMeter) {
    const b = keep(await getJson<{ blocks: BlockView[] }>(`api/energy/meters/${encodeURIComponent(loadMeter)}/blocks?from=${dayWindow.from}&to=${dayWindow.to}`));
    blocks = b?.blocks ?? [];
  }
  return { meters: m?.meters ?? [], report: rep, blocks, demand: d, good, errors };
}
