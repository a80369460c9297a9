// Human-readable rendering of a shift report (`npm run kpi -- <file> --table`).
import type { ShiftReportOutput } from '../../shared/kpi/index.js';

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
const num = (x: number, digits = 1): string => x.toFixed(digits);

function hms(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${sign}${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function table(rows: string[][], align: Array<'l' | 'r'>): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (align[c] === 'r' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

export function formatReportTable(r: ShiftReportOutput): string {
  const out: string[] = [];
  const title = [r.machine, r.shift.name].filter(Boolean).join(' · ');
  out.push(`${title ? `${title}: ` : ''}${r.shift.start} → ${r.shift.end} (${r.timezone}, ${hms(r.shift.durationSeconds)})`);
  out.push('');
  out.push(table([
    ['KPI', 'value', 'how'],
    ['Availability', pct(r.availability), r.explain.availability!.formula],
    ['Performance', pct(r.performance), r.explain.performance!.formula],
    ['Quality', pct(r.quality), r.explain.quality!.formula],
    ['OEE', pct(r.oee), 'availability × performance × quality'],
    ['TEEP', pct(r.kpis.teep), 'OEE × PBT / calendar time'],
    ['MTBF', r.kpis.mtbf === null ? '—' : hms(r.kpis.mtbf), `APT / breakdowns (${r.kpis.breakdowns})`],
    ['MTTR', r.kpis.mttr === null ? '—' : hms(r.kpis.mttr), 'breakdown time / breakdowns'],
    ['Scrap ratio', pct(r.kpis.scrapRatio), `${r.counts.scrap} of ${r.counts.total}`],
    ['Setup ratio', pct(r.kpis.setupRatio), 'AUST / (APT + AUST)'],
  ], ['l', 'r', 'l']));
  out.push('');
  const t = r.times;
  out.push(table([
    ['ISO 22400-2 time', 'h:mm:ss', 'seconds'],
    ['POT  planned operation time', hms(t.plannedOperationTime), num(t.plannedOperationTime)],
    ['PDOT planned down time', hms(t.plannedDownTime), num(t.plannedDownTime)],
    ['     no data (excluded)', hms(t.noDataTime), num(t.noDataTime)],
    ['PBT  planned busy time', hms(t.plannedBusyTime), num(t.plannedBusyTime)],
    ['APT  actual production time', hms(t.actualProductionTime), num(t.actualProductionTime)],
    ['AUST actual setup time', hms(t.actualSetupTime), num(t.actualSetupTime)],
    ['ADOT actual down time', hms(t.actualDownTime), num(t.actualDownTime)],
    ['       breakdowns', hms(t.breakdownTime), num(t.breakdownTime)],
    ['       micro-stops', hms(t.microStopTime), num(t.microStopTime)],
    ['ADET idle (starved/blocked)', hms(t.idleTime), num(t.idleTime)],
  ], ['l', 'r', 'r']));
  out.push('');
  out.push(table([
    ['Loss waterfall', 'h:mm:ss', 'minutes'],
    ...r.losses.waterfall.map((s) => [`${s.kind === 'total' ? '= ' : s.kind === 'excluded' ? '  (excl.) ' : '  − '}${s.step}`, hms(s.seconds), num(s.seconds / 60, 2)]),
  ], ['l', 'r', 'r']));
  if (r.losses.byReason.length > 0) {
    out.push('');
    out.push(table([
      ['Loss by reason', 'category', 'events', 'minutes'],
      ...r.losses.byReason.map((l) => [l.reason, l.category, String(l.events), num(l.minutes, 2)]),
    ], ['l', 'l', 'r', 'r']));
  }
  if (r.energy) {
    const e = r.energy;
    out.push('');
    out.push(table([
      ['Energy', 'value'],
      ['total', `${num(e.kWh, 3)} kWh`],
      ['per good part', e.kWhPerGoodPart === null ? '—' : `${num(e.kWhPerGoodPart, 4)} kWh`],
      ['while not running', `${num(e.nonProductiveKWh, 3)} kWh`],
      ['peak 15-min demand', e.peakDemandKW === null ? '—' : `${num(e.peakDemandKW, 2)} kW at ${e.peakDemandBlockStart}`],
      ['CO2e', `${num(e.co2eKg, 2)} kg (${e.co2eKgPerKWh} kg/kWh)`],
    ], ['l', 'r']));
  }
  if (r.warnings.length > 0) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n');
}
