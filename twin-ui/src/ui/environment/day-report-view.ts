// The daily emissions report (日报表) as a printable page: for each outlet, the day's hours (one
// row per hour, columns per factor: measured and converted average, mass, flag), exceedances
// marked, invalid hours shown with the flag that made them so, the day values, and each permitted
// pollutant's mass for the day and the year against the permit. From GET /api/emissions/report;
// the same as CSV with format=csv. dayReportHtml() is pure (test/unit/twin-environment.test.ts).
import type { EmissionDayReport, ReportCell, ReportOutlet } from '../../../../shared/emission-api.js';
import { toLocal } from '../../../../shared/kpi/zoned-time.js';

export type ReportLang = 'en' | 'zh-CN';

export const REPORT_TEXT = {
  en: {
    title: 'Daily emissions report', date: 'Date', outlet: 'Outlet', mn: 'MN', refO2: 'Reference O2', hour: 'Hour', measured: 'meas.',
    converted: 'conv.', mass: 'kg', flag: 'flag', day: 'Day', open: 'day not closed yet: figures so far', massTitle: 'Mass against the permit',
    pollutant: 'Pollutant', dayKg: 'Day (kg)', permitDay: 'Permit/day (kg)', yearKg: 'Year to date (kg)', permitYear: 'Permit/year (kg)',
    limit: 'limit', over: 'over the limit', invalid: 'invalid (too few valid minutes)', generated: 'Generated', legend: 'Flags (HJ 212)',
    flags: 'N normal · C calibration · M maintenance · D fault · F stopped · T over range · S manual · B data lost', print: 'Print', csv: 'CSV', close: 'Close',
    noData: 'No records for this day.',
  },
  'zh-CN': {
    title: '排放日报表', date: '日期', outlet: '排放口', mn: 'MN', refO2: '基准氧含量', hour: '时段', measured: '实测',
    converted: '折算', mass: 'kg', flag: '标记', day: '日', open: '当日尚未结束：为截至目前的数据', massTitle: '排放量与许可量',
    pollutant: '污染物', dayKg: '日排放量 (kg)', permitDay: '日许可量 (kg)', yearKg: '本年累计 (kg)', permitYear: '年许可量 (kg)',
    limit: '限值', over: '超标', invalid: '无效（有效分钟数不足）', generated: '生成时间', legend: '数据标记 (HJ 212)',
    flags: 'N 正常 · C 校准 · M 维护 · D 故障 · F 停运 · T 超量程 · S 手工输入 · B 数据缺失', print: '打印', csv: 'CSV', close: '关闭',
    noData: '该日没有记录。',
  },
} as const;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const num = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));
const VALID = new Set(['N', 'T', 'S']);

function cellHtml(c: ReportCell | undefined, converted: boolean, withMass: boolean): string {
  if (!c) return `<td>—</td>${converted ? '<td>—</td>' : ''}${withMass ? '<td>—</td>' : ''}<td class="env-r-flag">—</td>`;
  const valid = VALID.has(c.flag) && c.avg !== null;
  const cls = !valid ? 'env-r-invalid' : c.over ? 'env-r-over' : '';
  const show = (v: number | null) => (valid ? num(v, 2) : '—');
  return `<td class="${cls}">${show(c.avg)}</td>${converted ? `<td class="${cls}">${show(c.zsAvg)}</td>` : ''}${withMass ? `<td>${num(c.cou, 3)}</td>` : ''}<td class="env-r-flag ${cls}">${esc(c.flag)}</td>`;
}

function outletHtml(o: ReportOutlet, report: EmissionDayReport, t: (typeof REPORT_TEXT)[ReportLang]): string {
  const factors = o.factors;
  const converted = (f: (typeof factors)[number]) => o.kind === 'flue-gas' && f.role === 'pollutant';
  const withMass = (f: (typeof factors)[number]) => f.role === 'pollutant';
  const head1 = factors.map((f) => {
    const span = 2 + (converted(f) ? 1 : 0) + (withMass(f) ? 1 : 0);
    const limit = f.hourLimit ?? f.dayLimit;
    return `<th colspan="${span}">${esc(f.name)}${f.unit ? ` (${esc(f.unit)})` : ''}<br><small>${f.code}${limit !== null ? ` · ${t.limit} ${limit}` : ''}</small></th>`;
  }).join('');
  const head2 = factors.map((f) => `<th>${converted(f) ? t.measured : ''}</th>${converted(f) ? `<th>${t.converted}</th>` : ''}${withMass(f) ? `<th>${t.mass}</th>` : ''}<th>${t.flag}</th>`).join('');
  const rows = o.hours.map((h) => {
    const l = toLocal(h.start, report.timezone);
    return `<tr data-hour="${l.hour}"><th>${String(l.hour).padStart(2, '0')}:00</th>${factors.map((f) => cellHtml(h.cells[f.code], converted(f), withMass(f))).join('')}</tr>`;
  }).join('');
  const dayRow = `<tr class="env-r-day"><th>${t.day}</th>${factors.map((f) => cellHtml(o.day[f.code] ?? undefined, converted(f), withMass(f))).join('')}</tr>`;
  const mass = o.mass.length ? `<h4>${t.massTitle}</h4><table class="env-r-mass"><thead><tr><th>${t.pollutant}</th><th>${t.dayKg}</th><th>${t.permitDay}</th><th>${t.yearKg}</th><th>${t.permitYear}</th></tr></thead><tbody>${o.mass.map((m) => {
    const f = factors.find((x) => x.code === m.code);
    const dayOver = m.permitDailyKg !== null && m.dayKg > m.permitDailyKg;
    const yearOver = m.permitAnnualKg !== null && m.yearKg > m.permitAnnualKg;
    return `<tr data-code="${m.code}"><th>${esc(f?.name ?? m.code)} <small>${m.code}</small></th><td class="${dayOver ? 'env-r-over' : ''}">${num(m.dayKg, 3)}</td><td>${num(m.permitDailyKg, 1)}</td><td class="${yearOver ? 'env-r-over' : ''}">${num(m.yearKg, m.yearKg < 100 ? 3 : 1)}</td><td>${num(m.permitAnnualKg, 0)}</td></tr>`;
  }).join('')}</tbody></table>` : '';
  return `<section class="env-r-outlet" data-outlet="${esc(o.id)}"><h3>${t.outlet}: ${esc(o.name)}</h3>
    <p>${t.mn} ${esc(o.mn)}${o.referenceO2 !== null ? ` · ${t.refO2} ${o.referenceO2} %` : ''}</p>
    ${o.hours.length ? `<table class="env-r-hours"><thead><tr><th rowspan="2">${t.hour}</th>${head1}</tr><tr>${head2}</tr></thead><tbody>${rows}${dayRow}</tbody></table>` : `<p>${t.noData}</p>`}
    ${mass}</section>`;
}

/** The report as HTML (the body of the printable page). */
export function dayReportHtml(report: EmissionDayReport, lang: ReportLang): string {
  const t = REPORT_TEXT[lang];
  const generated = toLocal(report.generatedAt, report.timezone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `<h2>${t.title}</h2><p class="env-r-meta">${t.date} ${esc(report.date)} (${esc(report.timezone)})${report.open ? ` · <strong>${t.open}</strong>` : ''} · ${t.generated} ${generated.year}-${p(generated.month)}-${p(generated.day)} ${p(generated.hour)}:${p(generated.minute)}</p>`
    + report.outlets.map((o) => outletHtml(o, report, t)).join('')
    + `<p class="env-r-legend">${t.legend}: ${t.flags}. <span class="env-r-over">${t.over}</span> · <span class="env-r-invalid">${t.invalid}</span></p>`;
}
