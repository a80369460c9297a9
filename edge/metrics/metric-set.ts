// Metrics filled from a snapshot at scrape time. The edge's modules already keep their counts for
// /api/status; reading them when Prometheus asks costs nothing between scrapes and adds nothing to
// the acquisition or historian paths. Cumulative counts arrive as numbers, so a counter is reset
// and set to the module's count on every scrape (still monotonic for Prometheus: the module's own
// count only grows until the process restarts, which rate() handles as any counter reset).
import { Counter, Gauge, Registry, type LabelValues } from 'prom-client';

type Labels = LabelValues<string>;

export interface MetricSet {
  registry: Registry;
  gauge(name: string, help: string, labelNames?: readonly string[]): (value: number, labels?: Labels) => void;
  counter(name: string, help: string, labelNames?: readonly string[]): (value: number, labels?: Labels) => void;
  /** Clears every value: a device, line or alarm gone since the last scrape leaves no stale series. */
  reset(): void;
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

export function createMetricSet(): MetricSet {
  const registry = new Registry();
  const all: Array<Gauge | Counter> = [];
  return {
    registry,
    gauge(name, help, labelNames = []) {
      const g = new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] });
      all.push(g);
      return (value, labels = {}) => g.set(labels, finite(value));
    },
    counter(name, help, labelNames = []) {
      const c = new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
      all.push(c);
      return (value, labels = {}) => c.inc(labels, Math.max(0, finite(value)));
    },
    reset() {
      for (const m of all) m.reset();
    },
  };
}
