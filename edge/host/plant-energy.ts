// The plant's energy across lines, on the plant host. Each edge publishes its meters
// (`Energy/Meters`: last stored totals, factors, rollover, tariff, contract); the host keeps the
// totals as samples of the line's history (tag `meter:<id>.total`, never deadbanded: the host
// lists no policy for them) and reports a period with the shared maths, line by line, then adds
// the lines up. It works from the store's tag history alone, so it does not care which store
// (SQLite per line or the plant database) holds the samples.
import type { ModelEvent } from '../model/index.js';
import { TagChanges } from '../model/index.js';
import type { RawPoint } from '../../shared/history-api.js';
import type { EnergyUplink } from '../../shared/energy-uplink.js';
import { computeEnergyReport, enpi, type EnergyReport } from '../../shared/energy/index.js';

/** The history tag that holds a meter's published total. */
export const meterTotalTag = (meterId: string): string => `meter:${meterId}.total`;

/** A published meter message as tag samples for the line's history (only meters with a total). */
export function meterTotalEvents(uplink: EnergyUplink, receivedTs: number): ModelEvent[] {
  const changes = uplink.meters
    .filter((m) => m.total !== null && m.ts !== null)
    .map((m) => ({ machineId: `meter:${m.id}`, tagName: 'total', value: m.total, quality: 'good' as const, ts: m.ts!, receivedTs }));
  return changes.length ? [{ kind: 'tags', changes: TagChanges.from(changes) }] : [];
}

export interface LineEnergySource {
  key: string;
  name: string;
  timezone: string;
  /** The line's last `Energy/Meters`, or null when its edge publishes none (no meters). */
  uplink: EnergyUplink | null;
  /** Stored samples of a history tag in [from, to]. */
  history(tag: string, from: number, to: number): RawPoint[];
  /**
   * The line's good output in [from, to]: good parts of its output machine (the last in flow
   * order), summed from the count deltas the host booked; null when the host keeps none (no EnPI).
   */
  good?: (from: number, to: number) => number | null;
}

/** A line's output machine: the last in flow order (the plant file lists machines upstream first). */
export const outputMachineOf = (machineIds: readonly string[]): string | null => machineIds.at(-1) ?? null;

export interface PlantEnergyLine {
  key: string;
  name: string;
  totalKgce: number;
  totalTce: number;
  totalKgCO2e: number;
  byMedium: EnergyReport['byMedium'];
  cost: { total: number; currency: string | null } | null;
  peakDemand: EnergyReport['peakDemand'];
  /** Good parts of the line's output machine in the period (null: not known on this host). */
  good: number | null;
  /** EnPI (ISO 50006): the line's kgce per good part; null without output. */
  kgcePerGood: number | null;
  /** The line's whole report (meters, balance, cost by period, warnings). */
  report: EnergyReport;
}

export interface PlantEnergyReport {
  period: { from: number; to: number };
  lines: PlantEnergyLine[];
  /** Sums over the lines: each line's site total counts only its root meters (rule 8). */
  totalKgce: number;
  totalTce: number;
  totalKgCO2e: number;
  byMedium: EnergyReport['byMedium'];
  /** Cost summed per currency (lines may be priced in different ones). */
  costByCurrency: Record<string, number>;
  /** Lines whose edges publish no meters. */
  withoutMeters: string[];
  /**
   * The plant's EnPI: Σ kgce ÷ Σ good parts over the lines with both meters and output (`lines`),
   * so a line without a part count neither adds energy nor dilutes the figure; null when none has both.
   */
  enpi: { kgcePerGood: number | null; kgce: number; good: number; lines: string[] };
}

/** One line's report for [from, to] from its stored totals (rules 1–3 on the published totals, then the shared report). */
export function lineEnergyReport(line: LineEnergySource, from: number, to: number, good = line.good?.(from, to) ?? null): EnergyReport | null {
  const u = line.uplink;
  if (!u) return null;
  const iso = (t: number) => new Date(t).toISOString();
  return computeEnergyReport({
    timezone: line.timezone,
    period: { start: iso(from), end: iso(to) },
    meters: u.meters.map((m) => ({
      id: m.id, medium: m.medium, unit: m.unit, parent: m.parent, ...(m.area ? { area: m.area } : {}),
      kgcePerUnit: m.kgcePerUnit, kgCO2ePerUnit: m.kgCO2ePerUnit, ...(m.rollover !== null ? { rollover: m.rollover } : {}),
      readings: line.history(meterTotalTag(m.id), from, to + 1)
        .filter((p) => p.quality === 'good' && typeof p.value === 'number' && Number.isFinite(p.value))
        .map((p) => ({ ts: iso(p.ts), total: p.value as number })),
    })),
    ...(u.tariff ? { tariff: u.tariff } : {}),
    ...(u.contractDemandKW !== null ? { contractDemandKW: u.contractDemandKW } : {}),
    ...(good !== null ? { production: { good } } : {}),
  });
}

/** Every line's report and the plant's sums. */
export function plantEnergyReport(lines: readonly LineEnergySource[], from: number, to: number): PlantEnergyReport {
  const out: PlantEnergyReport = {
    period: { from, to }, lines: [], totalKgce: 0, totalTce: 0, totalKgCO2e: 0, byMedium: {}, costByCurrency: {}, withoutMeters: [],
    enpi: { kgcePerGood: null, kgce: 0, good: 0, lines: [] },
  };
  for (const line of lines) {
    const good = line.uplink ? line.good?.(from, to) ?? null : null;
    const report = lineEnergyReport(line, from, to, good);
    if (!report) {
      out.withoutMeters.push(line.key);
      continue;
    }
    out.lines.push({
      key: line.key, name: line.name, totalKgce: report.totalKgce, totalTce: report.totalTce, totalKgCO2e: report.totalKgCO2e,
      byMedium: report.byMedium, cost: report.cost ? { total: report.cost.total, currency: report.cost.currency ?? null } : null,
      peakDemand: report.peakDemand, good, kgcePerGood: report.enpi.kgcePerGood, report,
    });
    out.totalKgce += report.totalKgce;
    out.totalKgCO2e += report.totalKgCO2e;
    for (const [medium, v] of Object.entries(report.byMedium)) {
      const b = (out.byMedium[medium] ??= { consumption: 0, kgce: 0, kgCO2e: 0 });
      b.consumption += v.consumption;
      b.kgce += v.kgce;
      b.kgCO2e += v.kgCO2e;
    }
    if (report.cost) {
      const c = report.cost.currency ?? 'unknown';
      out.costByCurrency[c] = (out.costByCurrency[c] ?? 0) + report.cost.total;
    }
  }
  out.totalTce = out.totalKgce / 1000;
  for (const l of out.lines) {
    if (l.good === null || l.good <= 0) continue;
    out.enpi.kgce += l.totalKgce;
    out.enpi.good += l.good;
    out.enpi.lines.push(l.key);
  }
  out.enpi.kgcePerGood = enpi(out.enpi.kgce, out.enpi.good);
  return out;
}
