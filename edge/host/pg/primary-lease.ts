// Which of several hosts on one database is the Sparkplug primary: the one holding a PostgreSQL
// session advisory lock keyed by the host id, on a connection of its own. PostgreSQL frees the
// lock the moment that session ends — the process died, was killed, or lost the network long
// enough for TCP keepalive to give up — and a standby polling for it takes over. A holder that
// loses its connection steps down at once (it cannot know whether a standby already took the
// lock): better a few seconds with no primary, while the edges store and forward, than two.
import pg from 'pg';
import type { Log } from '../../logger.js';

export interface PrimaryLeaseOptions {
  url: string;
  hostId: string;
  /** How often a standby tries for the lock, and the holder checks its connection. */
  retryMs: number;
  log: Log;
  /** Called when this host holds the lock (it becomes the primary). */
  acquired(): void | Promise<void>;
  /** Called when it no longer does (it must stop acting as the primary at once). */
  lost(reason: string): void;
}

export interface PrimaryLease {
  readonly holding: boolean;
  start(): void;
  /** Releases the lock (a clean shutdown hands over without waiting for a timeout). */
  stop(): Promise<void>;
}

const LOCK_SQL = `SELECT pg_try_advisory_lock(hashtextextended('twinline-sparkplug-primary:' || $1, 0)) AS got`;

export function createPrimaryLease(o: PrimaryLeaseOptions): PrimaryLease {
  let client: pg.Client | null = null;
  let holding = false;
  let stopped = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastError: string | null = null;

  function drop(reason: string): void {
    const c = client;
    client = null;
    c?.removeAllListeners('error');
    c?.on('error', () => undefined);
    void c?.end().catch(() => undefined);
    if (holding) {
      holding = false;
      o.log('warn', `host ${o.hostId}: lost the primary lease (${reason}); standing by`);
      o.lost(reason);
    }
  }

  async function tick(): Promise<void> {
    timer = null;
    if (stopped) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: o.url, keepAlive: true, keepAliveInitialDelayMillis: 1000, application_name: `twinline-host ${o.hostId} lease` });
        c.on('error', (err) => drop(`database connection: ${err.message}`));
        await c.connect();
        client = c;
      }
      if (holding) {
        await client.query('SELECT 1'); // the holder's check that its session (and so the lock) still stands
      } else {
        const r = await client.query<{ got: boolean }>(LOCK_SQL, [o.hostId]);
        if (r.rows[0]?.got && !stopped) {
          holding = true;
          lastError = null;
          o.log('info', `host ${o.hostId}: holds the primary lease`);
          await o.acquired();
        }
      }
      if (lastError) o.log('info', `host ${o.hostId}: the lease database answers again`);
      lastError = null;
    } catch (err) {
      const message = (err as Error).message;
      if (lastError !== message) o.log('error', `host ${o.hostId}: primary lease: ${message}; retrying every ${o.retryMs} ms`);
      lastError = message;
      drop(message);
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.retryMs);
  }

  return {
    get holding() {
      return holding;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      void tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      holding = false;
      if (c) {
        c.removeAllListeners('error');
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
