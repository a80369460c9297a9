// A stored shift report as CSV (one table: section, machine, item, value, unit) and as a
// printable HTML page (A4, no scripts; the browser prints it to paper or PDF). Every text that
// came from a person or the plant file is escaped.
import { formatInstant } from '../../shared/kpi/index.js';
import type { ShiftReport } from '../../shared/handover-api.js';

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const pct = (x: number): string => (x * 100).toFixed(2);

export function shiftReportCsv(r: ShiftReport): string[] {
  const rows: unknown[][] = [['section', 'machine', 'item', 'value', 'unit']];
  const tz = r.timezone;
  rows.push(['shift', '', 'line', r.line.name, ''], ['shift', '', 'name', `${r.shift.date} ${r.shift.name}`, ''],
    ['shift', '', 'start', formatInstant(r.shift.start, tz), ''], ['shift', '', 'end', formatInstant(r.shift.end, tz), ''],
    ['shift', '', 'generated', formatInstant(r.generatedAt, tz), '']);
  if (r.lineOee) rows.push(['line', r.lineOee.bottleneck, 'oee', pct(r.lineOee.oee), '%']);
  for (const m of r.machines) {
    rows.push(['kpi', m.machineId, 'availability', pct(m.availability), '%'], ['kpi', m.machineId, 'performance', pct(m.performance), '%'],
      ['kpi', m.machineId, 'quality', pct(m.quality), '%'], ['kpi', m.machineId, 'oee', pct(m.oee), '%'],
      ['count', m.machineId, 'total', m.counts.total, 'pcs'], ['count', m.machineId, 'good', m.counts.good, 'pcs'], ['count', m.machineId, 'scrap', m.counts.scrap, 'pcs'],
      ['energy', m.machineId, 'energy', m.energyKWh.toFixed(3), 'kWh']);
  }
  for (const l of r.losses) rows.push(['loss', '', l.reason, (l.seconds / 60).toFixed(2), 'min']);
  rows.push(['total', '', 'scrap', r.scrap, 'pcs'], ['total', '', 'energy', r.energyKWh.toFixed(3), 'kWh']);
  for (const o of r.orders ?? []) rows.push(['order', '', String(o.id ?? ''), `${o.productId ?? ''} ${o.status ?? ''} ${o.good ?? ''}/${o.quantity ?? ''}`, 'pcs']);
  for (const n of r.notes) rows.push([n.kind, n.machineId ?? '', `${n.author} ${formatInstant(n.ts, tz)}`, n.text, '']);
  for (const n of r.openIssues) rows.push(['open-issue', n.machineId ?? '', `${n.author} ${formatInstant(n.ts, tz)}`, n.text, '']);
  return rows.map((row) => `${row.map(csvCell).join(',')}\n`);
}

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LABELS = {
  en: {
    title: 'Shift report', line: 'Line', shift: 'Shift', generated: 'Generated', lineOee: 'Line OEE (bottleneck)', machine: 'Machine',
    availability: 'Availability', performance: 'Performance', quality: 'Quality', oee: 'OEE', good: 'Good', scrap: 'Scrap', energy: 'Energy',
    losses: 'Losses by reason', reason: 'Reason', minutes: 'Minutes', stops: 'Stops', orders: 'Orders', noOrders: 'No orders module on this edge',
    notes: 'Notes', openIssues: 'Open issues carried into the next shift', none: 'None', unclassified: 'unclassified min',
  },
  'zh-CN': {
    title: '班次报告', line: '产线', shift: '班次', generated: '生成时间', lineOee: '产线 OEE（瓶颈）', machine: '设备',
    availability: '可用率', performance: '性能', quality: '质量', oee: 'OEE', good: '良品', scrap: '废品', energy: '能耗',
    losses: '按原因的损失', reason: '原因', minutes: '分钟', stops: '次数', orders: '工单', noOrders: '此边缘节点没有工单模块',
    notes: '交接记录', openIssues: '带入下一班的未关闭问题', none: '无', unclassified: '未分类分钟',
  },
} as const;

export function shiftReportPage(r: ShiftReport, lang: 'en' | 'zh-CN'): string {
  const L = LABELS[lang];
  const tz = r.timezone;
  const p = (x: number) => `${(x * 100).toFixed(1)} %`;
  const machines = r.machines.map((m) => `<tr><td>${esc(m.name)}</td><td>${p(m.availability)}</td><td>${p(m.performance)}</td><td>${p(m.quality)}</td><td><b>${p(m.oee)}</b></td>`
    + `<td>${m.counts.good}</td><td>${m.counts.scrap}</td><td>${m.energyKWh.toFixed(2)} kWh</td><td>${(m.unclassifiedSeconds / 60).toFixed(1)}</td></tr>`).join('');
  const losses = r.losses.map((l) => `<tr${l.reason === 'unclassified' ? ' class="unclassified"' : ''}><td>${esc(l.name[lang])}</td><td>${(l.seconds / 60).toFixed(1)}</td><td>${l.events}</td></tr>`).join('');
  const noteList = (notes: ShiftReport['notes']) => notes.length
    ? `<ul>${notes.map((n) => `<li><span class="meta">${esc(formatInstant(n.ts, tz).slice(11, 16))} ${esc(n.author)}${n.machineId ? ` · ${esc(n.machineId)}` : ''}${n.kind === 'issue' ? ' · ⚑' : ''}</span> ${esc(n.text)}</li>`).join('')}</ul>`
    : `<p>${L.none}</p>`;
  const orders = r.orders === null ? `<p>${L.noOrders}</p>` : r.orders.length
    ? `<ul>${r.orders.map((o) => `<li><b>${esc(o.id)}</b> · ${esc(o.productId)} · ${esc(o.status)} · ${esc(o.good)}/${esc(o.quantity)}${typeof o.oee === 'number' ? ` · OEE ${p(o.oee)}` : ''}</li>`).join('')}</ul>`
    : `<p>${L.none}</p>`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(L.title)} ${esc(r.line.name)} ${esc(r.shift.date)} ${esc(r.shift.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
@page { size: A4; margin: 14mm; }
body { font: 11pt/1.4 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #111; margin: 1.5rem; }
h1 { font-size: 16pt; margin: 0 0 .3rem; } h2 { font-size: 12pt; margin: 1.2rem 0 .4rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; } th:first-child, td:first-child { text-align: left; }
tr.unclassified td { background: #fde8e8; font-weight: 600; } .meta { color: #555; font-size: 9pt; } .head { display: flex; flex-wrap: wrap; gap: .3rem 2rem; }
@media print { body { margin: 0; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style></head><body>
<h1>${esc(L.title)} · ${esc(r.line.name)}</h1>
<div class="head"><span>${L.shift}: <b>${esc(r.shift.date)} ${esc(r.shift.name)}</b> (${esc(formatInstant(r.shift.start, tz))} – ${esc(formatInstant(r.shift.end, tz))})</span>
<span>${L.generated}: ${esc(formatInstant(Math.floor(r.generatedAt / 1000) * 1000, tz))}</span>
${r.lineOee ? `<span>${L.lineOee}: <b>${p(r.lineOee.oee)}</b> (${esc(r.lineOee.bottleneck)})</span>` : ''}
<span>${L.scrap}: <b>${r.scrap}</b></span><span>${L.energy}: <b>${r.energyKWh.toFixed(2)} kWh</b></span></div>
<h2>${L.oee}</h2>
<table><thead><tr><th>${L.machine}</th><th>${L.availability}</th><th>${L.performance}</th><th>${L.quality}</th><th>${L.oee}</th><th>${L.good}</th><th>${L.scrap}</th><th>${L.energy}</th><th>${L.unclassified}</th></tr></thead><tbody>${machines}</tbody></table>
<h2>${L.losses}</h2>
<table><thead><tr><th>${L.reason}</th><th>${L.minutes}</th><th>${L.stops}</th></tr></thead><tbody>${losses}</tbody></table>
<h2>${L.orders}</h2>${orders}
<h2>${L.notes}</h2>${noteList(r.notes)}
<h2>${L.openIssues}</h2>${noteList(r.openIssues)}
</body></html>`;
}
