// The environment view (环境): for maintenance and managers, each outlet's live measured and
// converted concentrations against their limits, the last hour with its validity, today's and
// this year's mass against the permit, the HJ 212 link to each platform, the day's hour records
// as CSV, and the printable daily report of any day (day-report-view.ts; CSV too).
// Self-contained: it adds its own toggle and texts (en / zh-CN) and reads /api/emissions.
import { getJson } from '../../live/rest-client.js';
import { getLang, onLangChange } from '../../i18n.js';
import { fromLocal, toLocal } from '../../../../shared/kpi/index.js';
import { outletView, worstOf, type ApiOutlet, type ApiPlatform, type ApiRecord, type ApiTotal, type OutletView } from './environment-model.js';
import { dayReportHtml, REPORT_TEXT } from './day-report-view.js';
import type { EmissionDayReport } from '../../../../shared/emission-api.js';
import './environment.css';
import { setOutletStatus } from '../../world/components/furnace-model.js';

const TEXT = {
  en: {
    toggle: 'Environment', title: 'Emissions and HJ 212 reporting', factor: 'Factor', measured: 'Measured', converted: 'Converted',
    limit: 'Limit', hour: 'Last hour', today: 'Today (kg)', permit: 'Permit/day', year: 'Year (kg)', permitYear: 'Permit/year', invalid: 'invalid', platforms: 'Platforms',
    connected: 'connected', offline: 'offline', backlog: 'waiting', lastAnswer: 'last answer', report: "Today's hour records (CSV)", none: '—',
    unavailable: 'Emission data unavailable', dayReport: 'Daily report', projected: 'at this pace', todayAvg: 'Today avg', validHours: 'valid h', lastSent: 'last packet',
  },
  'zh-CN': {
    toggle: '环境', title: '排放监测与 HJ 212 上报', factor: '因子', measured: '实测', converted: '折算',
    limit: '限值', hour: '上一小时', today: '今日排放量 (kg)', permit: '许可量/日', year: '本年累计 (kg)', permitYear: '许可量/年', invalid: '无效', platforms: '监控平台',
    connected: '已连接', offline: '离线', backlog: '待发', lastAnswer: '最近应答', report: '今日小时数据 (CSV)', none: '—',
    unavailable: '排放数据不可用', dayReport: '排放日报表', projected: '按当前速度全年', todayAvg: '今日均值', validHours: '有效小时', lastSent: '最近发送',
  },
} as const;

const REFRESH_MS = 10_000;
const ROLES_WITH_VIEW = new Set(['maintenance', 'manager', 'admin']);

export interface EnvironmentPanelOptions {
  role: () => string | null;
  /** The plant's IANA time zone: the day report starts at its local midnight. */
  timezone: () => string;
  now: () => number;
}

const fmt = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function createEnvironmentPanel(parent: HTMLElement, o: EnvironmentPanelOptions) {
  const toggle = document.createElement('button');
  toggle.className = 'env-toggle';
  toggle.type = 'button';
  const panel = document.createElement('section');
  panel.className = 'env-panel';
  panel.hidden = true;
  parent.append(toggle, panel);
  let timer: ReturnType<typeof setInterval> | undefined;
  let views: OutletView[] = [];
  let platforms: ApiPlatform[] = [];
  let conditions: Array<{ kind: string; outlet: string; en: string; zh: string }> = [];
  let error: string | null = null;
  const tx = () => TEXT[getLang() === 'zh-CN' ? 'zh-CN' : 'en'];
  const todayStart = () => {
    const l = toLocal(o.now(), o.timezone());
    return fromLocal({ year: l.year, month: l.month, day: l.day }, 0, 0, o.timezone());
  };

  async function refresh() {
    const answer = await getJson<{ outlets: ApiOutlet[]; platforms: ApiPlatform[]; conditions: Array<{ kind: string; outlet: string; en: string; zh: string }>; totals?: ApiTotal[] }>('api/emissions');
    if (!answer.ok) {
      error = answer.error;
      render();
      return;
    }
    error = null;
    platforms = answer.value.platforms;
    conditions = answer.value.conditions ?? [];
    const from = todayStart();
    views = await Promise.all(answer.value.outlets.map(async (outlet) => {
      const hours = await getJson<{ records: ApiRecord[] }>(`api/emissions/${encodeURIComponent(outlet.id)}/records?period=hour&from=${from}&to=${o.now()}`);
      return outletView(outlet, hours.ok ? hours.value.records : [], answer.value.totals ?? []);
    }));
    // The stack and the outlet pit in 3D show each kind's worst status, standing conditions included.
    for (const kind of ['flue-gas', 'wastewater'] as const) {
      const mine = views.filter((v) => v.kind === kind);
      const conditionOver = answer.value.outlets.some((x) => x.kind === kind && conditions.some((c) => c.outlet === x.id));
      setOutletStatus(kind, worstOf([...mine.map((v) => v.worst), ...(conditionOver ? ['over' as const] : [])]));
    }
    render();
  }

  function render() {
    const t = tx();
    toggle.textContent = t.toggle;
    toggle.hidden = !ROLES_WITH_VIEW.has(o.role() ?? '');
    if (panel.hidden) return;
    const from = todayStart();
    const zh = getLang() === 'zh-CN';
    panel.innerHTML = `<h2>${t.title}</h2>${error ? `<p class="env-error">${t.unavailable}: ${esc(error)}</p>` : ''}`
      + (conditions.length ? `<ul class="env-conditions">${conditions.map((c) => `<li class="env-over" data-kind="${esc(c.kind)}">${esc(zh ? c.zh : c.en)}</li>`).join('')}</ul>` : '')
      + views.map((v) => `
      <div class="env-outlet env-${v.worst}" data-outlet="${esc(v.id)}"><h3>${esc(v.name)}</h3>
      <table><thead><tr><th>${t.factor}</th><th>${t.measured}</th><th>${t.converted}</th><th>${t.limit}</th><th>${t.hour}</th><th>${t.todayAvg}</th><th>${t.today}</th><th>${t.permit}</th><th>${t.year}</th><th>${t.permitYear}</th></tr></thead><tbody>
      ${v.rows.map((r) => `<tr class="env-${r.status}" data-code="${r.code}"><td>${esc(r.name)} <small>${r.code}</small></td><td>${fmt(r.measured)} ${esc(r.unit)} <small>${r.flag}</small></td>
        <td>${fmt(r.converted)}</td><td>${fmt(r.limit, 0)}</td><td>${r.hour ? (r.hour.valid ? fmt(r.hour.value) : `${t.invalid} (${r.hour.flag})`) : t.none}</td>
        <td>${r.day ? `${fmt(r.day.value)} <small>${r.day.validHours} ${t.validHours}</small>` : t.none}</td>
        <td>${fmt(r.todayKg, 3)}</td><td>${fmt(r.permitDailyKg, 1)}</td>
        <td${r.projectedYearKg !== null ? ` title="${t.projected} ${fmt(r.projectedYearKg, 0)} kg"` : ''}>${fmt(r.yearKg, r.yearKg !== null && r.yearKg < 100 ? 3 : 1)}</td><td>${fmt(r.permitAnnualKg, 0)}</td></tr>`).join('')}
      </tbody></table>
      <a href="api/emissions/${encodeURIComponent(v.id)}/records?period=hour&from=${from}&to=${o.now()}&format=csv" download>${t.report}</a></div>`).join('')
      + `<p><button type="button" class="env-report-open">${t.dayReport}</button></p>`
      + `<h3>${t.platforms}</h3><ul>${platforms.map((p) => `<li class="${p.connected ? 'env-ok' : 'env-over'}">${esc(p.platform)} ${esc(p.host)}:${p.port} (HJ 212-${esc(p.edition)}): ${p.connected ? t.connected : t.offline}, ${t.backlog} ${p.backlog}, ${t.lastSent} ${p.lastSentAt ? new Date(p.lastSentAt).toLocaleTimeString() : t.none}, ${t.lastAnswer} ${p.lastAnswerAt ? new Date(p.lastAnswerAt).toLocaleTimeString() : t.none}${p.lastError ? ` — ${esc(p.lastError)}` : ''}</li>`).join('')}</ul>`;
  }

  // ---- the daily report: an overlay with a date, printable, and its CSV -------------------
  const reportBox = document.createElement('section');
  reportBox.className = 'env-report';
  reportBox.hidden = true;
  parent.append(reportBox);
  let reportDate = '';
  let report: EmissionDayReport | null = null;
  let reportError: string | null = null;
  const localDate = (ts: number) => {
    const l = toLocal(ts, o.timezone());
    return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
  };
  function renderReport() {
    const lang = getLang() === 'zh-CN' ? 'zh-CN' : 'en';
    const r = REPORT_TEXT[lang];
    reportBox.innerHTML = `<div class="env-report-bar"><input type="date" class="env-report-date" value="${esc(reportDate)}">
      <button type="button" class="env-report-print">${r.print}</button>
      <a class="env-report-csv" href="api/emissions/report?date=${encodeURIComponent(reportDate)}&format=csv" download>${r.csv}</a>
      <button type="button" class="env-report-close">${r.close}</button></div>
      <div class="env-report-body">${reportError ? `<p class="env-error">${esc(reportError)}</p>` : report ? dayReportHtml(report, lang) : ''}</div>`;
  }
  async function openReport(date: string) {
    reportDate = date;
    reportBox.hidden = false;
    const answer = await getJson<EmissionDayReport>(`api/emissions/report?date=${encodeURIComponent(date)}`);
    report = answer.ok ? answer.value : null;
    reportError = answer.ok ? null : answer.error;
    renderReport();
  }
  panel.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('.env-report-open')) void openReport(localDate(o.now()));
  });
  reportBox.addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('.env-report-close')) reportBox.hidden = true;
    if (target.closest('.env-report-print')) {
      // Only the report on paper (environment.css, @media print).
      document.body.classList.add('env-printing');
      window.print();
      document.body.classList.remove('env-printing');
    }
  });
  reportBox.addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.classList.contains('env-report-date') && /^\d{4}-\d{2}-\d{2}$/.test(input.value)) void openReport(input.value);
  });

  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    clearInterval(timer);
    if (!panel.hidden) {
      void refresh();
      timer = setInterval(() => void refresh(), REFRESH_MS);
    }
    render();
  });
  onLangChange(() => {
    render();
    if (!reportBox.hidden) renderReport();
  });
  render();
  // The 3D stack shows the status to those who may see it, panel open or not.
  setInterval(() => {
    if (panel.hidden && ROLES_WITH_VIEW.has(o.role() ?? '')) void refresh();
  }, 30_000);
  return {
    /** Call when the session changes: shows the toggle to the roles that may see emissions. */
    update: render,
    /** Each outlet's worst status, for colouring the stack and outlet in 3D. */
    worst: (): ReadonlyMap<string, string> => new Map(views.map((v) => [v.id, v.worst])),
  };
}
