// The operator's stops: a button with the count of stops waiting for a reason, an andon-style
// prompt across the top of the line when a stop has gone unexplained longer than the edge's
// threshold, and a sheet with each machine's stops of the shift, the grouped micro-stops, and the
// shift's losses by reason. A stop gets one reason, or is split in two at a chosen instant, by
// touch (targets ≥ 44 px); each save is a new revision at the edge (history kept and shown).
import type { ParetoRow, ReasonsAnswer, Revision, Stop, StopsAnswer } from '../../../../shared/downtime-api.js';
import { clockTime, duration } from '../../format.js';
import { button, el } from '../dom.js';
import { shopSheet } from '../shop-sheet.js';
import { downtimeApi } from './downtime-client.js';
import { minutes, nameOf, tx } from './shop-text.js';
import './stops.css';

export interface StopPanelOptions {
  machines: () => Array<{ id: string; name: string }>;
  timezone: () => string;
  /** Logged in at all (the routes are for operators and up). */
  loggedIn: () => boolean;
  now: () => number;
  /** The sheet opened (the handover sheet closes: one sheet at a time on a tablet). */
  onOpen?: () => void;
}

export interface StopPanel {
  toggle(open?: boolean): void;
  openStop(machineId: string, start: number): Promise<void>;
  refresh(): Promise<void>;
  relabel(): void;
  readonly isOpen: boolean;
}

const PROMPT_POLL_MS = 10_000;

export function createStopPanel(stage: HTMLElement, o: StopPanelOptions): StopPanel {
  const { toggleButton, sheet, head, title, closeButton } = shopSheet(stage, 'stops', 'first');
  const toggleLabel = el('span');
  const badge = el('span', 'shop-badge');
  badge.dataset.testid = 'stops-badge';
  toggleButton.append(toggleLabel, badge);

  const prompt = el('div', 'andon-prompt');
  prompt.dataset.testid = 'andon-prompt';
  prompt.setAttribute('role', 'alert');
  prompt.hidden = true;
  const promptText = el('span', 'andon-text');
  const promptButton = button('shop-primary', 'prompt-classify');
  prompt.append(promptText, promptButton);

  const machineTabs = el('div', 'shop-machines');
  machineTabs.setAttribute('role', 'tablist');
  const status = el('div', 'shop-status');
  const list = el('div', 'stop-list');
  const microRow = el('div', 'stop-micro');
  microRow.dataset.testid = 'micro-stops';
  const lossTitle = el('h3', 'shop-sub');
  const losses = el('div', 'loss-bars');
  losses.dataset.testid = 'loss-pareto';
  sheet.append(head, machineTabs, status, list, microRow, lossTitle, losses);
  stage.append(prompt, sheet);

  const dialog = createReasonDialog(stage, o);

  let open = false;
  let machineId: string | null = null;
  let stops: StopsAnswer | null = null;
  let waiting: Stop[] = [];

  function relabel(): void {
    const T = tx();
    toggleLabel.textContent = T.stops;
    title.textContent = T.stopList;
    closeButton.setAttribute('aria-label', T.close);
    lossTitle.textContent = T.losses;
    promptButton.textContent = T.giveReason;
    renderPrompt();
    renderTabs();
    renderStops();
  }

  function renderPrompt(): void {
    const T = tx();
    badge.textContent = waiting.length ? String(waiting.length) : '';
    badge.hidden = waiting.length === 0;
    // Hidden while the sheet or the picker is open: the sheet lists the same stops, flagged.
    prompt.hidden = waiting.length === 0 || dialog.isOpen || open;
    const first = waiting[0];
    if (!first) return;
    const name = o.machines().find((m) => m.id === first.machineId)?.name ?? first.machineId;
    promptText.textContent = T.promptTitle(name, duration((first.end ?? o.now()) - first.start)) + (waiting.length > 1 ? ` (${T.promptMore(waiting.length - 1)})` : '');
  }

  function renderTabs(): void {
    const count = new Map<string, number>();
    for (const s of waiting) count.set(s.machineId, (count.get(s.machineId) ?? 0) + 1);
    machineTabs.replaceChildren(...o.machines().map((m) => {
      const b = button('shop-tab', 'stops-machine');
      b.dataset.machineId = m.id;
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-selected', String(m.id === machineId));
      b.textContent = m.name;
      const n = count.get(m.id);
      if (n) b.append(el('span', 'shop-badge', String(n)));
      b.addEventListener('click', () => void selectMachine(m.id));
      return b;
    }));
  }

  function reasonLabel(reason: string, tree: ReasonsAnswer | null): string {
    if (reason === 'unclassified') return tx().unclassified;
    for (const c of tree?.categories ?? []) for (const r of c.reasons) if (r.id === reason) return nameOf(r.name);
    return reason;
  }

  function renderStops(): void {
    const T = tx();
    const tz = o.timezone();
    if (!stops) {
      list.replaceChildren();
      microRow.textContent = '';
      return;
    }
    const tree = dialog.treeOf(stops.machineId);
    list.replaceChildren(...(stops.stops.length ? stops.stops.map((s) => {
      const row = el('article', `stop-row${s.needsReason ? ' needs-reason' : ''}`);
      row.dataset.testid = 'stop-row';
      row.dataset.start = String(s.start);
      const when = el('div', 'stop-when', `${clockTime(s.start, tz)}–${s.end === null ? T.running : clockTime(s.end, tz)}`);
      const dur = el('div', 'stop-dur', duration(s.durationSeconds * 1000));
      const code = el('div', 'stop-code', s.faultCode !== null ? `${T.fault} ${s.faultCode}` : '');
      const reasons = el('div', 'stop-reasons');
      for (const p of s.parts) {
        const chip = el('span', `reason-chip src-${p.source}`, reasonLabel(p.reason, tree));
        chip.dataset.reason = p.reason;
        if (s.parts.length > 1) chip.prepend(el('span', 'chip-time', `${clockTime(p.start, tz)} `));
        reasons.append(chip);
      }
      const who = el('div', 'stop-who', s.classifiedBy ? `${T.classifiedBy} ${s.classifiedBy} · ${clockTime(s.classifiedAt!, tz)}` : s.parts[0]!.source === 'plc' ? T.plcSays : '');
      const actions = el('div', 'stop-actions');
      const classify = button('shop-action', 'classify-stop');
      classify.textContent = T.reason;
      classify.addEventListener('click', () => void dialog.open(s, 'one', onSaved));
      const split = button('shop-action', 'split-stop');
      split.textContent = T.split;
      split.addEventListener('click', () => void dialog.open(s, 'split', onSaved));
      const history = button('shop-action subtle', 'stop-history');
      history.textContent = T.history;
      history.hidden = s.revision === 0;
      history.addEventListener('click', () => void showHistory(s, row));
      actions.append(classify, split, history);
      row.append(when, dur, code, reasons, who, actions);
      return row;
    }) : [el('p', 'shop-empty', T.noStops)]));
    microRow.textContent = stops.microStops.count ? T.micro(stops.microStops.count, minutes(stops.microStops.seconds)) : '';
  }

  async function showHistory(stop: Stop, row: HTMLElement): Promise<void> {
    const answer = await downtimeApi.history(stop);
    row.querySelector('.stop-history-list')?.remove();
    if (!answer.ok) return;
    const tz = o.timezone();
    const tree = dialog.treeOf(stop.machineId);
    const ol = el('ol', 'stop-history-list');
    ol.dataset.testid = 'stop-history-list';
    for (const r of answer.value.revisions as Revision[]) {
      ol.append(el('li', undefined, `${clockTime(r.at, tz)} ${r.by}: ${r.parts.map((p) => reasonLabel(p.reason, tree)).join(' | ')}`));
    }
    row.append(ol);
  }

  function renderLosses(rows: ParetoRow[] | null): void {
    if (!rows || rows.length === 0) {
      losses.replaceChildren(el('p', 'shop-empty', tx().noLosses));
      return;
    }
    const max = Math.max(...rows.map((r) => r.seconds));
    losses.replaceChildren(...rows.slice(0, 10).map((r) => {
      const line = el('div', `loss-bar${r.reason === 'unclassified' ? ' unclassified' : ''}${r.planned ? ' planned' : ''}`);
      line.dataset.reason = r.reason;
      const label = el('span', 'loss-name', r.reason === 'unclassified' ? tx().unclassifiedBar : nameOf(r.name));
      const track = el('span', 'loss-track');
      const fill = el('span', 'loss-fill');
      fill.style.width = `${Math.max(2, (r.seconds / max) * 100)}%`;
      track.append(fill);
      line.append(label, track, el('span', 'loss-min', minutes(r.seconds)));
      return line;
    }));
  }

  async function selectMachine(id: string): Promise<void> {
    machineId = id;
    renderTabs();
    status.textContent = '…';
    const [answer, loss] = await Promise.all([downtimeApi.stops(id), downtimeApi.losses(id), dialog.loadTree(id)]);
    if (machineId !== id) return;
    status.textContent = answer.ok ? '' : answer.error;
    stops = answer.ok ? answer.value : null;
    renderStops();
    renderLosses(loss.ok ? loss.value.pareto : null);
  }

  async function pollPrompts(): Promise<void> {
    // Before the line's snapshot the prompt could only name machine ids: ask again shortly.
    if (o.machines().length === 0) {
      setTimeout(() => void pollPrompts(), 1000);
      return;
    }
    if (!o.loggedIn()) return;
    const answer = await downtimeApi.prompts();
    if (!answer.ok) return;
    waiting = answer.value.stops;
    renderPrompt();
    if (open) renderTabs();
  }

  async function onSaved(): Promise<void> {
    await pollPrompts();
    if (machineId) await selectMachine(machineId);
  }

  function toggle(next = !open): void {
    open = next;
    sheet.hidden = !open;
    toggleButton.setAttribute('aria-pressed', String(open));
    stage.classList.toggle('stops-open', open);
    renderPrompt();
    if (open) o.onOpen?.();
    if (open) void selectMachine(machineId ?? waiting[0]?.machineId ?? o.machines()[0]?.id ?? '');
  }

  toggleButton.addEventListener('click', () => toggle());
  closeButton.addEventListener('click', () => toggle(false));
  promptButton.addEventListener('click', () => {
    const first = waiting[0];
    if (first) void openStop(first.machineId, first.start);
  });
  dialog.onClose(() => renderPrompt());

  async function openStop(id: string, start: number): Promise<void> {
    if (!open) toggle(true);
    await selectMachine(id);
    const stop = stops?.stops.find((s) => s.start === start) ?? waiting.find((s) => s.machineId === id && s.start === start);
    if (stop) await dialog.open(stop, 'one', onSaved);
  }

  const timer = setInterval(() => void pollPrompts(), PROMPT_POLL_MS);
  void timer;
  relabel();
  void pollPrompts();

  return {
    toggle, openStop, relabel,
    refresh: async () => {
      await pollPrompts();
      if (open && machineId) await selectMachine(machineId);
    },
    get isOpen() {
      return open;
    },
  };
}

/** The reason picker: one reason, or a split in two with a slider for the instant. */
function createReasonDialog(stage: HTMLElement, o: StopPanelOptions) {
  const trees = new Map<string, ReasonsAnswer>();
  const backdrop = el('div', 'reason-backdrop');
  backdrop.hidden = true;
  const box = el('div', 'reason-dialog');
  box.dataset.testid = 'reason-dialog';
  box.setAttribute('role', 'dialog');
  backdrop.append(box);
  stage.append(backdrop);
  let closeListener: () => void = () => undefined;
  let isOpen = false;

  async function loadTree(machineId: string): Promise<void> {
    if (trees.has(machineId)) return;
    const answer = await downtimeApi.reasons(machineId);
    if (answer.ok) trees.set(machineId, answer.value);
  }

  function close(): void {
    isOpen = false;
    backdrop.hidden = true;
    box.replaceChildren();
    closeListener();
  }

  async function open(stop: Stop, mode: 'one' | 'split', saved: () => Promise<void>): Promise<void> {
    await loadTree(stop.machineId);
    const tree = trees.get(stop.machineId);
    if (!tree) return;
    isOpen = true;
    backdrop.hidden = false;
    const T = tx();
    const tz = o.timezone();
    const end = stop.end ?? o.now();
    const machineName = o.machines().find((m) => m.id === stop.machineId)?.name ?? stop.machineId;
    const chosen: [string | null, string | null] = [null, null];
    let active = 0;
    let current = mode;
    // The split instant, in whole seconds from the stop's start (default: half way).
    let splitSec = Math.max(1, Math.floor((end - stop.start) / 2000));

    const title = el('h2', 'shop-title', `${machineName} · ${clockTime(stop.start, tz)} · ${duration(end - stop.start)}`);
    const sub = el('div', 'shop-status', [stop.faultCode !== null ? `${T.fault} ${stop.faultCode}` : '', stop.defaultReason ? `${T.plcSays}: ${nameOf(findReason(tree, stop.defaultReason)?.name ?? { en: stop.defaultReason, 'zh-CN': stop.defaultReason })}` : ''].filter(Boolean).join(' · '));
    const modes = el('div', 'shop-modes');
    const oneTab = button('shop-tab', 'mode-one');
    oneTab.textContent = T.oneReason;
    const splitTab = button('shop-tab', 'mode-split');
    splitTab.textContent = T.splitStop;
    modes.append(oneTab, splitTab);
    const parts = el('div', 'split-parts');
    const partButtons = [0, 1].map((i) => {
      const b = button('shop-tab part-tab', `part-${i + 1}`);
      b.addEventListener('click', () => {
        active = i;
        render();
      });
      return b;
    });
    const slider = el('input', 'split-slider');
    slider.type = 'range';
    slider.min = '1';
    slider.max = String(Math.max(1, Math.floor((end - stop.start) / 1000) - 1));
    slider.step = '1';
    slider.dataset.testid = 'split-slider';
    slider.addEventListener('input', () => {
      splitSec = Number(slider.value);
      render();
    });
    const sliderLabel = el('div', 'split-label');
    parts.append(...partButtons, sliderLabel, slider);
    const grid = el('div', 'reason-grid');
    const error = el('div', 'shop-error');
    error.dataset.testid = 'reason-error';
    const actions = el('div', 'stop-actions');
    const cancel = button('shop-action subtle', 'reason-cancel');
    cancel.textContent = T.cancel;
    const save = button('shop-primary', 'reason-save');
    save.textContent = T.save;
    actions.append(cancel, save);
    box.replaceChildren(title, sub, modes, parts, grid, error, actions);

    oneTab.addEventListener('click', () => { current = 'one'; active = 0; render(); });
    splitTab.addEventListener('click', () => { current = 'split'; render(); });
    cancel.addEventListener('click', close);

    function render(): void {
      oneTab.setAttribute('aria-pressed', String(current === 'one'));
      splitTab.setAttribute('aria-pressed', String(current === 'split'));
      parts.hidden = current !== 'split';
      slider.value = String(splitSec);
      const at = stop.start + splitSec * 1000;
      sliderLabel.textContent = `${T.splitAt} ${new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(at)} (${duration(splitSec * 1000)} | ${duration(end - at)})`;
      partButtons.forEach((b, i) => {
        b.setAttribute('aria-pressed', String(i === active));
        const picked = chosen[i];
        b.textContent = `${T.part(i + 1)}: ${picked ? nameOf(findReason(tree!, picked)!.name) : '—'}`;
      });
      grid.replaceChildren(...tree!.categories.map((c) => {
        const group = el('div', 'reason-group');
        group.append(el('div', 'reason-cat', nameOf(c.name)));
        const options = el('div', 'reason-options');
        for (const r of c.reasons) {
          const b = button(`reason-option${r.planned ? ' planned' : ''}`, 'reason-option');
          b.dataset.reason = r.id;
          b.textContent = nameOf(r.name);
          b.setAttribute('aria-pressed', String(chosen[active] === r.id));
          b.addEventListener('click', () => {
            chosen[active] = r.id;
            if (current === 'split' && active === 0 && chosen[1] === null) active = 1;
            render();
          });
          options.append(b);
        }
        group.append(options);
        return group;
      }));
    }

    save.addEventListener('click', async () => {
      const body = current === 'one'
        ? chosen[0] ? { parts: [{ reason: chosen[0] }], basedOn: stop.revision } : null
        : chosen[0] && chosen[1] ? { parts: [{ reason: chosen[0], end: stop.start + splitSec * 1000 }, { reason: chosen[1] }], basedOn: stop.revision } : null;
      if (!body) {
        error.textContent = current === 'one' ? T.pickReason : T.pickBoth;
        return;
      }
      save.disabled = true;
      const answer = await downtimeApi.classify(stop, body);
      save.disabled = false;
      if (!answer.ok) {
        error.textContent = answer.error;
        return;
      }
      close();
      await saved();
    });
    render();
  }

  return {
    open, loadTree, close,
    treeOf: (machineId: string) => trees.get(machineId) ?? null,
    onClose: (listener: () => void) => { closeListener = listener; },
    get isOpen() {
      return isOpen;
    },
  };
}

function findReason(tree: ReasonsAnswer, id: string) {
  for (const c of tree.categories) for (const r of c.reasons) if (r.id === id) return r;
  return undefined;
}
