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
