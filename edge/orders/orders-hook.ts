// The orders module's one hook into the composition root: opens its store, registers its
// routes, returns its model event sink (the order tracker) and sends the live `order` message
// (on every change, and every 5 s while an order runs).
import type { FastifyInstance } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { OrderProgress } from '../../shared/order-api.js';
import type { KpiOptions } from '../../shared/kpi/index.js';
import type { AuditLog } from '../audit/index.js';
import type { CommandService } from '../commands/index.js';
import type { ModelEvent, ModelEventSink } from '../model/index.js';
import { openOrderStore } from './order-store.js';
import { orderRoutes } from './order-routes.js';
import { createOrdersModule, type OrdersModule } from './orders-module.js';

const LIVE_EVERY_MS = 5_000;

export async function attachOrders(o: {
  app: FastifyInstance; plant: PlantConfig; dbFile: string; now: () => number; audit: AuditLog; commands: Pick<CommandService, 'execute'>;
  kpi: { machine(id: string): { counts: { good: number } }; setIdealCycleTime?(id: string, seconds: number | null): void }; kpiOptions: KpiOptions;
  /** Hands events to every model event sink (set once the sink list exists). */
  inject: (events: ModelEvent[]) => void;
  live?: { broadcast(event: 'order', progress: OrderProgress): void };
  /** Demo mode: seed a catalogue and a running order on a fresh database. */
  demo?: boolean;
}): Promise<{ sinks: ModelEventSink[]; orders: OrdersModule }> {
  const store = openOrderStore(o.dbFile);
  const live = o.live;
  const orders = createOrdersModule({
    plant: o.plant, store, audit: o.audit, commands: o.commands, now: o.now, kpi: o.kpiOptions,
    microStopThresholdMs: (o.plant.kpi?.microStopThresholdSeconds ?? 300) * 1000,
    goodThisShift: (id) => o.kpi.machine(id).counts.good,
    setIdealCycleTime: (id, seconds) => o.kpi.setIdealCycleTime?.(id, seconds),
    inject: o.inject,
    onProgress: (p) => live?.broadcast('order', p),
  });
  if (o.demo) orders.seedDemo();
  const timer = live ? setInterval(() => { if (orders.progress().line.orderId) live.broadcast('order', orders.progress()); }, LIVE_EVERY_MS) : null;
  timer?.unref();
  await o.app.register(orderRoutes, { orders });
  o.app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    orders.close();
  });
  return { sinks: [orders.tracker], orders };
}
