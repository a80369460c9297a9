// The shift's state timeline for one machine: coloured bands from the historian, extended live.
import type { MachineState } from '../../../shared/plant-schema.js';
import { tState } from '../i18n.js';

export interface Band {
  state: string;
  start: number;
  end: number | null;
}

export interface StateTimeline {
  element: HTMLElement;
  set(bands: readonly Band[]): void;
  /** The machine's live state at server time `now` (opens a new band when it changed). */
  live(state: MachineState, since: number, now: number): void;
  draw(from: number, to: number, now: number, clock: (t: number) => string): void;
  bands(): readonly Band[];
}

export function createStateTimeline(): StateTimeline {
  const element = document.createElement('div');
  element.className = 'timeline';
  const bar = document.createElement('div');
  bar.className = 'timeline-bar';
  const axis = document.createElement('div');
  axis.className = 'timeline-axis';
  element.append(bar, axis);
  let bands: Band[] = [];
  let drawnSig = '';

  return {
    element,
    bands: () => bands,
    set(b) {
      bands = b.map((x) => ({ ...x }));
    },
    live(state, since, now) {
      const last = bands[bands.length - 1];
      if (last && last.state === state && last.end === null) return;
      if (last && last.end === null) last.end = Math.max(last.start, since);
      bands.push({ state, start: Math.min(since, now), end: null });
    },
    draw(from, to, now, clock) {
      const span = Math.max(1, to - from);
      const sig = `${from}|${to}|${Math.floor(now / 5000)}|${bands.length}|${bands[bands.length - 1]?.state}`;
      if (sig === drawnSig) return;
      drawnSig = sig;
      bar.replaceChildren();
      for (const b of bands) {
        const s = Math.max(from, b.start);
        const e = Math.min(to, b.end ?? now);
        if (e <= s) continue;
        const seg = document.createElement('div');
        seg.className = `tl-seg st-${b.state}`;
        seg.style.left = `${((s - from) / span) * 100}%`;
        seg.style.width = `${((e - s) / span) * 100}%`;
        seg.title = `${tState(b.state as MachineState) ?? b.state}: ${clock(s)} – ${b.end === null ? '…' : clock(e)}`;
        bar.append(seg);
      }
      const nowMark = document.createElement('div');
      nowMark.className = 'tl-now';
      nowMark.style.left = `${Math.min(100, ((now - from) / span) * 100)}%`;
      bar.append(nowMark);
      axis.textContent = '';
      const a = document.createElement('span');
      a.textContent = clock(from);
      const b = document.createElement('span');
      b.textContent = clock(to);
      axis.append(a, b);
    },
  };
}
