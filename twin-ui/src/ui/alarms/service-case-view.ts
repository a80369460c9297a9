// One service case as the service team works it: its alarm, flight recording, status,
// assignee, resolution and notes, and (by role) assign, add a note, close. Every step goes to
// the edge's REST; what it refuses is shown word for word and the case is re-read after each
// step, so the screen shows what the edge holds.
import type { ServiceCase } from '../../../../shared/alarm-service-cases.js';
import type { Role } from '../../../../shared/auth-api.js';
import { t, type TextKey } from '../../i18n.js';
import { el, setText } from '../dom.js';
import type { RestResult } from '../../live/rest-client.js';
import { addServiceCaseNote, assignServiceCase, closeServiceCase, fetchServiceCase, recordingCsvUrl } from './alarm-client.js';
import { alarmDateTime } from './alarm-text.js';
import { caseActions } from './service-case-model.js';
import { actionButton } from './action-button.js';

export interface ServiceCaseViewDeps {
  role(): Role | null;
  timezone(): string;
  machineName(id: string): string;
  /** Shows a recording in the alarm detail's flight-recording section. */
  showRecording(id: number): void;
  /** The case changed on the edge (the machine's history lists it). */
  changed(c: ServiceCase): void;
}

export interface ServiceCaseView {
  element: HTMLElement;
  /** Loads and shows a case (null: hidden). */
  show(id: number | null): void;
  readonly caseId: number | null;
  relabel(): void;
}

export const STATUS_KEY: Record<ServiceCase['status'], TextKey> = { open: 'caseStatusOpen', assigned: 'caseStatusAssigned', closed: 'caseStatusClosed' };

export function createServiceCaseView(deps: ServiceCaseViewDeps): ServiceCaseView {
  const element = el('div', 'ad-case');
  element.dataset.testid = 'service-case';
  element.hidden = true;
  let caseId: number | null = null;
  let shown: ServiceCase | null = null;
  let loadError: string | null = null;
  /** Text as a function: our own words follow a language switch, the edge's stay as sent. */
  let status: { kind: 'ok' | 'error' | 'busy'; text: () => string } | null = null;
  /** Bumps per case shown, so a late answer for another case is dropped. */
  let generation = 0;
  // Half-typed inputs survive re-renders.
  const draft = { assignee: '', note: '', resolution: '' };

  function kv(k: string, v: string, field: string): HTMLElement {
    const row = el('div', 'kv');
    const value = el('span', 'v', v);
    value.dataset.field = field;
    row.append(el('span', 'k', k), value);
    return row;
  }

  function input(testid: string, placeholder: string, key: keyof typeof draft, max: number): HTMLInputElement {
    const i = el('input', 'ad-note');
    i.type = 'text';
    i.maxLength = max;
    i.placeholder = placeholder;
    i.value = draft[key];
    i.dataset.testid = testid;
    i.addEventListener('input', () => (draft[key] = i.value));
    return i;
  }

  function button(text: string, testid: string, onClick: () => void, primary = false): HTMLButtonElement {
    return actionButton(text, testid, onClick, { primary, busy: status?.kind === 'busy' });
  }

  /** Sends one step; the edge's refusal is shown verbatim, success re-renders from the case it returns. */
  async function act(run: () => Promise<RestResult<ServiceCase>>, done: TextKey, clear: keyof typeof draft): Promise<void> {
    const gen = generation;
    status = { kind: 'busy', text: () => t('alarmWorking') };
    render();
    const r = await run();
    if (gen !== generation) return;
    if (r.ok) {
      shown = r.value;
      draft[clear] = '';
      const id = r.value.id;
      status = { kind: 'ok', text: () => `${t(done)} · #${id}` };
      deps.changed(r.value);
    } else {
      const error = r.error;
      status = { kind: 'error', text: () => `${t('alarmRefused')}: ${error}` };
    }
    render();
  }

  function render(): void {
    element.hidden = caseId === null;
    if (caseId === null) return;
    const c = shown;
    if (!c) {
      element.replaceChildren(el('div', 'insp-note', loadError ? `${t('caseLoadFailed')}: ${loadError}` : t('loading')));
      return;
    }
    element.dataset.caseId = String(c.id);
    element.dataset.status = c.status;
    const tz = deps.timezone();
    const head = el('div', 'ad-case-head');
    const close = el('button', 'ad-btn ad-case-x', '×');
    close.type = 'button';
    close.title = t('caseHide');
    close.dataset.testid = 'case-hide';
    close.addEventListener('click', () => view.show(null));
    const statusChip = el('span', 'ad-case-status', t(STATUS_KEY[c.status]));
    statusChip.dataset.status = c.status;
    statusChip.dataset.testid = 'case-status';
    head.append(el('span', 'ad-case-title', `#${c.id} · ${c.title}`), statusChip, close);

    const facts = el('div', 'ad-case-facts');
    const alarm = c.context?.alarm ?? null;
    facts.append(
      kv(t('machine'), deps.machineName(c.machineId), 'machine'),
      kv(t('caseOpened'), `${alarmDateTime(c.openedTs, tz)} · ${c.openedBy}`, 'opened'),
      kv(t('caseAlarm'), c.alarmId === null ? '—' : `#${c.alarmId}${alarm ? ` · ${alarm.message}` : ''}${c.faultCode !== null ? ` · ${t('faultCode')} ${c.faultCode}` : ''}`, 'alarm'),
      kv(t('caseAssignee'), c.assignee ? `${c.assignee}${c.assignedTs !== null ? ` · ${alarmDateTime(c.assignedTs, tz)}` : ''}` : '—', 'assignee'),
    );
    if (c.status === 'closed') {
      facts.append(kv(t('caseClosed'), `${c.closedTs !== null ? alarmDateTime(c.closedTs, tz) : ''} · ${c.closedBy ?? ''}`, 'closed'));
      facts.append(kv(t('caseResolution'), c.resolution ?? '—', 'resolution'));
    }
    const rec = el('div', 'ad-case-rec');
    if (c.recordingId !== null) {
      const id = c.recordingId;
      const showRec = el('button', 'ad-btn', `${t('flightRecording')} #${id}`);
      showRec.type = 'button';
      showRec.dataset.testid = 'case-recording';
      showRec.addEventListener('click', () => deps.showRecording(id));
      const csv = el('a', 'ad-link', t('exportCsv'));
      csv.href = recordingCsvUrl(id);
      csv.download = `recording-${id}-${c.machineId}.csv`;
      rec.append(showRec, csv);
    } else rec.append(el('span', 'ad-muted', t('recNone')));

    const notes = el('ol', 'ad-case-notes');
    notes.dataset.testid = 'case-notes';
    for (const n of c.notes) {
      const li = el('li');
      li.dataset.noteId = String(n.id);
      li.append(el('span', 'ad-muted', `${alarmDateTime(n.ts, tz)} · ${n.author}: `), el('span', 'ad-case-note-text', n.text));
      notes.append(li);
    }

    const can = caseActions(c.status, deps.role());
    const actions = el('div', 'ad-actions ad-case-actions');
    actions.dataset.testid = 'case-actions';
    if (can.assign) {
      actions.append(input('case-assignee', t('caseAssigneePlaceholder'), 'assignee', 100),
        button(c.assignee ? t('caseReassign') : t('caseAssign'), 'case-assign', () => void act(() => assignServiceCase(c.id, draft.assignee), 'caseAssigned', 'assignee')));
    }
    if (can.note) {
      actions.append(input('case-note', t('caseNotePlaceholder'), 'note', 2000),
        button(t('caseAddNote'), 'case-add-note', () => void act(() => addServiceCaseNote(c.id, draft.note), 'caseNoteAdded', 'note')));
    }
    if (can.close) {
      actions.append(input('case-resolution', t('caseResolutionPlaceholder'), 'resolution', 2000),
        button(t('caseClose'), 'case-close', () => void act(() => closeServiceCase(c.id, draft.resolution), 'caseClosedDone', 'resolution'), true));
    }
    if (!can.assign && !can.note) actions.append(el('span', 'ad-muted', t('caseReadOnly')));
    else if (c.status !== 'closed' && !can.close) actions.append(el('span', 'ad-muted', t('caseNeedsMaintenance')));

    const statusLine = el('div', 'ad-status');
    statusLine.dataset.testid = 'case-action-status';
    statusLine.hidden = status === null;
    statusLine.dataset.kind = status?.kind ?? '';
    setText(statusLine, status?.text() ?? '');

    // Rebuilding moves the focus out of a text box; put it back where the user was typing.
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.testid;
    element.replaceChildren(head, facts, rec, el('div', 'ad-label', t('caseNotes')), c.notes.length ? notes : el('div', 'insp-note', t('caseNoNotes')), actions, statusLine);
    if (focused && element.contains(document.activeElement) === false) {
      element.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
    }
  }

  async function load(id: number, gen: number): Promise<void> {
    const r = await fetchServiceCase(id);
    if (gen !== generation) return;
    if (r.ok) {
      shown = r.value;
      loadError = null;
    } else loadError = r.error;
    render();
  }

  const view: ServiceCaseView = {
    element,
    show(id) {
      if (id !== caseId) {
        generation++;
        shown = null;
        status = null;
        loadError = null;
        draft.assignee = draft.note = draft.resolution = '';
      }
      caseId = id;
      render();
      if (id !== null) void load(id, generation);
    },
    get caseId() {
      return caseId;
    },
    relabel: render,
  };
  return view;
}
