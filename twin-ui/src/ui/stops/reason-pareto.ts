// The manager dashboard's losses by operator reason for the selected machine's current shift:
// the Pareto with the reasons' names (unclassified its own bar) and OEE with the reasons applied,
// from GET /api/downtime/losses. Answers are kept for a few seconds: the dashboard redraws often.
import type { ParetoRow } from '../../../../shared/downtime-api.js';
import { percent } from '../../format.js';
import { paretoChart } from '../dashboard/svg-charts.js';
import { el } from '../dom.js';
import { downtimeApi } from './downtime-client.js';
import { nameOf, tx } from './shop-text.js';

const KEEP_MS = 10_000;
const cache = new Map<string, { at: number; value: { pareto: ParetoRow[]; unclassifiedSeconds: number; oee: number; availability: number } | null }>();

export function reasonParetoSection(machineId: string): HTMLElement {
  const box = el('div', 'dash-section');
  box.dataset.testid = 'dash-reason-pareto';
  const title = el('h3', undefined, tx().lossesByOperatorReason);
  const body = el('div', 'dash-hint', '…');
  box.append(title, body);
  const draw = (v: { pareto: ParetoRow[]; unclassifiedSeconds: number; oee: number; availability: number } | null) => {
    const T = tx();
    if (!v) {
      body.replaceWith(el('div', 'dash-hint', '—'));
      return;
    }
    const rows = v.pareto.filter((r) => !r.planned).slice(0, 10);
    const content = el('div');
    content.append(el('div', 'dash-hint', `${T.oeeWithReasons}: ${percent(v.oee)} · ${T.unclassifiedBar}: ${(v.unclassifiedSeconds / 60).toFixed(1)} min`));
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
