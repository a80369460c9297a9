// The order tracker and module on a hand-made timeline (worked by hand, no simulator): an order
// on a machine whose PLC says nothing about orders; the PLC's orderId tag winning where it has
// one; a changeover booked as setup while the machine idles before its first part; booked scrap
// taken off the order's good parts; the demo seed.
import { describe, expect, it } from 'vitest';
import { PlantSchema } from '../../shared/plant-schema.js';
import { createOrdersModule, openOrderStore } from '../../edge/orders/index.js';
import { TagChanges, type ModelEvent } from '../../edge/model/index.js';
import { openAuditLog } from '../../edge/audit/index.js';
import { openDatabase } from '../../edge/store/index.js';
import { manualClock } from '../kpi/plant-fixture.js';

const plant = PlantSchema.parse({
  site: { id: 's', name: 'Site', timezone: 'UTC' }, line: { id: 'l', name: 'Line' },
  calendar: { shifts: [{ name: 'Day', start: '00:00', end: '00:00' }] },
  devices: [{ id: 'plc', protocol: 'modbus-tcp', host: '127.0.0.1' }],
  machines: [
    { id: 'press', name: 'Press', type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 0, z: 0 }, tags: [
      { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 0 } },
      { name: 'speed', role: 'speedOverride', type: 'uint16', writable: true, min: 50, max: 120, modbus: { table: 'holding', address: 1 } },
    ] },
    { id: 'robot', name: 'Robot', type: 'robot', device: 'plc', idealCycleTimeSeconds: 10, layout: { x: 5, z: 0 }, tags: [
      { name: 'state', role: 'state', type: 'uint16', modbus: { table: 'holding', address: 10 } },
      { name: 'order', role: 'orderId', type: 'uint32', modbus: { table: 'holding', address: 12 } },
      { name: 'product', role: 'productId', type: 'uint16', modbus: { table: 'holding', address: 14 } },
    ] },
  ],
});
const T0 = Date.parse('2026-11-02T08:00:00Z');
const S = 1000;

function setup() {
  const clock = manualClock(T0);
  const sqlite = openDatabase(':memory:');
  const audit = openAuditLog(sqlite, clock.now);
  const injected: ModelEvent[][] = [];
  const good = new Map<string, number>([['press', 100], ['robot', 100]]);
  const orders = createOrdersModule({
    plant, store: openOrderStore(':memory:'), audit, now: clock.now, kpi: {}, microStopThresholdMs: 60_000,
    commands: { execute: async () => { throw new Error('no PLC writes here'); } },
    goodThisShift: (id) => good.get(id) ?? 0,
    inject: (events) => { injected.push(events); orders.tracker.onModelEvents(events); },
  });
  const by = { user: 'mia', role: 'manager' as const };
  const feed = (events: ModelEvent[]) => orders.tracker.onModelEvents(events);
  const state = (machineId: string, s: 'running' | 'idle' | 'setup', ts: number): ModelEvent => ({ kind: 'state', machineId, state: s, previous: 'no-data', ts, reason: null });
  const count = (machineId: string, n: number, ts: number): ModelEvent => ({ kind: 'count', machineId, deltaTotal: n, deltaGood: n, ts });
  const tag = (machineId: string, tagName: string, value: number, ts: number): ModelEvent => ({ kind: 'tags', changes: TagChanges.from([{ machineId, tagName, value, quality: 'good', ts, receivedTs: ts }]) });
  return { clock, orders, audit, by, feed, state, count, tag, injected };
}

describe('order tracker', () => {
  it('books an operator-started order with the product ideal cycle time, a changeover as setup, and booked scrap', async () => {
    const { clock, orders, audit, by, feed, state, count } = setup();
    orders.saveProduct('A', { name: 'A', units: 'pcs', idealCycleTimes: { press: 20 }, recipe: [] }, by);
    orders.saveProduct('B', { name: 'B', units: 'pcs', idealCycleTimes: { press: 30 }, recipe: [] }, by);
    orders.createOrder({ id: 'WO-1', productId: 'A', quantity: 10 }, by);
    orders.createOrder({ id: 'WO-2', productId: 'B', quantity: 10 }, by);
    const principal = { user: 'olga', role: 'operator' as const, via: 'token' as const, expiresAt: null };
    feed([state('press', 'running', T0)]);
    await orders.start('WO-1', 'skip', { principal, source: 'test', transport: 'rest' });
    // 100 s running, 5 parts of A (ideal 20 s): performance 1.
    feed([count('press', 5, T0 + 100 * S)]);
    clock.set(T0 + 100 * S);
    orders.complete('WO-1', principal);
    // WO-2 (product B) starts: the press idles 60 s (changeover: setup), then runs 120 s making 3 parts (ideal 30 s: 90 s).
    await orders.start('WO-2', 'skip', { principal, source: 'test', transport: 'rest' });
    feed([state('press', 'idle', T0 + 100 * S)]);
    feed([state('press', 'running', T0 + 160 * S)]);
    feed([count('press', 3, T0 + 280 * S)]);
    clock.set(T0 + 280 * S);
    // One of the three is booked as scrap.
    orders.bookScrap({ machineId: 'press', quantity: 1, reason: 'burr', source: 'quality' }, principal);
    const k = orders.order('WO-2');
    const press = k.machines.find((m) => m.machineId === 'press')!;
    expect(press.setupSeconds).toBe(60);
    expect(press.availability).toBeCloseTo(120 / 180, 10);
    expect(press.performance).toBeCloseTo(90 / 120, 10);
    expect(press.counts).toEqual({ total: 3, good: 2, scrap: 1 });
    expect(press.quality).toBeCloseTo(2 / 3, 10);
    expect(press.idealCycleTimeSeconds).toBe(30);
    const first = orders.order('WO-1').machines.find((m) => m.machineId === 'press')!;
    expect([first.availability, first.performance, first.quality, first.setupSeconds]).toEqual([1, 1, 1, 0]);
    expect(orders.order('WO-1').duration).toMatchObject({ activeSeconds: 100, plannedSeconds: 200 });
    expect(audit.page({ after: 0, limit: 100, action: 'scrap.book' }).entries.map((e) => [e.actor, e.target])).toEqual([['olga', 'press']]);
    // More scrap than the shift's good parts is refused, and nothing is booked.
    expect(() => orders.bookScrap({ machineId: 'press', quantity: 101, reason: 'burr', source: 'operator' }, principal)).toThrow(/at most 100/);
  });

  it('follows the PLC where it names the order (and takes on an order the edge did not know), whatever the operator started', async () => {
    const { orders, audit, by, feed, state, count, tag } = setup();
    orders.saveProduct('A', { name: 'A', units: 'pcs', idealCycleTimes: {}, recipe: [], plcCode: 7 }, by);
    orders.createOrder({ id: 'WO-9', productId: 'A', quantity: 10 }, by);
    feed([state('robot', 'running', T0), state('press', 'running', T0)]);
    await orders.start('WO-9', 'skip', { principal: { user: 'olga', role: 'operator', via: 'token', expiresAt: null }, source: 'test', transport: 'rest' });
    feed([tag('robot', 'product', 7, T0 + 10 * S), tag('robot', 'order', 4711, T0 + 10 * S)]);
    expect(orders.tracker.machineOrder('robot')).toEqual({ orderId: '4711', source: 'plc', changeover: false });
    expect(orders.tracker.machineOrder('press')).toMatchObject({ orderId: 'WO-9', source: 'operator' });
    feed([count('robot', 4, T0 + 50 * S)]);
    expect(orders.order('4711')).toMatchObject({ order: { productId: 'A', createdBy: 'plc', status: 'running' } });
    expect(orders.order('4711').machines.map((m) => [m.machineId, m.counts.total])).toEqual([['robot', 4]]);
    expect(audit.page({ after: 0, limit: 10, action: 'order.plc-created' }).entries[0]).toMatchObject({ actor: 'plc', target: '4711' });
  });

  it('seeds the demo catalogue and a running order once', () => {
    const { orders, audit } = setup();
    orders.seedDemo();
    orders.seedDemo();
    expect(orders.products().map((p) => [p.id, p.version, p.idealCycleTimes.press])).toEqual([['HSG-100', 1, 10], ['HSG-200', 1, 12.5]]);
    expect(orders.progress().line).toMatchObject({ orderId: 'WO-DEMO-1', productId: 'HSG-100', status: 'running' });
    expect(audit.page({ after: 0, limit: 10, action: 'order.start' }).entries.map((e) => e.actor)).toEqual(['demo']);
  });
});
