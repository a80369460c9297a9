// The machine room's deltas carry only what changed.
import { describe, expect, it } from 'vitest';
import { diffMachine, sentOf } from '../../edge/live/machine-diff.js';
import type { MachineLive } from '../../shared/live-protocol.js';

const machine = (over: Partial<MachineLive> = {}): MachineLive => ({
  machineId: 'mill', state: 'running', stateSince: 1, faultCode: null, counts: { total: 10, good: 9, scrap: 1 }, energyKWh: 2,
  oee: { availability: 1, performance: 0.9, quality: 0.9, oee: 0.81 }, shift: { name: 'A', start: 0, end: 1 },
  tags: { spindleSpeed: { value: 1000, quality: 'good', ts: 5 }, power: { value: 3.5, quality: 'good', ts: 5 } }, updatedAt: 5, ...over,
});

describe('machine diff', () => {
  it('sends nothing when nothing changed', () => {
    const sent = sentOf(machine());
    expect(diffMachine(sent, machine(), 10)).toBeNull();
  });

  it('sends only the changed tags and fields, then remembers them', () => {
    const sent = sentOf(machine());
    const next = machine({ state: 'down', faultCode: 17, tags: { ...machine().tags, power: { value: 0.4, quality: 'good', ts: 9 } }, updatedAt: 9 });
    const delta = diffMachine(sent, next, 10)!;
    expect(delta).toEqual({ machineId: 'mill', fields: { state: 'down', faultCode: 17, updatedAt: 9 }, tags: { power: { value: 0.4, quality: 'good', ts: 9 } }, ts: 10 });
    expect(diffMachine(sent, next, 11)).toBeNull();
  });

  it('sees a tag the model updated in place (it keeps copies, not the live objects)', () => {
    const live = machine();
    const sent = sentOf(live);
    live.tags.power!.value = 4.1;
    live.tags.power!.ts = 12;
    expect(diffMachine(sent, live, 13)?.tags).toEqual({ power: { value: 4.1, quality: 'good', ts: 12 } });
    live.tags.power!.quality = 'bad';
    expect(diffMachine(sent, live, 14)?.tags).toEqual({ power: { value: 4.1, quality: 'bad', ts: 12 } });
    expect(diffMachine(sent, live, 15)).toBeNull();
  });

  it('compares nested values by content', () => {
    const sent = sentOf(machine());
    const delta = diffMachine(sent, machine({ counts: { total: 11, good: 10, scrap: 1 } }), 10)!;
    expect(delta.fields).toEqual({ counts: { total: 11, good: 10, scrap: 1 } });
    expect(delta.tags).toEqual({});
  });
});
