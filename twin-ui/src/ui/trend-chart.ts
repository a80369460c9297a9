// A small line chart on a 2D canvas: the last N minutes of one tag, history first, then live.
import { number } from '../format.js';

export interface TrendChart {
  element: HTMLElement;
  /** Replaces the series (history just loaded). */
  set(points: readonly { ts: number; v: number }[]): void;
  /** Appends a live value (ignored when not newer than the last point). */
  push(ts: number, v: number): void;
  /** Redraws for a window ending at `now` (server time). */
  draw(now: number): void;
  count(): number;
}

export function createTrendChart(windowMs: number, unit: string): TrendChart {
  const element = document.createElement('div');
  element.className = 'trend';
  const canvas = document.createElement('canvas');
  canvas.className = 'trend-canvas';
  const readout = document.createElement('div');
  readout.className = 'trend-readout';
  element.append(canvas, readout);
  let ts: number[] = [];
  let vs: number[] = [];

  return {
    element,
    set(points) {
      ts = points.map((p) => p.ts);
      vs = points.map((p) => p.v);
    },
    push(t, v) {
      if (ts.length && t <= ts[ts.length - 1]!) return;
      ts.push(t);
      vs.push(v);
    },
    count: () => ts.length,
    draw(serverNow) {
      // Source timestamps come from the device clock; if it runs ahead of the edge's (clock
      // skew, or a simulator at 10× speed), end the window at the newest sample instead.
      const now = ts.length ? Math.max(serverNow, ts[ts.length - 1]!) : serverNow;
      const from = now - windowMs;
      // Drop what scrolled out of the window (keep one point before it for the line's start).
      let cut = 0;
      while (cut < ts.length - 1 && ts[cut + 1]! < from) cut++;
      if (cut > 0) {
        ts = ts.slice(cut);
        vs = vs.slice(cut);
      }
      const dpr = Math.min(window.devicePixelRatio || 1, 2);
      const w = Math.max(10, canvas.clientWidth);
      const h = Math.max(10, canvas.clientHeight);
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
      }
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.strokeStyle = 'rgba(255,255,255,0.08)';
      ctx.lineWidth = 1;
      for (let i = 1; i < 4; i++) {
        ctx.beginPath();
        ctx.moveTo(0, (h * i) / 4);
        ctx.lineTo(w, (h * i) / 4);
        ctx.stroke();
      }
      if (!ts.length) {
        readout.textContent = '—';
        return;
      }
      let min = Infinity;
      let max = -Infinity;
      for (const v of vs) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (max - min < 1e-9) {
        max += 1;
        min -= 1;
      }
      const pad = (max - min) * 0.1;
      min -= pad;
      max += pad;
      const x = (t: number) => ((t - from) / windowMs) * w;
      const y = (v: number) => h - ((v - min) / (max - min)) * h;
      ctx.strokeStyle = '#67e8f9';
      ctx.lineWidth = 1.6;
      ctx.beginPath();
      // Step line: a PLC value holds until the next sample.
      ctx.moveTo(Math.max(0, x(ts[0]!)), y(vs[0]!));
      for (let i = 1; i < ts.length; i++) {
        ctx.lineTo(x(ts[i]!), y(vs[i - 1]!));
        ctx.lineTo(x(ts[i]!), y(vs[i]!));
      }
      ctx.lineTo(w, y(vs[vs.length - 1]!));
      ctx.stroke();
      readout.textContent = `${number(min + pad)} … ${number(max - pad)} ${unit} · ${ts.length} pts`;
    },
  };
}
