// What changed in one machine's live view since the last message: the fields that differ and
// the tags whose sample is new. Pure; the machine room sends only this.
import type { LiveTag, MachineDelta, MachineLive } from '../../shared/live-protocol.js';

/**
 * What a room last sent for a machine: scalar fields as JSON text, tags as copies — the model
 * updates its live tags in place, so a kept reference would always look already sent.
 */
export interface SentMachine {
  fields: Map<string, string>;
  tags: Map<string, LiveTag>;
}

const FIELDS = ['state', 'stateSince', 'faultCode', 'counts', 'energyKWh', 'oee', 'shift', 'updatedAt'] as const;

export function sentOf(machine: MachineLive): SentMachine {
  return {
    fields: new Map(FIELDS.map((f) => [f, JSON.stringify(machine[f])])),
    tags: new Map(Object.entries(machine.tags).map(([name, tag]) => [name, { ...tag }])),
  };
}

/** The delta from `sent` to `machine` (null when nothing changed); updates `sent` to match. */
export function diffMachine(sent: SentMachine, machine: MachineLive, ts: number): MachineDelta | null {
  const fields: Record<string, unknown> = {};
  const tags: Record<string, LiveTag> = {};
  let changed = false;
  for (const f of FIELDS) {
    const json = JSON.stringify(machine[f]);
    if (sent.fields.get(f) !== json) {
      fields[f] = machine[f];
      sent.fields.set(f, json);
      changed = true;
    }
  }
  for (const [name, tag] of Object.entries(machine.tags)) {
    const before = sent.tags.get(name);
    if (!before || before.value !== tag.value || before.quality !== tag.quality || before.ts !== tag.ts) {
      tags[name] = tag;
      if (before) {
        before.value = tag.value;
        before.quality = tag.quality;
        before.ts = tag.ts;
      } else sent.tags.set(name, { ...tag });
      changed = true;
    }
  }
  return changed ? { machineId: machine.machineId, fields: fields as MachineDelta['fields'], tags, ts } : null;
}
