// The shift handover sheet: this shift's notes, the open issues carried from earlier shifts
// (closable by touch), a box to write a note or an open issue, and the last shift report as a
// printable page or CSV.
import type { HandoverAnswer, Note } from '../../../../shared/handover-api.js';
import { clockTime } from '../../format.js';
import { getLang } from '../../i18n.js';
import { button, el } from '../dom.js';
import { shopSheet } from '../shop-sheet.js';
import { handoverApi } from '../stops/downtime-client.js';
import { tx } from '../stops/shop-text.js';
import './handover.css';

export interface HandoverPanel {
  toggle(open?: boolean): void;
  relabel(): void;
  readonly isOpen: boolean;
}

export function createHandoverPanel(stage: HTMLElement, o: { timezone: () => string; machineName: (id: string) => string; onOpen?: () => void }): HandoverPanel {
  const { toggleButton, sheet, head, title, closeButton } = shopSheet(stage, 'handover');
  const issuesBadge = el('span', 'shop-badge');
  const toggleLabel = el('span');
  toggleButton.append(toggleLabel, issuesBadge);

  const status = el('div', 'shop-status');
  const input = el('textarea', 'handover-input');
  input.dataset.testid = 'handover-input';
  input.maxLength = 2000;
  const writeActions = el('div', 'stop-actions');
  const addNote = button('shop-primary', 'handover-add-note');
  const addIssue = button('shop-action', 'handover-add-issue');
  writeActions.append(addIssue, addNote);
  const error = el('div', 'shop-error');
  const notesTitle = el('h3', 'shop-sub');
  const notes = el('div', 'handover-notes');
  notes.dataset.testid = 'handover-notes';
  const issuesTitle = el('h3', 'shop-sub');
  const issues = el('div', 'handover-issues');
  issues.dataset.testid = 'handover-issues';
  const reportTitle = el('h3', 'shop-sub');
  const report = el('div', 'handover-links');
  sheet.append(head, status, input, writeActions, error, issuesTitle, issues, notesTitle, notes, reportTitle, report);
  stage.append(sheet);

  let open = false;
  let data: HandoverAnswer | null = null;

  function noteCard(n: Note, closable: boolean): HTMLElement {
    const T = tx();
    const tz = o.timezone();
    const card = el('article', `handover-note${n.kind === 'issue' ? ' issue' : ''}`);
    card.dataset.testid = n.kind === 'issue' ? 'handover-issue' : 'handover-note';
    const where = n.machineId ? ` · ${o.machineName(n.machineId)}` : '';
    const from = closable ? ` · ${T.issueFrom} ${n.shift.date} ${n.shift.name}` : '';
    card.append(el('div', 'handover-meta', `${clockTime(n.ts, tz)} · ${n.author}${where}${from}`), el('div', 'handover-text', n.text));
    if (closable && !n.closed) {
      const close = button('shop-action', 'handover-close-issue');
      close.textContent = T.closeIssue;
      close.addEventListener('click', async () => {
        const answer = await handoverApi.closeIssue(n.id);
        if (!answer.ok) error.textContent = answer.error;
        await load();
      });
      const actions = el('div', 'stop-actions');
      actions.append(close);
      card.append(actions);
    }
    return card;
  }

  function render(): void {
    const T = tx();
    toggleLabel.textContent = T.handover;
    title.textContent = data?.shift ? `${T.handover} · ${data.shift.date} ${data.shift.name}` : T.handover;
    closeButton.setAttribute('aria-label', T.close);
    input.placeholder = T.writeNote;
    addNote.textContent = T.addNote;
    addIssue.textContent = T.addIssue;
    notesTitle.textContent = T.notes;
    issuesTitle.textContent = T.openIssues;
    reportTitle.textContent = T.lastReport;
    issuesBadge.textContent = data?.openIssues.length ? String(data.openIssues.length) : '';
    issuesBadge.style.background = 'var(--state-idle)';
    issuesBadge.style.color = '#2a1a00';
    if (!data) return;
    notes.replaceChildren(...(data.notes.length ? data.notes.filter((n) => n.kind === 'note').map((n) => noteCard(n, false)) : [el('p', 'shop-empty', T.noNotes)]));
    issues.replaceChildren(...(data.openIssues.length ? data.openIssues.map((n) => noteCard(n, true)) : [el('p', 'shop-empty', '—')]));
    const prev = data.previousReport;
    if (prev) {
      const print = el('a', undefined, `${T.print} (${prev.shift.date} ${prev.shift.name})`);
      print.href = `api/handover/reports/${prev.id}/print?lang=${getLang()}`;
      print.target = '_blank';
      print.rel = 'noopener';
      print.dataset.testid = 'handover-print';
      const csv = el('a', undefined, T.csv);
      csv.href = `api/handover/reports/${prev.id}?format=csv`;
      csv.dataset.testid = 'handover-csv';
      report.replaceChildren(print, csv);
    } else report.replaceChildren(el('p', 'shop-empty', T.noReport));
  }

  async function load(): Promise<void> {
    const answer = await handoverApi.current();
    status.textContent = answer.ok ? '' : answer.error;
    if (answer.ok) data = answer.value;
    render();
  }

  async function write(kind: 'note' | 'issue'): Promise<void> {
    const text = input.value.trim();
    if (!text) return;
    error.textContent = '';
    const answer = await handoverApi.addNote({ kind, text });
    if (!answer.ok) {
      error.textContent = answer.error;
      return;
    }
    input.value = '';
    await load();
  }

  function toggle(next = !open): void {
    open = next;
    sheet.hidden = !open;
    toggleButton.setAttribute('aria-pressed', String(open));
    if (open) {
      o.onOpen?.();
      void load();
    }
  }
  toggleButton.addEventListener('click', () => toggle());
  closeButton.addEventListener('click', () => toggle(false));
  addNote.addEventListener('click', () => void write('note'));
  addIssue.addEventListener('click', () => void write('issue'));
  render();

  return {
    toggle, relabel: render,
    get isOpen() {
      return open;
    },
  };
}
