// The line's alarm summary (ISA-101 style), docked at the bottom of the stage: a bar that is
// always visible (counts, worst unacknowledged priority, the newest alarm, flood), and when
// opened the list with the selected alarm's detail beside it. Live from the Socket.IO `alarm`
// / `alarms` events, first filled over REST. Selecting an alarm selects its machine in 3D.
import type { AlarmEvent, AlarmList, AlarmView } from '../../../../shared/alarm-wire.js';
import { t } from '../../i18n.js';
import { button, el, setText } from '../dom.js';
import { createAlarmDetail, type AlarmDetailDeps } from './alarm-detail.js';
import { fetchAlarms } from './alarm-client.js';
import { applyEvent, applyList, countAlarms, emptyModel, visibleAlarms, type AlarmFilter } from './alarm-list-model.js';
import { alarmTime, tAlarmState, tPriority } from './alarm-text.js';
import { createAlarmBadges, type AlarmBadges } from './alarm-badges.js';
import './alarm-panel.css';

export interface AlarmPanelDeps extends AlarmDetailDeps {
  /** Highlights the alarm's machine in the 3D world (main.ts `select`). */
  onSelectMachine(id: string): void;
  /** Screen position of a machine (World.screenPositionOf), for alarm badges over the 3D view. */
  screenPositionOf?(id: string): { x: number; y: number } | null;
}

export interface AlarmPanel {
  element: HTMLElement;
  applyList(list: AlarmList): void;
  applyEvent(event: AlarmEvent): void;
  /** Fetches the standing list over REST (at start; the socket keeps it current after). */
  reload(): Promise<void>;
  /** The session or its role changed: buttons follow. */
  refresh(): void;
  relabel(): void;
  /** Views by role show or hide the whole panel. */
  setVisible(visible: boolean): void;
  setOpen(open: boolean): void;
  readonly isOpen: boolean;
  readonly selected: string | null;
}

/** Rows drawn at most: a flood must not freeze the page (the counts stay exact). */
const MAX_ROWS = 200;

export function createAlarmPanel(container: HTMLElement, deps: AlarmPanelDeps): AlarmPanel {
  const model = emptyModel();
  let filter: AlarmFilter = 'annunciated';
  let open = false;
  let visible = true;
  let selectedKey: string | null = null;
  let loadError: string | null = null;

  const root = el('section', 'alarm-dock');
  root.dataset.testid = 'alarm-panel';
  const bar = el('div', 'ad-bar');
  const toggle = button('ad-toggle', 'alarm-toggle');
  const toggleText = el('span', 'ad-toggle-text');
  const chevron = el('span', 'ad-chevron');
  toggle.append(chevron, toggleText);
  const unackChip = el('span', 'ad-chip ad-unack');
  unackChip.dataset.testid = 'alarm-unacked';
  const prioChips = el('span', 'ad-prio-chips');
  const flood = el('span', 'ad-flood');
  flood.dataset.testid = 'alarm-flood';
  const newest = button('ad-newest', 'alarm-newest');
  const tabs = el('div', 'ad-tabs');
  const tabAnn = button('ad-tab', 'alarm-tab-annunciated');
  const tabAside = button('ad-tab', 'alarm-tab-set-aside');
  // Taller dock for reading recordings; the line stays visible above it.
  const expand = button('ad-tab ad-expand', 'alarm-expand');
  tabs.append(tabAnn, tabAside, expand);
  bar.append(toggle, unackChip, prioChips, flood, newest, tabs);

  const body = el('div', 'ad-body');
  const listWrap = el('div', 'ad-list');
  const table = el('table', 'ad-table');
  table.dataset.testid = 'alarm-list';
  const thead = el('thead');
  const tbody = el('tbody');
  table.append(thead, tbody);
  const empty = el('div', 'ad-empty');
  listWrap.append(table, empty);
  const detail = createAlarmDetail(deps);
  body.append(listWrap, detail.element);
  root.append(bar, body);
  container.append(root);

  const badges: AlarmBadges | null = deps.screenPositionOf ? createAlarmBadges(container, deps.screenPositionOf) : null;

  toggle.addEventListener('click', () => setOpen(!open));
  newest.addEventListener('click', () => {
    const first = visibleAlarms(model, 'annunciated')[0];
    if (first) choose(first.key);
    setOpen(true);
  });
  tabAnn.addEventListener('click', () => setFilter('annunciated'));
  tabAside.addEventListener('click', () => setFilter('set-aside'));
  let tall = false;
  expand.addEventListener('click', () => {
    tall = !tall;
    render();
  });

  function setFilter(f: AlarmFilter): void {
    filter = f;
    render();
  }

  function setOpen(next: boolean): void {
    open = next;
    root.dataset.open = String(open);
    container.classList.toggle('alarms-open', open && visible);
    render();
  }

  function choose(key: string): void {
    selectedKey = key;
    const a = model.alarms.get(key);
    if (a) deps.onSelectMachine(a.machineId);
    render();
  }

  function renderHead(): void {
    const row = el('tr');
    for (const c of [t('alarmColPriority'), t('alarmColTime'), t('machine'), t('alarmColMessage'), t('alarmColState'), t('value')]) row.append(el('th', undefined, c));
    thead.replaceChildren(row);
  }

  function rowFor(a: AlarmView): HTMLTableRowElement {
    const tr = el('tr', 'ad-row');
    tr.dataset.key = a.key;
    tr.dataset.state = a.state;
    tr.dataset.priority = a.priority;
    tr.dataset.machineId = a.machineId;
    if (a.key === selectedKey) tr.classList.add('selected');
    const prio = el('td', 'ad-prio-cell');
    const chip = el('span', 'ad-prio', tPriority(a.priority));
    chip.dataset.priority = a.priority;
    prio.append(chip);
    const state = el('td', 'ad-state-cell', tAlarmState(a.state));
    if (a.chattering) state.append(el('span', 'ad-chatter', ` · ${t('alarmChattering')}`));
    tr.append(
      prio,
      el('td', 'ad-time', a.activeTs === null ? '—' : alarmTime(a.activeTs, deps.timezone())),
      el('td', 'ad-machine', deps.machineName(a.machineId)),
      el('td', 'ad-msg', a.message),
      state,
      el('td', 'num', a.value === null ? '' : String(Math.round(a.value * 100) / 100)),
    );
    tr.addEventListener('click', () => choose(a.key));
    // Keyboard: Tab to a row, Enter or Space opens it.
    tr.tabIndex = 0;
    tr.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      choose(a.key);
    });
    return tr;
  }

  function render(): void {
    const counts = countAlarms(model);
    root.dataset.worst = counts.worst ?? 'none';
    root.dataset.unacked = String(counts.unacked);
    root.hidden = !visible;
    container.classList.toggle('alarms-docked', visible);
    container.classList.toggle('alarms-open', open && visible);
    container.classList.toggle('alarms-tall', tall);
    setText(expand, tall ? '▁' : '▀');
    expand.title = tall ? t('alarmDockLower') : t('alarmDockTaller');
    setText(chevron, open ? '▾' : '▴');
    setText(toggleText, `${t('alarms')} ${counts.annunciated}`);
    setText(unackChip, `${counts.unacked} ${t('alarmsUnacked')}`);
    unackChip.dataset.count = String(counts.unacked);
    prioChips.replaceChildren(...(['critical', 'high', 'medium', 'low'] as const).filter((p) => counts.byPriority[p] > 0).map((p) => {
      const c = el('span', 'ad-prio', `${tPriority(p)} ${counts.byPriority[p]}`);
      c.dataset.priority = p;
      return c;
    }));
    flood.hidden = !model.flood?.active;
    if (model.flood?.active) setText(flood, `${t('alarmFlood')} · ${model.flood.count}/${model.flood.windowMinutes} min`);
    // The banner line: the most important alarm now, as an HMI alarm banner shows it.
    const top = visibleAlarms(model, 'annunciated')[0];
    newest.hidden = !top;
    if (top) {
      newest.dataset.priority = top.priority;
      setText(newest, `${top.activeTs === null ? '' : `${alarmTime(top.activeTs, deps.timezone())} · `}${deps.machineName(top.machineId)} · ${top.message} · ${tAlarmState(top.state)}`);
    }
    if (loadError && !model.alarms.size) {
      newest.hidden = false;
      setText(newest, `${t('alarmsLoadFailed')}: ${loadError}`);
    }
    setText(tabAnn, `${t('alarmsAnnunciated')} (${counts.annunciated})`);
    setText(tabAside, `${t('alarmsSetAside')} (${counts.setAside})`);
    tabAnn.classList.toggle('active', filter === 'annunciated');
    tabAside.classList.toggle('active', filter === 'set-aside');
    badges?.update(model);
    if (!open) return;
    const rows = visibleAlarms(model, filter);
    tbody.replaceChildren(...rows.slice(0, MAX_ROWS).map(rowFor));
    table.hidden = rows.length === 0;
    empty.hidden = rows.length > 0;
    setText(empty, filter === 'annunciated' ? t('alarmsNone') : t('alarmsNoneSetAside'));
    // The selection stays on an alarm that returned to normal only until another is chosen:
    // the detail (recording, advice) is still worth reading after the machine recovered.
    const selected = selectedKey ? model.alarms.get(selectedKey) : undefined;
    if (selected) detail.show(selected);
    else if (!selectedKey) detail.show(null);
  }

  renderHead();
  setOpen(false);

  return {
    element: root,
    applyList(list) {
      if (applyList(model, list)) render();
    },
    applyEvent(event) {
      const before = event.alarm && event.alarm.key === selectedKey ? model.alarms.get(event.alarm.key) : undefined;
      const changed = applyEvent(model, event);
      // The selected alarm went back to normal: keep showing it (with its occurrence, recording
      // and advice) so the engineer can still read it and open a case from it.
      if (before && event.alarm && event.alarm.state === 'normal' && open) {
        detail.show({ ...event.alarm, occurrenceId: before.occurrenceId, recordingId: before.recordingId, diagnosis: before.diagnosis });
      }
      if (event.type === 'recording' && event.recording) detail.recordingDone(event.recording);
      if (changed) render();
    },
    async reload() {
      const r = await fetchAlarms();
      loadError = r.ok ? null : r.error;
      if (r.ok) applyList(model, r.value, 'rest');
      render();
    },
    refresh() {
      const selected = selectedKey ? model.alarms.get(selectedKey) : undefined;
      if (selected && open) detail.show(selected);
      render();
    },
    relabel() {
      renderHead();
      detail.relabel();
      render();
    },
    setVisible(v) {
      visible = v;
      render();
    },
    setOpen,
    get isOpen() {
      return open;
    },
    get selected() {
      return selectedKey;
    },
  };
}
