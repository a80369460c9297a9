// The operator's work orders and scrap booking: a button in the shop-floor dock showing the
// line's order and its progress, and a sheet with the running order (pause, complete), the
// orders waiting to run (start, with the recipe download only when ticked), a new-order form for
// managers, and scrap booking per machine (quantity stepper, reason chips, operator or quality).
// Touch first: every target at least 44 px (the shop-* styles of ui/stops/stops.css).
import type { Order, OrderProgress } from '../../../../shared/order-api.js';
import type { Product } from '../../../../shared/product-api.js';
import type { CountingMode } from '../../../../shared/count-roles.js';
import type { Role } from '../../../../shared/auth-api.js';
import { button, el } from '../dom.js';
import { shopSheet } from '../shop-sheet.js';
import { orderApi } from './order-client.js';
import { ox } from './order-text.js';
import './orders.css';

export interface OrderPanelOptions {
  machines: () => Array<{ id: string; name: string; counting: CountingMode }>;
  role: () => Role | null;
  /** The sheet opened: the other shop-floor sheets close (one at a time on a tablet). */
  onOpen?: () => void;
}

export interface OrderPanel {
  toggle(open?: boolean): void;
  /** The live `order` message. */
  progress(p: OrderProgress): void;
  refresh(): Promise<void>;
  relabel(): void;
  readonly isOpen: boolean;
}

const POLL_MS = 5_000;
const MANAGER_ROLES: Role[] = ['manager', 'admin'];

export function createOrderPanel(stage: HTMLElement, o: OrderPanelOptions): OrderPanel {
  const { toggleButton, sheet, head, title, closeButton } = shopSheet(stage, 'orders');
  const toggleLabel = el('span');
  const chip = el('span', 'order-chip');
  chip.dataset.testid = 'orders-chip';
  toggleButton.append(toggleLabel, chip);

  const error = el('div', 'shop-error');
  error.dataset.testid = 'orders-error';
  error.setAttribute('role', 'alert');
  const message = el('div', 'order-message');
  message.dataset.testid = 'orders-message';
  message.setAttribute('aria-live', 'polite');

  const currentTitle = el('h3', 'shop-sub');
  const current = el('div', 'order-current');
  current.dataset.testid = 'order-current';
  const machinesRow = el('div', 'order-machines');
  const queueTitle = el('h3', 'shop-sub');
  const recipeLabel = el('label', 'order-recipe');
  const recipeBox = el('input');
  recipeBox.type = 'checkbox';
  recipeBox.dataset.testid = 'order-recipe';
  const recipeText = el('span');
  recipeLabel.append(recipeBox, recipeText);
  const queue = el('div', 'order-queue');

  const createTitle = el('h3', 'shop-sub');
  const createForm = el('form', 'order-form');
  const newId = field('input', 'order-new-id') as HTMLInputElement;
  const newProduct = field('select', 'order-new-product') as HTMLSelectElement;
  const newQty = field('input', 'order-new-qty') as HTMLInputElement;
  newQty.type = 'number';
  newQty.min = '1';
  newQty.inputMode = 'numeric';
  const createButton = button('shop-primary', 'order-create', 'submit');
  const labels = { id: el('label'), product: el('label'), qty: el('label') };
  labels.id.append(el('span'), newId);
  labels.product.append(el('span'), newProduct);
  labels.qty.append(el('span'), newQty);
  // An ERP export (id,product,quantity[,due,line,note]): all rows or none, the edge names a bad line.
  const importLabel = el('label', 'shop-action order-import');
  importLabel.dataset.testid = 'order-import';
  const importFile = el('input');
  importFile.type = 'file';
  importFile.accept = '.csv,text/csv';
  importFile.dataset.testid = 'order-import-file';
  const importText = el('span');
  importLabel.append(importText, importFile);
  createForm.append(labels.id, labels.product, labels.qty, createButton, importLabel);

  const scrapTitle = el('h3', 'shop-sub');
  const scrapForm = el('form', 'scrap-form');
  const scrapMachine = field('select', 'scrap-machine') as HTMLSelectElement;
  const countingNote = el('div', 'shop-status');
  countingNote.dataset.testid = 'scrap-counting';
  const qtyRow = el('div', 'scrap-qty-row');
  const minus = button('shop-action', 'scrap-minus');
  minus.textContent = '−';
  const scrapQty = field('input', 'scrap-qty') as HTMLInputElement;
  scrapQty.type = 'number';
  scrapQty.min = '1';
  scrapQty.value = '1';
  scrapQty.inputMode = 'numeric';
  const plus = button('shop-action', 'scrap-plus');
  plus.textContent = '+';
  qtyRow.append(minus, scrapQty, plus);
  const reasonChips = el('div', 'scrap-reasons');
  const scrapReason = field('input', 'scrap-reason') as HTMLInputElement;
  scrapReason.maxLength = 200;
  const sourceRow = el('div', 'scrap-source');
  const sourceButtons = { operator: button('shop-tab', 'scrap-source-operator'), quality: button('shop-tab', 'scrap-source-quality') };
  sourceRow.append(sourceButtons.operator, sourceButtons.quality);
  const bookButton = button('shop-primary', 'scrap-book', 'submit');
  const scrapLabels = { machine: el('label'), qty: el('span', 'scrap-label'), reason: el('label'), source: el('span', 'scrap-label') };
  scrapLabels.machine.append(el('span'), scrapMachine);
  scrapLabels.reason.append(el('span'), scrapReason);
  scrapForm.append(scrapLabels.machine, countingNote, scrapLabels.qty, qtyRow, scrapLabels.reason, reasonChips, scrapLabels.source, sourceRow, bookButton);
  const recentTitle = el('h3', 'shop-sub');
  const recent = el('ul', 'scrap-recent');
  recent.dataset.testid = 'scrap-recent';

  sheet.append(head, error, message, currentTitle, current, machinesRow, queueTitle, recipeLabel, queue, createTitle, createForm, scrapTitle, scrapForm, recentTitle, recent);
  stage.append(sheet);

  let open = false;
  let progressNow: OrderProgress | null = null;
  let orders: Order[] = [];
  let products: Product[] = [];
  let source: 'operator' | 'quality' = 'operator';
  let confirmCompleteUntil = 0;
  let busy = false;

  function field(tag: 'input' | 'select', testid: string): HTMLElement {
    const f = el(tag, 'order-field');
    f.dataset.testid = testid;
    return f;
  }

  function say(text: string, isError = false): void {
    error.textContent = isError ? text : '';
    message.textContent = isError ? '' : text;
  }

  async function act<T>(work: () => Promise<{ ok: true; value: T } | { ok: false; error: string }>, done: (v: T) => string): Promise<void> {
    if (busy) return;
    busy = true;
    sheet.setAttribute('aria-busy', 'true');
    try {
      const r = await work();
      if (r.ok) say(done(r.value));
      else say(r.error, true);
      await refresh();
    } finally {
      busy = false;
      sheet.removeAttribute('aria-busy');
    }
  }

  const statusText = (s: Order['status']) => ox()[s];

  function renderChip(): void {
    const p = progressNow?.line;
    chip.textContent = p?.orderId ? `${p.orderId}${p.progress !== null ? ` · ${Math.round(p.progress * 100)} %` : ''}` : '';
    chip.hidden = !p?.orderId;
  }

  function renderCurrent(): void {
    const T = ox();
    const p = progressNow?.line;
    current.replaceChildren();
    if (!p?.orderId) {
      current.append(el('div', 'shop-empty', T.none));
    } else {
      const top = el('div', 'order-top');
      top.append(el('strong', 'order-id', p.orderId), el('span', 'order-product', p.productId ?? ''), el('span', `order-status st-${p.status}`, p.status ? statusText(p.status) : ''));
      const bar = el('div', 'order-bar');
      const fill = el('span', 'order-fill');
      fill.style.width = `${Math.min(100, Math.round((p.progress ?? 0) * 100))}%`;
      bar.append(fill);
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuenow', String(Math.round((p.progress ?? 0) * 100)));
      const count = el('div', 'order-count', p.quantity ? T.progress(p.good, p.quantity) : String(p.good));
      count.dataset.testid = 'order-progress';
      const actions = el('div', 'stop-actions');
      const pause = button('shop-action', 'order-pause');
      pause.textContent = T.pause;
      pause.onclick = () => void act(() => orderApi.pause(p.orderId!), (x) => `${x.id}: ${T.paused}`);
      const complete = button('shop-primary', 'order-complete');
      // A redraw (the live message, the poll) between the two taps keeps the question on the button.
      complete.textContent = Date.now() < confirmCompleteUntil ? T.confirmComplete : T.complete;
      complete.onclick = () => {
        // Completing is final: a second tap confirms, so a brush of the sleeve does not end an order.
        if (Date.now() > confirmCompleteUntil) {
          confirmCompleteUntil = Date.now() + 4_000;
          complete.textContent = T.confirmComplete;
          return;
        }
        confirmCompleteUntil = 0;
        void act(() => orderApi.complete(p.orderId!), (x) => `${x.id}: ${T.completed}`);
      };
      actions.append(pause, complete);
      current.append(top, bar, count, actions);
    }
    const names = new Map(o.machines().map((m) => [m.id, m.name]));
    machinesRow.replaceChildren(...(progressNow?.machines ?? []).filter((m) => m.orderId).map((m) => {
      const c = el('span', 'reason-chip', `${names.get(m.machineId) ?? m.machineId}: ${m.orderId}${m.source === 'plc' ? ` (${T.plc})` : ''}${m.changeover ? ` · ${T.setup}` : ''}`);
      c.dataset.testid = `order-at-${m.machineId}`;
      return c;
    }));
  }

  function renderQueue(): void {
    const T = ox();
    const waiting = orders.filter((x) => x.status === 'planned' || x.status === 'paused');
    queue.replaceChildren();
    if (!waiting.length) queue.append(el('div', 'shop-empty', T.noQueue));
    for (const x of waiting) {
      const row = el('div', 'order-row');
      row.dataset.testid = `order-row-${x.id}`;
      const what = el('div', 'order-what');
      what.append(el('strong', 'order-id', x.id), el('span', 'order-product', `${x.productId} · ${x.quantity}`), el('span', `order-status st-${x.status}`, statusText(x.status)));
      const start = button('shop-primary', `order-start-${x.id}`);
      start.textContent = x.status === 'paused' ? T.resume : T.start;
      start.disabled = Boolean(progressNow?.line.orderId);
      start.onclick = () => void act(() => orderApi.start(x.id, recipeBox.checked ? 'download' : 'skip'), (v) => `${v.order.id}: ${T.started}${v.recipe.written.length ? ` (${T.recipeHint(v.recipe.written.length)})` : ''}`);
      row.append(what, start);
      queue.append(row);
    }
    const next = waiting[0] && products.find((p) => p.id === waiting[0]!.productId);
    recipeText.textContent = `${T.recipe}${next?.recipe.length ? ` — ${T.recipeHint(next.recipe.length)}` : ''}`;
  }

  function renderForms(): void {
    const manager = MANAGER_ROLES.includes(o.role() ?? 'operator');
    createTitle.hidden = !manager;
    createForm.hidden = !manager;
    const keep = newProduct.value;
    newProduct.replaceChildren(...products.map((p) => { const opt = el('option', undefined, `${p.id} — ${p.name}`); opt.value = p.id; return opt; }));
    if (keep) newProduct.value = keep;
    const machines = o.machines();
    const keepMachine = scrapMachine.value;
    if (scrapMachine.options.length !== machines.length) {
      scrapMachine.replaceChildren(...machines.map((m) => { const opt = el('option', undefined, m.name); opt.value = m.id; return opt; }));
    }
    if (keepMachine) scrapMachine.value = keepMachine;
    renderCounting();
  }

  function renderCounting(): void {
    const m = o.machines().find((x) => x.id === scrapMachine.value);
    countingNote.textContent = m ? ox().counting[m.counting] : '';
  }

  async function refresh(): Promise<void> {
    const [cur, list, prods, scrap] = await Promise.all([orderApi.current(), orderApi.orders(), open ? orderApi.products() : Promise.resolve(null), open ? orderApi.scrap() : Promise.resolve(null)]);
    if (cur.ok) progressNow = cur.value;
    if (list.ok) orders = list.value.orders;
    if (prods?.ok) products = prods.value.products;
    renderChip();
    if (!open) return;
    renderCurrent();
    renderQueue();
    renderForms();
    if (scrap?.ok) {
      const names = new Map(o.machines().map((m) => [m.id, m.name]));
      recent.replaceChildren(...scrap.value.bookings.map((b) => el('li', undefined, `${new Date(b.ts).toLocaleTimeString()} · ${names.get(b.machineId) ?? b.machineId} · ${b.quantity} · ${b.reason} · ${b.by}`)));
    }
  }

  function relabel(): void {
    const T = ox();
    toggleLabel.textContent = T.orders;
    title.textContent = T.title;
    currentTitle.textContent = T.current;
    queueTitle.textContent = T.queue;
    createTitle.textContent = T.create;
    labels.id.firstChild!.textContent = T.orderId;
    labels.product.firstChild!.textContent = T.product;
    labels.qty.firstChild!.textContent = T.quantity;
    createButton.textContent = T.add;
    importText.textContent = T.importCsv;
    scrapTitle.textContent = T.scrapTitle;
    scrapLabels.machine.firstChild!.textContent = T.machine;
    scrapLabels.qty.textContent = T.quantity;
    scrapLabels.reason.firstChild!.textContent = T.reason;
    scrapReason.placeholder = T.reasonPlaceholder;
    scrapLabels.source.textContent = T.source;
    sourceButtons.operator.textContent = T.operator;
    sourceButtons.quality.textContent = T.quality;
    bookButton.textContent = T.book;
    recentTitle.textContent = T.recent;
    reasonChips.replaceChildren(...T.reasons.map((r, i) => {
      const b = button('shop-tab', `scrap-reason-${i}`);
      b.textContent = r;
      b.onclick = () => { scrapReason.value = r; };
      return b;
    }));
    renderChip();
    if (open) { renderCurrent(); renderQueue(); renderForms(); }
  }

  function setSource(s: 'operator' | 'quality'): void {
    source = s;
    sourceButtons.operator.setAttribute('aria-pressed', String(s === 'operator'));
    sourceButtons.quality.setAttribute('aria-pressed', String(s === 'quality'));
  }
  setSource('operator');
  sourceButtons.operator.onclick = () => setSource('operator');
  sourceButtons.quality.onclick = () => setSource('quality');
  const step = (d: number) => { scrapQty.value = String(Math.max(1, (Number(scrapQty.value) || 1) + d)); };
  minus.onclick = () => step(-1);
  plus.onclick = () => step(1);
  scrapMachine.onchange = renderCounting;

  createForm.onsubmit = (e) => {
    e.preventDefault();
    const quantity = Number(newQty.value);
    void act(() => orderApi.create({ id: newId.value.trim(), productId: newProduct.value, quantity }), (x) => `${x.id}: ${ox().planned}`).then(() => {
      if (!error.textContent) { newId.value = ''; newQty.value = ''; }
    });
  };
  importFile.onchange = () => {
    const file = importFile.files?.[0];
    if (!file) return;
    void file.text().then((csv) => act(() => orderApi.importCsv(csv), (r) => ox().imported(r.created.length))).finally(() => { importFile.value = ''; });
  };
  scrapForm.onsubmit = (e) => {
    e.preventDefault();
    const quantity = Number(scrapQty.value);
    const machineId = scrapMachine.value;
    const name = o.machines().find((m) => m.id === machineId)?.name ?? machineId;
    void act(() => orderApi.bookScrap({ machineId, quantity, reason: scrapReason.value.trim(), source }), (b) => ox().booked(b.quantity, name)).then(() => {
      if (!error.textContent) { scrapQty.value = '1'; scrapReason.value = ''; }
    });
  };

  let timer: ReturnType<typeof setInterval> | null = null;
  function toggle(next = !open): void {
    open = next;
    sheet.hidden = !open;
    toggleButton.setAttribute('aria-pressed', String(open));
    if (open) {
      o.onOpen?.();
      say('');
      void refresh();
      timer ??= setInterval(() => void refresh(), POLL_MS);
    } else if (timer) {
      clearInterval(timer);
      timer = null;
    }
  }
  toggleButton.onclick = () => toggle();
  closeButton.onclick = () => toggle(false);
  relabel();
  // The chip on the button follows the line even with the sheet closed (the live message, or this).
  setInterval(() => { if (!open && o.role()) void refresh(); }, 3 * POLL_MS).unref?.();

  return {
    toggle,
    progress(p) {
      progressNow = p;
      renderChip();
      if (open) renderCurrent();
    },
    refresh,
    relabel,
    get isOpen() { return open; },
  };
}
