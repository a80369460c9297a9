// The one contract for everything downstream of the live plant model: historian, KPI engine,
// alarms, flight recorder, health, live server, uplink, and the consumers still to come
// (energy, emissions, orders). The composition root keeps one list of sinks and hands every
// model apply() to each of them in that order.
import type { ModelEvent } from './plant-model.js';

export interface ModelEventSink {
  /** For logs and errors: which consumer this is. */
  readonly name: string;
  /**
   * What one model apply() changed, in order (tag changes first, then machine events).
   * Called synchronously on the acquisition path: do bounded work, queue anything slow, never throw.
   * The list and its contents are never changed afterwards, so a sink may keep them.
   */
  onModelEvents(events: readonly ModelEvent[]): void;
}

type SinkLog = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * Hands each event list to every sink in order. A sink that throws is logged and skipped for
 * that list only: the others still get it. At tens of lists a second a broken sink would flood
 * the log, so its first failure is an error with the stack, repeats are counted quietly, and
 * its recovery says how many lists it missed.
 */
export function fanOut(sinks: readonly ModelEventSink[], log: SinkLog): (events: readonly ModelEvent[]) => void {
  const failures = new Map<ModelEventSink, number>();
  return (events) => {
    for (const sink of sinks) {
      try {
        sink.onModelEvents(events);
      } catch (err) {
        const n = failures.get(sink) ?? 0;
        if (n === 0) log('error', `model events: the ${sink.name} sink failed (the other sinks still got the events): ${(err as Error).stack ?? String(err)}`);
        failures.set(sink, n + 1);
        continue;
      }
      const missed = failures.size ? failures.get(sink) : undefined;
      if (missed !== undefined) {
        failures.delete(sink);
        log('info', `model events: the ${sink.name} sink works again after failing on ${missed} event list(s)`);
      }
    }
  };
}
