// Replay mode: fetch a past window from the historian — each machine's state intervals and part
// counts, the alarms raised in it, and (for the machine in the inspector) every tag at the
// replayed moment — then play it back at 1×–60× with a scrubber. While it is on, the world is
// painted from the replayed states (main.ts asks `view()`), parts leave the machines as the
// historian's counts go up, the scrubber marks alarms and stops with jumps to 2 minutes before
// each, a REPLAY banner is shown, and leaving returns the line to live data.
import type { LiveTag, MachineLive } from '../../../shared/live-protocol.js';
import { t } from '../i18n.js';
import { clockTime } from '../format.js';
import { el, setText } from '../ui/dom.js';
import { fetchAlarmsIn, fetchCounts, fetchStatesIn, fetchStatesUntilNow, fetchValuesAt } from './replay-history.js';
import {
  REPLAY_SPEEDS, ReplayClock, countAt, faultMarks, jumpTarget, stateAt, toCountTrack, toTrack,
  type CountTrack, type ReplayMark, type ReplaySegment,
} from './replay-timeline.js';

export interface ReplayContext {
  machineIds(): string[];
  /** The edge's clock (epoch ms): the window ends at its "now". */
  now(): number;
  timezone(): string;
  /** Start of the machine's current shift (its live counts start there), if it has one. */
  shiftStart(machineId: string): number | null;
  /** Parts leave a machine on its conveyor. */
  releaseParts(machineId: string, parts: number): void;
  /** Replayed states, counts or values changed: repaint the machines and the inspector. */
  onChange(): void;
}

/** What the inspector needs from replay (twin-ui/src/ui/inspector.ts). */
export interface ReplaySource {
  /** The replayed moment, or null when live. */
  at(): number | null;
  /** A machine as the replay shows it (state, counts, tag values), or the live one when not replaying. */
  view(live: MachineLive): MachineLive;
  /** The machine whose tag values to fetch at the replayed moment (the inspector's), or null. */
  watch(machineId: string | null): void;
  /** The moment the watched machine's values were read at (null until they arrive). */
  valuesAt(): number | null;
  /** Where the replayed count of a machine starts (its shift's start, or the window's). */
  countsFrom(machineId: string): number | null;
}

export interface ReplayMode extends ReplaySource {
  readonly active: boolean;
  enter(): void;
  leave(): void;
  /** The label figure for a replayed machine: since when its state holds, parts made. */
  figure(live: MachineLive): string;
  relabel(): void;
}

// Window lengths up to a whole 8-hour shift, ending now or up to a week back (minutes ago).
const WINDOWS_MIN = [5, 15, 30, 60, 240, 480] as const;
const ENDS_AGO_MIN = [0, 15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080] as const;
/** The scrubber in 0.1 s steps of a 15-minute window (finer for shorter ones): every state interval can be reached. */
const STEP_MS = 100;
/** Longer than a device read takes to reach the historian (poll or publishing interval plus latency). */
const SETTLE_MS = 2_000;
/** Parts released per machine per tick at most: 60× through a busy minute must not flood the conveyors. */
const MAX_PARTS_PER_TICK = 8;

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
    const o = el('option', undefined, m >= 60 ? `${m / 60} h` : `${m} min`);
    o.value = String(m);
    windowSelect.append(o);
  }
  windowSelect.value = '15';
  const endLabel = el('span', 'replay-label');
  const endSelect = el('select');
  endSelect.dataset.testid = 'replay-end';
  for (const m of ENDS_AGO_MIN) {
    const o = el('option');
    o.value = String(m);
    endSelect.append(o);
  }
  endSelect.value = '0';
  const playBtn = button('replay-play');
  const speedSelect = el('select');
  speedSelect.dataset.testid = 'replay-speed';
  for (const s of REPLAY_SPEEDS) {
    const o = el('option', undefined, `${s}×`);
    o.value = String(s);
    speedSelect.append(o);
  }
  speedSelect.value = '10';
  const prevBtn = button('replay-prev-fault');
  const nextBtn = button('replay-next-fault');
  // The track: one lane of state colours per machine, the fault marks, and the scrubber on top.
  const track = el('div', 'replay-track');
  track.style.cssText = 'flex: 1; position: relative; display: flex; flex-direction: column; gap: 1px; min-width: 200px;';
  const lanes = el('div', 'replay-lanes');
  lanes.dataset.testid = 'replay-lanes';
  lanes.style.cssText = 'display: flex; flex-direction: column; gap: 1px;';
  const marksEl = el('div', 'replay-marks');
  marksEl.dataset.testid = 'replay-marks';
  marksEl.style.cssText = 'position: relative; height: 10px;';
  const scrubber = el('input', 'replay-scrubber');
  scrubber.type = 'range';
  scrubber.min = '0';
  scrubber.max = '1000';
  scrubber.value = '0';
  scrubber.dataset.testid = 'replay-scrubber';
  scrubber.style.width = '100%';
  scrubber.style.margin = '0';
  track.append(marksEl, lanes, scrubber);
  const timeText = el('span', 'replay-time');
  timeText.dataset.testid = 'replay-time';
  const leaveBtn = button('replay-leave');
  bar.append(windowLabel, windowSelect, endLabel, endSelect, playBtn, speedSelect, prevBtn, track, nextBtn, timeText, leaveBtn);
  host.append(banner, bar);

  let active = false;
  let clock: ReplayClock | null = null;
  let tracks = new Map<string, ReplaySegment[]>();
  let counts = new Map<string, CountTrack>();
  let marks: ReplayMark[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastTick = 0;
  let loadSeq = 0;
  // Tag values of the watched machine at `values.at`.
  let watched: string | null = null;
  let values: { machineId: string; at: number; tags: Record<string, LiveTag> } | null = null;
  let valuesInFlight = false;

  function button(testid: string): HTMLButtonElement {
    const b = el('button', 'dash-btn');
    b.type = 'button';
    b.dataset.testid = testid;
    b.style.whiteSpace = 'nowrap';
    return b;
  }

  function relabel(): void {
    setText(windowLabel, t('replayWindow'));
    setText(endLabel, t('replayEnding'));
    for (const o of endSelect.options) {
      const m = Number(o.value);
      setText(o, m === 0 ? t('replayEndsNow') : `${m >= 1440 ? `${m / 1440} d` : m >= 60 ? `${m / 60} h` : `${m} min`} ${t('replayAgo')}`);
    }
    setText(playBtn, clock?.playing ? t('replayPause') : t('replayPlay'));
    setText(leaveBtn, t('replayLeave'));
    setText(prevBtn, `◀ ${t('replayFault')}`);
    setText(nextBtn, `${t('replayFault')} ▶`);
    prevBtn.title = t('replayPrevFaultHint');
    nextBtn.title = t('replayNextFaultHint');
    renderPosition();
  }

  function renderPosition(): void {
    if (!clock) {
      setText(banner, `${t('replayBanner')} · ${t('replayLoading')}`);
      return;
    }
    const tz = ctx.timezone();
    scrubber.value = String(Math.round((clock.position - clock.from) / STEP_MS));
    bar.dataset.position = String(Math.round(clock.position));
    bar.dataset.speed = String(clock.speed);
    bar.dataset.playing = String(clock.playing);
    const text = `${clockTime(clock.position, tz)}:${String(new Date(clock.position).getUTCSeconds()).padStart(2, '0')}`;
    setText(timeText, `${text} (${clockTime(clock.from, tz)}–${clockTime(clock.to, tz)})`);
    setText(banner, `${t('replayBanner')} · ${text} · ${clock.speed}×`);
    setText(playBtn, clock.playing ? t('replayPause') : t('replayPlay'));
  }

  /** One lane per machine; segments carry their times so what is drawn can be checked against the historian. */
  function renderLanes(from: number, to: number): void {
    const span = to - from;
    const pct = (x: number) => `${(((Math.min(to, Math.max(from, x)) - from) / span) * 100).toFixed(3)}%`;
    const rows: HTMLElement[] = [];
    for (const [machineId, segs] of tracks) {
      const lane = el('div', 'replay-lane');
      lane.dataset.machineId = machineId;
      lane.title = machineId;
      lane.style.cssText = 'position: relative; height: 4px; background: rgba(255,255,255,0.06);';
      for (const s of segs) {
        if (s.end <= from || s.start >= to) continue;
        const seg = el('div', `replay-seg st-${s.state}`);
        seg.dataset.state = s.state;
        seg.dataset.start = String(s.start);
        seg.dataset.end = String(s.end);
        seg.style.cssText = `position: absolute; top: 0; bottom: 0; left: ${pct(s.start)}; width: calc(${pct(s.end)} - ${pct(s.start)});`;
        lane.append(seg);
      }
      rows.push(lane);
    }
    lanes.replaceChildren(...rows);
    const ticks: HTMLElement[] = [];
    for (const m of marks) {
      const tick = el('span', `replay-mark replay-mark-${m.kind}`);
      tick.dataset.kind = m.kind;
      tick.dataset.ts = String(m.ts);
      tick.dataset.machineId = m.machineId;
      tick.title = `${clockTime(m.ts, ctx.timezone())} ${m.machineId}: ${m.text}`;
      const colour = m.kind === 'alarm' ? (m.priority === 'high' || m.priority === 'critical' ? '#ef4444' : '#f59e0b') : 'rgba(239,68,68,0.55)';
      tick.style.cssText = `position: absolute; bottom: 0; left: ${pct(m.ts)}; width: ${m.kind === 'alarm' ? 3 : 1}px; height: ${m.kind === 'alarm' ? 10 : 6}px; background: ${colour}; cursor: pointer;`;
      tick.addEventListener('click', () => seek(Math.max(from, m.ts - 120_000), m));
      ticks.push(tick);
    }
    marksEl.replaceChildren(...ticks);
  }

  async function load(): Promise<void> {
    const seq = ++loadSeq;
    bar.dataset.loads = String(Number(bar.dataset.loads ?? 0) + 1);
    const endsAgo = Number(endSelect.value) * 60_000;
    const from = ctx.now() - endsAgo - Number(windowSelect.value) * 60_000;
    clock = null;
    values = null;
    bar.dataset.loaded = 'false';
    renderPosition();
    const ids = ctx.machineIds();
    const errors: string[] = [];
    const states = await Promise.all(ids.map((id) => (endsAgo > 0 ? fetchStatesIn(id, from, ctx.now() - endsAgo) : fetchStatesUntilNow(id, from))));
    if (seq !== loadSeq || !active) return;
    // The edge ends each answer at its clock, after writing what it had queued. A sample is
    // stamped when its device was read and reaches the historian a poll later, so the window
    // ends SETTLE_MS before the earliest of those ends: up to there the history is complete.
    let to = Number.POSITIVE_INFINITY;
    // A window that ended in the past is complete already.
    for (const a of states) if (a.ok) to = Math.min(to, a.value.to - (endsAgo > 0 ? 0 : SETTLE_MS));
    if (!Number.isFinite(to)) to = ctx.now() - endsAgo - SETTLE_MS;
    tracks = new Map();
    states.forEach((a, i) => {
      if (a.ok) tracks.set(ids[i]!, toTrack(a.value.intervals, to));
      else errors.push(`${ids[i]}: ${a.error}`);
    });
    const shifts = ids.map((id) => ctx.shiftStart(id));
    const [countAnswers, alarms] = await Promise.all([
      Promise.all(ids.map((id, i) => fetchCounts(id, from, to, shifts[i]!))),
      fetchAlarmsIn(from, to),
    ]);
    if (seq !== loadSeq || !active) return;
    counts = new Map();
    countAnswers.forEach((a, i) => {
      const shift = shifts[i]!;
      if (!a.ok) {
        errors.push(`${ids[i]}: ${a.error}`);
        return;
      }
      const resetAt = shift !== null && shift > from && shift < to ? shift : null;
      counts.set(ids[i]!, toCountTrack(a.value.base, a.value.deltas, a.value.since ?? from, resetAt));
    });
    if (!alarms.ok) errors.push(`alarms: ${alarms.error}`);
    marks = faultMarks(tracks, alarms.ok ? alarms.value.occurrences : [], from, to);
    clock = new ReplayClock(from, to);
    clock.speed = Number(speedSelect.value);
    scrubber.max = String(Math.ceil((to - from) / STEP_MS));
    bar.dataset.from = String(from);
    bar.dataset.to = String(to);
    bar.dataset.marks = String(marks.length);
    bar.dataset.loaded = 'true';
    bar.title = errors.length ? `${t('historyUnavailable')}: ${errors.join('; ')}` : '';
    renderLanes(from, to);
    renderPosition();
    refreshValues();
    ctx.onChange();
  }

  /** Reads the watched machine's tags at the replayed moment; one request at a time, the newest moment wins. */
  function refreshValues(): void {
    if (!clock || !watched || valuesInFlight) return;
    const at = Math.floor(clock.position);
    if (values && values.machineId === watched && values.at === at) return;
    const machineId = watched;
    const seq = loadSeq;
    valuesInFlight = true;
    void fetchValuesAt(machineId, at).then((r) => {
      valuesInFlight = false;
      if (seq !== loadSeq || !active) return;
      if (r.ok) values = { machineId, at, tags: r.value.tags };
      else bar.title = `${t('historyUnavailable')}: ${r.error}`;
      ctx.onChange();
      // The cursor moved on while we asked: ask again for where it is now.
      if (r.ok) refreshValues();
    });
  }

  function seek(position: number, jumpedTo?: ReplayMark): void {
    if (!clock) return;
    clock.seek(position);
    if (jumpedTo) bar.dataset.jumpedTo = String(jumpedTo.ts);
    renderPosition();
    refreshValues();
    ctx.onChange();
  }

  function tick(): void {
    const now = performance.now();
    const dt = now - lastTick;
    lastTick = now;
    if (!clock) return;
    const before = clock.position;
    if (clock.advance(dt)) {
      // Parts flow as the historian's counts went up between the two replayed moments.
      for (const [id, c] of counts) {
        const made = countAt(c, clock.position).total - countAt(c, before).total;
        if (made > 0) ctx.releaseParts(id, Math.min(made, MAX_PARTS_PER_TICK));
      }
      renderPosition();
      refreshValues();
      ctx.onChange();
    }
  }

  function jump(direction: 1 | -1): void {
    if (!clock) return;
    const target = jumpTarget(marks, clock.position, direction, clock.from);
    if (target) seek(target.at, target.mark);
  }

  windowSelect.addEventListener('change', () => void load());
  endSelect.addEventListener('change', () => void load());
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
    if (clock) seek(clock.from + Number(scrubber.value) * STEP_MS);
  });
  prevBtn.addEventListener('click', () => jump(-1));
  nextBtn.addEventListener('click', () => jump(1));
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
      values = null;
      valuesInFlight = false;
      banner.hidden = true;
      bar.hidden = true;
      host.classList.remove('replaying');
      ctx.onChange();
    },
    at: () => (active && clock ? clock.position : null),
    view(live) {
      if (!active || !clock) return live;
      const track = tracks.get(live.machineId);
      const s = track ? stateAt(track, clock.position) : { state: 'no-data' as const, since: clock.from, reason: null };
      const c = counts.get(live.machineId);
      const made = c ? countAt(c, clock.position) : { total: 0, good: 0, scrap: 0 };
      const tags = values && values.machineId === live.machineId ? values.tags : {};
      return {
        ...live,
        state: s.state,
        stateSince: Number.isFinite(s.since) ? s.since : clock.from,
        faultCode: null,
        counts: { total: made.total, good: made.good, scrap: made.scrap },
        tags,
      };
    },
    watch(machineId) {
      if (watched === machineId) return;
      watched = machineId;
      refreshValues();
    },
    countsFrom(machineId) {
      const c = counts.get(machineId);
      return active && clock && c ? countAt(c, clock.position).origin : null;
    },
    valuesAt: () => (active && values && values.machineId === watched ? values.at : null),
    figure(live) {
      return `${t('since')} ${clockTime(live.stateSince, ctx.timezone())} · ${live.counts.total} ${t('replayParts')}`;
    },
    relabel,
  };
  return mode;
}
