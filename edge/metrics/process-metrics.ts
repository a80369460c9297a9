// The process's own metrics (CPU, memory, heap, event-loop lag, GC, handles) under the standard
// names of prom-client's default collectors (process_*, nodejs_*), so Node dashboards and alerts
// people already have work unchanged. One registry per process: an edge and a host in one test
// process, or several edges, share them rather than each starting its own observers.
import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | null = null;

export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
