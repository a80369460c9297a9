// The socket to the edge. Socket.IO reconnects by itself; this file turns its events into one
// honest connection state for the header and the banner, and validates what arrives.
import { io, type Socket } from 'socket.io-client';
import { SessionSchema, type Session } from '../../../shared/auth-api.js';
import {
  LineDeltaSchema, LineSnapshotSchema,
  type ClientToServerEvents, type LineDelta, type LineSnapshot, type ServerToClientEvents,
} from '../../../shared/live-protocol.js';
import { AlarmEventSchema, AlarmListSchema, type AlarmEvent, type AlarmList } from '../../../shared/alarm-wire.js';
import type { CommandAck, CommandRequest } from '../../../shared/command-api.js';
import { EnergyLiveSchema, type EnergyLive } from '../../../shared/energy-api.js';
import { OrderProgressSchema, type OrderProgress } from '../../../shared/order-api.js';
import { PlantFileStatusSchema, type PlantFileStatus } from '../../../shared/layout-api.js';

const RETRY_MS = 3000;

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface LiveConnectionHandlers {
  snapshot(snapshot: LineSnapshot): void;
  delta(delta: LineDelta): void;
  connection(state: ConnectionState, detail: string | null): void;
  protocolError(message: string): void;
  /** Who we are on the edge (and whether it runs in demo mode). */
  session(session: Session): void;
  /** The edge refused or ended our session: the user must log in (again). */
  authRequired(message: string): void;
  /** One alarm lifecycle step (shared/alarm-wire.ts AlarmEvent). */
  alarm?(event: AlarmEvent): void;
  /** The standing alarm list: after each snapshot, and instead of events a lagging socket missed. */
  alarms?(list: AlarmList): void;
  /** Site meters and the running 15-minute block (shared/energy-api.ts EnergyLive), on plants with meters. */
  energy?(message: EnergyLive): void;
  /** The line's work order and its progress (shared/order-api.ts OrderProgress). */
  order?(progress: OrderProgress): void;
  /** Whether the plant file on disk is the running plant (edges run from a plant file). */
  plantFile?(status: PlantFileStatus): void;
}

export interface LiveConnection {
  close(): void;
  /** For tests: drop the transport as a network failure would (the client then reconnects). */
  dropForTest(): void;
  /**
   * A command through the edge's audited command service (ack/shelve an alarm, …) on this
   * socket, which carries the session the page has (cookie or demo), unlike a REST POST.
   */
  command(request: CommandRequest, timeoutMs?: number): Promise<CommandAck>;
}

export function connectLive(url: string | undefined, handlers: LiveConnectionHandlers): LiveConnection {
  // Without an edge URL: this page's own server, at the Socket.IO path next to the page, so the
  // twin also works below a path (the plant host serves each line under /lines/<group>/<node>/).
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = url ? io(url) : io({ path: new URL('socket.io', location.href).pathname });
  let everConnected = false;
  handlers.connection('connecting', null);

  socket.on('connect', () => {
    everConnected = true;
    handlers.connection('connected', null);
  });
  let retry: ReturnType<typeof setTimeout> | null = null;
  // Socket.IO gives up after a server-side disconnect or a middleware refusal (socket.active is
  // false); a twin on a wall screen must never give up, so retry those too.
  const retryIfInactive = () => {
    if (socket.active || retry || closed) return;
    retry = setTimeout(() => {
      retry = null;
      socket.connect();
    }, RETRY_MS);
  };
  let closed = false;
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    handlers.connection('reconnecting', reason);
    retryIfInactive();
  });
  socket.on('connect_error', (err) => {
    // A refusal by the edge's auth middleware carries its HTTP-like status; retrying cannot help.
    const status = (err as Error & { data?: { status?: number } }).data?.status;
    if (status === 401 || status === 403) {
      closed = true;
      handlers.authRequired(err.message);
      return;
    }
    handlers.connection(everConnected ? 'reconnecting' : 'connecting', err.message);
    retryIfInactive();
  });
  socket.on('session', (raw) => {
    const parsed = SessionSchema.safeParse(raw);
    if (parsed.success) handlers.session(parsed.data);
  });
  socket.on('session-ended', (ended) => {
    closed = true;
    handlers.authRequired(typeof ended?.reason === 'string' ? ended.reason : 'session ended');
  });
  socket.on('snapshot', (raw) => {
    const parsed = LineSnapshotSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`snapshot: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.snapshot(parsed.data);
  });
  socket.on('delta', (raw) => {
    const parsed = LineDeltaSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`delta: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.delta(parsed.data);
  });

  socket.on('alarm', (raw) => {
    if (!handlers.alarm) return;
    const parsed = AlarmEventSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`alarm: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.alarm(parsed.data);
  });
  socket.on('alarms', (raw) => {
    if (!handlers.alarms) return;
    const parsed = AlarmListSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`alarms: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.alarms(parsed.data);
  });

  socket.on('plant-file', (raw) => {
    if (!handlers.plantFile) return;
    const parsed = PlantFileStatusSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`plant-file: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.plantFile(parsed.data);
  });

  socket.on('order', (raw) => {
    if (!handlers.order) return;
    const parsed = OrderProgressSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`order: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.order(parsed.data);
  });

  socket.on('energy', (raw) => {
    if (!handlers.energy) return;
    const parsed = EnergyLiveSchema.safeParse(raw);
    if (!parsed.success) return handlers.protocolError(`energy: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    handlers.energy(parsed.data);
  });

  return {
    command: (request, timeoutMs = 15_000) => {
      if (!socket.connected) return Promise.resolve({ ok: false, status: 503, error: 'not connected to the edge: wait for the connection to come back, then try again' });
      return socket.timeout(timeoutMs).emitWithAck('command', request).then(
        (ack) => ack,
        () => ({ ok: false as const, status: 504, error: `the edge did not answer within ${Math.round(timeoutMs / 1000)} s: check the connection and try again` }),
      );
    },
    close: () => {
      closed = true;
      if (retry) clearTimeout(retry);
      socket.close();
    },
    dropForTest: () => socket.io.engine?.close(),
  };
}
