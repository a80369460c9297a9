// Store-and-forward without a broker: a real forward store (SQLite in memory) and a replay that
// records what would go out; the test settles each message as a broker would.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { openForwardStore, type QueuedMessage } from '../../edge/uplink/forward-store.js';
import { buildCatalogue } from '../../edge/uplink/metric-catalogue.js';
import { decodePayload, type Metric } from '../../edge/uplink/sparkplug-codec.js';
import { adoptCatalogue, createStoreAndForward } from '../../edge/uplink/store-and-forward.js';
import type { PlantConfig } from '../../shared/plant-schema.js';

const metric = (alias: number, value: number): Metric => ({ alias, type: 'Double', value, timestamp: 1 });

function harness(window = 2) {
  const logs: string[] = [];
  const store = openForwardStore({ file: ':memory:', maxMetrics: 1000, now: () => 0, log: (l, m) => logs.push(`${l} ${m}`) });
  let online = false;
  const sent: Array<{ row: QueuedMessage; settle: (ok: boolean) => void }> = [];
  const sf = createStoreAndForward({
    store, replayWindow: window, now: () => 0, log: (l, m) => logs.push(`${l} ${m}`),
    online: () => online,
    replay: (row, settle) => sent.push({ row, settle }),
  });
  return { store, sf, sent, logs, setOnline: (v: boolean) => { online = v; } };
}

describe('store-and-forward', () => {
  it('queues metrics flagged historical, and ignores an empty message', () => {
    const h = harness();
    h.sf.queue('mill', [metric(10, 1), metric(11, 2)]);
    h.sf.queue('mill', []);
    expect(h.store.queuedMessages()).toBe(1);
    const [row] = h.store.peek(10);
    expect(row!.device).toBe('mill');
    expect(decodePayload(row!.payload).metrics.map((m) => [m.alias, m.value, m.isHistorical])).toEqual([[10, 1, true], [11, 2, true]]);
  });

  it('replays in order, a window at a time, forgetting each message only when the broker took it', () => {
    const h = harness(2);
    for (let i = 0; i < 5; i++) h.sf.queue(i % 2 ? 'mill' : null, [metric(i, i)]);
    h.sf.startReplay();
    expect(h.sent, 'offline: nothing is replayed').toEqual([]);
    h.setOnline(true);
    h.sf.startReplay();
    expect(h.sent.map((s) => s.row.device)).toEqual([null, 'mill']);
    expect(h.sf.replaying).toBe(true);
    h.sent[1]!.settle(false); // not taken: stays queued, the window does not refill with it
    expect(h.store.queuedMessages()).toBe(5);
    h.sent[0]!.settle(true);
    expect(h.store.queuedMessages()).toBe(4);
    expect(h.sent.map((s) => decodePayload(s.row.payload).metrics[0]!.value)).toEqual([0, 1, 2, 3]);
    for (const s of h.sent.slice(2)) s.settle(true);
    for (const s of h.sent.slice(4)) s.settle(true);
    expect(h.sent.map((s) => decodePayload(s.row.payload).metrics[0]!.value)).toEqual([0, 1, 2, 3, 4]);
    expect(h.sf.replayed).toEqual({ messages: 4, metrics: 4 });
    expect(h.store.queuedMessages(), 'the refused message waits for the next session').toBe(1);
    h.sent[1]!.settle(true); // a late answer for a settled message changes nothing
    expect(h.store.queuedMessages()).toBe(1);
  });

  it('a live message the broker did not take joins the queue; one taken does not', () => {
    const h = harness();
    h.sf.trackLive('mill', [metric(1, 1)])(true);
    h.sf.trackLive('mill', [metric(2, 2)])(false);
    expect(h.store.peek(10).map((r) => decodePayload(r.payload).metrics[0]!.alias)).toEqual([2]);
  });

  it('when the connection drops, live messages in flight are queued and replay stops; their late answers change nothing', () => {
    const h = harness(1);
    h.setOnline(true);
    h.sf.queue(null, [metric(1, 1)]);
    h.sf.startReplay();
    const live = h.sf.trackLive('mill', [metric(7, 7)]);
    expect(h.sf.inFlight()).toBe(2);
    h.sf.connectionLost();
    expect(h.sf.inFlight()).toBe(0);
    expect(h.sf.replaying).toBe(false);
    live(false);
    h.sent[0]!.settle(true);
    expect(h.store.peek(10).map((r) => r.device)).toEqual([null, 'mill']);
  });
});

describe('a queue kept across a plant-file change', () => {
  const plant = loadPlantFile('config/demo-plant.yaml');
  const withoutFirstMachine: PlantConfig = { ...plant, machines: plant.machines.slice(1) };

  it('re-addresses queued metrics to the new aliases by name, and drops (counted) those the file no longer has', () => {
    const h = harness();
    const before = buildCatalogue(plant);
    adoptCatalogue(h.store, before, () => {});
    const gone = plant.machines[0]!.id;
    const kept = plant.machines[1]!.id;
    const keptState = before.byName(kept, 'State')!;
    h.sf.queue(gone, [{ alias: before.byName(gone, 'State')!.alias, type: 'String', value: 'running', timestamp: 1 }]);
    h.sf.queue(kept, [{ alias: keptState.alias, type: 'String', value: 'idle', timestamp: 1 }]);
    const after = buildCatalogue(withoutFirstMachine);
    adoptCatalogue(h.store, after, (l, m) => h.logs.push(`${l} ${m}`));
    const rows = h.store.peek(10);
    expect(rows.map((r) => r.device)).toEqual([kept]);
    expect(decodePayload(rows[0]!.payload).metrics[0]).toMatchObject({ alias: after.byName(kept, 'State')!.alias, value: 'idle' });
    expect(after.byName(kept, 'State')!.alias).not.toBe(keptState.alias);
    expect(h.store.droppedMetrics()).toBe(1);
    expect(h.store.getMeta('catalogue')).toBe(after.fingerprint);
  });

  it('clears a queue whose aliases it cannot read back (no names stored), counting the loss', () => {
    const h = harness();
    h.sf.queue('mill', [metric(3, 3)]);
    h.store.setMeta('catalogue', 'an older catalogue');
    adoptCatalogue(h.store, buildCatalogue(plant), () => {});
    expect(h.store.queuedMessages()).toBe(0);
    expect(h.store.droppedMetrics()).toBe(1);
  });
});
