// Builders for the model events the historian receives (pure test data).
import type { ModelEvent } from '../../edge/model/plant-model.js';
import { TagChanges } from '../../edge/model/tag-changes.js';
import type { MachineState } from '../../shared/plant-schema.js';

export function tagEvent(tag: string, value: number | boolean | string | null, ts: number, quality: 'good' | 'uncertain' | 'bad' = 'good'): ModelEvent {
  const [machineId, name] = tag.split('.') as [string, string];
  return { kind: 'tags', changes: TagChanges.from([{ machineId, tagName: name, value, quality, ts, receivedTs: ts }]) };
}

export function stateEvent(machineId: string, state: MachineState, ts: number, reason: string | null = null, previous: MachineState = 'no-data'): ModelEvent {
  return { kind: 'state', machineId, state, previous, ts, reason };
}

export function countEvent(machineId: string, deltaTotal: number, deltaGood: number, ts: number): ModelEvent {
  return { kind: 'count', machineId, deltaTotal, deltaGood, ts };
}

export function energyEvent(machineId: string, deltaKWh: number, ts: number): ModelEvent {
  return { kind: 'energy', machineId, deltaKWh, ts };
}

/** A clock tests move by hand. */
export function manualClock(start: number) {
  let t = start;
  return { now: () => t, set: (v: number) => { t = v; }, advance: (ms: number) => { t += ms; } };
}

/** Resolves when `probe` returns a truthy value, polling; rejects naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
