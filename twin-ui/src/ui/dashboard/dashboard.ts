// The managers' KPI dashboard: a full-width panel over the line with line and machine OEE
// for the current and closed shifts, the selected machine's loss waterfall, Pareto of losses
// by reason, energy per good part and 15-minute demand, and a CSV export. Every figure is
// from the KPI REST API (the engine's own explained results); clicking one shows its formula
// and inputs, so a number in the morning meeting can be traced back to times and counts.
import type { ClosedShiftReport, KpiShiftRef, LineClosedShiftsAnswer, LineKpiAnswer, MachineKpiAnswer, MachinesKpiAnswer } from '../../../../shared/kpi-api.js';
import type { KpiReport } from '../../../../shared/kpi/index.js';
import type { Explained } from '../../../../shared/kpi/index.js';
import { SIX_BIG_LOSSES } from '../../../../shared/kpi/index.js';
import { t, tLoss, type TextKey } from '../../i18n.js';
import { clockTime, number, percent } from '../../format.js';
import { el, setText } from '../dom.js';
import { fetchLineKpi, fetchLineShifts, fetchMachineKpi, fetchMachineShifts, fetchMachinesKpi } from './kpi-client.js';
import { downloadCsv, toCsv, type CsvCell } from './kpi-csv.js';
import { demandChart, paretoChart, waterfallChart } from './svg-charts.js';
import { reasonParetoSection } from '../stops/reason-pareto.js';
import { orderOeeSection } from '../orders/order-oee-section.js';

export interface DashboardContext {
  machineIds(): string[];
  machineName(id: string): string;
  timezone(): string;
  onClose(): void;
}

export interface Dashboard {
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  relabel(): void;
}

type Factor = 'availability' | 'performance' | 'quality' | 'oee';
const FACTORS: Factor[] = ['availability', 'performance', 'quality', 'oee'];

/** One table row: a machine or the line, in the chosen shift. */
interface Row {
  id: string;
  name: string;
  kpis: Record<Factor, number> | null;
  counts: { total: number; good: number; scrap: number } | null;
  kWh: number | null;
  /** Where "how was this made" comes from; null means fetch the machine's current report. */
  explain: Record<Factor, Explained> | null;
}

const QUARTER_HOUR_MS = 900_000;

export function createDashboard(host: HTMLElement, ctx: DashboardContext): Dashboard {
  const root = el('section', 'dashboard');
  root.id = 'dashboard';
  root.dataset.testid = 'dashboard';
  root.hidden = true;
  host.append(root);

  const head = el('div', 'dash-head');
  const title = el('h2', 'dash-title');
  const shiftSelect = el('select', 'dash-shift');
  shiftSelect.dataset.testid = 'dash-shift';
  const refreshBtn = el('button', 'dash-btn');
  refreshBtn.type = 'button';
  const csvBtn = el('button', 'dash-btn');
  csvBtn.type = 'button';
  csvBtn.dataset.testid = 'dash-csv';
  const closeBtn = el('button', 'dash-btn dash-close');
  closeBtn.type = 'button';
  head.append(title, shiftSelect, refreshBtn, csvBtn, closeBtn);
  const hint = el('div', 'dash-hint');
  const status = el('div', 'dash-status');
  status.dataset.testid = 'dash-status';
  const lineBox = el('div', 'dash-line');
  lineBox.dataset.testid = 'dash-line';
  const table = el('table', 'dash-table');
  table.dataset.testid = 'dash-table';
  const detail = el('div', 'dash-detail');
  detail.dataset.testid = 'dash-detail';
  const explainBox = el('div', 'dash-explain');
  explainBox.dataset.testid = 'dash-explain';
  explainBox.hidden = true;
  const body = el('div', 'dash-body');
  body.append(lineBox, table, detail);
  root.append(head, hint, status, body, explainBox);

  let open = false;
  let shiftKey = 'current';
  let selected: string | null = null;
  let machines: MachinesKpiAnswer | null = null;
  let lineNow: LineKpiAnswer | null = null;
  let lineShifts: LineClosedShiftsAnswer | null = null;
  const closedByMachine = new Map<string, ClosedShiftReport[]>();
  let detailNow: MachineKpiAnswer | null = null;
  let rows: Row[] = [];
  let loadSeq = 0;

  const shiftLabel = (s: KpiShiftRef) => `${s.date} ${s.name} (${t('previousShift')})`;

  function relabel(): void {
    setText(title, t('dashboard'));
    setText(refreshBtn, t('refresh'));
    setText(csvBtn, t('exportCsv'));
    setText(closeBtn, t('dashboardClose'));
    setText(hint, t('clickFigure'));
    renderShiftOptions();
    render();
  }

  function renderShiftOptions(): void {
    const keep = shiftKey;
    shiftSelect.replaceChildren();
    const cur = el('option', undefined, t('currentShift'));
    cur.value = 'current';
    shiftSelect.append(cur);
    for (const s of [...(lineShifts?.shifts ?? [])].reverse()) {
      const o = el('option', undefined, shiftLabel(s.shift));
      o.value = String(s.shift.start);
      shiftSelect.append(o);
    }
    shiftSelect.value = [...shiftSelect.options].some((o) => o.value === keep) ? keep : 'current';
    shiftKey = shiftSelect.value;
  }

  function closedReport(id: string, start: number): ClosedShiftReport | undefined {
    return closedByMachine.get(id)?.find((s) => s.shift.start === start);
  }

  function buildRows(): Row[] {
    const ids = ctx.machineIds();
    if (shiftKey === 'current') {
      return ids.map((id) => {
        const m = machines?.machines.find((x) => x.machineId === id);
        return {
          id, name: ctx.machineName(id),
          kpis: m ? { availability: m.availability, performance: m.performance, quality: m.quality, oee: m.oee } : null,
          counts: m?.counts ?? null, kWh: m?.energyKWh ?? null, explain: null,
        };
      });
    }
    const start = Number(shiftKey);
    return ids.map((id) => {
      const r = closedReport(id, start)?.report;
      return {
        id, name: ctx.machineName(id),
        kpis: r ? { availability: r.kpis.availability, performance: r.kpis.performance, quality: r.kpis.quality, oee: r.kpis.oee } : null,
        counts: r?.kpis.counts ?? null, kWh: r?.energy.kWh ?? null, explain: r ? r.kpis.explain : null,
      };
    });
  }

  function lineFigures(): { kpis: Record<Factor, number>; bottleneck: string; explain: Record<Factor, Explained>; kWh: number } | null {
    const k = shiftKey === 'current' ? lineNow?.kpis : lineShifts?.shifts.find((s) => String(s.shift.start) === shiftKey)?.kpis;
    if (!k) return null;
    return { kpis: { availability: k.availability, performance: k.performance, quality: k.quality, oee: k.oee }, bottleneck: k.bottleneck, explain: k.bottleneckKpis.explain, kWh: k.energyKWh };
  }

  const perPart = (kWh: number | null, good: number | undefined) => (kWh !== null && good !== undefined && good > 0 ? kWh / good : null);

  function figureCell(value: number | null, kpi: string, onExplain: (() => void) | null): HTMLTableCellElement {
    const td = el('td', 'fig', value === null ? '—' : percent(value));
    td.dataset.kpi = kpi;
    if (value !== null) td.dataset.value = String(value);
    if (onExplain) {
      td.classList.add('explainable');
      td.tabIndex = 0;
      td.addEventListener('click', (e) => {
        e.stopPropagation();
        onExplain();
      });
    }
    return td;
  }

  function render(): void {
    rows = buildRows();
    // Line summary (bottleneck method).
    lineBox.replaceChildren();
    const lf = lineFigures();
    const lineHead = el('div', 'dash-line-title', `${t('line')} · ${t('bottleneck')}: ${lf ? ctx.machineName(lf.bottleneck) : '—'}`);
    lineBox.append(lineHead);
    for (const f of FACTORS) {
      const box = el('button', `dash-line-fig${f === 'oee' ? ' big' : ''}`);
      box.type = 'button';
      box.dataset.kpi = f;
      box.append(el('span', 'kpi-label', t(f as TextKey)), el('span', 'kpi-value', lf ? percent(lf.kpis[f]) : '—'));
      if (lf) box.addEventListener('click', () => showExplain(`${t('line')} · ${t(f as TextKey)}`, lf.explain[f], null));
      lineBox.append(box);
    }

    table.replaceChildren();
    const thead = el('thead');
    const hr = el('tr');
    for (const key of ['machine', 'availability', 'performance', 'quality', 'oee', 'total', 'good', 'scrap', 'kWh', 'kWhPerPart'] as TextKey[]) hr.append(el('th', undefined, t(key)));
    thead.append(hr);
    const tbody = el('tbody');
    for (const r of rows) tbody.append(rowElement(r));
    table.append(thead, tbody);
    renderDetail();
  }

  function rowElement(r: Row): HTMLTableRowElement {
    const tr = el('tr');
    tr.dataset.machineId = r.id;
    if (r.id === selected) tr.classList.add('selected');
    tr.addEventListener('click', () => void selectMachine(r.id));
    tr.append(el('td', 'name', r.name));
    for (const f of FACTORS) {
      tr.append(figureCell(r.kpis ? r.kpis[f] : null, f, r.kpis ? () => void explainMachine(r, f) : null));
    }
    tr.append(el('td', 'num', r.counts ? String(r.counts.total) : '—'), el('td', 'num', r.counts ? String(r.counts.good) : '—'), el('td', 'num', r.counts ? String(r.counts.scrap) : '—'));
    tr.append(el('td', 'num', r.kWh === null ? '—' : number(r.kWh, 2)));
    const epp = perPart(r.kWh, r.counts?.good);
    tr.append(el('td', 'num', epp === null ? '—' : number(epp, 3)));
    return tr;
  }

  function updateRow(r: Row, at: number): void {
    const old = table.querySelector<HTMLElement>(`tbody tr[data-machine-id="${CSS.escape(r.id)}"]`);
    if (!old) return;
    const tr = rowElement(r);
    tr.dataset.at = String(at);
    old.replaceWith(tr);
  }

  /** The selected machine's report in the chosen shift (current: its own REST answer). */
  function selectedReport(): { report: KpiReport | null; blocks: Record<string, number> } {
    if (!selected) return { report: null, blocks: {} };
    if (shiftKey === 'current') return { report: detailNow?.machineId === selected ? detailNow.report : null, blocks: detailNow?.machineId === selected ? detailNow.totals?.energy.blocks ?? {} : {} };
    const c = closedReport(selected, Number(shiftKey));
    return { report: c?.report ?? null, blocks: c?.totals.energy.blocks ?? {} };
  }

  function section(titleKey: TextKey, content: Node): HTMLElement {
    const s = el('div', 'dash-section');
    s.append(el('h3', undefined, t(titleKey)), content);
    return s;
  }

  function renderDetail(): void {
    detail.replaceChildren();
    if (!selected) return;
    const { report, blocks } = selectedReport();
    detail.dataset.machineId = selected;
    detail.append(el('h3', 'dash-detail-title', ctx.machineName(selected)));
    if (!report) {
      detail.append(el('div', 'dash-hint', '…'));
      return;
    }
    const grid = el('div', 'dash-grid');
    const wf = report.losses.waterfall.filter((s) => s.kind !== 'excluded' || s.seconds > 0).map((s) => ({ label: tLoss(s.step), minutes: s.seconds / 60, kind: s.kind }));
    grid.append(section('lossWaterfall', waterfallChart(wf)));

    const six = el('table', 'dash-six');
    for (const c of SIX_BIG_LOSSES) {
      const tr = el('tr');
      tr.dataset.category = c;
      tr.append(el('td', undefined, tLoss(c)), el('td', 'num', number(report.losses.sixBigLosses[c] / 60, 1)));
      six.append(tr);
    }
    grid.append(section('sixBigLosses', six));

    const reasons = report.losses.byReason.filter((r) => r.category !== 'planned' && r.category !== 'no-data' && r.seconds > 0).slice(0, 10);
    grid.append(section('lossPareto', reasons.length ? paretoChart(reasons.map((r) => ({ label: r.reason, value: r.minutes }))) : el('div', 'dash-hint', t('noLosses'))));
    // The operators' reasons (ui/stops/reason-pareto.ts, docs/downtime.md): the current shift only.
    if (shiftKey === 'current') grid.append(reasonParetoSection(selected));
    // OEE by work order (ui/orders/, docs/orders.md): the line's recent orders.
    grid.append(orderOeeSection());

    const energy = el('div', 'dash-energy');
    const epp = el('button', 'dash-line-fig');
    epp.type = 'button';
    epp.dataset.kpi = 'kWhPerGoodPart';
    epp.append(el('span', 'kpi-label', t('kWhPerPart')), el('span', 'kpi-value', report.energy.kWhPerGoodPart === null ? '—' : `${number(report.energy.kWhPerGoodPart, 3)} kWh`));
    epp.addEventListener('click', () => showExplain(`${ctx.machineName(selected!)} · ${t('kWhPerPart')}`, report.energy.explain.kWhPerGoodPart, null));
    energy.append(epp);
    const series = Object.entries(blocks).map(([k, kWh]) => ({ start: Number(k), kW: kWh / (QUARTER_HOUR_MS / 3_600_000) })).sort((a, b) => a.start - b.start);
    const tz = ctx.timezone();
    const demand = series.length ? demandChart(series, (s) => clockTime(s, tz)) : el('div', 'dash-hint', t('noDemand'));
    energy.append(demand);
    grid.append(section('demand15', energy));
    detail.append(grid);
  }

  function showExplain(heading: string, e: Explained, at: number | null): void {
    explainBox.replaceChildren();
    const close = el('button', 'insp-close', '×');
    close.type = 'button';
    close.addEventListener('click', () => (explainBox.hidden = true));
    explainBox.append(close, el('h3', undefined, `${t('howMade')} — ${heading}`));
    const value = e.value === null ? '—' : e.unit === 'fraction' ? percent(e.value) : `${number(e.value)} ${e.unit}`;
    explainBox.append(el('div', 'dash-explain-value', value));
    const f = el('div', 'dash-formula');
    f.dataset.testid = 'explain-formula';
    f.append(el('span', 'kpi-label', `${t('formula')} `), el('code', undefined, e.formula));
    explainBox.append(f);
    const inputs = el('table', 'dash-inputs');
    inputs.dataset.testid = 'explain-inputs';
    for (const [k, v] of Object.entries(e.inputs)) {
      const tr = el('tr');
      tr.dataset.input = k;
      tr.append(el('td', undefined, k), el('td', 'num', number(v)));
      inputs.append(tr);
    }
    explainBox.append(el('div', 'kpi-label', t('inputs')), inputs);
    if (e.note) explainBox.append(el('div', 'dash-hint', e.note));
    if (at !== null) explainBox.append(el('div', 'dash-hint', `${t('computedAt')} ${new Date(at).toISOString()}`));
    explainBox.hidden = false;
  }

  async function explainMachine(r: Row, f: Factor): Promise<void> {
    const heading = `${r.name} · ${t(f as TextKey)}`;
    if (r.explain) return showExplain(heading, r.explain[f], null);
    // Current shift: the explained report is per machine; fetch it now (it is also the detail).
    const res = await fetchMachineKpi(r.id);
    if (!res.ok || !res.value.report) {
      setText(status, `${t('kpiUnavailable')}: ${res.ok ? t('noShift') : res.error}`);
      return;
    }
    // The line has moved on since the table was fetched: show this row at the same moment
    // as its explanation, so the figure clicked and the figure explained agree.
    const k = res.value.report.kpis;
    r.kpis = { availability: k.availability, performance: k.performance, quality: k.quality, oee: k.oee };
    r.counts = k.counts;
    r.kWh = res.value.report.energy.kWh;
    r.explain = null;
    updateRow(r, res.value.at);
    if (selected === r.id) {
      detailNow = res.value;
      renderDetail();
    }
    showExplain(heading, k.explain[f], res.value.at);
  }

  async function selectMachine(id: string): Promise<void> {
    selected = id;
    for (const tr of table.querySelectorAll<HTMLElement>('tbody tr')) tr.classList.toggle('selected', tr.dataset.machineId === id);
    renderDetail();
    if (shiftKey === 'current') {
      const res = await fetchMachineKpi(id);
      if (res.ok && selected === id) {
        detailNow = res.value;
        renderDetail();
      }
    }
  }

  async function load(): Promise<void> {
    const seq = ++loadSeq;
    root.dataset.loaded = 'false';
    setText(status, '…');
    const ids = ctx.machineIds();
    const [m, l, ls, ...closed] = await Promise.all([fetchMachinesKpi(), fetchLineKpi(), fetchLineShifts(), ...ids.map((id) => fetchMachineShifts(id))]);
    if (seq !== loadSeq) return;
    const errors = [m, l, ls, ...closed].filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error));
    machines = m.ok ? m.value : null;
    lineNow = l.ok ? l.value : null;
    lineShifts = ls.ok ? ls.value : null;
    closed.forEach((c, i) => closedByMachine.set(ids[i]!, c.ok ? c.value.shifts : []));
    setText(status, errors.length ? `${t('kpiUnavailable')}: ${errors[0]}` : machines ? `${t('computedAt')} ${clockTime(machines.at, ctx.timezone())}` : '');
    if (machines) root.dataset.at = String(machines.at);
    renderShiftOptions();
    selected ??= ids[0] ?? null;
    render();
    root.dataset.loaded = 'true';
    if (selected) await selectMachine(selected);
  }

  function exportCsv(): void {
    const header = [t('machine'), 'shift', t('availability'), t('performance'), t('quality'), t('oee'), t('total'), t('good'), t('scrap'), t('kWh'), t('kWhPerPart')];
    const shiftName = shiftSelect.selectedOptions[0]?.textContent ?? shiftKey;
    const data: CsvCell[][] = rows.map((r) => [
      r.id, shiftName,
      ...FACTORS.map((f) => (r.kpis ? r.kpis[f] : null)),
      r.counts?.total ?? null, r.counts?.good ?? null, r.counts?.scrap ?? null, r.kWh, perPart(r.kWh, r.counts?.good),
    ]);
    const lf = lineFigures();
    if (lf) data.push([`line (${t('bottleneck')} ${lf.bottleneck})`, shiftName, ...FACTORS.map((f) => lf.kpis[f]), null, null, null, lf.kWh, null]);
    downloadCsv(`twinline-kpi-${shiftKey === 'current' ? 'current' : shiftKey}.csv`, toCsv(header, data));
  }

  shiftSelect.addEventListener('change', () => {
    shiftKey = shiftSelect.value;
    explainBox.hidden = true;
    render();
  });
  refreshBtn.addEventListener('click', () => void load());
  csvBtn.addEventListener('click', exportCsv);
  closeBtn.addEventListener('click', () => ctx.onClose());
  relabel();

  return {
    get isOpen() {
      return open;
    },
    open() {
      open = true;
      root.hidden = false;
      void load();
    },
    close() {
      open = false;
      root.hidden = true;
      explainBox.hidden = true;
    },
    relabel,
  };
}
