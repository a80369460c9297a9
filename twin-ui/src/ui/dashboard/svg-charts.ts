// Small SVG charts for the dashboard (no chart library: a few rectangles are enough and keep
// the bundle small). Each function returns a fresh <svg> sized by its viewBox.

const NS = 'http://www.w3.org/2000/svg';

function svg(width: number, height: number, className: string): SVGSVGElement {
  const s = document.createElementNS(NS, 'svg');
  s.setAttribute('viewBox', `0 0 ${width} ${height}`);
  s.setAttribute('class', className);
  s.setAttribute('preserveAspectRatio', 'xMinYMin meet');
  return s;
}

function node<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface WaterfallBar {
  label: string;
  minutes: number;
  kind: 'total' | 'loss' | 'excluded';
}

/**
 * Horizontal waterfall: totals are full bars from zero, each loss hangs from the level
 * before it, so the eye follows time being lost step by step down to fully productive time.
 */
export function waterfallChart(bars: readonly WaterfallBar[]): SVGSVGElement {
  const rowH = 20;
  const labelW = 200;
  const barW = 300;
  const width = labelW + barW + 70;
  const s = svg(width, bars.length * rowH + 4, 'chart waterfall');
  const max = Math.max(1e-9, ...bars.map((b) => b.minutes));
  let level = 0;
  bars.forEach((b, i) => {
    const y = i * rowH + 2;
    let x0 = 0;
    let w = b.minutes;
    if (b.kind === 'total') level = b.minutes;
    else {
      // Losses and excluded time (planned stops, no data) both come off the level above.
      x0 = Math.max(0, level - b.minutes);
      w = level - x0;
      level = x0;
    }
    s.append(node('text', { x: labelW - 6, y: y + 13, 'text-anchor': 'end', class: 'chart-label' }, b.label));
    const rect = node('rect', { x: labelW + (x0 / max) * barW, y, width: Math.max(0.5, (w / max) * barW), height: rowH - 5, class: `bar bar-${b.kind}` });
    rect.append(node('title', {}, `${b.label}: ${b.minutes.toFixed(1)} min`));
    s.append(rect);
    s.append(node('text', { x: labelW + barW + 6, y: y + 13, class: 'chart-value' }, `${b.minutes.toFixed(1)}`));
  });
  return s;
}

/** Pareto: bars largest first with the cumulative share as a line (the 80 % cut is where to act). */
export function paretoChart(items: readonly { label: string; value: number }[]): SVGSVGElement {
  const width = 560;
  const height = 170;
  const top = 8;
  const bottom = 40;
  const left = 36;
  const plotH = height - top - bottom;
  const s = svg(width, height, 'chart pareto');
  const total = items.reduce((a, b) => a + b.value, 0);
  const max = Math.max(1e-9, ...items.map((i) => i.value));
  const slot = Math.min(90, (width - left - 40) / Math.max(1, items.length));
  let cum = 0;
  const pts: string[] = [];
  items.forEach((it, i) => {
    const x = left + i * slot;
    const h = (it.value / max) * plotH;
    const rect = node('rect', { x: x + slot * 0.15, y: top + plotH - h, width: slot * 0.7, height: Math.max(0.5, h), class: 'bar bar-loss' });
    rect.append(node('title', {}, `${it.label}: ${it.value.toFixed(1)} min`));
    s.append(rect);
    const label = it.label.length > 14 ? `${it.label.slice(0, 13)}…` : it.label;
    s.append(node('text', { x: x + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle', class: 'chart-label' }, label));
    cum += it.value;
    pts.push(`${x + slot / 2},${top + plotH - (total > 0 ? cum / total : 0) * plotH}`);
  });
  s.append(node('text', { x: left - 4, y: top + 8, 'text-anchor': 'end', class: 'chart-label' }, max.toFixed(0)));
  s.append(node('text', { x: width - 36, y: top + 8, class: 'chart-label' }, '100 %'));
  if (pts.length) s.append(node('polyline', { points: pts.join(' '), class: 'pareto-line' }));
  return s;
}

/** 15-minute demand blocks (kW) as vertical bars; the peak is marked, as a tariff would see it. */
export function demandChart(blocks: readonly { start: number; kW: number }[], label: (start: number) => string): SVGSVGElement {
  const width = 560;
  const height = 140;
  const top = 14;
  const bottom = 20;
  const plotH = height - top - bottom;
  const s = svg(width, height, 'chart demand');
  const max = Math.max(1e-9, ...blocks.map((b) => b.kW));
  const slot = Math.min(60, (width - 10) / Math.max(1, blocks.length));
  const peak = blocks.reduce((p, b, i) => (b.kW > (blocks[p]?.kW ?? -1) ? i : p), 0);
  blocks.forEach((b, i) => {
    const h = (b.kW / max) * plotH;
    const rect = node('rect', { x: 5 + i * slot + slot * 0.1, y: top + plotH - h, width: Math.max(1, slot * 0.8), height: Math.max(0.5, h), class: i === peak ? 'bar bar-peak' : 'bar bar-demand' });
    rect.append(node('title', {}, `${label(b.start)}: ${b.kW.toFixed(2)} kW`));
    s.append(rect);
    if (i === 0 || i === blocks.length - 1 || blocks.length <= 8) {
      s.append(node('text', { x: 5 + i * slot + slot / 2, y: height - 6, 'text-anchor': 'middle', class: 'chart-label' }, label(b.start)));
    }
  });
  if (blocks.length) s.append(node('text', { x: width - 4, y: 11, 'text-anchor': 'end', class: 'chart-value' }, `max ${max.toFixed(2)} kW`));
  return s;
}
