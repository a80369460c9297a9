// /api/products, /api/orders and /api/scrap. Reading: any logged-in user. The catalogue and
// creating or importing orders: manager and up. Starting, pausing and completing orders and
// booking scrap: operators (and anyone above; quality staff log in with at least operator).
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import {
  OrderActionSchema, OrderCreateSchema, OrderImportSchema, OrderListQuerySchema, OrderPathSchema, OrderReportQuerySchema, OrderStartSchema,
  ScrapBookingSchema, ScrapQuerySchema,
} from '../../shared/order-api.js';
import { ProductBodySchema, ProductPathSchema, ProductQuerySchema } from '../../shared/product-api.js';
import { ApiFailure, apiRoute, ok, sendCsv } from '../api/index.js';
import type { Principal } from '../auth/index.js';
import { CsvError } from './order-csv.js';
import { OrderRefused, type OrdersModule } from './orders-module.js';

const err = (description: string) => ({ description, schema: ApiErrorSchema });

const mapError = (e: unknown): ApiFailure | null => {
  if (e instanceof OrderRefused) return new ApiFailure(e.status, e.code, e.message, e.field ? { field: e.field } : {});
  if (e instanceof CsvError) return new ApiFailure(400, 'invalid-input', `${e.message}; nothing was imported`, { field: 'csv' });
  return null;
};

const who = (p: Principal | null) => {
  if (!p) throw new ApiFailure(401, 'unauthenticated', 'log in first');
  return { user: p.user, role: p.role };
};

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const orderRoutes: FastifyPluginAsync<{ orders: OrdersModule }> = async (app, { orders }) => {
  const route: typeof apiRoute = (spec, handler) => apiRoute(spec, handler, mapError);

  app.route(route({
    method: 'GET', url: '/api/products', access: 'operator', tag: 'orders', summary: 'The product catalogue (latest version of each product)', responses: ok('products'),
  }, () => ({ products: orders.products() })));
  app.route(route({
    method: 'GET', url: '/api/products/:id', access: 'operator', tag: 'orders', summary: 'One product (latest version, or ?version=n)',
    params: ProductPathSchema, query: ProductQuerySchema, responses: { ...ok('the product'), 404: err('no such product or version') },
  }, ({ params, query }) => orders.product(params.id, query.version)));
  app.route(route({
    method: 'GET', url: '/api/products/:id/versions', access: 'operator', tag: 'orders', summary: 'Every version of a product, oldest first',
    params: ProductPathSchema, responses: ok('versions'),
  }, ({ params }) => ({ versions: orders.productVersions(params.id) })));
  app.route(route({
    method: 'PUT', url: '/api/products/:id', access: 'manager', tag: 'orders', action: 'changing the product catalogue',
    summary: 'Create a product or save its next version: name, units, ideal cycle time per machine, recipe (writable tags, values, limits); audited',
    params: ProductPathSchema, body: ProductBodySchema, responses: { ...ok('the saved version'), 400: err('unknown machine or tag, tag not writable, value outside limits') },
  }, ({ params, body, principal }) => orders.saveProduct(params.id, body, who(principal))));
  app.route(route({
    method: 'GET', url: '/api/products/:id/kpis', access: 'operator', tag: 'orders',
    summary: "KPIs of a product over its orders (OEE with the product's ideal cycle times, counts, scrap, energy)", params: ProductPathSchema,
    responses: { ...ok('KPIs per machine and for the line'), 404: err('no such product') },
  }, ({ params }) => orders.productKpis(params.id)));

  app.route(route({
    method: 'GET', url: '/api/orders', access: 'operator', tag: 'orders', summary: 'Work orders, newest first (?status=planned|running|paused|completed)',
    query: OrderListQuerySchema, responses: ok('orders'),
  }, ({ query }) => ({ orders: orders.orders(query.status, query.limit) })));
  app.route(route({
    method: 'GET', url: '/api/orders/kpis', access: 'operator', tag: 'orders',
    summary: 'OEE by order: the most recent orders that ran (running, paused, completed), each with line OEE, good output, scrap, energy and duration against plan',
    query: OrderListQuerySchema, responses: ok('orders with KPIs'),
  }, ({ query }) => ({
    orders: orders.orders(query.status, Math.min(query.limit, 50)).filter((o) => o.status !== 'planned').map((o) => {
      const k = orders.order(o.id);
      return { id: o.id, productId: o.productId, status: o.status, quantity: o.quantity, startedAt: o.startedAt, completedAt: o.completedAt, line: k.line, output: k.output, scrap: k.scrap, energyKWh: k.energyKWh, duration: k.duration };
    }),
  })));
  app.route(route({
    method: 'GET', url: '/api/orders/current', access: 'operator', tag: 'orders', summary: "The line's current order, its progress and each machine's order", responses: ok('progress'),
  }, () => orders.progress()));
  app.route(route({
    method: 'POST', url: '/api/orders', access: 'manager', tag: 'orders', action: 'creating a work order', summary: 'Create a work order (id, product, quantity, due, line); audited',
    body: OrderCreateSchema, responses: { ...ok('the order'), 400: err('unknown product or line'), 409: err('the id is taken') },
  }, ({ body, principal }) => orders.createOrder(body, who(principal))));
  app.route(route({
    method: 'POST', url: '/api/orders/import', access: 'manager', tag: 'orders', action: 'importing work orders',
    summary: 'Import work orders from CSV ({"csv": "id,product,quantity,due\\n…"}); all rows or none; audited',
    body: OrderImportSchema, responses: { ...ok('the orders created'), 400: err('a bad row: the message names its line'), 409: err('an id is taken') },
  }, ({ body, principal }) => orders.importCsv(body.csv, who(principal))));
  app.route(route({
    method: 'GET', url: '/api/orders/:id', access: 'operator', tag: 'orders',
    summary: "An order with its KPIs: per machine and line OEE with the product's ideal cycle times, counts, scrap, energy, duration against plan",
    params: OrderPathSchema, responses: { ...ok('the order and its KPIs'), 404: err('no such order') },
  }, ({ params }) => {
    const k = orders.order(params.id);
    return { ...k, machines: k.machines.map(({ kpis: _k, ...rest }) => rest) };
  }));
  app.route(route({
    method: 'GET', url: '/api/orders/:id/report', access: 'operator', tag: 'orders', summary: 'The order report: JSON with explained KPIs per machine, or ?format=csv',
    params: OrderPathSchema, query: OrderReportQuerySchema, responses: { ...ok('the report'), 404: err('no such order') },
  }, ({ params, query, reply }) => {
    const k = orders.order(params.id);
    if (query.format === 'json') return { ...k, machines: k.machines.map((m) => ({ ...m, explain: m.kpis.explain, times: m.kpis.times, kpis: undefined })) };
    const header = ['order', 'product', 'machine', 'availability', 'performance', 'quality', 'oee', 'total', 'good', 'scrap', 'setupSeconds', 'energyKWh'];
    const lines = [header.join(','), ...k.machines.map((m) => [k.order.id, k.order.productId, m.machineId, m.availability, m.performance, m.quality, m.oee, m.counts.total, m.counts.good, m.counts.scrap, m.setupSeconds, m.energyKWh].map(csvCell).join(','))];
    if (k.line) lines.push([k.order.id, k.order.productId, `line (bottleneck ${k.line.bottleneck})`, k.line.availability, k.line.performance, k.line.quality, k.line.oee, '', k.output.good, k.scrap, '', k.energyKWh].map(csvCell).join(','));
    return sendCsv(reply, `order-${k.order.id}`, lines.map((l) => `${l}\n`));
  }));
  app.route(route({
    method: 'POST', url: '/api/orders/:id/start', access: 'operator', tag: 'orders', action: 'starting a work order',
    summary: 'Start (or resume) an order on the line; recipe "download" writes the product\'s recipe through the command service (maintenance and up, read back, audited)',
    params: OrderPathSchema, body: OrderStartSchema,
    responses: {
      ...ok('started'), 403: err('the recipe download needs a role that may write setpoints'), 404: err('no such order'), 409: err('another order is on the line, or this one is completed'),
      422: err('a recipe value the tag refuses'), 429: err('PLC writes too often: try again later'), 502: err('a device refused or did not answer a recipe write'), 503: err('a device is offline or too many commands are in flight'),
    },
  }, ({ params, body, principal, req }) => {
    if (!principal) throw new ApiFailure(401, 'unauthenticated', 'log in first');
    return orders.start(params.id, body.recipe, { principal, source: req.ip, transport: 'rest' });
  }));
  app.route(route({
    method: 'POST', url: '/api/orders/:id/pause', access: 'operator', tag: 'orders', action: 'pausing a work order', summary: 'Pause the running order; audited',
    params: OrderPathSchema, body: OrderActionSchema, responses: { ...ok('paused'), 404: err('no such order'), 409: err('not running') },
  }, ({ params, body, principal }) => orders.pause(params.id, who(principal), body.note)));
  app.route(route({
    method: 'POST', url: '/api/orders/:id/complete', access: 'operator', tag: 'orders', action: 'completing a work order', summary: 'Complete a running or paused order; audited',
    params: OrderPathSchema, body: OrderActionSchema, responses: { ...ok('completed'), 404: err('no such order'), 409: err('planned or completed already') },
  }, ({ params, body, principal }) => orders.complete(params.id, who(principal), body.note)));

  app.route(route({
    method: 'POST', url: '/api/scrap', access: 'operator', tag: 'orders', action: 'booking scrap',
    summary: "Book scrap at a machine (quantity, reason, operator or quality): it lowers the machine's good count in the live KPIs, the historian and the order; audited",
    body: ScrapBookingSchema, responses: { ...ok('the booking'), 404: err('no such machine'), 409: err('more than the good parts this shift, or not the machine\'s current order') },
  }, ({ body, principal }) => orders.bookScrap(body, who(principal))));
  app.route(route({
    method: 'GET', url: '/api/scrap', access: 'operator', tag: 'orders', summary: 'Scrap bookings, newest first (?machineId, ?orderId)',
    query: ScrapQuerySchema, responses: ok('bookings'),
  }, ({ query }) => ({ bookings: orders.scrap(query) })));
};
