// Products, work orders and recipes over REST on the demo line (real simulator and edge):
// who may do what, versions, CSV import all-or-nothing, the recipe written through the command
// service only when asked (role-checked, read back, audited), start/pause/complete, the live
// `order` message and the order report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLine, waitFor, type LineHarness } from '../support/line-harness.js';
import { call, login } from '../api/api-client.js';
import type { OrderProgress } from '../../shared/order-api.js';

let line: LineHarness;
let url: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  line = await startLine({ timeScale: 10 });
  url = line.edge.url;
  for (const role of ['operator', 'maintenance', 'manager']) tokens[role] = await login(url, role, `${role}-demo`);
}, 60_000);

afterAll(async () => {
  await line?.stop();
});

const audit = async (action: string) => (await call(url, `/api/audit?action=${action}&limit=1000`, { token: tokens.manager })).body.entries as { actor: string; target: string; outcome: string; details: Record<string, unknown> }[];

describe('products and work orders over REST', () => {
  it('keeps every product version, checks recipes against the plant file, and audits changes', async () => {
    const body = { name: 'Housing 100', idealCycleTimes: { mill: 40 }, recipe: [{ machineId: 'mill', tag: 'speedOverride', value: 90, min: 80, max: 110 }] };
    expect((await call(url, '/api/products/HSG-100', { method: 'PUT', token: tokens.operator, body })).status).toBe(403);
    const v1 = await call(url, '/api/products/HSG-100', { method: 'PUT', token: tokens.manager, body });
    expect(v1.status, JSON.stringify(v1.body)).toBe(200);
    expect(v1.body.version).toBe(1);
    const v2 = await call(url, '/api/products/HSG-100', { method: 'PUT', token: tokens.manager, body: { ...body, recipe: [...body.recipe, { machineId: 'washer', tag: 'speedOverride', value: 110 }], note: 'washer faster' } });
    expect(v2.body.version).toBe(2);
    expect((await call(url, '/api/products/HSG-100?version=1', { token: tokens.operator })).body.recipe).toHaveLength(1);
    expect((await call(url, '/api/products/HSG-100/versions', { token: tokens.operator })).body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    // A recipe may only set writable tags, within the plant file's limits (speedOverride: 50…120).
    const readOnly = await call(url, '/api/products/BAD', { method: 'PUT', token: tokens.manager, body: { name: 'x', recipe: [{ machineId: 'mill', tag: 'state', value: 1 }] } });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error).toMatch(/not writable/);
    const tooFast = await call(url, '/api/products/BAD', { method: 'PUT', token: tokens.manager, body: { name: 'x', recipe: [{ machineId: 'mill', tag: 'speedOverride', value: 130 }] } });
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.field).toBe('recipe.0.value');
    const saves = await audit('product.save');
    expect(saves.filter((e) => e.target === 'HSG-100').map((e) => e.details.version)).toEqual([1, 2]);
    expect(saves.every((e) => e.actor === 'manager')).toBe(true);
  });

  it('creates orders (manager and up) over REST and by CSV import, all rows or none', async () => {
    const order = { id: 'WO-1001', productId: 'HSG-100', quantity: 50, due: '2026-12-24T18:00:00+08:00' };
    expect((await call(url, '/api/orders', { token: tokens.operator, body: order })).status).toBe(403);
    const created = await call(url, '/api/orders', { token: tokens.manager, body: order });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ status: 'planned', productVersion: 2, due: Date.parse(order.due) });
    expect((await call(url, '/api/orders', { token: tokens.manager, body: order })).status).toBe(409);
    expect((await call(url, '/api/orders', { token: tokens.manager, body: { ...order, id: 'WO-X', productId: 'NOPE' } })).status).toBe(400);

    const bad = await call(url, '/api/orders/import', { token: tokens.manager, body: { csv: 'id,product,quantity\nWO-2001,HSG-100,10\nWO-2002,HSG-100,-3\n' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/line 3/);
    expect((await call(url, '/api/orders/WO-2001', { token: tokens.operator })).status).toBe(404);
    const csv = 'id,product,quantity,due,note\nWO-2001,HSG-100,10,2026-12-24T08:00:00Z,"rush, customer A"\nWO-2002,HSG-100,20,,\n';
    const imported = await call(url, '/api/orders/import', { token: tokens.manager, body: { csv } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.created.map((o: { id: string; note: string | null }) => [o.id, o.note])).toEqual([['WO-2001', 'rush, customer A'], ['WO-2002', null]]);
    expect((await audit('order.import')).map((e) => e.target)).toEqual(['WO-2001', 'WO-2002']);
  });

  it('downloads the recipe only when asked and only for a role that may write setpoints, read back and audited', async () => {
    // An operator may start orders but not write setpoints: asking for the download is refused and nothing starts.
    const refused = await call(url, '/api/orders/WO-1001/start', { token: tokens.operator, body: { recipe: 'download' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/not started/);
    expect((await call(url, '/api/orders/WO-1001', { token: tokens.operator })).body.order.status).toBe('planned');
    expect((await audit('order.recipe-download')).at(-1)).toMatchObject({ actor: 'operator', outcome: 'refused' });

    const socket = line.connectClient({ token: tokens.operator });
    const messages: OrderProgress[] = [];
    socket.on('order', (p) => messages.push(p));
    await waitFor('the live socket', () => socket.connected, 10_000);

    const started = await call(url, '/api/orders/WO-1001/start', { token: tokens.maintenance, body: { recipe: 'download' } });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.recipe.written.map((w: { machineId: string; tag: string; value: number; confirmed: boolean }) => [w.machineId, w.tag, w.value, w.confirmed]))
      .toEqual([['mill', 'speedOverride', 90, true], ['washer', 'speedOverride', 110, true]]);
    // The simulated PLCs run at the recipe's speeds.
    expect(line.sim.model.machine('mill').speedOverride).toBe(90);
    expect(line.sim.model.machine('washer').speedOverride).toBe(110);
    const writes = (await call(url, '/api/audit?limit=1000', { token: tokens.manager })).body.entries.filter((e: { action: string; details: { reason?: string } }) => e.action.startsWith('command.') && /recipe of HSG-100 v2 for order WO-1001/.test(String(e.details?.reason ?? JSON.stringify(e.details))));
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect((await audit('order.start')).at(-1)).toMatchObject({ actor: 'maintenance', target: 'WO-1001', details: { recipe: 'download', written: 2 } });

    await waitFor('the live order message', () => messages.some((m) => m.line.orderId === 'WO-1001'), 10_000);
    const current = await call(url, '/api/orders/current', { token: tokens.operator });
    expect(current.body.line).toMatchObject({ orderId: 'WO-1001', productId: 'HSG-100', status: 'running', quantity: 50 });
    // Every machine of the line follows the operator's start; the furnace beside the line only follows its own PLC.
    const furnaces = new Set(line.plant.machines.filter((m) => m.type === 'furnace').map((m) => m.id));
    const onLine = current.body.machines.filter((m: { machineId: string }) => !furnaces.has(m.machineId));
    expect(onLine.length).toBeGreaterThan(3);
    expect(onLine.every((m: { orderId: string; source: string }) => m.orderId === 'WO-1001' && m.source === 'operator')).toBe(true);
    expect(current.body.machines.filter((m: { machineId: string; orderId: string | null }) => furnaces.has(m.machineId)).every((m: { orderId: string | null }) => m.orderId === null)).toBe(true);
    // One order on the line at a time.
    expect((await call(url, '/api/orders/WO-2001/start', { token: tokens.operator, body: { recipe: 'skip' } })).status).toBe(409);
  });

  it('pauses and completes orders, with KPIs per order and product and a report', async () => {
    await waitFor('parts made on the order', async () => (await call(url, '/api/orders/WO-1001', { token: tokens.operator })).body.machines.some((m: { counts: { total: number } }) => m.counts.total > 0), 30_000);
    const paused = await call(url, '/api/orders/WO-1001/pause', { token: tokens.operator, body: { note: 'material missing' } });
    expect(paused.body.status).toBe('paused');
    expect((await call(url, '/api/orders/current', { token: tokens.operator })).body.line.orderId).toBe(null);
    expect((await call(url, '/api/orders/WO-1001/pause', { token: tokens.operator, body: {} })).status).toBe(409);
    expect((await call(url, '/api/orders/WO-1001/start', { token: tokens.operator, body: {} })).status).toBe(200);
    const done = await call(url, '/api/orders/WO-1001/complete', { token: tokens.operator, body: {} });
    expect(done.body).toMatchObject({ status: 'completed' });
    expect(done.body.completedAt).toBeGreaterThan(done.body.startedAt);
    for (const action of ['order.pause', 'order.start', 'order.complete']) expect((await audit(action)).some((e) => e.actor === 'operator' && e.target === 'WO-1001')).toBe(true);

    const kpis = (await call(url, '/api/orders/WO-1001', { token: tokens.operator })).body;
    const mill = kpis.machines.find((m: { machineId: string }) => m.machineId === 'mill');
    // The product's ideal cycle time for the mill (40 s), not the plant file's.
    expect(mill.idealCycleTimeSeconds).toBe(40);
    expect(kpis.line.bottleneck).toBe('mill');
    expect(kpis.duration.plannedSeconds).toBe(50 * 40);
    expect(kpis.duration.activeSeconds).toBeGreaterThan(0);
    const report = await call(url, '/api/orders/WO-1001/report?format=csv', { token: tokens.operator });
    expect(report.headers.get('content-type')).toMatch(/text\/csv/);
    expect(String(report.body).split('\n')[0]).toBe('order,product,machine,availability,performance,quality,oee,total,good,scrap,setupSeconds,energyKWh');
    // OEE by order, as the manager's dashboard shows it: orders that ran, not the planned ones.
    const byOrder = (await call(url, '/api/orders/kpis', { token: tokens.operator })).body.orders;
    expect(byOrder.map((o: { id: string }) => o.id)).toEqual(['WO-1001']);
    expect(byOrder[0].line.oee).toBeCloseTo(kpis.line.oee, 6);
    const product = (await call(url, '/api/products/HSG-100/kpis', { token: tokens.operator })).body;
    expect(product.orders).toContain('WO-1001');
    expect(product.machines.find((m: { machineId: string }) => m.machineId === 'mill').counts.total).toBe(mill.counts.total);
  });
});
