// Small REST and Socket.IO helpers for the API tests: real HTTP, real sockets.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/live-protocol.js';

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(base: string, path: string, options: { token?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(base + path, { method: options.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const answer = await call<{ token: string }>(base, '/api/login', { body: { username, password } });
  if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(base: string, auth: Record<string, unknown> = {}, extraHeaders?: Record<string, string>): LiveClient {
  return io(base, { transports: ['websocket'], reconnection: false, auth, ...(extraHeaders ? { extraHeaders } : {}) });
}

/** Resolves on `connect`, rejects with the server's refusal on `connect_error`. */
export function connected(socket: LiveClient): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}
