// The energy report as plain text tables for people (`npm run energy -- … --table`).
import type { EnergyReport } from '../../shared/energy/index.js';

const n = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatEnergyTable(r: EnergyReport): string {
  const out: string[] = [];
  out.push(`Energy report ${r.period.start} → ${r.period.end} (${r.timezone})`, '');
  out.push(
    table(
      ['meter', 'parent', 'medium', 'consumption', 'unit', 'kgce', 'kgCO2e'],
      r.meters.map((m) => [m.id, m.parent ?? '—', m.medium, n(m.consumption), m.unit, n(m.kgce), n(m.kgCO2e)]),
    ),
  );
  out.push('', `Site (root meters only): ${n(r.totalKgce)} kgce = ${n(r.totalTce, 6)} tce, ${n(r.totalKgCO2e)} kgCO2e`);
  const balance = Object.entries(r.balance);
  if (balance.length > 0) {
    out.push('', table(['balance of', 'children', 'unmetered', 'unmetered %'], balance.map(([id, b]) => [id, n(b.childrenConsumption), n(b.unmetered), n(b.unmeteredPct, 2)])));
  }
  if (r.cost) {
    const cur = r.cost.currency ?? '';
    out.push('', `Cost of meter ${r.cost.meter}: ${n(r.cost.total, 2)} ${cur}`.trimEnd());
    out.push(table(['tariff period', 'units', 'cost'], Object.entries(r.cost.byPeriod).map(([name, p]) => [name, n(p.units), n(p.cost, 2)])));
  }
  if (r.peakDemand) {
    const p = r.peakDemand;
    out.push('', `Peak 15-min demand of ${p.meter}: ${n(p.kW, 1)} kW in the block from ${p.blockStart}` + (p.contractDemandKW === null ? '' : ` (contract ${p.contractDemandKW} kW${p.exceedsContract ? ', EXCEEDED' : ''})`));
  }
  out.push('', `EnPI: ${n(r.enpi.kgcePerGood, 6)} kgce per good part`);
  if (r.baseline) {
    const b = r.baseline;
    out.push(`Baseline (${b.points} points): kgce = ${n(b.intercept)} + ${n(b.slope, 6)} × production, R² ${n(b.r2, 4)}; expected ${n(b.expectedKgce)} kgce, savings ${n(b.savingsKgce)} kgce, SEnPI ${n(b.senpi, 4)}`);
  }
  if (r.warnings.length > 0) out.push('', 'Warnings:', ...r.warnings.map((w) => `  - ${w}`));
  return out.join('\n');
}
