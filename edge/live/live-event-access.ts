// Who may send each Socket.IO event, as the REST routes declare it on the route (edge/api/
// api-route.ts): an event missing here is refused, and the live server checks at startup that
// every event it handles is declared (and nothing else), so a new event cannot be open by
// omission. The fuzz suite iterates this table. Connecting at all needs a session (the demo
// auto-login in demo mode): the handshake middleware of live-server.ts.
import type { ClientToServerEvents } from '../../shared/live-protocol.js';
import { ROLES } from '../../shared/auth-api.js';
import type { Access } from '../api/index.js';

/** A socket has no scrape token: an event is public or needs a role. */
type EventAccess = Exclude<Access, 'scrape'>;

export const LIVE_EVENT_ACCESS = {
  join: 'operator',
  leave: 'operator',
  // Operator and up may send; the command service then requires maintenance for writes (per kind).
  command: 'operator',
} as const satisfies Record<keyof ClientToServerEvents, EventAccess>;

export type LiveEvent = keyof typeof LIVE_EVENT_ACCESS;

/** The declared access of an inbound event, or undefined: not an event this server takes. */
export function liveEventAccess(event: string): EventAccess | undefined {
  return Object.hasOwn(LIVE_EVENT_ACCESS, event) ? LIVE_EVENT_ACCESS[event as LiveEvent] : undefined;
}

/** Throws, naming the event, unless `handled` and the table list the same events with valid access. */
export function checkLiveEventTable(handled: readonly string[], table: Record<string, string> = LIVE_EVENT_ACCESS): void {
  const valid = new Set<string>(['public', ...ROLES]);
  for (const event of handled) {
    if (!Object.hasOwn(table, event)) throw new Error(`Socket.IO event "${event}" is handled but does not declare who may send it: add it to LIVE_EVENT_ACCESS (edge/live/live-event-access.ts)`);
  }
  for (const [event, access] of Object.entries(table)) {
    if (!valid.has(access)) throw new Error(`Socket.IO event "${event}" declares access "${access}": use 'public' or a role (${ROLES.join(', ')})`);
    if (!handled.includes(event)) throw new Error(`Socket.IO event "${event}" is declared in LIVE_EVENT_ACCESS but the live server has no handler for it`);
  }
}
