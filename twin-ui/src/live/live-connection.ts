// The socket to the edge. Socket.IO reconnects by itself; this file turns its events into one
// honest connection state for the header and the banner, and validates what arrives.
import { io, type Socket } from 'socket.io-client';
import {
  LineDeltaSchema, LineSnapshotSchema,
  type ClientToServerEvents, type LineDelta, type LineSnapshot, type ServerToClientEvents,
} from '../../../shared/live-protocol.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface LiveConnectionHandlers {
  snapshot(snapshot: LineSnapshot): void;
  delta(delta: LineDelta): void;
  connection(state: ConnectionState, detail: string | null): void;
  protocolError(message: string): void;
}

export interface LiveConnection {
  close(): void;
  /** For tests: drop the transport as a network failure would (the client then reconnects). */
  dropForTest(): void;
}

export function connectLive(url: string | undefined, handlers: LiveConnectionHandlers): LiveConnection {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = url ? io(url) : io();
  let everConnected = false;
  handlers.connection('connecting', null);

  socket.on('connect', () => {
    everConnected = true;
    handlers.connection('connected', null);
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    handlers.connection('reconnecting', reason);
  });
  socket.on('connect_error', (err) => {
    handlers.connection(everConnected ? 'reconnecting' : 'connecting', err.message);
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

  return {
    close: () => void socket.close(),
    dropForTest: () => socket.io.engine?.close(),
  };
}
