// Products, work orders and scrap: what the REST routes call. Every change a person makes is
// audited; starting an order downloads its recipe only when asked, through the command service
// (role check, limits, read-back, audit). Scrap is booked as a count correction (good parts
// taken back) sent through the model event stream, so the live KPIs, the historian, the uplink
// and the order KPIs all see the same thing.
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { Role } from '../../shared/auth-api.js';
import type { Order, OrderCreate, OrderProgress, OrderStatus, ScrapBooking, StoredScrap } from '../../shared/order-api.js';
import { OrderCreateSchema } from '../../shared/order-api.js';
import type { Product, ProductBody } from '../../shared/product-api.js';
import { computeKpis, computeLineKpis, sumPeriodTotals, type KpiOptions, type KpiResult, type PeriodTotals } from '../../shared/kpi/index.js';
import { countingModeOf } from '../../shared/count-roles.js';
import type { AuditLog } from '../audit/index.js';
import type { CommandContext, CommandService } from '../commands/index.js';
import type { ModelEvent } from '../model/index.js';
import type { OrderStore } from './order-store.js';
import { createOrderTracker, type OrderTracker } from './order-tracker.js';
import { parseOrderCsv } from './order-csv.js';

/** A refusal with the HTTP status that fits and what to do next. */
export class OrderRefused extends Error {
  override name = 'OrderRefused';
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

export interface Actor { user: string; role: Role }

export interface MachineOrderKpis {
  machineId: string;
  idealCycleTimeSeconds: number;
  availability: number; performance: number; quality: number; oee: number;
  counts: KpiResult['counts'];
  energyKWh: number;
  setupSeconds: number;
  kpis: KpiResult;
}

export interface OrderKpis {
  order: Order;
  product: Product | null;
  machines: MachineOrderKpis[];
  /** Bottleneck method with the product's ideal cycle times (shared/kpi/line-oee.ts). */
  line: { bottleneck: string; availability: number; performance: number; quality: number; oee: number } | null;
  /** Good parts out of the last machine that worked on the order. */
  output: { good: number; quantity: number; progress: number };
  scrap: number;
  energyKWh: number;
  duration: { activeSeconds: number; plannedSeconds: number | null; ratio: number | null };
}

export interface OrdersModuleOptions {
  plant: PlantConfig;
  store: OrderStore;
  audit: AuditLog;
  commands: Pick<CommandService, 'execute'>;
  /** Good parts of the machine's current shift so far (what scrap may be booked against). */
  goodThisShift(machineId: string): number;
  /** The live KPI engine's ideal cycle time for the product a machine now makes. */
  setIdealCycleTime?(machineId: string, seconds: number | null): void;
  /** Sends events through the model's sinks (historian, KPIs, uplink, live, this module). */
  inject(events: ModelEvent[]): void;
  now: () => number;
  kpi: KpiOptions;
  microStopThresholdMs: number;
  onProgress?(progress: OrderProgress): void;
}

export type OrdersModule = ReturnType<typeof createOrdersModule>;

export function createOrdersModule(o: OrdersModuleOptions) {
  const { plant, store, audit, now } = o;
  const machines = new Map(plant.machines.map((m) => [m.id, m]));
  const flow = plant.machines.filter((m) => m.type !== 'furnace');

  function productOf(order: Order): Product | undefined {
    return store.product(order.productId, order.productVersion ?? undefined) ?? store.product(order.productId);
  }
  function productByPlc(code: string | null): Product | undefined {
    if (code === null) return undefined;
    return store.latestProducts().find((p) => p.plcCode !== undefined && String(p.plcCode) === code) ?? store.product(code);
  }
  const idealOf = (product: Product | undefined, machineId: string) => product?.idealCycleTimes[machineId] ?? machines.get(machineId)!.idealCycleTimeSeconds;

  const tracker: OrderTracker = createOrderTracker({
    plant,
    microStopThresholdMs: o.microStopThresholdMs,
    resolve(orderId, machineId, plcProduct) {
      const order = store.order(orderId);
      const product = order ? productOf(order) : productByPlc(plcProduct);
      return { orderId, productId: product?.id ?? order?.productId ?? plcProduct ?? 'unknown', idealCycleTimeSeconds: idealOf(product, machineId) };
    },
    onSegmentClosed: (s) => store.addSegment(s),
    onIdealCycleTime: (machineId, seconds) => o.setIdealCycleTime?.(machineId, seconds),
    onPlcOrder(machineId, orderId, plcProduct, ts) {
      const order = store.order(orderId);
      if (!order) {
        // The PLC knows an order the edge does not: take it on (Sepasoft's "auto-create"), on the record.
        const product = productByPlc(plcProduct);
        store.insertOrder({
          id: orderId, productId: product?.id ?? plcProduct ?? 'unknown', productVersion: product?.version ?? null, quantity: 0, due: null, line: plant.line.id,
          status: 'running', note: `created from ${machineId}'s orderId tag`, createdAt: ts, createdBy: 'plc', startedAt: ts, completedAt: null,
        });
        audit.append({ actor: 'plc', role: null, action: 'order.plc-created', target: orderId, details: { machineId, product: product?.id ?? plcProduct }, outcome: 'ok' });
      } else if (order.status === 'planned' || order.status === 'paused') {
        store.setStatus(orderId, 'running', ts, 'plc', 'plc-start');
      }
    },
  });

  let lineOrder: string | null = store.orders('running', 1)[0]?.id ?? null;
  if (lineOrder) tracker.setLineOrder(lineOrder, now());

  function mustOrder(id: string): Order {
    const order = store.order(id);
    if (!order) throw new OrderRefused(404, 'not-found', `no order "${id}": create it first (POST /api/orders)`, 'id');
    return order;
  }

  function checkProduct(id: string, body: ProductBody): void {
    for (const machineId of Object.keys(body.idealCycleTimes)) {
      if (!machines.has(machineId)) throw new OrderRefused(400, 'invalid-input', `idealCycleTimes names machine "${machineId}", which is not in the plant file (known: ${[...machines.keys()].join(', ')})`, `idealCycleTimes.${machineId}`);
    }
    body.recipe.forEach((p, i) => {
      const field = `recipe.${i}`;
      const machine = machines.get(p.machineId);
      if (!machine) throw new OrderRefused(400, 'invalid-input', `recipe parameter ${i}: no machine "${p.machineId}"`, `${field}.machineId`);
      const tag = machine.tags.find((t) => t.name === p.tag);
      if (!tag) throw new OrderRefused(400, 'invalid-input', `recipe parameter ${i}: ${p.machineId} has no tag "${p.tag}"`, `${field}.tag`);
      if (!tag.writable) throw new OrderRefused(400, 'invalid-input', `recipe parameter ${i}: ${p.machineId}.${p.tag} is not writable in the plant file; a recipe can only set writable tags`, `${field}.tag`);
      if ((tag.type === 'bool') !== (typeof p.value === 'boolean')) throw new OrderRefused(400, 'invalid-input', `recipe parameter ${i}: ${p.machineId}.${p.tag} is ${tag.type}, the value must be ${tag.type === 'bool' ? 'true or false' : 'a number'}`, `${field}.value`);
      if (typeof p.value === 'number') {
        for (const [name, v] of [['value', p.value], ['min', p.min], ['max', p.max]] as const) {
          if (v === undefined) continue;
          if ((tag.min !== undefined && v < tag.min) || (tag.max !== undefined && v > tag.max)) {
            throw new OrderRefused(400, 'invalid-input', `recipe parameter ${i}: ${name} ${v} is outside ${p.machineId}.${p.tag}'s limits in the plant file (${tag.min}…${tag.max})`, `${field}.${name}`);
          }
        }
      }
    });
    void id;
  }

  function segmentTotals(order: Order): Map<string, PeriodTotals[]> {
    const byMachine = new Map<string, PeriodTotals[]>();
    for (const s of store.segments(order.id)) byMachine.set(s.machineId, [...(byMachine.get(s.machineId) ?? []), s.totals]);
    for (const s of tracker.openTotals(order.id, now())) byMachine.set(s.machineId, [...(byMachine.get(s.machineId) ?? []), s.totals]);
    return byMachine;
  }

  function activeSeconds(order: Order): number {
    let ms = 0;
    let since: number | null = null;
    for (const e of store.events(order.id)) {
      if ((e.kind === 'start' || e.kind === 'plc-start') && since === null) since = e.ts;
      if ((e.kind === 'pause' || e.kind === 'complete') && since !== null) { ms += e.ts - since; since = null; }
    }
    if (since !== null) ms += now() - since;
    return ms / 1000;
  }

  function machineKpis(byMachine: Map<string, PeriodTotals[]>, product: Product | undefined): MachineOrderKpis[] {
    const out: MachineOrderKpis[] = [];
    for (const m of plant.machines) {
      const list = byMachine.get(m.id);
      if (!list?.length) continue;
      const totals = sumPeriodTotals(list);
      const kpis = computeKpis(totals, { ...o.kpi, counting: countingModeOf(m) });
      out.push({
        machineId: m.id, idealCycleTimeSeconds: idealOf(product, m.id), availability: kpis.availability, performance: kpis.performance, quality: kpis.quality, oee: kpis.oee,
        counts: kpis.counts, energyKWh: totals.energy.kWh, setupSeconds: kpis.times.actualSetupTime, kpis,
      });
    }
    return out;
  }

  function kpisOf(order: Order): OrderKpis {
    const product = productOf(order);
    const byMachine = segmentTotals(order);
    const list = machineKpis(byMachine, product);
    const lineMachines = list.filter((k) => machines.get(k.machineId)!.type !== 'furnace')
      .map((k) => ({ machineId: k.machineId, idealCycleTimeSeconds: k.idealCycleTimeSeconds, totals: sumPeriodTotals(byMachine.get(k.machineId)!) }));
    const line = lineMachines.length ? computeLineKpis(lineMachines, o.kpi) : null;
    const last = [...flow].reverse().find((m) => byMachine.has(m.id));
    const good = last ? list.find((k) => k.machineId === last.id)!.counts.good : 0;
    const bottleneckIdeal = lineMachines.length ? Math.max(...lineMachines.map((m) => m.idealCycleTimeSeconds)) : null;
    const plannedSeconds = bottleneckIdeal !== null && order.quantity > 0 ? order.quantity * bottleneckIdeal : null;
    const active = activeSeconds(order);
    return {
      order, product: product ?? null, machines: list,
      line: line && { bottleneck: line.bottleneck, availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee },
      output: { good, quantity: order.quantity, progress: order.quantity > 0 ? good / order.quantity : 0 },
      scrap: list.reduce((s, k) => s + k.counts.scrap, 0),
      energyKWh: list.reduce((s, k) => s + k.energyKWh, 0),
      duration: { activeSeconds: active, plannedSeconds, ratio: plannedSeconds ? active / plannedSeconds : null },
    };
  }

  function progress(): OrderProgress {
    const order = lineOrder ? store.order(lineOrder) ?? null : null;
    const k = order ? kpisOf(order) : null;
    return {
      ts: now(),
      line: {
        id: plant.line.id, orderId: order?.id ?? null, productId: order?.productId ?? null, status: order?.status ?? null,
        quantity: order?.quantity ?? null, good: k?.output.good ?? 0, progress: k && order!.quantity > 0 ? k.output.progress : null,
      },
      machines: plant.machines.map((m) => ({ machineId: m.id, ...tracker.machineOrder(m.id) })),
    };
  }
  const changed = () => o.onProgress?.(progress());

  function createOrder(input: OrderCreate, by: Actor, action = 'order.create'): Order {
    const line = input.line ?? plant.line.id;
    if (line !== plant.line.id) throw new OrderRefused(400, 'invalid-input', `no line "${line}": this edge runs line "${plant.line.id}"`, 'line');
    if (store.order(input.id)) throw new OrderRefused(409, 'conflict', `order "${input.id}" exists already: use another id`, 'id');
    const product = store.product(input.productId);
    if (!product) throw new OrderRefused(400, 'invalid-input', `no product "${input.productId}" in the catalogue: add it first (PUT /api/products/${input.productId})`, 'productId');
    const order: Order = {
      id: input.id, productId: product.id, productVersion: product.version, quantity: input.quantity, due: input.due ?? null, line,
      status: 'planned', note: input.note ?? null, createdAt: now(), createdBy: by.user, startedAt: null, completedAt: null,
    };
    store.insertOrder(order);
    audit.append({ actor: by.user, role: by.role, action, target: order.id, details: { productId: order.productId, productVersion: order.productVersion, quantity: order.quantity, due: order.due }, outcome: 'ok' });
    return order;
  }

  async function downloadRecipe(order: Order, product: Product, context: CommandContext): Promise<{ machineId: string; tag: string; value: number | boolean; auditId: number; confirmed: boolean }[]> {
    const written = [];
    for (const p of product.recipe) {
      try {
        const result = await o.commands.execute(
          { kind: 'write-setpoint', machineId: p.machineId, tag: p.tag, value: p.value, reason: `recipe of ${product.id} v${product.version} for order ${order.id}` },
          context,
        );
        written.push({ machineId: p.machineId, tag: p.tag, value: p.value, auditId: result.auditId, confirmed: result.readBack?.confirmed ?? false });
      } catch (err) {
        const e = err as { status?: number; code?: string; message: string };
        audit.append({ actor: context.principal.user, role: context.principal.role, action: 'order.recipe-download', target: order.id, details: { product: product.id, version: product.version, written, failedAt: `${p.machineId}.${p.tag}`, error: e.message }, outcome: 'refused' });
        throw new OrderRefused(e.status ?? 502, e.code ?? 'recipe-failed',
          `recipe download stopped at ${p.machineId}.${p.tag}: ${e.message}. ${written.length} of ${product.recipe.length} parameters were written; the order was not started. Start with recipe "skip", or ask someone who may write setpoints (maintenance and up) to start it with the download.`);
      }
    }
    audit.append({ actor: context.principal.user, role: context.principal.role, action: 'order.recipe-download', target: order.id, details: { product: product.id, version: product.version, written }, outcome: 'ok' });
    return written;
  }

  return {
    tracker,
    progress,
    products: () => store.latestProducts(),
    product(id: string, version?: number): Product {
      const p = store.product(id, version);
      if (!p) throw new OrderRefused(404, 'not-found', version ? `product "${id}" has no version ${version}` : `no product "${id}" in the catalogue`, 'id');
      return p;
    },
    productVersions: (id: string) => store.productVersions(id),
    saveProduct(id: string, body: ProductBody, by: Actor): Product {
      checkProduct(id, body);
      const before = store.product(id);
      const saved = store.saveProduct(id, body, by.user, now());
      audit.append({ actor: by.user, role: by.role, action: 'product.save', target: id, details: { version: saved.version, previous: before?.version ?? null, note: body.note ?? null, body }, outcome: 'ok' });
      return saved;
    },
    productKpis(id: string) {
      const product = store.product(id);
      if (!product) throw new OrderRefused(404, 'not-found', `no product "${id}" in the catalogue`, 'id');
      const orders = store.orders(undefined, 500).filter((x) => x.productId === id);
      const byMachine = new Map<string, PeriodTotals[]>();
      for (const order of orders) for (const [m, list] of segmentTotals(order)) byMachine.set(m, [...(byMachine.get(m) ?? []), ...list]);
      const list = machineKpis(byMachine, product);
      const lineMachines = list.filter((k) => machines.get(k.machineId)!.type !== 'furnace').map((k) => ({ machineId: k.machineId, idealCycleTimeSeconds: k.idealCycleTimeSeconds, totals: sumPeriodTotals(byMachine.get(k.machineId)!) }));
      const line = lineMachines.length ? computeLineKpis(lineMachines, o.kpi) : null;
      return {
        product, orders: orders.map((x) => x.id),
        machines: list.map(({ kpis: _k, ...rest }) => rest),
        line: line && { bottleneck: line.bottleneck, availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee },
        scrap: list.reduce((s, k) => s + k.counts.scrap, 0), energyKWh: list.reduce((s, k) => s + k.energyKWh, 0),
      };
    },
    orders: (status: OrderStatus | undefined, limit: number) => store.orders(status, limit),
    order: (id: string) => kpisOf(mustOrder(id)),
    createOrder(input: OrderCreate, by: Actor): Order {
      const order = createOrder(input, by);
      changed();
      return order;
    },
    importCsv(csv: string, by: Actor): { created: Order[] } {
      const rows = parseOrderCsv(csv);
      // All or nothing: check every row first, so a bad line 40 does not leave 39 orders behind.
      const seen = new Set<string>();
      const inputs = rows.map((row, i) => {
        const parsed = OrderCreateSchema.safeParse(row.values);
        const where = `line ${row.line}`;
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new OrderRefused(400, 'invalid-input', `CSV ${where}: ${issue.path.join('.') || 'row'}: ${issue.message}; nothing was imported`, `csv.${i}`);
        }
        if (seen.has(parsed.data.id) || store.order(parsed.data.id)) throw new OrderRefused(409, 'conflict', `CSV ${where}: order "${parsed.data.id}" exists already; nothing was imported`, `csv.${i}`);
        if (!store.product(parsed.data.productId)) throw new OrderRefused(400, 'invalid-input', `CSV ${where}: no product "${parsed.data.productId}" in the catalogue; nothing was imported`, `csv.${i}`);
        if ((parsed.data.line ?? plant.line.id) !== plant.line.id) throw new OrderRefused(400, 'invalid-input', `CSV ${where}: no line "${parsed.data.line}" (this edge runs "${plant.line.id}"); nothing was imported`, `csv.${i}`);
        seen.add(parsed.data.id);
        return parsed.data;
      });
      const created = inputs.map((input) => createOrder(input, by, 'order.import'));
      changed();
      return { created };
    },
    async start(id: string, recipe: 'download' | 'skip', context: CommandContext) {
      const order = mustOrder(id);
      const by = context.principal;
      if (order.status === 'completed') throw new OrderRefused(409, 'conflict', `order "${id}" is completed; create a new order to make more`);
      if (order.status === 'running') throw new OrderRefused(409, 'conflict', `order "${id}" is running already`);
      if (lineOrder && lineOrder !== id) throw new OrderRefused(409, 'conflict', `order "${lineOrder}" is on the line: pause or complete it first`);
      const product = store.product(order.productId);
      if (!product) throw new OrderRefused(409, 'conflict', `order "${id}"'s product "${order.productId}" is not in the catalogue any more`);
      const written = recipe === 'download' && product.recipe.length ? await downloadRecipe(order, product, context) : [];
      const ts = now();
      // The order runs with the product's version of the moment it starts (the recipe that was downloaded).
      const updated = store.setStatus(id, 'running', ts, by.user, 'start', order.status === 'planned' ? product.version : null);
      audit.append({ actor: by.user, role: by.role, action: 'order.start', target: id, details: { product: product.id, version: updated.productVersion, recipe, written: written.length }, outcome: 'ok' });
      lineOrder = id;
      tracker.setLineOrder(id, ts);
      changed();
      return { order: updated, recipe: { mode: recipe, written } };
    },
    pause(id: string, by: Actor, note?: string): Order {
      const order = mustOrder(id);
      if (order.status !== 'running') throw new OrderRefused(409, 'conflict', `order "${id}" is ${order.status}, not running: only a running order can be paused`);
      const ts = now();
      const updated = store.setStatus(id, 'paused', ts, by.user, 'pause');
      audit.append({ actor: by.user, role: by.role, action: 'order.pause', target: id, details: { note: note ?? null }, outcome: 'ok' });
      if (lineOrder === id) { lineOrder = null; tracker.setLineOrder(null, ts); }
      changed();
      return updated;
    },
    complete(id: string, by: Actor, note?: string): Order {
      const order = mustOrder(id);
      if (order.status === 'completed' || order.status === 'planned') throw new OrderRefused(409, 'conflict', `order "${id}" is ${order.status}: only a running or paused order can be completed`);
      const ts = now();
      if (lineOrder === id) { lineOrder = null; tracker.setLineOrder(null, ts); }
      const updated = store.setStatus(id, 'completed', ts, by.user, 'complete');
      const k = kpisOf(updated);
      audit.append({ actor: by.user, role: by.role, action: 'order.complete', target: id, details: { note: note ?? null, good: k.output.good, quantity: order.quantity, scrap: k.scrap }, outcome: 'ok' });
      changed();
      return updated;
    },
    bookScrap(input: ScrapBooking, by: Actor): StoredScrap {
      if (!machines.has(input.machineId)) throw new OrderRefused(404, 'not-found', `no machine "${input.machineId}" (known: ${[...machines.keys()].join(', ')})`, 'machineId');
      const current = tracker.machineOrder(input.machineId).orderId;
      if (input.orderId && input.orderId !== current) {
        throw new OrderRefused(409, 'conflict', `${input.machineId} is not working on order "${input.orderId}" (now: ${current ?? 'none'}); scrap is booked against the machine's current order`, 'orderId');
      }
      const good = o.goodThisShift(input.machineId);
      if (input.quantity > good) {
        throw new OrderRefused(409, 'conflict', `${input.machineId} has made ${good} good part(s) this shift: at most ${good} can be booked as scrap now`, 'quantity');
      }
      // The shift's good parts bound a booking (a quality station books the shift's scrap at once);
      // on the current order, more scrap than its good parts leaves the order's good at 0, never below.
      const ts = now();
      const stored = store.addScrap({ ts, machineId: input.machineId, orderId: current, quantity: input.quantity, reason: input.reason, source: input.source, by: by.user });
      audit.append({ actor: by.user, role: by.role, action: 'scrap.book', target: input.machineId, details: { id: stored.id, quantity: input.quantity, reason: input.reason, source: input.source, orderId: current }, outcome: 'ok' });
      o.inject([{ kind: 'count', machineId: input.machineId, deltaTotal: 0, deltaGood: -input.quantity, ts }]);
      changed();
      return stored;
    },
    scrap: (query: { machineId?: string; orderId?: string; limit: number }) => store.scrap(query),
    /**
     * Demo mode on a fresh database: the simulator's two housings in the catalogue and an order of
     * the first running, so `npm start` shows a line making an order (on the record as "demo").
     */
    seedDemo(): void {
      if (store.latestProducts().length > 0 || store.orders(undefined, 1).length > 0) return;
      const by: Actor = { user: 'demo', role: 'admin' };
      const times = (factor: number) => Object.fromEntries(plant.machines.map((m) => [m.id, Math.round(m.idealCycleTimeSeconds * factor * 100) / 100]));
      const mill = plant.machines.find((m) => m.tags.some((t) => t.role === 'speedOverride' && t.writable && t.min !== undefined && t.max !== undefined && t.min <= 100 && t.max >= 100));
      const speed = mill?.tags.find((t) => t.role === 'speedOverride')!;
      const recipe = mill ? [{ machineId: mill.id, tag: speed.name, value: 100, min: speed.min, max: speed.max }] : [];
      this.saveProduct('HSG-100', { name: 'Pump housing HSG-100', units: 'pcs', idealCycleTimes: times(1), recipe, note: 'demo catalogue' }, by);
      this.saveProduct('HSG-200', { name: 'Pump housing HSG-200 (large)', units: 'pcs', idealCycleTimes: times(1.25), recipe, note: 'demo catalogue' }, by);
      const order = createOrder({ id: 'WO-DEMO-1', productId: 'HSG-100', quantity: 400 }, by);
      createOrder({ id: 'WO-DEMO-2', productId: 'HSG-200', quantity: 400 }, by);
      const ts = now();
      store.setStatus(order.id, 'running', ts, by.user, 'start', null);
      audit.append({ actor: by.user, role: by.role, action: 'order.start', target: order.id, details: { product: 'HSG-100', recipe: 'skip', written: 0, demo: true }, outcome: 'ok' });
      lineOrder = order.id;
      tracker.setLineOrder(order.id, ts);
    },
    close() {
      tracker.closeAll(now());
      store.close();
    },
  };
}
