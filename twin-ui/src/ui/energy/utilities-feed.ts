// Feeds the 3D utilities area with the site meters' live state. One REST read gives what the
// push does not carry (names, media, the tree; any logged-in role may read it); from then on the
// live `energy` message moves it. An edge without meters answers 404: nothing to show.
import type { EnergyLive } from '../../../../shared/energy-api.js';
import { getJson } from '../../live/rest-client.js';
import { withLive, type MeterLiveView } from './energy-data.js';

const RETRY_MS = 5000;

export interface UtilitiesFeed {
  /** The live `energy` message. */
  applyLive(message: EnergyLive): void;
  stop(): void;
}

export function startUtilitiesFeed(apply: (meters: MeterLiveView[]) => void): UtilitiesFeed {
  let stopped = false;
  let meters: MeterLiveView[] | null = null;
  const read = async () => {
    if (stopped) return;
    const r = await getJson<{ meters: MeterLiveView[] }>('api/energy/meters', 5000);
    if (!r.ok) {
      if (!r.error.startsWith('404')) setTimeout(() => void read(), RETRY_MS);
      return;
    }
    meters = r.value.meters;
    apply(meters);
  };
  void read();
  return {
    applyLive(message) {
      // Before the first read there is no tree to move; the next message comes within seconds.
      if (stopped || !meters) return;
      meters = withLive(meters, message);
      apply(meters);
    },
    stop() {
      stopped = true;
    },
  };
}
