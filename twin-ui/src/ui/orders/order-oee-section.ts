// The manager dashboard's OEE by order: the recent orders that ran, each with the line's OEE
// (bottleneck method, the product's ideal cycle times), good output against the quantity, scrap
// and energy, from GET /api/orders/kpis. Kept for a few seconds: the dashboard redraws often.
import type { OrderStatus } from '../../../../shared/order-api.js';
import { percent, number } from '../../format.js';
import { el } from '../dom.js';
import { getLang } from '../../i18n.js';

interface OrderKpiRow {
  id: string; productId: string; status: OrderStatus; quantity: number;
  line: { oee: number; availability: number; performance: number; quality: number } | null;
  output: { good: number }; scrap: number; energyKWh: number; duration: { activeSeconds: number; plannedSeconds: number | null };
}

const KEEP_MS = 10_000;
let cache: { at: number; rows: OrderKpiRow[] | null } | null = null;

const words = () => getLang() === 'zh-CN'
  ? { title: '按工单 OEE', order: '工单', product: '产品', oee: 'OEE', good: '合格/数量', scrap: '报废', energy: 'kWh', time: '用时/计划', none: '尚无已运行的工单' }
  : { title: 'OEE by order', order: 'Order', product: 'Product', oee: 'OEE', good: 'Good / qty', scrap: 'Scrap', energy: 'kWh', time: 'Time / plan', none: 'No order has run yet' };

export function orderOeeSection(): HTMLElement {
  const box = el('div', 'dash-section');
  box.dataset.testid = 'dash-order-oee';
  const W = words();
  const body = el('div', 'dash-hint', '…');
  box.append(el('h3', undefined, W.title), body);
  const draw = (rows: OrderKpiRow[] | null) => {
    if (!rows?.length) {
      body.replaceWith(el('div', 'dash-hint', rows ? W.none : '—'));
      return;
    }
    const table = el('table', 'dash-table');
    const hr = el('tr');
    for (const h of [W.order, W.product, W.oee, W.good, W.scrap, W.energy, W.time]) hr.append(el('th', undefined, h));
    table.append(el('thead'), el('tbody'));
    table.tHead!.append(hr);
    for (const r of rows) {
      const tr = el('tr');
      tr.dataset.orderId = r.id;
      const plan = r.duration.plannedSeconds;
      tr.append(
        el('td', 'name', r.id), el('td', undefined, r.productId), el('td', 'num', r.line ? percent(r.line.oee) : '—'),
        el('td', 'num', `${r.output.good} / ${r.quantity}`), el('td', 'num', String(r.scrap)), el('td', 'num', number(r.energyKWh, 1)),
        el('td', 'num', `${Math.round(r.duration.activeSeconds / 60)}${plan ? ` / ${Math.round(plan / 60)}` : ''} min`),
      );
      table.tBodies[0]!.append(tr);
    }
    body.replaceWith(table);
  };
  if (cache && Date.now() - cache.at < KEEP_MS) draw(cache.rows);
  else {
    void fetch('api/orders/kpis?limit=10', { headers: { accept: 'application/json' } })
      .then(async (res) => (res.ok ? ((await res.json()) as { orders: OrderKpiRow[] }).orders : null))
      .catch(() => null)
      .then((rows) => {
        cache = { at: Date.now(), rows };
        draw(rows);
      });
  }
  return box;
}
