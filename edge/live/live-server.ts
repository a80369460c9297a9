// Socket.IO: authenticated sockets join rooms (plant, line, machine), get a snapshot, then
// deltas coalesced per tick. Coalescing means a burst of tag changes costs one message per
// room per tick, whatever the acquisition rate.
//
// Slow clients: a message is only handed to a socket whose transport can take it now
// (nothing waiting in engine.io's write buffer, the transport writable). A socket that
// cannot is left out of the broadcast and remembers WHICH machines it missed (a set bounded
// by the plant's size, not a queue of messages); when it can take data again it gets one
// catch-up message with their current values. So a stalled client costs the edge a few
// bytes of bookkeeping, never a growing buffer, and the others never wait for it.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  JoinRequestSchema, MAX_ROOMS_PER_SOCKET,
  type ClientToServerEvents, type DeviceHealth, type JoinAck, type JoinRequest, type LineSnapshot, type MachineLive, type ServerToClientEvents, type ShiftRef,
} from '../../shared/live-protocol.js';
import { CommandRequestSchema, type CommandAck } from '../../shared/command-api.js';
import type { AuthService, Principal } from '../auth/index.js';
import { createRateLimiter, type RateLimiter } from '../auth/index.js';
import { bearerToken, cookieValue, SESSION_COOKIE } from '../api/index.js';
import { isCrossOrigin } from '../api/index.js';
import { describeIssue } from '../api/index.js';
import { CommandRefused, type CommandService } from '../commands/index.js';
import { machinesIn } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import { diffMachine, sentOf, type SentMachine } from './machine-diff.js';
import { checkLiveEventTable, liveEventAccess } from './live-event-access.js';

export interface LiveServerOptions {
  httpServer: HttpServer;
  lineId: string;
  machineIds: readonly string[];
  snapshot: () => LineSnapshot;
  machineLive: (machineId: string) => MachineLive | undefined;
  devices: () => DeviceHealth[];
  /**
   * The line's current shift (the KPI engine's calendar view), sent with every snapshot and delta:
   * a line without machines has a shift too, and the twin's header shows it.
   */
  lineShift?: () => ShiftRef | null;
  now: () => number;
  auth: AuthService;
  commands?: CommandService;
  tickMs?: number;
  /** Device health and time-driven KPIs are re-sent this often even without tag changes. */
  refreshMs?: number;
  /** Largest inbound Socket.IO message; a larger one closes that client's connection (only that one). */
  maxMessageBytes?: number;
  /**
   * Leave sockets that cannot take more out of a tick (default true). False hands every message
   * to every socket as plain Socket.IO would, queueing for slow ones: only for the benchmark's
   * comparison (bench/live.ts --no-gate), never in production.
   */
  gateSlowClients?: boolean;
  /** Sent to a client right after each line snapshot (other modules' state, e.g. the alarm list): full state on every (re)join. */
  afterLineSnapshot?: (send: <E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>) => void) => void;
}

export interface LiveStats {
  clients: number;
  /** Messages handed to sockets (a broadcast counts once per receiving socket). */
  messagesSent: number;
  /** Times a socket was left out of a tick because it could not take more. */
  deferred: number;
  catchUps: number;
  protocolErrors: number;
  /** Largest engine.io write queue seen on any socket at a tick (packets); stays ~0 when slow clients are left out. */
  maxQueuedPackets: number;
  /** Largest number of bytes seen waiting in one socket's send buffer at a tick. */
  maxBufferedBytes: number;
}

/**
 * As a model event sink it marks the machines an event list is about; they go out on the next
 * tick with their view at that moment (see the header: a tick sends current values, which is
 * what bounds the work for a slow client, so the view is read then, not taken from the events).
 */
export interface LiveServer extends ModelEventSink {
  /** Marks machines whose live view changed without a model event (the plant host's mirror). */
  touch(machineIds: Iterable<string>): void;
  clientCount(): number;
  stats(): LiveStats;
  /** Sends an event to every socket on the line feed (plant and line rooms), for modules with events of their own (alarms). */
  broadcast<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  close(): Promise<void>;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>;

interface SocketState {
  principal: Principal;
  token: string | null;
  source: string;
  /** Machines of the line feed this socket missed while it was slow (null = up to date). */
  linePending: Set<string> | null;
  devicesPending: boolean;
  /** Machine rooms whose deltas it missed: it gets a fresh machine-snapshot instead. */
  machinePending: Set<string>;
  /** It missed a broadcast (e.g. an alarm event): on catch-up it gets afterLineSnapshot's full state instead. */
  broadcastMissed: boolean;
  inbound: RateLimiter;
  lastProtocolError: number;
}

const LINE_FEED_ROOMS = (lineId: string) => ['plant', `line:${lineId}`];
const machineRoom = (id: string) => `machine:${id}`;
/** The events this server handles (onAny below); each declares its access in live-event-access.ts. */
const HANDLED_EVENTS = ['join', 'leave', 'command'] as const;

function handshakeToken(socket: { handshake: { auth: Record<string, unknown>; headers: IncomingMessage['headers'] } }): string | null {
  const fromAuth = socket.handshake.auth?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  return bearerToken(socket.handshake.headers.authorization) ?? cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
}

export function createLiveServer(options: LiveServerOptions): LiveServer {
  checkLiveEventTable(HANDLED_EVENTS);
  const { auth, now, lineId } = options;
  const machineIds = new Set(options.machineIds);
  const feedRooms = LINE_FEED_ROOMS(lineId);
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketState>(options.httpServer, {
    serveClient: false,
    // Same-origin only: the twin is served by this server.
    cors: { origin: false },
    maxHttpBufferSize: options.maxMessageBytes ?? 16 * 1024,
    // A WebSocket handshake is not covered by CORS: refuse other origins here (cross-site WebSocket hijacking).
    allowRequest: (req, cb) => cb(null, !isCrossOrigin(req.headers.origin, req.headers.host)),
  });
  const stats: LiveStats = { clients: 0, messagesSent: 0, deferred: 0, catchUps: 0, protocolErrors: 0, maxQueuedPackets: 0, maxBufferedBytes: 0 };
  const dirty = new Set<string>();
  /** Per machine room: what it was last sent, so its deltas carry only changes. */
  const machineSent = new Map<string, SentMachine>();
  const lineShift = (): { shift?: ShiftRef | null } => {
    const shift = options.lineShift?.();
    return shift === undefined ? {} : { shift: shift && { name: shift.name, start: shift.start, end: shift.end } };
  };
  let lastRefresh = now();
  let lastRevalidate = now();

  io.use((socket, next) => {
    const source = socket.handshake.address;
    const token = handshakeToken(socket);
    const result = auth.authenticate({ token, source });
    if (!result.ok) {
      auth.auditRefusal('socket.refused', result.refusal, { target: 'socket.io' }, source);
      const err = new Error(result.refusal.message) as Error & { data: unknown };
      err.data = { code: result.refusal.code, status: result.refusal.status };
      return next(err);
    }
    socket.data = {
      principal: result.principal, token, source, linePending: null, devicesPending: false, machinePending: new Set(), broadcastMissed: false,
      // 20 messages in a burst, then 10 per second: plenty for a person, a wall against a loop.
      inbound: createRateLimiter({ capacity: 20, refillMs: 100, now, maxKeys: 1 }),
      lastProtocolError: 0,
    };
    next();
  });

  /** Can the socket take a message now without it piling up in a buffer? */
  // engine.io keeps `writeBuffer` private in its types; it is where packets wait while the transport is busy.
  const gate = options.gateSlowClients ?? true;
  const queued = (socket: LiveSocket) => (gate ? (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length : 0);
  const canTake = (socket: LiveSocket) => !gate ||
    socket.conn.transport.writable && (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length === 0;

  function send<E extends keyof ServerToClientEvents>(socket: LiveSocket, event: E, ...args: Parameters<ServerToClientEvents[E]>) {
    stats.messagesSent++;
    socket.emit(event, ...args);
  }

  function protocolError(socket: LiveSocket, event: string, error: string, field?: string) {
    stats.protocolErrors++;
    // At most one answer per second: a client sending garbage in a loop must not make us write in a loop.
    const t = now();
    if (t - socket.data.lastProtocolError < 1000) return;
    socket.data.lastProtocolError = t;
    send(socket, 'protocol-error', { event: event.slice(0, 64), error, ...(field ? { field } : {}) });
  }

  function roomsOf(socket: LiveSocket): number {
    return socket.rooms.size - 1; // Socket.IO puts each socket in a room of its own id
  }

  function join(socket: LiveSocket, request: JoinRequest): JoinAck {
    if (request.room === 'machine') {
      if (!machineIds.has(request.id)) return { ok: false, error: `no machine "${request.id}" (known: ${[...machineIds].join(', ')})`, field: 'id' };
      const room = machineRoom(request.id);
      if (!socket.rooms.has(room) && roomsOf(socket) >= MAX_ROOMS_PER_SOCKET) return { ok: false, error: `a connection may join at most ${MAX_ROOMS_PER_SOCKET} rooms: leave one first` };
      socket.join(room);
      const live = options.machineLive(request.id);
      if (live) send(socket, 'machine-snapshot', { machine: live, ts: now() });
      if (!machineSent.has(request.id) && live) machineSent.set(request.id, sentOf(live));
      return { ok: true, room };
    }
    if (request.room === 'line' && request.id !== undefined && request.id !== lineId) {
      return { ok: false, error: `this edge serves line "${lineId}", not "${request.id}"`, field: 'id' };
    }
    const room = request.room === 'plant' ? 'plant' : `line:${lineId}`;
    socket.join(room);
    // A fresh snapshot on every join, also after a reconnect: the client starts from the truth.
    send(socket, 'snapshot', { ...options.snapshot(), ...lineShift() });
    options.afterLineSnapshot?.((event, ...args) => send(socket, event, ...args));
    socket.data.linePending = null;
    socket.data.devicesPending = false;
    socket.data.broadcastMissed = false;
    return { ok: true, room };
  }

  function leave(socket: LiveSocket, request: JoinRequest): JoinAck {
    const room = request.room === 'machine' ? machineRoom(request.id) : request.room === 'plant' ? 'plant' : `line:${lineId}`;
    socket.leave(room);
    if (request.room === 'machine') socket.data.machinePending.delete(request.id);
    return { ok: true, room };
  }

  io.on('connection', (raw) => {
    const socket = raw as LiveSocket;
    stats.clients++;
    socket.on('disconnect', () => { stats.clients--; });
    send(socket, 'session', auth.session(socket.data.principal));
    // The twin relies on being in its line's room from the start; other clients may opt out.
    if (socket.handshake.auth?.autoJoin !== false) join(socket, { room: 'line' });

    socket.onAny((event: string, ...args: unknown[]) => {
      if (!socket.data.inbound.take('in')) return protocolError(socket, event, 'too many messages: slow down');
      const access = liveEventAccess(event);
      if (!access) return protocolError(socket, event, `unknown event "${String(event).slice(0, 64)}" (known: ${HANDLED_EVENTS.join(', ')})`);
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: unknown) => void) : undefined;
      if (access !== 'public') {
        const refusal = auth.requireRole(socket.data.principal, access, `sending "${event}"`);
        if (refusal) {
          auth.auditRefusal(`socket.${event}`, refusal, { target: 'socket.io' }, socket.data.source, socket.data.principal);
          protocolError(socket, event, refusal.message);
          ack?.({ ok: false, status: refusal.status, code: refusal.code, error: refusal.message });
          return;
        }
      }
      if (event === 'command') {
        void handleCommand(socket, args[0], ack);
        return;
      }
      const parsed = JoinRequestSchema.safeParse(args[0]);
      if (!parsed.success) {
        const { message, field } = describeIssue(parsed.error, event);
        protocolError(socket, event, message, field);
        ack?.({ ok: false, error: message, ...(field ? { field } : {}) } satisfies JoinAck);
        return;
      }
      const answer = event === 'join' ? join(socket, parsed.data) : leave(socket, parsed.data);
      if (!answer.ok) protocolError(socket, event, answer.error, answer.field);
      ack?.(answer);
    });
  });

  async function handleCommand(socket: LiveSocket, raw: unknown, ack: ((answer: CommandAck) => void) | undefined) {
    if (!ack) return protocolError(socket, 'command', 'a command needs an acknowledgement callback: socket.emit("command", request, (answer) => …)');
    const { principal, source } = socket.data;
    const parsed = CommandRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const { message, field } = describeIssue(parsed.error, 'command');
      auth.auditRefusal('command.invalid', { status: 400, code: 'invalid', message }, { field: field ?? null, transport: 'socket' }, source, principal);
      return ack({ ok: false, status: 400, error: message, code: 'invalid', ...(field ? { field } : {}) });
    }
    if (!options.commands) return ack({ ok: false, status: 503, error: 'commands are not available on this edge', code: 'unavailable' });
    try {
      ack({ ok: true, result: await options.commands.execute(parsed.data, { principal, source, transport: 'socket' }) });
    } catch (err) {
      if (err instanceof CommandRefused) return ack({ ok: false, status: err.status, error: err.message, code: err.code, ...(err.field ? { field: err.field } : {}), ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) });
      ack({ ok: false, status: 500, error: 'internal error: see the edge log', code: 'internal' });
    }
  }

  function socketsIn(rooms: readonly string[]): LiveSocket[] {
    const ids = new Set<string>();
    for (const r of rooms) for (const id of io.sockets.adapter.rooms.get(r) ?? []) ids.add(id);
    const out: LiveSocket[] = [];
    for (const id of ids) {
      const s = io.sockets.sockets.get(id);
      if (s) out.push(s as LiveSocket);
    }
    return out;
  }

  function lineTick(changed: ReadonlySet<string>, refresh: boolean, ts: number) {
    const sockets = socketsIn(feedRooms);
    if (!sockets.length) return;
    const something = changed.size > 0 || refresh;
    const lagging: LiveSocket[] = [];
    for (const s of sockets) {
      if (s.data.linePending || (something && !canTake(s))) {
        const pending = (s.data.linePending ??= new Set());
        for (const id of changed) pending.add(id);
        s.data.devicesPending ||= refresh;
        lagging.push(s);
      }
    }
    if (something) {
      const machines: MachineLive[] = [];
      for (const id of changed) {
        const live = options.machineLive(id);
        if (live) machines.push(live);
      }
      const receivers = sockets.length - lagging.length;
      if (receivers > 0) {
        // One encoding for every socket that keeps up.
        io.to(feedRooms).except(lagging.map((s) => s.id)).emit('delta', { machines, devices: refresh ? options.devices() : [], ...lineShift(), ts });
        stats.messagesSent += receivers;
      }
    }
    for (const s of lagging) {
      if (!canTake(s)) {
        stats.deferred++;
        continue;
      }
      const machines = [...s.data.linePending!].map((id) => options.machineLive(id)).filter((m): m is MachineLive => !!m);
      if (machines.length || s.data.devicesPending) send(s, 'delta', { machines, devices: s.data.devicesPending ? options.devices() : [], ...lineShift(), ts });
      if (s.data.broadcastMissed) options.afterLineSnapshot?.((event, ...args) => send(s, event, ...args));
      s.data.linePending = null;
      s.data.devicesPending = false;
      s.data.broadcastMissed = false;
      stats.catchUps++;
    }
  }

  function machineTick(changed: ReadonlySet<string>, ts: number) {
    for (const id of machineIds) {
      const room = machineRoom(id);
      const members = io.sockets.adapter.rooms.get(room);
      if (!members?.size) {
        machineSent.delete(id);
        continue;
      }
      const sockets = socketsIn([room]);
      const lagging = sockets.filter((s) => s.data.machinePending.has(id) || (changed.has(id) && !canTake(s)));
      for (const s of lagging) s.data.machinePending.add(id);
      if (changed.has(id)) {
        const live = options.machineLive(id);
        const sent = machineSent.get(id);
        if (live && sent) {
          const delta = diffMachine(sent, live, ts);
          const receivers = sockets.length - lagging.length;
          if (delta && receivers > 0) {
            io.to(room).except(lagging.map((s) => s.id)).emit('machine-delta', delta);
            stats.messagesSent += receivers;
          }
        } else if (live) machineSent.set(id, sentOf(live));
      }
      for (const s of lagging) {
        if (!canTake(s)) {
          stats.deferred++;
          continue;
        }
        const live = options.machineLive(id);
        if (live) send(s, 'machine-snapshot', { machine: live, ts });
        s.data.machinePending.delete(id);
        stats.catchUps++;
      }
    }
  }

  /** What is waiting to go out to each socket: the figure that would grow if a slow client were queued for. */
  function sampleBacklog() {
    for (const [, socket] of io.sockets.sockets) {
      const conn = socket.conn as unknown as { writeBuffer: unknown[]; transport: { socket?: { _socket?: { writableLength?: number } } } };
      stats.maxQueuedPackets = Math.max(stats.maxQueuedPackets, conn.writeBuffer.length);
      stats.maxBufferedBytes = Math.max(stats.maxBufferedBytes, conn.transport.socket?._socket?.writableLength ?? 0);
    }
  }

  function revalidate(t: number) {
    for (const [, raw] of io.sockets.sockets) {
      const socket = raw as LiveSocket;
      const { principal, token, source } = socket.data;
      if (principal.via !== 'token') continue;
      const result = auth.authenticate({ token, source });
      if (!result.ok || (principal.expiresAt !== null && principal.expiresAt <= t)) {
        send(socket, 'session-ended', { reason: result.ok ? 'the session has expired: log in again' : result.refusal.message });
        socket.disconnect(true);
      } else {
        socket.data.principal = result.principal;
      }
    }
  }

  // A session ended (logout, password or role change, disabled, revoked by the CLI): its sockets
  // are told why and closed now, not at the next periodic check.
  const stopRevocations = auth.onSessionsRevoked((revoked) => {
    const ended = new Map(revoked.map((r) => [r.sessionId, r.reason]));
    for (const [, raw] of io.sockets.sockets) {
      const socket = raw as LiveSocket;
      const reason = socket.data.principal.sessionId ? ended.get(socket.data.principal.sessionId) : undefined;
      if (reason === undefined) continue;
      send(socket, 'session-ended', { reason: `the session was ended (${reason}): log in again` });
      socket.disconnect(true);
    }
  });

  const tick = setInterval(() => {
    const t = now();
    const refresh = t - lastRefresh >= (options.refreshMs ?? 1000);
    if (refresh) {
      lastRefresh = t;
      for (const id of machineIds) dirty.add(id);
      // Expired tokens and disabled users lose their live connection within seconds.
      if (t - lastRevalidate >= 5000) {
        lastRevalidate = t;
        revalidate(t);
      }
    }
    const changed = new Set(dirty);
    dirty.clear();
    lineTick(changed, refresh, t);
    machineTick(changed, t);
    if (refresh) sampleBacklog();
  }, options.tickMs ?? 100);
  tick.unref();

  return {
    name: 'live server',
    onModelEvents(events) {
      machinesIn(events, dirty);
    },
    touch(ids) {
      for (const id of ids) dirty.add(id);
    },
    clientCount: () => io.engine.clientsCount,
    stats: () => ({ ...stats }),
    broadcast(event, ...args) {
      // Rare, important events (alarms), not coalesced. A socket that cannot take them now is
      // not queued for: it is marked, and its catch-up brings the full state (afterLineSnapshot)
      // instead of the events it missed, so an alarm flood cannot pile up behind a slow client.
      // Lenient on purpose: a frame in flight is normal for a healthy client; one already waiting in
      // engine.io's queue is not. At most one broadcast packet ever waits per socket.
      const sockets = socketsIn(feedRooms);
      const lagging = sockets.filter((s) => s.data.linePending || queued(s) > 0);
      for (const s of lagging) {
        s.data.linePending ??= new Set();
        s.data.broadcastMissed = true;
      }
      if (sockets.length > lagging.length) {
        io.to(feedRooms).except(lagging.map((s) => s.id)).emit(event, ...args);
        stats.messagesSent += sockets.length - lagging.length;
      }
    },
    async close() {
      clearInterval(tick);
      stopRevocations();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
