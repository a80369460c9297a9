// The plant host's composition root: a Sparkplug primary host application, one mirror per edge
// node, and for every line found (a twinline NBIRTH with a plant view) a historian, a KPI engine
// and a line server (twin UI, REST, live feed). ONE address serves the whole plant: the main port
// answers the plant API (/api/lines, /api/kpi/lines, /api/alarms, login) and the overview page,
// and hands everything under /lines/<group>/<edge node>/ — the line's twin, its REST API and its
// Socket.IO feed — to that line's server, path stripped, so the twin UI and the edge's routes run
// unchanged. A line may also listen on a port of its own (`lines:` in the host file).
// Users and the audit log live in <data>/host.db (npm run user -- … --db <data>/host.db).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Log } from '../logger.js';
import { openStoreFile } from '../audit/index.js';
import { openAuditLog, type AuditLog } from '../audit/index.js';
import { auditAnchorFile, loadAuditKey } from '../audit/index.js';
import { createAuthService, type AuthService } from '../auth/index.js';
import { loadSecret } from '../auth/index.js';
import { createApiApp, type TlsFiles } from '../api/index.js';
import { bearerToken, cookieValue, SESSION_COOKIE } from '../api/index.js';
import { authRoutes } from '../api/index.js';
import { docsRoutes } from '../api/index.js';
import { canonicalUrl } from '../api/index.js';
import { openHistorian, type Historian, type TagPolicy } from '../store/index.js';
import type { ModelEvent } from '../model/index.js';
import type { ClosedShift } from '../kpi/index.js';
import { TagChanges, type TagReading } from '../model/index.js';
import type { HostConfig } from './host-config.js';
import type { EdgeMirror } from './edge-mirror.js';
import { createPrimaryHost, type PrimaryHost } from './primary-host.js';
import { createRemoteCommandService, type RemoteCommandService } from './remote-command-service.js';
import { mirroredAlarmList, startLineServer, type LineServer } from './line-server.js';
import { createHostLineKpi, startHostLineKpi, type HostLineKpi, type PendingHostLineKpi } from './line-kpi.js';
import { createLineAdmission, describeLine, keepEdgeAnchor, lineDbFile, linePath, type HostedLine } from './plant-lines.js';
import { plantRoutes } from './plant-routes.js';
import { openPlantDatabase, type PlantDatabase } from './pg/index.js';
import { meterTotalEvents, outputMachineOf, plantEnergyReport } from './plant-energy.js';
import { attachHostMetrics } from '../metrics/index.js';

export type { HostedLine } from './plant-lines.js';

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
  /** HTTPS on the main port and on every line's own port (PEM contents); the session cookie is then Secure. */
  tls?: TlsFiles;
  /** Sees every batch of tag/state events the host derives (benchmarks measure latency here). */
  observe?: (lineKey: string, events: readonly ModelEvent[], historical: boolean) => void;
  /** PostgreSQL mode: the edge timestamps of each batch of samples committed (benchmarks: publish→stored). */
  observeStored?: (sampleTs: Float64Array, committedAt: number) => void;
  /** The Prometheus scrape token for GET /metrics; default TWINLINE_METRICS_TOKEN, else <dataDir>/metrics.token (edge/metrics). */
  metricsToken?: string;
}

export interface RunningHost {
  port: number;
  url: string;
  primary: PrimaryHost;
  /** The plant store and primary lease (host file `postgres:`), or null in SQLite mode. */
  plantDb: PlantDatabase | null;
  auth: AuthService;
  audit: AuditLog;
  lines(): HostedLine[];
  /** A line once its server is up: its path on the main port, its own port (if pinned), its data. */
  line(key: string): { path: string; port: number | null; mirror: EdgeMirror; historian: Historian; kpi: HostLineKpi | null } | undefined;
  stop(): Promise<void>;
}

interface LineEntry {
  mirror: EdgeMirror;
  historian: Historian;
  commands: RemoteCommandService;
  kpi: HostLineKpi | null;
  /** With a plant database: the engine being seeded from it (takes the line's events meanwhile). */
  pendingKpi: PendingHostLineKpi | null;
  server: LineServer | null;
  /** Serialises (re)starts of the server. */
  chain: Promise<void>;
  /** Its own port: pinned in the host file (0 = any free one), else none. */
  ownPort: number | null;
  /** Tags whose live value is stated again after a historical batch. */
  restate: Set<string>;
  restateTimer: ReturnType<typeof setTimeout> | null;
}


/** /lines/<group>/<edge node>[/rest][?query] */
const LINE_URL = /^\/lines\/([^/?#]+)\/([^/?#]+)(\/[^?#]*)?(\?[^#]*)?$/i;

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { config, log } = options;
  const now = options.now ?? Date.now;
  // Users and the audit log in host.db, each module on its own connection (the audit one fsyncs every entry).
  const hostDb = join(options.dataDir, 'host.db');
  const auditDb = openStoreFile(hostDb, { synchronous: 'FULL' });
  const audit = openAuditLog(auditDb, now, { key: loadAuditKey({ dbFile: hostDb }).key, anchorFile: auditAnchorFile(hostDb), log });
  const authDb = openStoreFile(hostDb);
  const secret = loadSecret({ env: (options.env ?? process.env).TWINLINE_SECRET, dataDir: options.dataDir });
  const auth = await createAuthService({ sqlite: authDb, secret: secret.key, mode: config.auth.mode, audit, now, log, tokenTtlMs: config.auth.tokenTtlHours * 3_600_000 });
  const entries = new Map<string, LineEntry>();
  const pinnedPorts = new Map(config.lines.map((l) => [`${l.groupId}/${l.edgeNodeId}`, l.port]));
  const plantDb = config.postgres
    ? await openPlantDatabase({ settings: config.postgres, hostId: config.host.id, env: options.env ?? process.env, log, now, onStored: options.observeStored })
    : null;
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
      file: lineDbFile(options.dataDir, mirror.groupId, mirror.edgeNodeId),
      now, settings: config.historian, tags: policiesOf(mirror), log,
    });
    const commands = createRemoteCommandService({ host: primary, mirror, hostId: config.host.id, audit, timeoutMs: config.commands.timeoutSeconds * 1000, log });
    e = {
      mirror, historian, commands, kpi: null, pendingKpi: null, server: null, chain: Promise.resolve(),
      ownPort: pinnedPorts.get(mirror.key) ?? null, restate: new Set(), restateTimer: null,
    };
    entries.set(mirror.key, e);
    return e;
  }

  /** A new plant view or KPI settings: a KPI engine for them, rebuilt from this line's history on the host. */
  function rebuildKpi(e: LineEntry): void {
    const view = e.mirror.plantView;
    const settings = e.mirror.kpiSettings;
    e.pendingKpi = null;
    if (!view || !settings) {
      if (view && !e.kpi) log('warn', `host: ${e.mirror.key} publishes no KPI settings: its KPIs are not recomputed here (update that edge)`);
      e.kpi = null;
      return;
    }
    const o = {
      view, settings, historian: e.historian, machines: e.mirror.machines, edgeStartedAt: () => e.mirror.edgeStartedAt, now, log, lineKey: e.mirror.key,
      onShiftClosed: plantDb ? (closed: ClosedShift) => plantDb.writer.shiftClosed(e.mirror.key, closed) : undefined,
    };
    const history = plantDb?.lineHistory(e.mirror);
    if (!history) {
      e.kpi = createHostLineKpi(o);
      return;
    }
    // With a plant database the shift so far comes from it (any host may have stored it); the
    // line's server starts once the engine is ready (ensureServer runs on the same chain).
    const pending = startHostLineKpi({ ...o, history });
    e.pendingKpi = pending;
    e.chain = e.chain.then(async () => {
      const { kpi, booked } = await pending.ready;
      if (e.pendingKpi !== pending) return;
      e.pendingKpi = null;
      e.kpi = kpi;
      if (booked.length) e.historian.onModelEvents(booked);
    });
  }

  /** Starts the line's server, or restarts it when the plant view or the KPI engine changed. */
  function ensureServer(e: LineEntry): void {
    e.chain = e.chain.then(async () => {
      const view = e.mirror.plantView;
      if (!view || stopping) return;
      const ids = view.machines.map((m) => m.id);
      if (e.server && e.server.machineIds.join('\n') === ids.join('\n') && e.server.kpi === e.kpi) return;
      if (e.server) {
        log('info', `host: ${e.mirror.key} has a new plant view or KPI settings: restarting its line server`);
        await e.server.stop();
        e.server = null;
      }
      try {
        e.server = await startLineServer({
          mirror: e.mirror, historian: e.historian, commands: e.commands, kpi: e.kpi, auth, audit, history: plantDb?.lineHistory(e.mirror) ?? null,
          uiDir: options.uiDir, port: e.ownPort, host: config.http.host, tls: options.tls, now, log,
          modelsDir: resolve(options.configDir, config.models),
        });
        if (e.server.port !== null) e.ownPort = e.server.port;
        log('info', `host: line ${view.line.name} (${e.mirror.key}) served at ${linePathOf(e)}${e.server.port !== null ? ` and on port ${e.server.port}` : ''}`);
      } catch (err) {
        log('error', `host: cannot serve ${e.mirror.key}${e.ownPort !== null ? ` on port ${e.ownPort}` : ''}: ${(err as Error).message}. Pick another port under lines: in the host file, or remove it (the main port serves every line).`);
      }
    });
  }

  const linePathOf = (e: LineEntry) => linePath(e.mirror.groupId, e.mirror.edgeNodeId);

  /**
   * Historical samples (store-and-forward replays) are older than the live value. The historian
   * treats the last sample it was given as the tag's current value (for heartbeats), so after
   * history the live value is stated again — same timestamp, so the same row. Once per tag per
   * second is enough (heartbeats are tens of seconds apart), and keeps a replay from doubling
   * the writes.
   */
  function record(e: LineEntry, events: ModelEvent[], historical: boolean): void {
    e.historian.onModelEvents(events);
    if (!historical) {
      (e.pendingKpi ?? e.kpi)?.onModelEvents(events);
      return;
    }
    for (const ev of events) {
      if (ev.kind === 'tags') for (const c of ev.changes) e.restate.add(`${c.machineId}\u0000${c.tagName}`);
    }
    e.restateTimer ??= setTimeout(() => {
      e.restateTimer = null;
      const restate: TagReading[] = [];
      for (const key of e.restate) {
        const [machineId, tagName] = key.split('\u0000') as [string, string];
        const live = e.mirror.machines.get(machineId)?.tags[tagName];
        if (live) restate.push({ machineId, tagName, value: live.value, quality: live.quality, ts: live.ts, receivedTs: now() });
      }
      e.restate.clear();
      if (restate.length && !stopping) e.historian.onModelEvents([{ kind: 'tags', changes: TagChanges.from(restate) }]);
    }, 1000);
  }

  const primary: PrimaryHost = createPrimaryHost({
    hostId: config.host.id, broker: config.broker, groups: config.host.groups, configPath: 'broker',
    baseDir: options.configDir, env: options.env, now, log, rebirthMinIntervalMs: config.host.rebirthMinIntervalSeconds * 1000,
    // With PostgreSQL, hosts stand by until they hold the primary lease (plantDb.lead below).
    passive: !!plantDb,
    admitLine: createLineAdmission({
      allowed: config.host.allowedLines, pinned: config.lines.map((l) => `${l.groupId}/${l.edgeNodeId}`), maxLines: config.host.maxLines,
    }).admit,
    sinkFor: (mirror) => ({
      touched: (ids) => entries.get(mirror.key)?.server?.touch(ids),
      events: (events, historical) => {
        options.observe?.(mirror.key, events, historical);
        plantDb?.writer.events(mirror.key, events);
        const e = mirror.plantView ? entryFor(mirror) : entries.get(mirror.key);
        if (e) record(e, events, historical);
      },
      totals: (machineId, totals, ts) => {
        const e = entries.get(mirror.key);
        plantDb?.writer.totals(mirror.key, machineId, totals, ts);
        const booked = (e?.pendingKpi ?? e?.kpi)?.onTotals(machineId, totals, ts);
        if (booked?.length) e!.historian.onModelEvents(booked);
      },
      alarmsChanged: (machineId) => {
        plantDb?.writer.alarms(mirror.key, machineId, mirror.alarms.get(machineId) ?? []);
        entries.get(mirror.key)?.server?.alarmsChanged();
      },
      auditAnchor: (json) => keepEdgeAnchor(options.dataDir, mirror.groupId, mirror.edgeNodeId, json, log),
      energy: (uplink) => {
        plantDb?.energy(mirror.key, uplink);
        entries.get(mirror.key)?.historian.onModelEvents(meterTotalEvents(uplink, now()));
      },
      lineChanged: () => {
        plantDb?.lineChanged(mirror);
        const e = entryFor(mirror);
        rebuildKpi(e);
        ensureServer(e);
      },
      commandResult: (machineId, json) => entries.get(mirror.key)?.commands.onResult(machineId, json),
      log: (level, message) => log(level, message),
    }),
  });

  const lines = (): HostedLine[] => [...entries.values()]
    .map((e) => describeLine(e.mirror, e.kpi, !!e.server, e.server?.port ?? null))
    .sort((a, b) => a.key.localeCompare(b.key));

  // ---- the main port: plant API + overview, and every line under /lines/<group>/<node>/ -------
  // The dispatch decides on the canonical path (canonical-url.ts), the one the routers see: a
  // line reached as /%6Cines/…, /LINES/…, //lines//… or via dot segments is the same line, and
  // nothing spelled differently slips past to another handler.
  function lineOf(rawUrl: string | undefined): { m: RegExpExecArray; server: LineServer | null | undefined; key: string } | null {
    const m = LINE_URL.exec(canonicalUrl(rawUrl ?? '/'));
    if (!m) return null;
    const key = `${safeDecode(m[1]!)}/${safeDecode(m[2]!)}`;
    return { m, key, server: entries.get(key)?.server };
  }

  /** Hands a /lines/… request to its line's server; false when the URL is not a line's. */
  function lineRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const line = lineOf(req.url);
    if (!line) return false;
    const { m, key, server } = line;
    if (!server) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: `no line ${key} on this host (yet): GET /api/lines lists the lines it serves`, code: 'unknown-line' }));
      return true;
    }
    if (m[3] === undefined) {
      // The twin loads its files relative to the page: the line's folder needs its slash.
      res.writeHead(308, { location: `/lines/${m[1]}/${m[2]}/${m[4] ?? ''}` });
      res.end();
      return true;
    }
    req.url = m[3] + (m[4] ?? '');
    server.app.server.emit('request', req, res);
    return true;
  }

  /** A WebSocket to a line's live feed: only with a session (cookie or bearer; the demo auto-login in demo mode). */
  function lineUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const line = lineOf(req.url);
    if (!line?.server || line.m[3] === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const source = req.socket.remoteAddress ?? 'unknown';
    const token = bearerToken(req.headers.authorization) ?? cookieValue(req.headers.cookie, SESSION_COOKIE);
    const result = auth.authenticate({ token, source });
    if (!result.ok) {
      auth.auditRefusal('socket.refused', result.refusal, { target: `upgrade /lines/${line.key}` }, source);
      socket.end(`HTTP/1.1 ${result.refusal.status} ${result.refusal.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    req.url = line.m[3] + (line.m[4] ?? '');
    line.server.app.server.emit('upgrade', req, socket, head);
  }

  let mainServer: Server | null = null;
  const plantApp: FastifyInstance = createApiApp({
    auth, log, bodyLimit: 16 * 1024, secure: !!options.tls,
    serverFactory: (handler) => {
      const listener = (req: IncomingMessage, res: ServerResponse) => {
        if (!lineRequest(req, res)) handler(req, res);
      };
      const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
      server.on('upgrade', lineUpgrade);
      mainServer = server;
      return server;
    },
  });
  await plantApp.register(authRoutes, { auth, now });
  await plantApp.register(plantRoutes, {
    hostId: config.host.id, auth,
    status: () => ({
      status: primary.health().connected ? 'ok' : 'degraded',
      ...(plantDb ? { postgres: plantDb.health() } : {}),
      host: primary.health(),
      lines: lines().map((l) => ({ key: l.key, online: l.online, path: l.path, port: l.port })),
    }),
    lines: () => ({ host: config.host.id, at: now(), lines: lines() }),
    kpiLines: () => ({
      at: now(),
      lines: [...entries.values()].sort((a, b) => a.mirror.key.localeCompare(b.mirror.key)).map((e) => {
        const view = e.mirror.plantView;
        const current = e.kpi?.engine.line() ?? null;
        const { shift, ...kpis } = current ?? { shift: null };
        return {
          key: e.mirror.key, path: linePathOf(e),
          line: view ? { id: view.line.id, name: view.line.name } : null,
          shift, kpis: current ? kpis : null,
        };
      }),
    }),
    alarms: () => ({
      ts: now(),
      lines: [...entries.values()].sort((a, b) => a.mirror.key.localeCompare(b.mirror.key))
        .map((e) => ({ key: e.mirror.key, ...mirroredAlarmList(e.mirror, now()) })),
    }),
    // With PostgreSQL from the database (any host, every line, all the stored history); else from the lines' historians.
    energy: (from, to) => plantDb ? plantDb.energySources(from, to).then((sources) => plantEnergyReport(sources, from, to)) : plantEnergyReport([...entries.values()].filter((e) => e.mirror.plantView).sort((a, b) => a.mirror.key.localeCompare(b.mirror.key)).map((e) => ({
      key: e.mirror.key, name: e.mirror.plantView!.line.name, timezone: e.mirror.kpiSettings?.timezone ?? e.mirror.plantView!.site.timezone,
      uplink: e.mirror.energy,
      history: (tag, f, t) => {
        e.historian.flush();
        return e.historian.tagHistory(tag, f, t);
      },
      // The host's own booked count deltas (line-kpi.ts: differences of the edge's shift totals, so
      // counter wraps, resets and new shifts are already taken care of), over the same [from, to] as the totals.
      good: (f, t) => {
        const output = outputMachineOf(e.mirror.plantView!.machines.map((m) => m.id));
        if (!output || !e.kpi) return null;
        e.historian.flush();
        return Math.max(0, e.historian.queries.countTotals(output, f, t + 1).good);
      },
    })), from, to),
  });
  if (plantDb) await plantApp.register(plantDb.routes);
  await plantApp.register(docsRoutes, {
    info: { title: `twinline plant host ${config.host.id}`, version: '0.1.0', description: 'The plant API of the host; each line\'s API is under /lines/<group>/<edge node>/api/docs.' },
  });
  await attachHostMetrics({
    app: plantApp, dataDir: options.dataDir, token: options.metricsToken, env: options.env, log,
    sources: {
      hostId: config.host.id, startedAt: now(), primary: () => primary.health(), lines,
      historians: () => [...entries.values()].map((e) => ({ line: e.mirror.key, health: e.historian.health() })),
    },
  });

  await plantApp.listen({ port: config.http.port, host: config.http.host });
  const port = ((mainServer as Server | null)?.address() as AddressInfo).port;
  primary.start();
  plantDb?.lead(primary);
  const scheme = options.tls ? 'https' : 'http';
  log('info', `host ${config.host.id}: the plant on ${scheme}://localhost:${port}/ (lines under /lines/<group>/<edge node>/)`);

  return {
    port,
    url: `${scheme}://localhost:${port}`,
    primary,
    plantDb,
    auth,
    audit,
    lines,
    line(key) {
      const e = entries.get(key);
      return e?.server ? { path: linePathOf(e), port: e.server.port, mirror: e.mirror, historian: e.historian, kpi: e.kpi } : undefined;
    },
    async stop() {
      stopping = true;
      await primary.stop();
      await plantDb?.close();
      for (const e of entries.values()) {
        await e.chain;
        if (e.restateTimer) clearTimeout(e.restateTimer);
        e.commands.close();
        await e.server?.stop();
        e.historian.close();
      }
      await plantApp.close();
      audit.close();
      auditDb.close();
      authDb.close();
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
