// Replay mode: fetch each machine's state intervals for a past window from the historian,
// then play them back at 1×–60× with a scrubber. While it is on, the world is painted from
// the replayed states (main.ts asks `view()`), a REPLAY banner is shown, and leaving
// returns the line to live data.
import type { MachineLive } from '../../../shared/live-protocol.js';
import { fetchStates } from '../live/history-client.js';
import { t } from '../i18n.js';
import { clockTime } from '../format.js';
import { el, setText } from '../ui/dom.js';
import { REPLAY_SPEEDS, ReplayClock, stateAt, toTrack, type ReplaySegment } from './replay-timeline.js';

export interface ReplayContext {
  machineIds(): string[];
  /** The edge's clock (epoch ms): the window ends at its "now". */
  now(): number;
  timezone(): string;
  /** Replayed states changed: repaint the machines. */
  onChange(): void;
}

export interface ReplayMode {
  readonly active: boolean;
  enter(): void;
  leave(): void;
  /** A machine as the replay shows it (its state and since), or the live one when not replaying. */
  view(live: MachineLive): MachineLive;
  relabel(): void;
}

const WINDOWS_MIN = [5, 15, 30, 60] as const;
const STEPS = 1000;

export function createReplayMode(host: HTMLElement, ctx: ReplayContext): ReplayMode {
  const banner = el('div', 'replay-banner');
  banner.dataset.testid = 'replay-banner';
  banner.hidden = true;
  const bar = el('div', 'replay-bar');
  bar.dataset.testid = 'replay-bar';
  bar.hidden = true;
  const windowLabel = el('span', 'replay-label');
  const windowSelect = el('select');
  windowSelect.dataset.testid = 'replay-window';
  for (const m of WINDOWS_MIN) {
    const o = el('option', undefined, `${m} min`);
    o.value = String(m);
    windowSelect.append(o);
  }
  windowSelect.value = '15';
  const playBtn = el('button', 'dash-btn');
  playBtn.type = 'button';
  playBtn.dataset.testid = 'replay-play';
  const speedSelect = el('select');
  speedSelect.dataset.testid = 'replay-speed';
  for (const s of REPLAY_SPEEDS) {
    const o = el('option', undefined, `${s}×`);
    o.value = String(s);
    speedSelect.append(o);
  }
  speedSelect.value = '10';
  const scrubber = el('input', 'replay-scrubber');
  scrubber.type = 'range';
  scrubber.min = '0';
  scrubber.max = String(STEPS);
  scrubber.value = '0';
  scrubber.dataset.testid = 'replay-scrubber';
  const timeText = el('span', 'replay-time');
  timeText.dataset.testid = 'replay-time';
  const leaveBtn = el('button', 'dash-btn');
  leaveBtn.type = 'button';
  leaveBtn.dataset.testid = 'replay-leave';
  bar.append(windowLabel, windowSelect, playBtn, speedSelect, scrubber, timeText, leaveBtn);
  host.append(banner, bar);

  let active = false;
  let clock: ReplayClock | null = null;
  let tracks = new Map<string, ReplaySegment[]>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastTick = 0;
  let loadSeq = 0;

  function relabel(): void {
    setText(windowLabel, t('replayWindow'));
    setText(playBtn, clock?.playing ? t('replayPause') : t('replayPlay'));
    setText(leaveBtn, t('replayLeave'));
    renderPosition();
  }

  function renderPosition(): void {
    if (!clock) {
      setText(banner, `${t('replayBanner')} · ${t('replayLoading')}`);
      return;
    }
    const tz = ctx.timezone();
    scrubber.value = String(Math.round(clock.fraction() * STEPS));
    bar.dataset.position = String(Math.round(clock.position));
    const text = `${clockTime(clock.position, tz)}:${String(new Date(clock.position).getUTCSeconds()).padStart(2, '0')}`;
    setText(timeText, `${text} (${clockTime(clock.from, tz)}–${clockTime(clock.to, tz)})`);
    setText(banner, `${t('replayBanner')} · ${text} · ${clock.speed}×`);
    setText(playBtn, clock.playing ? t('replayPause') : t('replayPlay'));
  }

  async function load(): Promise<void> {
    const seq = ++loadSeq;
    const to = ctx.now();
    const from = to - Number(windowSelect.value) * 60_000;
    clock = null;
    bar.dataset.loaded = 'false';
    renderPosition();
    const ids = ctx.machineIds();
    const answers = await Promise.all(ids.map((id) => fetchStates(id, from, to)));
    if (seq !== loadSeq || !active) return;
    tracks = new Map();
    const errors: string[] = [];
    answers.forEach((a, i) => {
      if (a.ok) tracks.set(ids[i]!, toTrack(a.value.intervals, to));
      else errors.push(`${ids[i]}: ${a.error}`);
    });
    clock = new ReplayClock(from, to);
    clock.speed = Number(speedSelect.value);
    bar.dataset.from = String(from);
    bar.dataset.to = String(to);
    bar.dataset.loaded = 'true';
    bar.title = errors.length ? `${t('historyUnavailable')}: ${errors.join('; ')}` : '';
    renderPosition();
    ctx.onChange();
  }

  function tick(): void {
    const now = performance.now();
    const dt = now - lastTick;
    lastTick = now;
    if (clock?.advance(dt)) {
      renderPosition();
      ctx.onChange();
    }
  }

  windowSelect.addEventListener('change', () => void load());
  speedSelect.addEventListener('change', () => {
    if (clock) clock.speed = Number(speedSelect.value);
    renderPosition();
  });
  playBtn.addEventListener('click', () => {
    if (!clock) return;
    if (clock.position >= clock.to) clock.seek(clock.from);
    clock.playing = !clock.playing;
    lastTick = performance.now();
    renderPosition();
  });
  scrubber.addEventListener('input', () => {
    if (!clock) return;
    clock.seek(clock.from + (Number(scrubber.value) / STEPS) * (clock.to - clock.from));
    renderPosition();
    ctx.onChange();
  });
  leaveBtn.addEventListener('click', () => mode.leave());

  const mode: ReplayMode = {
    get active() {
      return active;
    },
    enter() {
      if (active) return;
      active = true;
      banner.hidden = false;
      bar.hidden = false;
      host.classList.add('replaying');
      lastTick = performance.now();
      // 10 Hz is plenty for state colours and keeps the shared CPU free for rendering.
      timer = setInterval(tick, 100);
      relabel();
      void load();
    },
    leave() {
      if (!active) return;
      active = false;
      loadSeq++;
      if (timer) clearInterval(timer);
      timer = null;
      clock = null;
      banner.hidden = true;
      bar.hidden = true;
      host.classList.remove('replaying');
      ctx.onChange();
    },
    view(live) {
      if (!active || !clock) return live;
      const track = tracks.get(live.machineId);
      const s = track ? stateAt(track, clock.position) : { state: 'no-data' as const, since: clock.from, reason: null };
      return { ...live, state: s.state, stateSince: Number.isFinite(s.since) ? s.since : clock.from };
    },
    relabel,
  };
  return mode;
}
