// The manager dashboard's losses by operator reason for the selected machine's current shift:
// the loss waterfall and the Pareto with the reasons' names (unclassified stops a bar of their own
// in both) and OEE with the reasons applied,
// from GET /api/downtime/losses. Answers are kept for a few seconds: the dashboard redraws often.
import { percent } from '../../format.js';
import { tLoss } from '../../i18n.js';
import { paretoChart, waterfallChart } from '../dashboard/svg-charts.js';
import { el } from '../dom.js';
import { downtimeApi, type ReasonLosses } from './downtime-client.js';
import { nameOf, tx } from './shop-text.js';

const KEEP_MS = 10_000;
const cache = new Map<string, { at: number; value: ReasonLosses | null }>();

export function reasonParetoSection(machineId: string): HTMLElement {
  const box = el('div', 'dash-section');
  box.dataset.testid = 'dash-reason-pareto';
  const title = el('h3', undefined, tx().lossesByOperatorReason);
  const body = el('div', 'dash-hint', '…');
  box.append(title, body);
  const draw = (v: ReasonLosses | null) => {
    const T = tx();
    if (!v) {
      body.replaceWith(el('div', 'dash-hint', '—'));
      return;
    }
    const rows = v.pareto.filter((r) => !r.planned).slice(0, 10);
    const content = el('div');
    content.append(el('div', 'dash-hint', `${T.oeeWithReasons}: ${percent(v.oee)} · ${T.unclassifiedBar}: ${(v.unclassifiedSeconds / 60).toFixed(1)} min`));
    const steps = v.waterfall.filter((s) => s.kind !== 'excluded' || s.seconds > 0);
    if (steps.length) {
      const chart = waterfallChart(steps.map((s) => ({ label: stepLabel(s.step, T.unclassifiedBar), minutes: s.seconds / 60, kind: s.kind })));
      chart.dataset.testid = 'dash-reason-waterfall';
      content.append(chart);
    }
    content.append(rows.length ? paretoChart(rows.map((r) => ({ label: r.reason === 'unclassified' ? T.unclassifiedBar : nameOf(r.name), value: r.seconds / 60 }))) : el('div', 'dash-hint', T.noLosses));
    body.replaceWith(content);
  };
  const hit = cache.get(machineId);
  if (hit && Date.now() - hit.at < KEEP_MS) draw(hit.value);
  else {
    void downtimeApi.losses(machineId).then((answer) => {
      const value = answer.ok ? answer.value : null;
      cache.set(machineId, { at: Date.now(), value });
      draw(value);
    });
  }
  return box;
}

/** The service splits breakdowns into classified and unclassified stop time (shared/downtime-losses.ts). */
function stepLabel(step: string, unclassified: string): string {
  if (step === 'unclassified stops') return unclassified;
  if (step === 'breakdowns (classified)') return tLoss('breakdowns');
  return tLoss(step);
}
