// The inspector's "Commands" section: reset a fault and set the speed override of the selected
// machine through the edge's audited command service (Socket.IO `command`). The page only offers
// what makes sense (a fault to reset, a value inside the plant's range, a reason); the edge
// decides, and its answer (done with read-back, or its refusal word for word) stays on screen.
import type { CommandAck, CommandRequest } from '../../../shared/command-api.js';
import type { MachineLive } from '../../../shared/live-protocol.js';
import type { PlantMachine } from '../live/line-store.js';
import { t } from '../i18n.js';
import { el, setText } from './dom.js';

/** The edge's command-service minimum for a reason (shared/command-api.ts). */
const MIN_REASON = 3;

export interface MachineCommandsDeps {
  /** Whether the current view offers commands (role-views `commands`). */
  enabled(): boolean;
  command(request: CommandRequest): Promise<CommandAck>;
}

export interface MachineCommandsState {
  live: MachineLive | undefined;
  /** The inspector follows a replayed moment: acting on the live line from there would mislead. */
  replaying: boolean;
  /** Socket or device down: the edge would refuse, and the values shown may be stale. */
  offline: boolean;
}

export interface MachineCommands {
  readonly element: HTMLElement;
  update(state: MachineCommandsState): void;
}

type Status = { kind: 'busy' | 'ok' | 'unconfirmed' | 'error'; text: string } | null;

/** The text for the edge's answer: its message (with read-back), or its refusal verbatim. */
export function describeAck(ack: CommandAck): { kind: 'ok' | 'unconfirmed' | 'error'; text: string } {
  if (!ack.ok) return { kind: 'error', text: `${t('cmdRefused')}: ${ack.error}` };
  const r = ack.result;
  if (r.outcome === 'done') return { kind: 'ok', text: `${t('cmdDone')}: ${r.message}${r.readBack?.confirmed ? ` · ${t('cmdReadBackConfirmed')}` : ''}` };
  return { kind: 'unconfirmed', text: `${t('cmdUnconfirmed')}: ${r.message}` };
}

export function createMachineCommands(config: PlantMachine, deps: MachineCommandsDeps): MachineCommands {
  const resetTag = config.tags.find((x) => x.role === 'resetFault' && x.writable);
  const speedTag = config.tags.find((x) => x.role === 'speedOverride' && x.writable);
  const root = el('section', 'insp-section machine-commands');
  root.dataset.testid = 'machine-commands';
  const head = el('h3', undefined, t('commands'));
  head.dataset.key = 'commands';

  const reason = el('input', 'cmd-reason');
  reason.type = 'text';
  reason.maxLength = 500;
  reason.placeholder = t('cmdReasonPlaceholder');
  reason.dataset.testid = 'cmd-reason';
  const reasonRow = el('label', 'kv');
  reasonRow.append(el('span', 'k', t('cmdReason')), reason);

  const resetButton = el('button', 'tool cmd-button', t('cmdResetFault'));
  resetButton.type = 'button';
  resetButton.dataset.testid = 'cmd-reset-fault';

  const speed = el('input', 'cmd-speed');
  speed.type = 'number';
  speed.step = '1';
  if (speedTag?.min !== undefined) speed.min = String(speedTag.min);
  if (speedTag?.max !== undefined) speed.max = String(speedTag.max);
  speed.dataset.testid = 'cmd-speed';
  speed.style.width = '5em';
  const speedButton = el('button', 'tool cmd-button', t('cmdSetSpeed'));
  speedButton.type = 'button';
  speedButton.dataset.testid = 'cmd-speed-apply';
  const range = speedTag?.min !== undefined && speedTag.max !== undefined ? `${speedTag.min}–${speedTag.max} ${speedTag.unit ?? ''}`.trim() : '';
  const speedRow = el('div', 'kv');
  const speedControls = el('span', 'v');
  speedControls.append(speed, el('span', 'insp-note', range ? ` ${range} ` : ' '), speedButton);
  speedRow.append(el('span', 'k', t('cmdSpeedOverride')), speedControls);

  const note = el('div', 'insp-note');
  note.dataset.testid = 'cmd-note';
  // The alarm detail's status look (alarm-panel.css), so an answer of the edge looks the same everywhere.
  const statusLine = el('div', 'ad-status cmd-status');
  statusLine.dataset.testid = 'cmd-status';
  statusLine.setAttribute('role', 'status');
  statusLine.hidden = true;

  const parts: HTMLElement[] = [head, reasonRow];
  if (resetTag) {
    const resetRow = el('div', 'kv');
    resetRow.append(el('span', 'k', t('faultCode')), resetButton);
    parts.push(resetRow);
  }
  if (speedTag) parts.push(speedRow);
  parts.push(note, statusLine);
  root.append(...parts);
  root.hidden = !resetTag && !speedTag;

  let status: Status = null;
  let busy = false;
  /** The user typed a value: live updates of the tag no longer overwrite the input. */
  let speedEdited = false;
  let last: MachineCommandsState = { live: undefined, replaying: false, offline: true };

  speed.addEventListener('input', () => {
    speedEdited = true;
    render();
  });
  reason.addEventListener('input', () => render());

  function speedValue(): number | null {
    const v = speed.valueAsNumber;
    if (!Number.isFinite(v)) return null;
    if (speedTag?.min !== undefined && v < speedTag.min) return null;
    if (speedTag?.max !== undefined && v > speedTag.max) return null;
    return v;
  }

  function blockedBy(): string | null {
    if (last.replaying) return t('cmdReplay');
    if (last.offline) return t('cmdOffline');
    return null;
  }

  function render(): void {
    const blocked = blockedBy() !== null || busy;
    const hasReason = reason.value.trim().length >= MIN_REASON;
    const hasFault = last.live?.faultCode != null;
    resetButton.disabled = blocked || !hasFault || !hasReason;
    speedButton.disabled = blocked || !hasReason || speedValue() === null;
    // button.tool has no disabled look of its own.
    for (const b of [resetButton, speedButton]) b.style.opacity = b.disabled ? '0.45' : '';
    reason.disabled = blocked;
    speed.disabled = blocked;
    const why = blockedBy() ?? (!hasReason ? t('cmdReasonNeeded') : speedEdited && speedValue() === null && range ? `${t('cmdOutOfRange')} ${range}` : !hasFault && resetTag ? t('cmdNoFault') : '');
    setText(note, why);
    statusLine.hidden = status === null;
    statusLine.dataset.kind = status?.kind ?? '';
    setText(statusLine, status?.text ?? '');
  }

  async function send(request: CommandRequest): Promise<void> {
    busy = true;
    status = { kind: 'busy', text: t('cmdSending') };
    render();
    const ack = await deps.command(request);
    busy = false;
    status = describeAck(ack);
    if (ack.ok) {
      reason.value = '';
      speedEdited = false;
    }
    render();
  }

  resetButton.addEventListener('click', () => {
    if (resetButton.disabled) return;
    void send({ kind: 'reset-fault', machineId: config.id, reason: reason.value.trim() });
  });
  speedButton.addEventListener('click', () => {
    const percent = speedValue();
    if (speedButton.disabled || percent === null) return;
    void send({ kind: 'speed-override', machineId: config.id, percent, reason: reason.value.trim() });
  });

  return {
    element: root,
    update(state) {
      last = state;
      root.hidden = !deps.enabled() || (!resetTag && !speedTag);
      if (root.hidden) return;
      const current = speedTag ? state.live?.tags[speedTag.name]?.value : undefined;
      if (!speedEdited && typeof current === 'number' && document.activeElement !== speed) speed.value = String(current);
      render();
    },
  };
}
