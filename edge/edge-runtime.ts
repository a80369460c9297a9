// The composition root's work: build every module, wire them in one direction
// (connectors → model → one list of model event sinks: historian, KPI, alarms, read-back,
// uplink, live), start them, stop them in reverse.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { PlantConfig } from '../shared/plant-schema.js';
import type { PeriodTotals } from '../shared/kpi/index.js';
import { toPlantView, type DeviceHealth, type LineSnapshot, type MachineLive } from '../shared/live-protocol.js';
import { alarmSettings } from '../shared/alarm-rules.js';
import type { Log } from './logger.js';
import { SampleBatch, tagId, tagsOfDevice, type Connector } from './connectors/index.js';
import { createConnector } from './connectors/registry.js';
import { createPlantModel, fanOut, TOTAL_ROLES, type ModelEventSink } from './model/index.js';
import { openDatabase, lastGoodValues, openHistorian, openReadWorker, startKpisFromHistory, tagPolicies, type Historian } from './store/index.js';
import { createLiveKpiEngine, kpiSink, type LiveKpiEngine } from './kpi/index.js';
import { auditAnchorFile, loadAuditKey, openAuditLog, type AuditLog } from './audit/index.js';
import { createAuthService, loadSecret, type AuthMode, type AuthService } from './auth/index.js';
import { createAlarmService, type AlarmService } from './alarms/index.js';
import { HealthMonitor, loadFaultCatalogue } from './diagnosis/index.js';
import { ServiceCases } from './service/index.js';
import { createCommandService, createReadBackWatch, type CommandService } from './commands/index.js';
import { createHttpServer, registerEdgeApi, type ApiRouteInfo, type TlsFiles } from './api/index.js';
import { createEdgeNode, commandServiceHandler, type EdgeNode } from './uplink/index.js';
import { createLiveServer, type LiveServer } from './live/index.js';
import { attachEnergy, energyDeviceHealth, energyUplinkJson } from './energy/index.js';
import { attachEmissions } from './emissions/index.js';
import { attachOrders } from './orders/index.js';
import { attachOpcUaServer, type EdgeOpcUaServer } from './opcua-server/index.js';
import { attachDowntime } from './downtime/index.js';
import { attachHandover, shiftOrders } from './handover/index.js';
import { attachEdgeMetrics } from './metrics/index.js';
import { attachLayout, type PlantFileHandle } from './layout/index.js';
import { boundedStep, ConnectorFeed, connectorKey, plantFileStatus, positionsMap, type HandedConnector } from './plant-reload/index.js';

export interface EdgeOptions {
  plant: PlantConfig;
  port: number;
  host?: string;
  /** SQLite file of the historian. */
  dbFile: string;
  /** Folder for state that survives restarts (OPC UA PKI). */
  dataDir: string;
  uiDir: string;
  now?: () => number;
  log: Log;
  /**
   * 'required' (default): every API call and socket needs a login; no built-in accounts.
   * 'demo': demo accounts with published passwords, visitors auto-logged in as operator, said on screen and in the log.
   * The token key comes from `secret`, else TWINLINE_SECRET, else <dataDir>/secret.key (created 0600).
   */
  auth?: { mode: AuthMode; secret?: string; tokenTtlMs?: number; readBackTimeoutMs?: number };
  /** HTTPS instead of HTTP (PEM files' contents); the session cookie is then Secure. */
  tls?: TlsFiles;
  /** Live server tuning (edge/live/live-server.ts); gateSlowClients false only for the benchmark's comparison. */
  live?: { gateSlowClients?: boolean };
  /** False: heavy reads run on the main thread (only the live benchmark's comparison). Default true for a file database. */
  readWorker?: boolean;
  /** --opcua-server-port: serve OPC UA on this port even without the plant file's `opcuaServer:` section (edge/opcua-server). */
  opcuaServerPort?: number;
  /** npm start's demo: a product catalogue and a running work order on a fresh database (edge/orders). */
  demoOrders?: boolean;
  /** The Prometheus scrape token for GET /metrics; default TWINLINE_METRICS_TOKEN, else <dataDir>/metrics.token (edge/metrics). */
  metricsToken?: string;
  /** Set when the edge runs from a plant file it reloads (edge/plant-reload): turns on the layout routes (edge/layout). */
  plantFile?: PlantFileHandle;
  /** The plant's 3D models (glTF/GLB) served at /api/models/ (edge/api/model-routes.ts); usually "models" beside the plant file. */
  modelsDir?: string;
  /**
   * Running connectors handed over by the runtime this one replaces (edge/plant-reload): a device
   * whose connector key still matches keeps its connector and session; any that does not fit is stopped.
   */
  adopt?: readonly HandedConnector[];
}

export interface RunningEdge {
  port: number;
  url: string;
  historian: Historian;
  kpi: LiveKpiEngine;
  alarms: AlarmService;
  auth: AuthService;
  audit: AuditLog;
  commands: CommandService;
  live: LiveServer;
  /** The Sparkplug B uplink, when the plant file has an `uplink:` section. */
  uplink: EdgeNode | null;
  /** The OPC UA server, when the plant file or --opcua-server-port turned it on. */
  opcuaServer: EdgeOpcUaServer | null;
  machines(): MachineLive[];
  devices(): DeviceHealth[];
  /** The running connector of a device (tests check one kept across a plant change is the same object). */
  connector(deviceId: string): Connector | undefined;
  /** Every REST route with its access and definition (edge/api/openapi.ts): what the fuzz suite walks. */
  routes(): ApiRouteInfo[];
  /** A new plant file that differs only in positions and its `layout:` section: the twin gets it live (edge/plant-reload). */
  applyLayout(next: PlantConfig): void;
  /**
   * Gives these devices' connectors to the runtime that replaces this one: they keep reading,
   * their samples are held until the next runtime takes them, and stop() leaves them running.
   */
  handOver(deviceIds: readonly string[]): HandedConnector[];
  /** Tells every connected twin the plant file's reload outcome (live event `plant-file`). */
  reportPlantFile(): void;
  stop(): Promise<void>;
}

/** Each stop step's deadline: past it the step is logged and left behind (edge/plant-reload/bounded-step.ts). */
const STOP_STEP_MS = 5_000;

export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const now = options.now ?? Date.now;
  const { plant, log } = options;
  const startedAt = now();
  // Keys, PKI, database, backups: the data folder is the owner's alone (docs/security.md).
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const kpiOptions = { microStopsAs: plant.kpi?.microStopsAs ?? 'availability' } as const;
  const historian = openHistorian({ file: options.dbFile, now, settings: plant.historian, tags: tagPolicies(plant), kpi: kpiOptions, log });
  const totalTags = plant.machines.flatMap((m) => m.tags.filter((t) => TOTAL_ROLES.includes(t.role)).map((t) => `${m.id}.${t.name}`));
  const model = createPlantModel(plant, startedAt, lastGoodValues(historian.sqlite, totalTags));
  // The current shift's KPIs continue from what the historian stored before a restart or crash.
  const kpi = startKpisFromHistory({
    plant, historian, now, log,
    create: (clock) => createLiveKpiEngine({ plant, now: clock, kpi: kpiOptions, onShiftClosed: (closed) => historian.recordShift(closed) }),
  });
  for (const m of plant.machines) kpi.onState(m.id, 'no-data', startedAt);

  // A connector is started with its feed, never with this runtime's callback: the feed can then
  // pass it on to the runtime that replaces this one (edge/plant-reload/connector-handover.ts).
  const adoptable = new Map((options.adopt ?? []).map((h) => [h.connector.deviceId, h]));
  const feeds = new Map<string, { feed: ConnectorFeed; adopted: HandedConnector | null }>();
  const unfit: HandedConnector[] = [];
  const connectors: Connector[] = plant.devices.map((device) => {
    const handed = adoptable.get(device.id);
    adoptable.delete(device.id);
    if (handed && handed.key === connectorKey(plant, device.id)) {
      feeds.set(device.id, { feed: handed.feed, adopted: handed });
      return handed.connector;
    }
    if (handed) unfit.push(handed);
    feeds.set(device.id, { feed: new ConnectorFeed(device.id, log), adopted: null });
    return createConnector({ device, tags: tagsOfDevice(plant, device.id), now, dataDir: options.dataDir, log });
  });
  for (const h of [...unfit, ...adoptable.values()]) await boundedStep(`stopping ${h.connector.deviceId} (handed over, not in this plant)`, () => h.connector.stop(), STOP_STEP_MS, log);
  const devices = () => connectors.map((c) => c.health());

  function machineLive(machineId: string): MachineLive | undefined {
    const status = model.machine(machineId);
    if (!status) return undefined;
    const k = kpi.machine(machineId);
    return { ...status, counts: k.counts, energyKWh: k.energyKWh, oee: k.oee, shift: k.shift };
  }
  const machines = () => plant.machines.map((m) => machineLive(m.id)!);
  let plantView = toPlantView(plant);
  const snapshot = (): LineSnapshot => ({ plant: plantView, machines: machines(), devices: devices(), ts: now() });

  // Auth and audit each on a connection of their own. The audit entry announcing a PLC write is
  // committed with synchronous=FULL (a durable append), so it is on disk before the write goes out.
  const auditKey = loadAuditKey({ dbFile: options.dbFile });
  if (auditKey.source === 'file-created') log('info', `created the audit chain key ${auditKey.file} (mode 0600; keep a copy away from the edge: npm run audit -- verify needs it)`);
  const auditDb = openDatabase(options.dbFile);
  const audit = openAuditLog(auditDb, now, { key: auditKey.key, anchorFile: auditAnchorFile(options.dbFile), log });
  const authDb = openDatabase(options.dbFile);
  const secret = loadSecret({ env: options.auth?.secret ?? process.env.TWINLINE_SECRET, dataDir: options.dataDir });
  if (secret.source === 'file-created') log('info', `created the session signing key ${secret.file} (mode 0600; keep it out of backups you share)`);
  const auth = await createAuthService({
    sqlite: authDb, secret: secret.key, mode: options.auth?.mode ?? 'required', audit, now, log, tokenTtlMs: options.auth?.tokenTtlMs,
  });
  // Alarms, with machine health (edge/diagnosis) as their anomaly scorer and the fault catalogue
  // for advice; service cases beside them, opened from their journal and recordings. Each module
  // on a connection of its own.
  const alarmRules = alarmSettings(plant.alarms);
  const health = new HealthMonitor({ plant, settings: alarmRules.predictive, now });
  const faultCatalogue = loadFaultCatalogue(alarmRules.faultCatalogue);
  const alarmsDb = openDatabase(options.dbFile);
  const alarms = createAlarmService({
    plant, settings: alarmRules, sqlite: alarmsDb, now, log, catalogue: faultCatalogue, monitor: health,
    recordingsInUse: () => cases.recordingsInUse(),
  });
  const casesDb = openDatabase(options.dbFile);
  const cases = new ServiceCases({
    sqlite: casesDb, plant, catalogue: faultCatalogue, now, stateIntervals: historian.stateIntervals,
    occurrence: (id) => alarms.occurrence(id), record: (machineId, o) => alarms.record(machineId, o),
  });
  const readBack = createReadBackWatch();
  const commands = createCommandService({
    plant, connectors, machine: (id) => model.machine(id), audit, alarms, readBack, now, log, readBackTimeoutMs: options.auth?.readBackTimeoutMs,
  });
  const app = await createHttpServer({ uiDir: options.uiDir, auth, log, tls: options.tls });
  // Heavy history, KPI-history and alarm-statistics reads run on a worker thread with its own read-only connection (issue 16.2).
  const reads = options.dbFile === ':memory:' || options.readWorker === false ? undefined : openReadWorker({ file: options.dbFile, catchUp: () => historian.queries.catchUp(), log });
  await registerEdgeApi(app, {
    plant, auth, audit, commands, alarms, cases, kpi, history: historian.queries, reads, machines, now, modelsDir: options.modelsDir ?? null,
    status: () => {
      const d = devices();
      return {
        // An invalid plant file on disk is degraded too: the edge runs a plant the file no longer says (edge/plant-reload).
        status: d.every((x) => x.connected) && options.plantFile?.lastReload()?.result !== 'invalid' ? 'ok' : 'degraded', uptimeSeconds: Math.round((now() - startedAt) / 1000), devices: d, historian: historian.health(),
        ...(uplink ? { uplink: uplink.health() } : {}),
        ...(options.plantFile ? { plantFile: options.plantFile.lastReload() } : {}),
      };
    },
  });
  const uplink = plant.uplink
    ? createEdgeNode({
      settings: plant.uplink, dataDir: options.dataDir, now, log,
      source: {
        plant, machineLive, devices,
        lineKpis: () => {
          const line = kpi.line();
          return line && { availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee, bottleneck: line.bottleneck };
        },
        // The standing alarms travel as metrics too, so a plant host can show them (docs/deployment.md).
        alarms: () => alarms.list({ diagnosis: false }),
        // The plant host keeps each audit anchor: a copy of the log's head the edge cannot rewrite.
        auditAnchor: () => { const a = audit.latestAnchor(); return a && JSON.stringify(a); },
        // The meters' stored totals: the plant host aggregates energy across lines (docs/energy.md).
        energy: () => energyUplinkJson(options.dbFile),
        startedAt,
      },
      commands: commandServiceHandler(commands, plant.uplink, { audit, log }),
    })
    : null;
  const live = createLiveServer({
    httpServer: app.server, lineId: plant.line.id, machineIds: plant.machines.map((m) => m.id),
    snapshot, machineLive, devices, lineShift: () => kpi.shift(), now, auth, commands, gateSlowClients: options.live?.gateSlowClients,
    afterLineSnapshot: (send) => {
      send('alarms', alarms.list());
      // A twin that (re)joins learns whether the file on disk is the running plant (edge/plant-reload).
      if (options.plantFile) send('plant-file', plantFileStatus(options.plantFile.path, options.plantFile.lastReload(), now()));
    },
  });
  await attachEdgeMetrics({
    app, dataDir: options.dataDir, token: options.metricsToken, log,
    sources: {
      // The line's devices and the energy module's meter gateways (attached below, read at each scrape).
      line: plant.line, startedAt, devices: () => [...connectors.map((c) => c.health()), ...energyDeviceHealth(options.dbFile)], historian: () => historian.health(), uplink: () => uplink?.health() ?? null,
      live: () => live.stats(), machines, lineKpis: () => kpi.line(), alarms: () => alarms.list({ diagnosis: false }),
    },
  });

  const opcuaServer = await attachOpcUaServer({ plant, port: options.opcuaServerPort, dataDir: options.dataDir, auth, commands, kpi, alarms, history: historian.queries, machine: (id) => model.machine(id), log });
  // Downtime reasons and shift handover (issue 23): stops read from the historian, reports at each shift's end.
  const stateIntervals = (machineId: string, from: number, to: number) => historian.stateIntervals(machineId, from, to);
  const downtime = await attachDowntime({ app, plant, dbFile: options.dbFile, now, audit, stateIntervals, kpi });
  await attachHandover({
    app, plant, dbFile: options.dbFile, now, log, audit, downtime, startedAt,
    // The orders that ran in the shift (edge/orders, attached below; read when a report is made).
    orders: (from, to) => shiftOrders(orders.orders, from, to),
    // details() first: it closes a shift that has ended by now() even on a machine with no event since.
    shiftTotals: (machineId, start) => (kpi.details(machineId), kpi.closedShifts(machineId)).find((c) => c.shift.start === start)?.totals
      ?? (historian.queries.kpiPeriods(machineId, start, start + 1)[0]?.totals as PeriodTotals | undefined) ?? null,
  });
  if (options.plantFile) await attachLayout({ app, plantFile: options.plantFile, audit, dataDir: options.dataDir });
  // Products, work orders and scrap (edge/orders): booked scrap goes to every sink as a count correction.
  const orders = await attachOrders({ app, plant, dbFile: options.dbFile, now, audit, commands, kpi, kpiOptions, live, inject: (events) => deliver(events), demo: options.demoOrders === true });
  // Everything downstream of the model, in the order each apply()'s events reach it.
  const sinks: ModelEventSink[] = [
    historian,
    kpiSink(kpi),
    health, // before the alarm engine: it reads the anomaly scores
    ...alarms.sinks,
    readBack,
    ...(uplink ? [uplink] : []),
    ...(await attachEnergy({ app, plant, dbFile: options.dbFile, dataDir: options.dataDir, now, log, live, alarms })),
    ...(await attachEmissions({ app, plant, dbFile: options.dbFile, now, log, alarms: alarms.engine })),
    ...(opcuaServer ? [opcuaServer] : []),
    ...orders.sinks,
    live,
  ];
  const deliver = fanOut(sinks, log);

  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const port = (app.server.address() as AddressInfo).port;
  alarms.onAlarmEvent((event) => live.broadcast('alarm', event));
  alarms.start();
  const onBatch = (batch: SampleBatch) => {
    const events = model.apply(batch);
    if (events.length) deliver(events);
  };
  for (const c of connectors) {
    const { feed, adopted } = feeds.get(c.deviceId)!;
    if (adopted) {
      // Already reading: its last values first (a subscription sends only changes), then what it read during the swap.
      feed.attach(onBatch, positionsMap(adopted.tags, tagsOfDevice(plant, c.deviceId)), adopted.seed);
    } else {
      feed.attach(onBatch, null);
      await c.start(feed.deliver);
    }
  }
  const adoptedIds = [...feeds].filter(([, f]) => f.adopted).map(([id]) => id);
  if (adoptedIds.length) log('info', `kept acquiring across the plant change: ${adoptedIds.join(', ')}`);
  uplink?.start();
  log('info', `edge serving ${plant.line.name} (${plant.machines.length} machines, ${connectors.length} devices) on ${options.tls ? 'https' : 'http'}://localhost:${port}`);

  return {
    port,
    url: `${options.tls ? 'https' : 'http'}://localhost:${port}`,
    historian,
    kpi,
    alarms,
    auth,
    audit,
    commands,
    live,
    uplink,
    opcuaServer,
    machines,
    devices,
    connector: (deviceId) => connectors.find((c) => c.deviceId === deviceId),
    routes: () => app.apiRoutes(),
    applyLayout(next) {
      plantView = toPlantView(next);
      live.broadcast('snapshot', snapshot());
    },
    reportPlantFile() {
      if (options.plantFile) live.broadcast('plant-file', plantFileStatus(options.plantFile.path, options.plantFile.lastReload(), now()));
    },
    handOver(deviceIds) {
      const handed: HandedConnector[] = [];
      for (const id of deviceIds) {
        const at = connectors.findIndex((c) => c.deviceId === id);
        if (at < 0) continue;
        const connector = connectors[at]!;
        const { feed } = feeds.get(id)!;
        feed.detach();
        connectors.splice(at, 1);
        const tags = tagsOfDevice(plant, id);
        // Stamped with the hand-over time: the values held then (their own times may lie before
        // the old runtime's last state intervals, which its historian closes on stop).
        const handedAt = now();
        const seed = new SampleBatch(tags.length);
        for (const m of plant.machines.filter((x) => x.device === id)) {
          const status = model.machine(m.id);
          for (const t of m.tags) {
            const live = status?.tags[t.name];
            if (live) seed.push(tagId(m, t), live.value, live.quality, Math.max(live.ts, handedAt), handedAt, tags.find((b) => b.config === t)?.index ?? -1);
          }
        }
        handed.push({ key: connectorKey(plant, id), connector, feed, tags, seed });
      }
      return handed;
    },
    async stop() {
      // Every step bounded (a peer, a session or a client's keep-alive socket must not hang a
      // recomposition); started last, stopped first: NDEATH goes out while the rest is still up.
      const step = (what: string, fn: () => unknown, onTimeout?: () => void) => boundedStep(what, fn, STOP_STEP_MS, log, onTimeout);
      await step('stopping the uplink', () => uplink?.stop());
      await step('stopping the OPC UA server', () => opcuaServer?.stop());
      for (const c of [...connectors].reverse()) await step(`stopping ${c.deviceId}`, () => c.stop());
      commands.close();
      // socket.io closes the HTTP server too. A keep-alive connection whose request was in flight
      // then (say the layout save that asked for this recomposition) stays open after its answer
      // until its idle timeout (72 s): close connections as they fall idle and, past the deadline, all.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      app.server.closeIdleConnections();
      await step('closing the live server', () => live.close(), () => app.server.closeAllConnections());
      await step('closing the HTTP server', () => app.close(), () => app.server.closeAllConnections());
      clearInterval(sweep);
      await step('closing the read worker', () => reads?.close());
      alarms.stop();
      audit.close();
      auditDb.close();
      authDb.close();
      alarmsDb.close();
      casesDb.close();
      historian.close();
    },
  };
}

export function defaultPaths(dataDir = 'data') {
  return { dataDir, dbFile: join(dataDir, 'twinline.db'), uiDir: join('dist', 'twin-ui') };
}
