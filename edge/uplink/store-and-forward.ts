// Store-and-forward (Sparkplug B 3.0 §6.4.4 is_historical): while the session is not online,
// data messages go to the forward store flagged historical; after the next births they are
// replayed in order, a window at a time, each forgotten only when the broker took it (QoS 1:
// its PUBACK). A live message the broker had not taken when the connection dropped joins the
// queue the same way. Queued payloads carry aliases: after a plant-file change they are
// re-addressed by metric name (adoptCatalogue).
import type { Log } from '../logger.js';
import type { ForwardStore, QueuedMessage } from './forward-store.js';
import type { Catalogue } from './metric-catalogue.js';
import { decodePayload, encodePayload, type Metric } from './sparkplug-codec.js';

export interface StoreAndForwardOptions {
  store: ForwardStore;
  /** Messages replayed without an acknowledgement at most. */
  replayWindow: number;
  now: () => number;
  log: Log;
  /** Whether the session is online (replay runs only then). */
  online: () => boolean;
  /** Sends one queued message (its payload still without seq); `settled` says whether the broker took it. */
  replay: (message: QueuedMessage, settled: (ok: boolean) => void) => void;
}

export interface StoreAndForward {
  /** Into the queue, flagged historical. */
  queue(device: string | null, metrics: Metric[]): void;
  /** A live message going out: what to call when the broker took it or not (not: it joins the queue). */
  trackLive(device: string | null, metrics: Metric[]): (ok: boolean) => void;
  /** Births are out: replay the queue from its oldest message. */
  startReplay(): void;
  /** The connection is gone: live messages not yet taken join the queue; replay stops. */
  connectionLost(): void;
  readonly replaying: boolean;
  /** Messages sent and not yet settled. */
  inFlight(): number;
  /** Historical messages the broker took since start, and the metrics in them. */
  readonly replayed: { messages: number; metrics: number };
}

interface Tracked {
  live?: { device: string | null; metrics: Metric[] };
  row?: QueuedMessage;
}

export function createStoreAndForward(options: StoreAndForwardOptions): StoreAndForward {
  const { store, now, log } = options;
  const inflight = new Set<Tracked>();
  let replaying = false;
  let replayInFlight = 0;
  let replayAfterId = 0;
  let replayedSinceOnline = 0;
  const replayed = { messages: 0, metrics: 0 };

  function queue(device: string | null, metrics: Metric[]): void {
    if (!metrics.length) return;
    const historical = metrics.map((m) => ({ ...m, isHistorical: true }));
    store.append([{ device, metrics: historical.length, payload: encodePayload({ timestamp: now(), metrics: historical }) }]);
  }

  function track(entry: Tracked): (ok: boolean) => void {
    inflight.add(entry);
    return (ok) => settle(entry, ok);
  }

  function settle(entry: Tracked, ok: boolean): void {
    if (!inflight.delete(entry)) return; // already moved to the queue when the connection dropped
    if (entry.row) {
      replayInFlight--;
      if (ok) {
        store.remove(entry.row.id);
        replayed.messages++;
        replayed.metrics += entry.row.metrics;
        replayedSinceOnline++;
        pump();
      }
    } else if (!ok && entry.live) {
      queue(entry.live.device, entry.live.metrics);
    }
  }

  function pump(): void {
    if (!options.online() || !replaying) return;
    const window = options.replayWindow;
    while (replayInFlight < window) {
      const rows = store.peek(window - replayInFlight, replayAfterId);
      if (!rows.length) break;
      for (const row of rows) {
        replayAfterId = row.id;
        replayInFlight++;
        options.replay(row, track({ row }));
      }
    }
    if (replayInFlight === 0 && store.queuedMessages() === 0) {
      replaying = false;
      if (replayedSinceOnline) log('info', `uplink: replayed ${replayedSinceOnline} historical message(s)`);
    }
  }

  return {
    queue,
    trackLive: (device, metrics) => track({ live: { device, metrics } }),
    startReplay() {
      replayedSinceOnline = 0;
      replaying = true;
      replayAfterId = 0;
      replayInFlight = 0;
      pump();
    },
    connectionLost() {
      replaying = false;
      for (const entry of [...inflight]) {
        inflight.delete(entry);
        if (entry.live) queue(entry.live.device, entry.live.metrics);
      }
      replayInFlight = 0;
    },
    get replaying() { return replaying; },
    inFlight: () => inflight.size,
    replayed,
  };
}

type CatalogueNames = Array<[alias: number, device: string | null, name: string, type: string]>;

function catalogueNames(catalogue: Catalogue): CatalogueNames {
  return [...catalogue.node, ...[...catalogue.devices.values()].flat()].map((d) => [d.alias, d.device, d.name, d.type]);
}

/**
 * Makes the queue speak this plant file's aliases: if the catalogue changed since the messages
 * were queued, they are re-addressed by metric name (metrics the file no longer has are dropped,
 * counted), and the catalogue is remembered for next time.
 */
export function adoptCatalogue(store: ForwardStore, catalogue: Catalogue, log: Log): void {
  if (store.getMeta('catalogue') === catalogue.fingerprint) return;
  if (store.queuedMetrics() > 0) requeueWithNewAliases(store, store.getMeta('catalogue_names'), catalogue, log);
  store.setMeta('catalogue', catalogue.fingerprint);
  store.setMeta('catalogue_names', JSON.stringify(catalogueNames(catalogue)));
}

function requeueWithNewAliases(store: ForwardStore, oldNamesJson: string | undefined, catalogue: Catalogue, log: Log): void {
  const reason = 'because the plant file no longer has their metrics';
  let old: Map<number, { device: string | null; name: string; type: string }> | null = null;
  try {
    old = new Map((JSON.parse(oldNamesJson ?? 'null') as CatalogueNames).map(([alias, device, name, type]) => [alias, { device, name, type }]));
  } catch {
    old = null;
  }
  if (!old) {
    store.clear('because the plant file changed and the queue does not say which metrics its aliases meant');
    return;
  }
  const before = store.queuedMetrics();
  store.rewrite((row) => {
    const payload = decodePayload(row.payload);
    const metrics = payload.metrics.flatMap((m) => {
      const was = m.alias !== undefined ? old!.get(m.alias) : undefined;
      const now = was ? catalogue.byName(was.device, was.name) : undefined;
      return now && now.type === was!.type && (now.device ?? null) === row.device ? [{ ...m, alias: now.alias }] : [];
    });
    return metrics.length ? { payload: encodePayload({ timestamp: payload.timestamp, metrics }), metrics: metrics.length } : null;
  }, reason);
  log('info', `uplink: the plant file changed while ${before} metric(s) were queued: re-addressed them to the new aliases (${store.queuedMetrics()} kept)`);
}
