// Feeds the 3D utilities area with the site meters' live state: /api/energy/meters every few
// seconds (any logged-in role may read it). Stops asking once the edge says it has no meters.
import { getJson } from '../../live/rest-client.js';
import type { MeterLiveView } from './energy-data.js';

const EVERY_MS = 3000;

export function startUtilitiesFeed(apply: (meters: MeterLiveView[]) => void): () => void {
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    const r = await getJson<{ meters: MeterLiveView[] }>('api/energy/meters', 5000);
    // 404: no metering section on this edge; nothing more to show.
    if (!r.ok && r.error.startsWith('404')) return;
    if (r.ok) apply(r.value.meters);
    setTimeout(() => void poll(), EVERY_MS);
  };
  void poll();
  return () => {
    stopped = true;
  };
}
