// The energy centre (能源管理中心) for managers: the metering tree with each meter's share of
// its parent and live power, today's load curve against the contracted demand, the running
// 15-minute block, cost by tariff period, standard coal and CO2e by medium and by area, and a
// printable monthly report (the browser's print, with print styles), and the period's EnPI
// against the ISO 50006 baseline with the savings. Figures come from the edge's energy routes;
// meters and the running block then follow the live `energy` push, which also says when to read
// the report again. The edge refuses the report to roles below manager; the button only shows for them.
import { hasRole, type Role } from '../../../../shared/auth-api.js';
import type { EnergyReport } from '../../../../shared/energy/index.js';
import type { EnergyLive } from '../../../../shared/energy-api.js';
import { onLangChange, t, type TextKey } from '../../i18n.js';
import { button, el, setText } from '../dom.js';
import { byArea, fetchEnergyCentre, fetchEnpi, meteringTree, monthWindow, outputMachine, periodWindow, withLive, type BlockView, type EnergyCentreData, type MachineEnpi, type Period, type TreeNode } from './energy-data.js';
import './energy-centre.css';

export interface EnergyCentreContext {
  timezone(): string;
  role(): Role | null;
  /** Machines in flow order, for today's EnPIs; the last is where good parts leave the line. */
  machines?: () => Array<{ id: string; name: string; type: string }>;
  now?: () => number;
}

export interface EnergyCentre {
  readonly isOpen: boolean;
  open(period?: Period): Promise<void>;
  close(): void;
  /** Shows or hides the button as the session's role changes. */
  refreshAccess(): void;
  /** The live `energy` message: meters and the running block at once, the report again when it is due. */
  applyLive(message: EnergyLive): void;
}

const MEDIUM_KEYS: Record<string, TextKey> = {
  electricity: 'energyMediumElectricity', 'natural-gas': 'energyMediumGas', water: 'energyMediumWater', 'compressed-air': 'energyMediumAir', steam: 'energyMediumSteam',
};
const PERIOD_KEYS: Record<string, TextKey> = { valley: 'energyPeriodValley', peak: 'energyPeriodPeak', flat: 'energyPeriodFlat' };
const medium = (m: string): string => (MEDIUM_KEYS[m] ? t(MEDIUM_KEYS[m]) : m);
const tariffName = (p: string): string => (PERIOD_KEYS[p] ? t(PERIOD_KEYS[p]) : p);
const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Meters and the running block follow the live push; the period's report is read again at most this often (and at once on a demand alarm). */
const REPORT_EVERY_MS = 60_000;

function table(headers: string[], rows: Array<Array<string>>, testid: string): HTMLTableElement {
  const tableEl = el('table', 'energy-table');
  tableEl.dataset.testid = testid;
  const head = tableEl.createTHead().insertRow();
  for (const h of headers) head.append(el('th', undefined, h));
  const body = tableEl.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    r.forEach((c, i) => tr.append(el('td', i === 0 ? 'label' : 'num', c)));
  }
  return tableEl;
}

function treeList(nodes: readonly TreeNode[], depth = 0): HTMLUListElement {
  const ul = el('ul', depth === 0 ? 'energy-tree' : 'energy-subtree');
  for (const n of nodes) {
    const li = el('li', 'energy-node');
    li.dataset.meter = n.meter.id;
    const row = el('div', 'energy-node-row');
    const bar = el('span', `energy-bar medium-${n.meter.medium.replace(/[^a-z-]/g, '')}`);
    // A flow's width is its share of the parent, so the tree reads as a Sankey turned sideways.
    bar.style.width = `${Math.round(Math.max(2, Math.min(1, n.share ?? 1) * 100))}%`;
    const name = el('span', 'energy-node-name', n.meter.name);
    const use = el('span', 'energy-node-use', `${fmt(n.consumption, 2)} ${n.meter.unit}`);
    // kWh per hour is kW: electricity meters without a power register still show power.
    const rate = n.meter.ratePerHour === null ? '' : n.meter.unit === 'kWh' ? `${fmt(n.meter.ratePerHour)} kW` : `${fmt(n.meter.ratePerHour, 2)} ${n.meter.unit}/h`;
    const live = el('span', 'energy-node-live', n.meter.powerKW !== null ? `${fmt(n.meter.powerKW)} kW` : rate);
    if (n.meter.suspectStuck) name.append(el('span', 'energy-stuck', ` ⚠ ${t('energyStuck')}`));
    row.append(el('span', 'energy-bar-track', undefined), name, use, live);
    row.firstElementChild!.append(bar);
    li.append(row);
    if (n.children.length) {
      const childSum = n.children.reduce((s, c) => s + (c.consumption ?? 0), 0);
      if (n.consumption) {
        li.append(el('div', 'energy-unmetered', `${t('energyUnmetered')}: ${fmt(n.consumption - childSum, 2)} ${n.meter.unit} (${fmt(((n.consumption - childSum) / n.consumption) * 100)} %)`));
      }
      li.append(treeList(n.children, depth + 1));
    }
    ul.append(li);
  }
  return ul;
}

/** Today's 15-minute demand as bars, the contract as a line; complete blocks only are solid. */
function loadCurve(blocks: readonly BlockView[], contractKW: number | null): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const W = 96 * 8;
  const H = 160;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H + 16}`);
  svg.setAttribute('class', 'energy-load');
  svg.dataset.testid = 'energy-load-curve';
  const max = Math.max(1, contractKW ?? 0, ...blocks.map((b) => b.kW)) * 1.1;
  const y = (kW: number) => H - (kW / max) * H;
  blocks.forEach((b, i) => {
    const r = document.createElementNS(ns, 'rect');
    r.setAttribute('x', String(i * 8));
    r.setAttribute('y', String(y(b.kW)));
    r.setAttribute('width', '7');
    r.setAttribute('height', String(H - y(b.kW)));
    r.setAttribute('class', `${b.complete ? 'complete' : 'partial'}${contractKW !== null && b.kW > contractKW ? ' over' : ''}`);
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${new Date(b.blockStart).toISOString().slice(11, 16)}Z ${fmt(b.kW)} kW`;
    r.append(title);
    svg.append(r);
  });
  if (contractKW !== null) {
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('x2', String(W));
    line.setAttribute('y1', String(y(contractKW)));
    line.setAttribute('y2', String(y(contractKW)));
    line.setAttribute('class', 'contract');
    svg.append(line);
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', '4');
    label.setAttribute('y', String(y(contractKW) - 4));
    label.textContent = `${t('energyContract')} ${fmt(contractKW, 0)} kW`;
    svg.append(label);
  }
  return svg;
}

function section(title: string, ...content: Node[]): HTMLElement {
  const s = el('section', 'energy-section');
  s.append(el('h3', undefined, title), ...content);
  return s;
}

/** Today's EnPI of each machine: its own meter per good part (the KPI engine's plant-local day). */
function enpiSection(machines: readonly MachineEnpi[], config: ReadonlyArray<{ id: string; name: string; type: string }>): HTMLElement {
  const names = new Map(config.map((m) => [m.id, m.name]));
  const rows = machines.map((m) => [names.get(m.id) ?? m.id, fmt(m.kWh, 2), String(m.good), fmt(m.kWhPerGood, 4)]);
  return section(t('energyEnpi'), table([t('energyMeter'), 'kWh', t('good'), 'kWh / part'], rows, 'energy-enpi'));
}

/**
 * The period's site EnPI and, with the plant file's baseline, the ISO 50006 comparison: model,
 * expected energy for the period's output, actual, savings and SEnPI — the edge's figures as the
 * report route gives them (shared/energy rule 11/11a), only formatted here.
 */
function baselineSection(r: EnergyReport, good: number | null): HTMLElement {
  const rows: Array<[key: string, label: string, value: string]> = [
    ['output', t('energyOutput'), good === null ? '—' : good.toLocaleString()],
    ['enpi', t('energyEnpiSite'), `${fmt(r.enpi.kgcePerGood, 5)} kgce / part`],
  ];
  const b = r.baseline;
  if (b) {
    const scale = b.periodScale !== 1 ? ` (${t('energyBaselineScale')} × ${fmt(b.periodScale, 4)})` : '';
    rows.push(
      ['model', t('energyBaselineModel'), `kgce = ${fmt(b.intercept, 2)} + ${fmt(b.slope, 5)} × parts · R² ${fmt(b.r2, 3)} · n ${b.points}${scale}`],
      ['expected', t('energyExpected'), `${fmt(b.expectedKgce, 2)} kgce`],
      ['actual', t('energyActual'), `${fmt(r.totalKgce, 2)} kgce`],
      ['savings', t('energySavings'), `${fmt(b.savingsKgce, 2)} kgce`],
      ['senpi', t('energySenpi'), fmt(b.senpi, 4)],
    );
  }
  const tableEl = el('table', 'energy-table');
  tableEl.dataset.testid = 'energy-baseline-table';
  const body = tableEl.createTBody();
  for (const [key, label, value] of rows) {
    const tr = body.insertRow();
    tr.dataset.key = key;
    tr.append(el('td', 'label', label), el('td', 'num', value));
  }
  const s = section(t('energyBaseline'), tableEl);
  s.dataset.testid = 'energy-baseline';
  if (b && b.savingsKgce !== null) s.classList.add(b.savingsKgce >= 0 ? 'better' : 'worse');
  if (!b) s.append(el('p', 'energy-hint', t('energyBaselineNone')));
  else if (good === null) s.append(el('p', 'energy-hint', t('energyNoOutput')));
  return s;
}

function reportSections(r: EnergyReport): HTMLElement[] {
  const out: HTMLElement[] = [];
  const totals = el('div', 'energy-totals');
  totals.dataset.testid = 'energy-totals';
  totals.append(
    el('div', 'energy-fig', `${t('energySiteTotal')}: ${fmt(r.totalTce, 3)} tce · ${fmt(r.totalKgCO2e / 1000, 3)} t CO2e`),
  );
  if (r.cost) totals.append(el('div', 'energy-fig', `${t('energyCost')}: ${fmt(r.cost.total, 2)} ${r.cost.currency ?? ''}`));
  if (r.peakDemand) {
    totals.append(el('div', `energy-fig${r.peakDemand.exceedsContract ? ' over' : ''}`,
      `${t('energyPeak')}: ${fmt(r.peakDemand.kW)} kW${r.peakDemand.exceedsContract ? ` (${t('energyExceeds')})` : ''}`));
  }
  out.push(totals);
  if (r.cost) {
    out.push(section(t('energyCost'), table([t('energyTariffPeriod'), t('energyUnits'), t('energyCostCol')],
      Object.entries(r.cost.byPeriod).map(([name, p]) => [tariffName(name), fmt(p.units, 1), fmt(p.cost, 2)]), 'energy-cost')));
  }
  out.push(section(t('energyByMedium'), table([t('energyMedium'), t('energyConsumption'), 'kgce', 'kgCO2e'],
    Object.entries(r.byMedium).map(([m, v]) => [medium(m), fmt(v.consumption, 2), fmt(v.kgce, 1), fmt(v.kgCO2e, 1)]), 'energy-by-medium')));
  out.push(section(t('energyByArea'), table([t('energyArea'), 'kgce', 'kgCO2e'],
    byArea(r).map((a) => [a.area, fmt(a.kgce, 1), fmt(a.kgCO2e, 1)]), 'energy-by-area')));
  if (r.warnings.length) {
    const ul = el('ul', 'energy-warnings');
    for (const w of r.warnings.slice(0, 20)) ul.append(el('li', undefined, w));
    out.push(section(t('energyWarnings'), ul));
  }
  return out;
}

export function createEnergyCentre(host: HTMLElement, ctx: EnergyCentreContext): EnergyCentre {
  const now = ctx.now ?? Date.now;
  const toggle = button('energy-toggle', 'energy-toggle');
  const root = el('section', 'energy-centre');
  root.id = 'energy-centre';
  root.dataset.testid = 'energy-centre';
  root.hidden = true;
  const head = el('div', 'energy-head');
  const title = el('h2', 'energy-title');
  const todayBtn = button('energy-btn', 'energy-today');
  const monthBtn = button('energy-btn', 'energy-month');
  const printBtn = button('energy-btn', 'energy-print');
  const closeBtn = button('energy-btn energy-close', 'energy-close');
  head.append(title, todayBtn, monthBtn, printBtn, closeBtn);
  const status = el('div', 'energy-status');
  const body = el('div', 'energy-body');
  root.append(head, status, body);
  host.append(toggle, root);

  let period: Period = 'today';
  let open = false;
  let last: EnergyCentreData | null = null;
  let reportAt = -Infinity;
  let loading = false;
  let printing = false;
  let enpi: MachineEnpi[] = [];

  function labels(): void {
    setText(toggle, t('energyOpen'));
    setText(title, printing ? `${t('energyMonthlyReport')} ${monthWindow(now(), ctx.timezone()).label}` : t('energyCentre'));
    setText(todayBtn, t('energyToday'));
    setText(monthBtn, t('energyMonth'));
    setText(printBtn, t('energyPrint'));
    setText(closeBtn, t('close'));
    todayBtn.classList.toggle('active', period === 'today');
    monthBtn.classList.toggle('active', period === 'month');
  }

  function render(): void {
    labels();
    body.replaceChildren();
    if (!last) return;
    setText(status, last.errors.join(' · '));
    if (!last.report && last.meters.length === 0) {
      body.append(el('p', 'energy-hint', t('energyNoData')));
      return;
    }
    const d = last.demand;
    if (d && d.forecastKW !== null && !printing) {
      const block = el('div', `energy-demand${d.alarm ? ' alarm' : ''}`);
      block.dataset.testid = 'energy-demand';
      block.append(el('strong', undefined, t('energyDemand')),
        el('span', undefined, `${t('energyForecast')} ${fmt(d.forecastKW)} kW / ${t('energyContract')} ${fmt(d.contractDemandKW, 0)} kW`),
        el('span', undefined, `${t('energyHeadroom')}: ${fmt(d.headroomKW)} kW`));
      if (d.alarm) block.append(el('span', 'energy-alarm', t('energyDemandAlarm')));
      body.append(block);
    }
    const tree = section(t('energyTree'), treeList(meteringTree(last.meters, last.report)));
    tree.dataset.testid = 'energy-tree';
    body.append(tree);
    if (!printing) body.append(section(t('energyLoadCurve'), loadCurve(last.blocks, d?.contractDemandKW ?? null)));
    if (last.report) body.append(...reportSections(last.report), baselineSection(last.report, last.good));
    if (!printing && period === 'today' && enpi.length) {
      body.append(enpiSection(enpi, ctx.machines?.() ?? []));
    }
  }

  async function load(): Promise<void> {
    const tz = ctx.timezone();
    const window = printing ? monthWindow(now(), tz) : periodWindow(period, now(), tz);
    const machines = ctx.machines?.() ?? [];
    reportAt = now();
    loading = true;
    try {
      [last, enpi] = await Promise.all([
        fetchEnergyCentre(window, periodWindow('today', now(), tz), outputMachine(machines)),
        fetchEnpi(machines.map((m) => m.id)),
      ]);
    } finally {
      loading = false;
    }
    render();
  }

  const api: EnergyCentre = {
    get isOpen() { return open; },
    async open(p = period) {
      period = p;
      open = true;
      root.hidden = false;
      document.body.classList.add('energy-open');
      labels();
      await load();
    },
    close() {
      open = false;
      root.hidden = true;
      document.body.classList.remove('energy-open');
    },
    applyLive(message) {
      // When the last push arrived (tests and support read it off the panel).
      root.dataset.liveTs = String(message.ts);
      if (!open || !last || printing) return;
      last = { ...last, meters: withLive(last.meters, message), demand: message.demand };
      render();
      if (!loading && (message.alarm || now() - reportAt >= REPORT_EVERY_MS)) void load();
    },
    refreshAccess() {
      const role = ctx.role();
      toggle.hidden = !(role && hasRole(role, 'manager'));
      if (toggle.hidden && open) api.close();
    },
  };
  toggle.addEventListener('click', () => (open ? api.close() : void api.open()));
  todayBtn.addEventListener('click', () => void api.open('today'));
  monthBtn.addEventListener('click', () => void api.open('month'));
  closeBtn.addEventListener('click', () => api.close());
  printBtn.addEventListener('click', async () => {
    // The whole month, without the live parts, then the browser's print (to paper or PDF).
    printing = true;
    document.body.classList.add('energy-printing');
    await api.open(period);
    window.print();
    printing = false;
    document.body.classList.remove('energy-printing');
    render();
  });
  onLangChange(() => render());
  api.refreshAccess();
  labels();
  return api;
}
