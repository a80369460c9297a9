// The edge as an OPC UA server, northbound: the plant as OPC 40001-1 Machinery (see
// machinery-address-space.ts), kept current as a ModelEventSink plus a KPI refresh timer.
// Sessions log in with twinline's users (the auth service: rate limits, audit) and get their
// role's rights; writes go through the command service like any other command, so OPC UA is
// not a way around roles, limits, read-back or the audit log. docs/opcua.md.
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  DataValue, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCodes, UserNameIdentityToken, WellKnownRoles,
  makeRoles, nodesets, type ISessionContext, type NodeId, type ServerSession, type StatusCode, type UAVariable, type WriteValueOptions,
} from 'node-opcua';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { OpcUaServerSettings } from '../../shared/opcua-server-schema.js';
import type { Role } from '../../shared/auth-api.js';
import type { CommandRequest } from '../../shared/command-api.js';
import type { AuthService, Principal } from '../auth/index.js';
import type { CommandService } from '../commands/index.js';
import type { LiveKpiEngine } from '../kpi/index.js';
import type { MachineStatus, ModelEvent, ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import type { AlarmEvent, AlarmView } from '../../shared/alarm-wire.js';
import { buildMachineryAddressSpace, type MachineryAddressSpace, type ShiftKpis } from './machinery-address-space.js';
import { createAlarmConditions } from './alarm-conditions.js';
import { installHistoryRead, type TagHistory } from './history-read.js';
import { lineShiftKpis, machineShiftKpis } from './shift-kpis.js';

export interface EdgeOpcUaServerOptions {
  plant: PlantConfig;
  settings: OpcUaServerSettings;
  /** PKI lives in <dataDir>/pki/opcua-server (own certificate, trusted and rejected clients). */
  dataDir: string;
  auth: AuthService;
  commands: CommandService;
  kpi: LiveKpiEngine;
  /** The alarm engine: its standing list and lifecycle events become Alarms & Conditions. */
  alarms: { list(): { alarms: AlarmView[] }; onAlarmEvent(listener: (event: AlarmEvent) => void): () => void };
  /** The historian's raw samples, for HistoryRead; without it tags have no history over OPC UA. */
  history?: TagHistory;
  /** Current state of each machine at start (later changes arrive as model events). */
  machineState: (machineId: string) => MachineStatus | undefined;
  log: Log;
}

export interface EdgeOpcUaServer extends ModelEventSink {
  readonly port: number;
  /** opc.tcp://<host>:<port>/ */
  readonly endpointUrl: string;
  /** The own namespace's URI: tags are nsu=<it>;s=<machine>.<tag>. */
  readonly namespaceUri: string;
  sessions(): number;
  /** Tag changes applied to the address space since start (what acquisition delivered): the benchmark's rate. */
  tagChanges(): number;
  stop(): Promise<void>;
}

const MODES = { None: MessageSecurityMode.None, Sign: MessageSecurityMode.Sign, SignAndEncrypt: MessageSecurityMode.SignAndEncrypt } as const;
const POLICIES = {
  Basic256Sha256: SecurityPolicy.Basic256Sha256, Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
} as const;

/** twinline roles as OPC UA well-known roles (Part 3 §4.9), for clients that look at them. */
const UA_ROLES: Record<Role, WellKnownRoles[]> = {
  operator: [WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator],
  maintenance: [WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator, WellKnownRoles.Engineer],
  manager: [WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator, WellKnownRoles.Engineer, WellKnownRoles.Supervisor],
  admin: [WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator, WellKnownRoles.Engineer, WellKnownRoles.Supervisor, WellKnownRoles.ConfigureAdmin, WellKnownRoles.SecurityAdmin],
};

/** Command outcomes and refusals as OPC UA write results. */
function statusOfRefusal(status: number, code: string, message: string): StatusCode {
  if (status === 401 || status === 403) return StatusCodes.BadUserAccessDenied;
  if (status === 429 || status === 503) return StatusCodes.BadTooManyOperations;
  // write-check.ts words its limit refusals "below/above the limit" and "does not fit".
  if (code === 'write-refused') return /limit|does not fit/.test(message) ? StatusCodes.BadOutOfRange : StatusCodes.BadTypeMismatch;
  if (status === 400 || status === 422) return StatusCodes.BadTypeMismatch;
  if (status === 404) return StatusCodes.BadNodeIdUnknown;
  if (code === 'no-fault') return StatusCodes.BadInvalidState;
  if (status === 409) return StatusCodes.BadNotWritable;
  return StatusCodes.BadInternalError;
}

/** node-opcua needs a concrete port: port 0 (tests) becomes one nothing listens on right now. */
async function concretePort(port: number): Promise<number> {
  if (port !== 0) return port;
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startEdgeOpcUaServer(options: EdgeOpcUaServerOptions): Promise<EdgeOpcUaServer> {
  const { plant, settings, auth, commands, kpi, log } = options;
  const pki = join(options.dataDir, 'pki', 'opcua-server');
  // The server's own namespace (ns=1) is its application URI: the tags' namespace.
  const namespaceUri = `urn:twinline:${plant.site.id}:${plant.line.id}`;
  // Principals by OPC UA session id, set when a session activates with a user name.
  const principals = new Map<string, Principal>();
  const sessionKey = (s: { getSessionId(): NodeId } | undefined) => s?.getSessionId().toString() ?? '';

  const userManager = {
    isValidUserAsync(this: ServerSession, username: string, password: string, callback: (err: Error | null, ok?: boolean) => void) {
      const session = this;
      const source = `opcua:${session.channel?.remoteAddress ?? 'unknown'}`;
      auth.login(username, password, source).then((r) => {
        if (!r.ok) {
          log('warn', `opc ua server: login of "${username}" from ${source} refused (${r.refusal.code})`);
          callback(null, false);
          return;
        }
        const s = r.answer.session;
        principals.set(sessionKey(session), { user: s.user, role: s.role, via: 'token', expiresAt: r.answer.expiresAt });
        callback(null, true);
      }, (err: unknown) => callback(err as Error));
    },
    getUserRoles(username: string): NodeId[] {
      const user = auth.users.find(username);
      if (!user || user.disabledTs !== null) return [];
      return makeRoles(UA_ROLES[user.role]);
    },
  };

  const server = new OPCUAServer({
    port: await concretePort(settings.port),
    hostname: settings.hostname,
    resourcePath: '/',
    nodeset_filename: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery],
    // Every certificate manager gets a folder of ours, or node-opcua writes to ~/.config.
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'server'), automaticallyAcceptUnknownCertificate: settings.trustUnknownClients }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'user'), automaticallyAcceptUnknownCertificate: false }),
    securityModes: settings.securityModes.map((m) => MODES[m]),
    // Policy None goes with mode None only.
    securityPolicies: [...(settings.securityModes.includes('None') ? [SecurityPolicy.None] : []), ...settings.securityPolicies.map((p) => POLICIES[p])],
    allowAnonymous: settings.allowAnonymous,
    userManager,
    maxConnectionsPerEndpoint: settings.maxSessions,
    // Bounded: 2,000 monitored items per allowed session at most (a SCADA watching a whole line has a few hundred).
    serverCapabilities: {
      maxSessions: settings.maxSessions, maxMonitoredItems: settings.maxSessions * 2_000, maxSubscriptions: settings.maxSessions * 4,
      operationLimits: { maxMonitoredItemsPerCall: 2_000, maxNodesPerRead: 2_000, maxNodesPerHistoryReadData: 100 },
    } as never,
    buildInfo: { productName: 'twinline edge', manufacturerName: 'twinline', softwareVersion: '0.1.0' },
    serverInfo: { applicationName: { text: `twinline edge ${plant.line.name}` }, applicationUri: namespaceUri, productUri: 'urn:twinline:edge' },
  });
  try {
    await server.initialize();
  } catch (err) {
    await server.shutdown(0).catch(() => {});
    throw err;
  }
  const addressSpace = server.engine.addressSpace!;
  const model: MachineryAddressSpace = buildMachineryAddressSpace(addressSpace, plant);

  // Start from what the model holds now; changes follow as events.
  for (const m of plant.machines) {
    const status = options.machineState(m.id);
    if (!status) continue;
    model.setState(m.id, status.state);
    for (const [name, t] of Object.entries(status.tags)) model.setTag(`${m.id}.${name}`, t.value, t.quality, t.ts);
  }

  for (const [tagId, { variable, machine, tag }] of model.writableTags) routeWrites(variable, tagId, machine.id, tag.name, tag.role);
  if (options.history) {
    for (const [tagId, { variable, tag }] of model.tags) installHistoryRead(variable, tagId, tag.type, options.history, (m) => log('warn', `opc ua server: ${m}`));
  }

  /** The twinline user of an OPC UA session that logged in with a user name (anonymous: none). */
  function principalOf(context: ISessionContext | null | undefined): { principal: Principal; source: string } | null {
    const session = context?.session as (ServerSession & { userIdentityToken?: unknown }) | undefined;
    const principal = session && session.userIdentityToken instanceof UserNameIdentityToken ? principals.get(sessionKey(session)) : undefined;
    return principal ? { principal, source: `opcua:${session?.channel?.remoteAddress ?? 'unknown'}` } : null;
  }

  const conditions = createAlarmConditions(addressSpace, model, async (alarmKey, comment, context) => {
    const who = principalOf(context);
    if (!who) return StatusCodes.BadUserAccessDenied;
    try {
      await commands.execute({ kind: 'ack-alarm', alarmKey, ...(comment ? { note: comment } : {}) }, { ...who, transport: 'opcua' });
      return StatusCodes.Good;
    } catch (err) {
      const e = err as { name?: string; status?: number; code?: string; message?: string };
      if (e.name !== 'CommandRefused') throw err;
      return statusOfRefusal(e.status ?? 500, e.code ?? '', e.message ?? '');
    }
  }, (m) => log('warn', `opc ua server: ${m}`));
  conditions.sync(options.alarms.list().alarms);
  const stopAlarms = options.alarms.onAlarmEvent((event) => {
    try {
      conditions.apply(event);
    } catch (err) {
      log('warn', `opc ua server: alarm event ${event.type} not shown as a condition: ${(err as Error).message}`);
    }
  });

  function routeWrites(variable: UAVariable, tagId: string, machineId: string, tagName: string, role: string) {
    const original = variable.writeAttribute.bind(variable);
    variable.writeAttribute = ((context, writeValue: WriteValueOptions, callback: (err: Error | null, status?: StatusCode) => void) => {
      if (writeValue.attributeId !== 13 /* Value */) {
        original(context, writeValue, callback);
        return;
      }
      const who = principalOf(context);
      if (!who) {
        callback(null, StatusCodes.BadUserAccessDenied);
        return;
      }
      const { principal, source } = who;
      const value = (writeValue.value as DataValue | undefined)?.value?.value as unknown;
      const reason = `OPC UA write to ${tagId}`;
      const request: CommandRequest = role === 'speedOverride'
        ? { kind: 'speed-override', machineId, percent: Number(value), reason }
        : role === 'resetFault'
          ? { kind: 'reset-fault', machineId, reason }
          : { kind: 'write-setpoint', machineId, tag: tagName, value: value as never, reason };
      commands.execute(request, { principal, source, transport: 'opcua' }).then(
        (result) => callback(null, result.outcome === 'done' ? StatusCodes.Good : StatusCodes.UncertainNoCommunicationLastUsableValue),
        (err: unknown) => {
          const e = err as { name?: string; status?: number; code?: string; message?: string };
          if (e.name === 'CommandRefused') {
            log('info', `opc ua server: write to ${tagId} by ${principal.user} refused: ${e.message}`);
            callback(null, statusOfRefusal(e.status ?? 500, e.code ?? '', e.message ?? ''));
          } else {
            log('warn', `opc ua server: write to ${tagId} by ${principal.user} failed: ${e.message ?? String(err)}`);
            callback(null, StatusCodes.BadCommunicationError);
          }
        },
      );
    }) as typeof variable.writeAttribute;
  }

  server.on('session_closed', (session: ServerSession) => principals.delete(sessionKey(session)));

  function refreshKpis() {
    for (const m of plant.machines) model.setMachineKpis(m.id, machineShiftKpis(kpi.machine(m.id)));
    model.setLineKpis(lineShiftKpis(kpi.line(), plant.machines.length ? kpi.machine(plant.machines[plant.machines.length - 1]!.id) : null));
  }
  refreshKpis();
  const timer = setInterval(() => {
    try {
      refreshKpis();
    } catch (err) {
      log('warn', `opc ua server: KPI refresh failed: ${(err as Error).message}`);
    }
  }, settings.kpiRefreshMs);
  timer.unref();

  try {
    await server.start();
  } catch (err) {
    clearInterval(timer);
    stopAlarms();
    await server.shutdown(0).catch(() => {});
    const msg = String((err as Error).message ?? err);
    if (msg.includes('EADDRINUSE')) throw new Error(`OPC UA server port ${settings.port} is already in use: stop the other server or set opcuaServer.port / --opcua-server-port`);
    throw err;
  }
  const port = server.endpoints[0]!.port;
  const endpointUrl = server.getEndpointUrl();
  log('info', `opc ua server: ${endpointUrl} (${settings.securityModes.join(', ')}; ${settings.allowAnonymous ? 'anonymous may browse and read' : 'twinline users only'}; PKI ${pki})`);

  let applied = 0;
  return {
    name: 'opcua-server',
    port,
    endpointUrl,
    namespaceUri,
    onModelEvents(events: readonly ModelEvent[]) {
      for (const e of events) {
        if (e.kind === 'tags') {
          applied += e.changes.length;
          for (const c of e.changes) model.setTag(c.tagId, c.value, c.quality, c.ts);
        } else if (e.kind === 'state') {
          model.setState(e.machineId, e.state);
        }
      }
    },
    sessions: () => server.currentSessionCount,
    tagChanges: () => applied,
    async stop() {
      clearInterval(timer);
      stopAlarms();
      await server.shutdown(0);
    },
  };
}

export type { ShiftKpis };
