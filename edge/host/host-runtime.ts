// The plant host's composition root: a Sparkplug primary host application, one mirror per edge
// node, and for every line found (a twinline NBIRTH with a plant view) a historian and a line
// server (twin UI, REST, live feed) on its own port; an index on the main port lists them all.
// Users and the audit log live in <data>/host.db (npm run user -- … --db <data>/host.db).
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Log } from '../logger.js';
import { openStoreFile } from '../audit/open-store.js';
import { openAuditLog, type AuditLog } from '../audit/audit-log.js';
import { createAuthService, type AuthService } from '../auth/auth-service.js';
import { loadSecret } from '../auth/secret.js';
import { installSecurity } from '../api/security-headers.js';
import { openHistorian, type Historian, type TagPolicy } from '../store/historian.js';
import type { ModelEvent } from '../model/plant-model.js';
import type { HostConfig } from './host-config.js';
import type { EdgeMirror } from './edge-mirror.js';
import { createPrimaryHost, type PrimaryHost } from './primary-host.js';
import { createRemoteCommandService, type RemoteCommandService } from './remote-command-service.js';
import { startLineServer, type LineServer } from './line-server.js';

export interface HostOptions {
  config: HostConfig;
  /** Folder of host.db, the per-line historians and the session key. */
  dataDir: string;
  uiDir: string;
  /** Relative TLS file names in the config are taken from here (the config file's folder). */
  configDir: string;
  now?: () => number;
  log: Log;
  env?: NodeJS.ProcessEnv;
  /** Sees every batch of tag/state events the host derives (benchmarks measure latency here). */
  observe?: (lineKey: string, events: readonly ModelEvent[], historical: boolean) => void;
}

export interface HostedLine {
  key: string;
  groupId: string;
  edgeNodeId: string;
  lineId: string;
  name: string;
  online: boolean;
  port: number | null;
  machines: number;
}

export interface RunningHost {
  port: number;
  url: string;
  primary: PrimaryHost;
  auth: AuthService;
  audit: AuditLog;
  lines(): HostedLine[];
  /** The line server of an edge node, once it is up. */
  line(key: string): { port: number; mirror: EdgeMirror; historian: Historian } | undefined;
  stop(): Promise<void>;
}

interface LineEntry {
  mirror: EdgeMirror;
  historian: Historian;
  commands: RemoteCommandService;
  server: LineServer | null;
  /** Serialises (re)starts of the server. */
  chain: Promise<void>;
  port: number | null;
  /** Tags whose live value is stated again after a historical batch. */
  restate: Set<string>;
  restateTimer: ReturnType<typeof setTimeout> | null;
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  const sqlite = openStoreFile(join(options.dataDir, 'host.db'));
  const audit = openAuditLog(sqlite, now);
  const secret = loadSecret({ env: (options.env ?? process.env).TWINLINE_SECRET, dataDir: options.dataDir });
  const auth = await createAuthService({ sqlite, secret: secret.key, mode: config.auth.mode, audit, now, log, tokenTtlMs: config.auth.tokenTtlHours * 3_600_000 });
  const entries = new Map<string, LineEntry>();
  const pinnedPorts = new Map(config.lines.map((l) => [`${l.groupId}/${l.edgeNodeId}`, l.port]));
  let stopping = false;

  function policiesOf(mirror: EdgeMirror): Map<string, TagPolicy> {
    const out = new Map<string, TagPolicy>();
    for (const m of mirror.plantView?.machines ?? []) {
      for (const t of m.tags) out.set(`${m.id}.${t.name}`, { kind: t.type === 'bool' ? 'boolean' : t.type === 'string' ? 'string' : 'number', deadband: 0 });
    }
    return out;
  }

  function entryFor(mirror: EdgeMirror): LineEntry {
    let e = entries.get(mirror.key);
    if (e) return e;
    const historian = openHistorian({
      file: join(options.dataDir, `line-${fileSafe(mirror.groupId)}--${fileSafe(mirror.edgeNodeId)}.db`),
      now, settings: config.historian, tags: policiesOf(mirror), log,
    });
    const commands = createRemoteCommandService({ host: primary, mirror, hostId: config.host.id, audit, timeoutMs: config.commands.timeoutSeconds * 1000, log });
    e = { mirror, historian, commands, server: null, chain: Promise.resolve(), port: pinnedPorts.get(mirror.key) ?? null, restate: new Set(), restateTimer: null };
    entries.set(mirror.key, e);
    return e;
  }

  /** Starts the line's server, or restarts it when the plant view names other machines. */
  function ensureServer(e: LineEntry): void {
    e.chain = e.chain.then(async () => {
      const view = e.mirror.plantView;
      if (!view || stopping) return;
      const ids = view.machines.map((m) => m.id);
      if (e.server && e.server.machineIds.join('\n') === ids.join('\n')) return;
      if (e.server) {
        log('info', `host: ${e.mirror.key} has a new plant view: restarting its line server`);
        await e.server.stop();
        e.server = null;
      }
      try {
        e.server = await startLineServer({
          mirror: e.mirror, historian: e.historian, commands: e.commands, auth, audit,
          uiDir: options.uiDir, port: e.port ?? 0, host: config.http.host, now, log,
        });
        e.port = e.server.port;
        log('info', `host: line ${view.line.name} (${e.mirror.key}) served on port ${e.server.port}`);
      } catch (err) {
        log('error', `host: cannot serve ${e.mirror.key} on port ${e.port ?? 0}: ${(err as Error).message}. Pick another port under lines: in the host file.`);
      }
    });
  }

  /**
   * Historical samples (store-and-forward replays) are older than the live value. The historian
   * treats the last sample it was given as the tag's current value (for heartbeats), so after
   * history the live value is stated again — same timestamp, so the same row. Once per tag per
   * second is enough (heartbeats are tens of seconds apart), and keeps a replay from doubling
   * the writes.
   */
  function record(e: LineEntry, events: ModelEvent[], historical: boolean): void {
    e.historian.record(events);
    if (!historical) return;
    for (const ev of events) if (ev.kind === 'tag') e.restate.add(`${ev.machineId}\u0000${ev.tag}`);
    e.restateTimer ??= setTimeout(() => {
      e.restateTimer = null;
      const restate: ModelEvent[] = [];
      for (const key of e.restate) {
        const [machineId, tag] = key.split('\u0000') as [string, string];
        const live = e.mirror.machines.get(machineId)?.tags[tag];
        if (live) restate.push({ kind: 'tag', machineId, tag, sample: { tag: `${machineId}.${tag}`, value: live.value, quality: live.quality, ts: live.ts, receivedTs: now() } });
      }
      e.restate.clear();
      if (restate.length && !stopping) e.historian.record(restate);
    }, 1000);
  }

  const primary: PrimaryHost = createPrimaryHost({
    hostId: config.host.id, broker: config.broker, groups: config.host.groups, configPath: 'broker',
    baseDir: options.configDir, env: options.env, now, log, rebirthMinIntervalMs: config.host.rebirthMinIntervalSeconds * 1000,
    sinkFor: (mirror) => ({
      touched: (ids) => entries.get(mirror.key)?.server?.touch(ids),
      events: (events, historical) => {
        options.observe?.(mirror.key, events, historical);
        const e = mirror.plantView ? entryFor(mirror) : entries.get(mirror.key);
        if (e) record(e, events, historical);
      },
      lineChanged: () => ensureServer(entryFor(mirror)),
      commandResult: (machineId, json) => entries.get(mirror.key)?.commands.onResult(machineId, json),
      log: (level, message) => log(level, message),
    }),
  });

  const lines = (): HostedLine[] => [...entries.values()].map((e) => ({
    key: e.mirror.key, groupId: e.mirror.groupId, edgeNodeId: e.mirror.edgeNodeId,
    lineId: e.mirror.plantView?.line.id ?? '', name: e.mirror.plantView?.line.name ?? e.mirror.key,
    online: e.mirror.online, port: e.server?.port ?? null, machines: e.mirror.machines.size,
  })).sort((a, b) => a.key.localeCompare(b.key));

  const index: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 });
  installSecurity(index);
  // Names and online flags only: the data itself is behind each line's sign-in.
  index.get('/api/lines', async () => ({ host: config.host.id, lines: lines() }));
  index.get('/api/health', async () => ({
    status: primary.health().connected ? 'ok' : 'degraded',
    host: primary.health(),
    lines: lines().map((l) => ({ key: l.key, online: l.online, port: l.port })),
  }));
  index.get('/', async (req, reply) => {
    const hostname = escapeHtml(req.hostname.replace(/:\d+$/, ''));
    const rows = lines().map((l) => `<tr><td>${l.port ? `<a href="http://${hostname}:${l.port}/">${escapeHtml(l.name)}</a>` : escapeHtml(l.name)}</td>` +
      `<td>${escapeHtml(l.key)}</td><td>${l.online ? 'online' : 'offline'}</td><td>${l.machines}</td></tr>`).join('');
    return reply.type('text/html').send(`<!doctype html><meta charset="utf-8"><title>twinline plant host</title>` +
      `<h1>twinline plant host ${escapeHtml(config.host.id)}</h1><table><tr><th>Line</th><th>Sparkplug group/edge node</th><th>Edge</th><th>Machines</th></tr>${rows}</table>` +
      `<p>Each line's twin and API are served on the port in its link.</p>`);
  });
  await index.listen({ port: config.http.port, host: config.http.host });
  const port = (index.server.address() as AddressInfo).port;
  primary.start();
  log('info', `host ${config.host.id}: plant index on http://localhost:${port}`);

  return {
    port,
    url: `http://localhost:${port}`,
    primary,
    auth,
    audit,
    lines,
    line(key) {
      const e = entries.get(key);
      return e?.server ? { port: e.server.port, mirror: e.mirror, historian: e.historian } : undefined;
    },
    async stop() {
      stopping = true;
      await primary.stop();
      for (const e of entries.values()) {
        await e.chain;
        if (e.restateTimer) clearTimeout(e.restateTimer);
        e.commands.close();
        await e.server?.stop();
        e.historian.close();
      }
      await index.close();
      sqlite.close();
    },
  };
}
