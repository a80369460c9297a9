// The selected alarm in full: what it is, what may be done about it (ack, shelve, out of
// service, open a service case), the fault catalogue's advice, how the machine's signals
// stand against its healthy baseline, the flight recording as one small trend per tag with the
// trigger marked, and the machine's service history (repeated faults, MTBF).
import type { AlarmView, FaultAdvice, MachineHealth, Recording, RecordingSummary } from '../../../../shared/alarm-wire.js';
import type { ServiceHistory } from '../../../../shared/alarm-service-cases.js';
import type { CommandAck, CommandRequest } from '../../../../shared/command-api.js';
import type { Role } from '../../../../shared/auth-api.js';
import { getLang, t } from '../../i18n.js';
import { number } from '../../format.js';
import { el, setText } from '../dom.js';
import { createTrendChart } from '../trend-chart.js';
import { allowedActions } from './alarm-list-model.js';
import { alarmDateTime, alarmTime, tAlarmState, tPriority } from './alarm-text.js';
import {
  fetchDiagnosis, fetchFaultAdvice, fetchRecording, fetchRecordings, fetchServiceHistory, openServiceCase, recordNow, recordingCsvUrl, setOutOfService, unshelveAlarm,
} from './alarm-client.js';
import { recordingSeries, windowFraction } from './recording-series.js';
import { createServiceCaseView, STATUS_KEY } from './service-case-view.js';
import type { RestResult } from '../../live/rest-client.js';
import { actionButton } from './action-button.js';

export interface AlarmDetailDeps {
  machineName(id: string): string;
  machineType(id: string): string | null;
  timezone(): string;
  role(): Role | null;
  command(request: CommandRequest): Promise<CommandAck>;
  /** Tag units from the plant file, for chart read-outs. */
  tagUnit(machineId: string, tag: string): string;
}

export interface AlarmDetail {
  element: HTMLElement;
  /** Shows an alarm (null: the hint). Same key again only refreshes the head and the buttons. */
  show(alarm: AlarmView | null): void;
  /** A flight recording completed: reload it if it is the one shown, and the machine's list. */
  recordingDone(summary: RecordingSummary): void;
  relabel(): void;
}

const SHELVE_MINUTES = [15, 30, 60, 120, 240, 480];

function section(title: string, testid: string): { root: HTMLElement; head: HTMLElement; body: HTMLElement } {
  const root = el('section', 'ad-section');
  root.dataset.testid = testid;
  const head = el('h3', undefined, title);
  const body = el('div', 'ad-section-body');
  root.append(head, body);
  return { root, head, body };
}

function kv(k: string, v: string, field?: string): HTMLElement {
  const row = el('div', 'kv');
  const value = el('span', 'v', v);
  if (field) value.dataset.field = field;
  row.append(el('span', 'k', k), value);
  return row;
}

function hours(h: number | null): string {
  return h === null ? '—' : `${number(h, h < 10 ? 1 : 0)} h`;
}

export function createAlarmDetail(deps: AlarmDetailDeps): AlarmDetail {
  const element = el('div', 'ad-detail');
  element.dataset.testid = 'alarm-detail';
  let current: AlarmView | null = null;
  /** Bumps on every new selection so late answers for an old one are dropped. */
  let generation = 0;
  let recording: Recording | null = null;
  /** The recording on screen: the alarm's, or another of the machine's picked from the list. */
  let shownId: number | null = null;
  let recordings: RecordingSummary[] | null = null;
  let health: MachineHealth | null = null;
  let advice: FaultAdvice | null = null;
  let history: ServiceHistory | null = null;
  const errors: { advice: string | null; diagnosis: string | null; recording: string | null; history: string | null } = { advice: null, diagnosis: null, recording: null, history: null };
  let status: { kind: 'ok' | 'error' | 'busy'; text: string } | null = null;
  let reason = '';
  let caseNote = '';
  let shelveMinutes = 60;

  const head = el('div', 'ad-head');
  const actions = el('div', 'ad-actions');
  actions.dataset.testid = 'alarm-actions';
  const statusLine = el('div', 'ad-status');
  statusLine.dataset.testid = 'alarm-action-status';
  const adviceSec = section('', 'fault-advice');
  const diagSec = section('', 'alarm-diagnosis');
  const recSec = section('', 'flight-recording');
  const histSec = section('', 'service-history');
  const hint = el('div', 'ad-hint');
  const caseView = createServiceCaseView({
    role: () => deps.role(),
    timezone: () => deps.timezone(),
    machineName: (id) => deps.machineName(id),
    showRecording(id) {
      showRecording(id);
      recSec.root.scrollIntoView({ block: 'start' });
    },
    changed(c) {
      if (current?.machineId === c.machineId) void loadHistory(c.machineId, generation);
    },
  });
  const sections = el('div', 'ad-sections');
  sections.append(adviceSec.root, diagSec.root, recSec.root, histSec.root);

  function render(): void {
    if (!current) {
      setText(hint, t('alarmSelectHint'));
      element.replaceChildren(hint);
      return;
    }
    renderHead(current);
    renderActions(current);
    renderStatus();
    renderAdvice(current);
    renderDiagnosis();
    renderRecording(current);
    renderHistory();
    if (element.firstChild !== head) element.replaceChildren(head, actions, statusLine, sections);
  }

  function renderHead(a: AlarmView): void {
    const tz = deps.timezone();
    const title = el('div', 'ad-title');
    const prio = el('span', 'ad-prio', tPriority(a.priority));
    prio.dataset.priority = a.priority;
    const message = el('span', 'ad-message', a.message);
    title.append(prio, message);
    const sub = el('div', 'ad-sub');
    const state = el('span', 'ad-state', tAlarmState(a.state));
    state.dataset.state = a.state;
    state.dataset.testid = 'alarm-detail-state';
    sub.append(el('span', 'ad-machine', deps.machineName(a.machineId)), state);
    if (a.faultCode !== null) sub.append(el('span', 'ad-code', `${t('faultCode')} ${a.faultCode}`));
    if (a.chattering) sub.append(el('span', 'ad-chatter', t('alarmChattering')));
    const times = el('div', 'ad-times');
    const stamp = (label: string, ts: number | null, who?: string | null) => {
      if (ts !== null) times.append(el('span', undefined, `${label} ${alarmTime(ts, tz)}${who ? ` · ${who}` : ''}`));
    };
    stamp(t('alarmRaised'), a.activeTs);
    stamp(t('alarmAcked'), a.ackTs, a.ackBy);
    stamp(t('alarmReturned'), a.returnTs);
    if (a.shelved) stamp(t('alarmShelvedUntil'), a.shelved.until, `${a.shelved.by}: ${a.shelved.reason}`);
    if (a.outOfService) times.append(el('span', undefined, `${t('alarmStOutOfService')} · ${a.outOfService.by}: ${a.outOfService.reason}`));
    if (a.value !== null) times.append(el('span', undefined, `${t('value')} ${number(a.value)}`));
    head.replaceChildren(title, sub, times);
  }

  function button(text: string, testid: string, onClick: () => void, primary = false): HTMLButtonElement {
    return actionButton(text, testid, onClick, { primary, busy: status?.kind === 'busy' });
  }

  /** What the buttons depend on: rebuilding them only when it changes keeps a half-typed reason and the focus. */
  let actionsFor = '';
  function renderActions(a: AlarmView, force = false): void {
    const role = deps.role();
    const signature = `${a.key}|${a.state}|${a.occurrenceId}|${role}|${status?.kind ?? ''}`;
    if (!force && signature === actionsFor) return;
    actionsFor = signature;
    const can = allowedActions(a, role);
    const parts: HTMLElement[] = [];
    if (can.ack) parts.push(button(t('alarmAck'), 'alarm-ack', () => void act(() => viaCommand({ kind: 'ack-alarm', alarmKey: a.key })), true));
    if (can.shelve || can.outOfService) {
      const input = el('input', 'ad-reason');
      input.type = 'text';
      input.maxLength = 500;
      input.placeholder = t('alarmReason');
      input.value = reason;
      input.dataset.testid = 'alarm-reason';
      input.addEventListener('input', () => (reason = input.value));
      parts.push(input);
    }
    if (can.shelve) {
      const minutes = el('select', 'ad-minutes');
      minutes.dataset.testid = 'alarm-shelve-minutes';
      for (const m of SHELVE_MINUTES) {
        const o = el('option', undefined, m < 60 ? `${m} min` : `${m / 60} h`);
        o.value = String(m);
        o.selected = m === shelveMinutes;
        minutes.append(o);
      }
      minutes.addEventListener('change', () => (shelveMinutes = Number(minutes.value)));
      parts.push(minutes, button(t('alarmShelve'), 'alarm-shelve', () => {
        if (!needReason()) return;
        void act(() => viaCommand({ kind: 'shelve-alarm', alarmKey: a.key, minutes: shelveMinutes, reason: reason.trim() }));
      }));
    }
    if (can.unshelve) parts.push(button(t('alarmUnshelve'), 'alarm-unshelve', () => void act(() => unshelveAlarm(a.key))));
    if (can.outOfService) parts.push(button(t('alarmOutOfService'), 'alarm-oos', () => {
      if (needReason()) void act(() => setOutOfService(a.key, reason.trim()));
    }));
    if (can.inService) parts.push(button(t('alarmInService'), 'alarm-in-service', () => void act(() => setOutOfService(a.key, null))));
    if (can.openCase) {
      const note = el('input', 'ad-note');
      note.type = 'text';
      note.maxLength = 2000;
      note.placeholder = t('alarmCaseNote');
      note.value = caseNote;
      note.dataset.testid = 'alarm-case-note';
      note.addEventListener('input', () => (caseNote = note.value));
      parts.push(note, button(t('alarmOpenCase'), 'alarm-open-case', () => void act(async () => {
        const r = await openServiceCase(a.occurrenceId!, caseNote.trim() || undefined);
        if (r.ok) {
          caseNote = '';
          void loadHistory(a.machineId, generation);
          caseView.show(r.value.id);
          return { ok: true, value: `${t('alarmCaseOpened')} #${r.value.id}${r.value.recordingId !== null ? ` (${t('flightRecording')} #${r.value.recordingId})` : ''}` };
        }
        return r;
      })));
    }
    if (role === null) parts.push(el('span', 'ad-muted', t('alarmNoRights')));
    actions.replaceChildren(...parts);
  }

  function needReason(): boolean {
    if (reason.trim().length >= 3) return true;
    status = { kind: 'error', text: t('alarmReasonNeeded') };
    renderStatus();
    return false;
  }

  async function viaCommand(request: CommandRequest): Promise<RestResult<string>> {
    const ack = await deps.command(request);
    if (ack.ok) return { ok: true, value: ack.result.message };
    return { ok: false, error: `${ack.status} ${ack.error}${ack.field ? ` (${ack.field})` : ''}` };
  }

  /** Runs a command; its outcome (or the edge's refusal, verbatim) stays on screen until the next one. */
  async function act(run: () => Promise<RestResult<unknown>>): Promise<void> {
    const key = current?.key;
    status = { kind: 'busy', text: t('alarmWorking') };
    renderStatus();
    if (current) renderActions(current, true);
    const r = await run();
    if (current?.key !== key) return;
    status = r.ok
      ? { kind: 'ok', text: typeof r.value === 'string' ? r.value : t('alarmDone') }
      : { kind: 'error', text: `${t('alarmRefused')}: ${r.error}` };
    if (r.ok) reason = '';
    renderStatus();
    if (current) renderActions(current, true);
  }

  function renderStatus(): void {
    statusLine.hidden = status === null;
    statusLine.dataset.kind = status?.kind ?? '';
    setText(statusLine, status?.text ?? '');
  }

  function renderAdvice(a: AlarmView): void {
    setText(adviceSec.head, t('faultAdvice'));
    adviceSec.root.hidden = a.faultCode === null;
    if (a.faultCode === null) return;
    // The alarm carries the entry in both languages; the REST lookup is the fallback.
    const entry = a.diagnosis?.advice.find((x) => x.lang === getLang() && x.code === a.faultCode) ?? (advice?.lang === getLang() ? advice : null);
    if (!entry) {
      adviceSec.body.replaceChildren(el('div', 'insp-note', errors.advice ?? t('loading')));
      return;
    }
    adviceSec.root.dataset.known = String(entry.known);
    const checks = el('ol', 'ad-checks');
    for (const c of entry.checks) checks.append(el('li', undefined, c));
    adviceSec.body.replaceChildren(
      el('div', 'ad-advice-title', `${entry.code} · ${entry.title}`),
      el('div', 'ad-label', t('faultCause')), el('p', 'ad-text', entry.cause),
      el('div', 'ad-label', t('faultChecks')), checks,
      el('div', 'ad-label', t('faultRemedy')), el('p', 'ad-text', entry.remedy),
    );
  }

  function renderDiagnosis(): void {
    setText(diagSec.head, t('diagnosisTitle'));
    const h = health ?? current?.diagnosis?.health ?? null;
    if (!h || !h.tags.length) {
      diagSec.body.replaceChildren(el('div', 'insp-note', errors.diagnosis ?? (h ? t('diagNone') : t('loading'))));
      return;
    }
    const table = el('table', 'ad-diag');
    const headRow = el('tr');
    for (const c of [t('tag'), t('diagExpected'), t('diagNow'), 'z', t('diagScore')]) headRow.append(el('th', undefined, c));
    table.append(headRow);
    for (const tag of h.tags) {
      const row = el('tr');
      row.dataset.tag = tag.tag;
      row.dataset.status = tag.status;
      const unit = tag.unit ? ` ${tag.unit}` : '';
      const score = el('td', 'ad-score');
      if (tag.status === 'learning') score.append(el('span', 'ad-muted', `${t('diagLearning')} (${tag.buckets})`));
      else {
        const track = el('span', 'ad-score-track');
        const bar = el('span', 'ad-score-bar');
        bar.style.width = `${Math.min(100, Math.max(0, tag.score * 100))}%`;
        bar.dataset.level = tag.score >= 1 ? 'alarm' : tag.score >= 0.5 ? 'warn' : 'ok';
        track.append(bar);
        score.append(track, el('span', 'ad-score-num', number(tag.score, 2)));
      }
      row.append(
        el('td', 'ad-tag', tag.tag),
        el('td', 'num', tag.expected === null ? '—' : `${number(tag.expected)}${unit}`),
        el('td', 'num', tag.current === null ? (tag.last === null ? '—' : `${number(tag.last)}${unit}`) : `${number(tag.current)}${unit}`),
        el('td', 'num', tag.z === null ? '—' : number(tag.z, 1)),
        score,
      );
      table.append(row);
    }
    diagSec.body.replaceChildren(table);
  }

  function renderRecording(a: AlarmView): void {
    setText(recSec.head, t('flightRecording'));
    const picker = recordingPicker(a);
    const id = shownId;
    if (id === null) {
      recSec.body.replaceChildren(picker, el('div', 'insp-note', t('recNone')));
      return;
    }
    if (!recording || recording.id !== id) {
      recSec.body.replaceChildren(picker, el('div', 'insp-note', errors.recording ?? t('loading')));
      return;
    }
    const rec = recording;
    const tz = deps.timezone();
    const series = recordingSeries(rec);
    const meta = el('div', 'ad-rec-meta');
    const pre = series.reduce((n, s) => n + s.preCount, 0);
    const post = series.reduce((n, s) => n + s.postCount, 0);
    const csv = el('a', 'ad-link', t('exportCsv'));
    csv.href = recordingCsvUrl(rec.id);
    csv.download = `recording-${rec.id}-${rec.machineId}.csv`;
    csv.dataset.testid = 'recording-csv';
    meta.append(
      el('span', undefined, `#${rec.id} · ${alarmTime(rec.from, tz)} – ${alarmTime(rec.to, tz)} · ${t('recTrigger')} ${alarmTime(rec.triggerTs, tz)}`),
      el('span', 'ad-muted', `${rec.status === 'recording' ? t('recInProgress') : t('recComplete')} · ${pre} / ${post} ${t('recSamples')}`),
      csv,
    );
    recSec.root.dataset.status = rec.status;
    recSec.root.dataset.recordingId = String(rec.id);
    const grid = el('div', 'ad-rec-grid');
    const span = rec.to - rec.from;
    const mark = `${(windowFraction(rec, rec.triggerTs) * 100).toFixed(2)}%`;
    const charts: (() => void)[] = [];
    for (const s of series) {
      const cell = el('div', 'ad-rec-cell');
      cell.dataset.tag = s.tag;
      cell.dataset.pre = String(s.preCount);
      cell.dataset.post = String(s.postCount);
      const chart = createTrendChart(span, deps.tagUnit(rec.machineId, s.tag));
      chart.set(s.points);
      const plot = el('div', 'ad-rec-plot');
      // The chart maps [from, to] onto its full width, so the trigger sits at its window fraction.
      const before = el('div', 'ad-rec-pre');
      before.style.width = mark;
      const trigger = el('div', 'ad-rec-trigger');
      trigger.style.left = mark;
      trigger.title = `${t('recTrigger')} ${alarmTime(rec.triggerTs, tz)}`;
      plot.append(chart.element, before, trigger);
      cell.append(el('div', 'ad-rec-tag', s.tag), plot);
      grid.append(cell);
      charts.push(() => chart.draw(rec.to));
    }
    recSec.body.replaceChildren(picker, meta, grid);
    // Drawn once laid out (the canvas takes its size from the grid cell).
    requestAnimationFrame(() => charts.forEach((d) => d()));
  }

  /** The machine's recordings (this alarm's marked) and a "record now" button. */
  function recordingPicker(a: AlarmView): HTMLElement {
    const row = el('div', 'ad-rec-picker');
    const tz = deps.timezone();
    if (recordings && recordings.length) {
      const select = el('select', 'ad-rec-select');
      select.dataset.testid = 'recording-picker';
      for (const r of recordings) {
        const o = el('option', undefined, `#${r.id} · ${alarmTime(r.triggerTs, tz)} · ${r.trigger === 'alarm' ? (r.alarmKey ?? 'alarm') : t('recManual')}${r.id === a.recordingId ? ' ◂' : ''}`);
        o.value = String(r.id);
        o.selected = r.id === shownId;
        select.append(o);
      }
      select.addEventListener('change', () => showRecording(Number(select.value)));
      row.append(select);
    }
    if (deps.role() !== null && a.kind !== 'derived') {
      row.append(button(t('recRecordNow'), 'record-now', () => void act(async () => {
        const r = await recordNow(a.machineId);
        if (!r.ok) return r;
        await loadRecordings(a.machineId, generation);
        showRecording(r.value.id);
        return { ok: true, value: `${t('flightRecording')} #${r.value.id} · ${t('recInProgress')}` };
      })));
    }
    return row;
  }

  function showRecording(id: number): void {
    shownId = id;
    recording = null;
    errors.recording = null;
    if (current) renderRecording(current);
    void loadRecording(id, generation);
  }

  function renderHistory(): void {
    const a = current;
    setText(histSec.head, `${t('serviceHistory')}${a ? ` · ${deps.machineName(a.machineId)}` : ''}`);
    if (!history) {
      histSec.body.replaceChildren(el('div', 'insp-note', errors.history ?? t('loading')));
      return;
    }
    const h = history;
    const tz = deps.timezone();
    const figures = el('div', 'ad-figures');
    figures.append(
      kv(t('svcRunningHours'), hours(h.runningHours), 'running-hours'),
      kv(t('svcFailures'), String(h.failures), 'failures'),
      kv(t('svcMtbf'), hours(h.mtbfHours), 'mtbf'),
      kv(t('svcMttr'), h.mttrMinutes === null ? '—' : `${number(h.mttrMinutes, 1)} min`, 'mttr'),
    );
    const faults = el('table', 'ad-faults');
    if (h.faults.length) {
      for (const f of h.faults) {
        const row = el('tr');
        row.dataset.code = String(f.code);
        if (h.repeated.includes(f.code)) row.classList.add('repeated');
        row.append(el('td', 'num', String(f.code)), el('td', undefined, f.title), el('td', 'num', `${f.count}×`), el('td', 'num', `${number(f.downMinutes, 1)} min`));
        faults.append(row);
      }
    }
    const cases = el('ul', 'ad-cases');
    cases.dataset.testid = 'service-cases';
    for (const c of h.cases) {
      const li = el('li');
      li.dataset.caseId = String(c.id);
      li.dataset.status = c.status;
      // A button per case: it opens the case below the list (notes, assign, close).
      const open = el('button', 'ad-case-link', `#${c.id} · ${alarmDateTime(c.openedTs, tz)} · ${c.title} · ${t(STATUS_KEY[c.status])}${c.assignee ? ` → ${c.assignee}` : ''}${c.recordingId !== null ? ` · ${t('flightRecording')} #${c.recordingId}` : ''}`);
      open.type = 'button';
      open.dataset.testid = 'service-case-open';
      open.addEventListener('click', () => caseView.show(c.id));
      if (c.id === caseView.caseId) li.classList.add('selected');
      li.append(open);
      cases.append(li);
    }
    histSec.body.replaceChildren(
      figures,
      el('div', 'ad-label', `${t('svcRepeated')}${h.repeated.length ? ` (${h.repeated.join(', ')})` : ''}`),
      h.faults.length ? faults : el('div', 'insp-note', t('svcNoFaults')),
      el('div', 'ad-label', t('svcCases')),
      h.cases.length ? cases : el('div', 'insp-note', t('svcNoCases')),
      caseView.element,
    );
  }

  function settle<T>(gen: number, r: RestResult<T>, apply: (v: T) => void, key: keyof typeof errors): void {
    if (gen !== generation) return;
    if (r.ok) {
      errors[key] = null;
      apply(r.value);
    } else errors[key] = r.error;
    render();
  }

  async function loadRecording(id: number, gen: number): Promise<void> {
    settle(gen, await fetchRecording(id), (v) => (recording = v), 'recording');
  }
  async function loadRecordings(machineId: string, gen: number): Promise<void> {
    const r = await fetchRecordings(machineId);
    if (gen !== generation || !r.ok) return; // the list is a convenience; the alarm's own recording still shows
    recordings = r.value;
    if (current) renderRecording(current);
  }
  async function loadHistory(machineId: string, gen: number): Promise<void> {
    settle(gen, await fetchServiceHistory(machineId), (v) => (history = v), 'history');
  }

  function load(a: AlarmView): void {
    const gen = generation;
    // A derived alarm (the energy demand, emissions) stands for a module, not a machine: no machine health, service history or recordings to ask for.
    if (a.kind === 'derived') return;
    void fetchDiagnosis(a.machineId).then((r) => settle(gen, r, (v) => (health = v.health), 'diagnosis'));
    void loadHistory(a.machineId, gen);
    if (shownId !== null) void loadRecording(shownId, gen);
    void loadRecordings(a.machineId, gen);
    loadAdvice(a, gen);
  }

  function loadAdvice(a: AlarmView, gen: number): void {
    const type = deps.machineType(a.machineId);
    if (a.faultCode === null || !type) return;
    if (a.diagnosis?.advice.some((x) => x.lang === getLang())) return;
    void fetchFaultAdvice(type, a.faultCode, getLang()).then((r) => settle(gen, r, (v) => (advice = v), 'advice'));
  }

  render();

  return {
    element,
    show(alarm) {
      // A new occurrence of the same alarm point is a new alarm (new recording, new advice).
      const same = alarm !== null && current !== null && alarm.key === current.key &&
        (alarm.occurrenceId === null || current.occurrenceId === null || alarm.occurrenceId === current.occurrenceId);
      const recordingChanged = alarm?.recordingId !== current?.recordingId;
      current = alarm;
      if (!same) {
        generation++;
        recording = null;
        shownId = alarm?.recordingId ?? null;
        recordings = null;
        health = null;
        advice = null;
        history = null;
        status = null;
        reason = '';
        caseNote = '';
        caseView.show(null);
        errors.advice = errors.diagnosis = errors.recording = errors.history = null;
        if (alarm) load(alarm);
      } else if (recordingChanged && alarm?.recordingId) showRecording(alarm.recordingId);
      if (same && current) {
        // Only the head and the buttons follow lifecycle steps; the charts stay put.
        renderHead(current);
        renderActions(current);
        return;
      }
      render();
    },
    recordingDone(summary) {
      if (!current || summary.machineId !== current.machineId) return;
      if (shownId === summary.id) void loadRecording(summary.id, generation);
      void loadRecordings(current.machineId, generation);
    },
    relabel() {
      actionsFor = '';
      caseView.relabel();
      if (current) loadAdvice(current, generation);
      render();
    },
  };
}
