import { describe, expect, it } from 'vitest';
import type { ModelEvent } from './plant-model.js';
import { fanOut, type ModelEventSink } from './model-event-sink.js';

const state = (ts: number): ModelEvent[] => [{ kind: 'state', machineId: 'mill', state: 'running', previous: 'idle', ts, reason: null }];

describe('fanOut: every event list to every sink, in order', () => {
  it('hands each list to each sink in list order; a sink that throws is logged once and the sinks after it still get the events', () => {
    const seen: string[] = [];
    const logs: string[] = [];
    let broken = true;
    const sinks: ModelEventSink[] = [
      { name: 'first', onModelEvents: (e) => { seen.push(`first ${e[0]!.kind === 'state' ? e[0]!.ts : ''}`); } },
      { name: 'flaky', onModelEvents: () => { if (broken) throw new Error('disk full'); seen.push('flaky'); } },
      { name: 'last', onModelEvents: (e) => { seen.push(`last ${e.length}`); } },
    ];
    const deliver = fanOut(sinks, (level, message) => logs.push(`${level}: ${message.split('\n')[0]}`));
    deliver(state(1));
    deliver(state(2));
    deliver(state(3));
    broken = false;
    deliver(state(4));
    expect(seen).toEqual(['first 1', 'last 1', 'first 2', 'last 1', 'first 3', 'last 1', 'first 4', 'flaky', 'last 1']);
    expect(logs).toEqual([
      'error: model events: the flaky sink failed (the other sinks still got the events): Error: disk full',
      'info: model events: the flaky sink works again after failing on 3 event list(s)',
    ]);
  });
});
