// The node-opcua server itself: the plant as OPC 40001-1 Machinery (machinery-address-space.ts),
// sessions that log in with twinline's users and get their role's rights, writes and
// acknowledgements turned into twinline commands, HistoryRead from the historian. It runs on the
// OPC UA worker thread (server-worker.ts); everything only the edge's main thread may do (auth,
// commands, historian) it asks of a ServerHost. docs/opcua.md.
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  DataValue, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCodes, UserNameIdentityToken, WellKnownRoles,
  makeRoles, nodesets, type ISessionContext, type NodeId, type ServerSession, type StatusCode, type UAVariable, type WriteValueOptions,
} from 'node-opcua';
import type { AlarmEvent, AlarmView } from '../../shared/alarm-wire.js';
import type { Role } from '../../shared/auth-api.js';
import type { CommandRequest } from '../../shared/command-api.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { OpcUaServerSettings } from '../../shared/opcua-server-schema.js';
import type { MachineState, PlantConfig } from '../../shared/plant-schema.js';
import type { Principal } from '../auth/index.js';
import { buildMachineryAddressSpace, type MachineryAddressSpace } from './machinery-address-space.js';
import { createAlarmConditions } from './alarm-conditions.js';
import { ContinuationPoints, installHistoryRead } from './history-read.js';
import type { CommandAnswer, KpiSnapshot, ServerHost } from './worker-protocol.js';

export interface UaServerOptions {
  plant: PlantConfig;
  settings: OpcUaServerSettings;
  /** PKI lives in <dataDir>/pki/opcua-server (own certificate, trusted and rejected clients). */
  dataDir: string;
  host: ServerHost;
  alarms: readonly AlarmView[];
  /** Called when the number of open sessions changes. */
  onSessions?: (count: number) => void;
}

export interface UaServer {
  readonly port: number;
  readonly endpointUrl: string;
  readonly namespaceUri: string;
  readonly model: MachineryAddressSpace;
  setTag(tagId: string, value: TagValue, quality: Quality, ts: number): void;
  setState(machineId: string, state: MachineState): void;
  setKpis(kpis: KpiSnapshot): void;
  alarm(event: AlarmEvent): void;
  sessions(): number;
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

/** Command refusals as OPC UA results. */
export function statusOfRefusal(status: number, code: string, message: string): StatusCode {
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

export async function startUaServer(options: UaServerOptions): Promise<UaServer> {
  const { plant, settings, host } = options;
  const warn = (m: string) => host.log('warn', `opc ua server: ${m}`);
  const pki = join(options.dataDir, 'pki', 'opcua-server');
  // The server's own namespace (ns=1) is its application URI: the tags' namespace.
  const namespaceUri = `urn:twinline:${plant.site.id}:${plant.line.id}`;
  // Principals by OPC UA session id, set when a session activates with a user name.
  const principals = new Map<string, Principal>();
  // Roles by user name, from the last login: node-opcua asks synchronously.
  const roles = new Map<string, Role>();
  const sessionKey = (s: { getSessionId(): NodeId } | undefined) => s?.getSessionId().toString() ?? '';

  const userManager = {
    isValidUserAsync(this: ServerSession, username: string, password: string, callback: (err: Error | null, ok?: boolean) => void) {
      const session = this;
      const source = `opcua:${session.channel?.remoteAddress ?? 'unknown'}`;
      host.login(username, password, source).then((r) => {
        if (!r.ok) {
          warn(`login of "${username}" from ${source} refused (${r.code})`);
          callback(null, false);
          return;
        }
        principals.set(sessionKey(session), r.principal);
        roles.set(username, r.principal.role);
        callback(null, true);
      }, (err: unknown) => callback(err as Error));
    },
    getUserRoles(username: string): NodeId[] {
      const role = roles.get(username);
      return role ? makeRoles(UA_ROLES[role]) : [];
    },
  };

  const server = new OPCUAServer({
    port: await concretePort(settings.port),
    hostname: settings.hostname,
    resourcePath: '/',
    // MachineTool (OPC 40501) needs Machinery Jobs and ISA-95 job control under it.
    nodeset_filename: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery, nodesets.isa95JobControl, nodesets.machineryJobs, nodesets.machineTool],
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
  const model = buildMachineryAddressSpace(addressSpace, plant);

  for (const [tagId, { variable, machine, tag }] of model.writableTags) routeWrites(variable, tagId, machine.id, tag.name, tag.role);
  // Continuation points live as long as their session (a WeakMap forgets a closed one).
  const continuation = new WeakMap<object, ContinuationPoints>();
  const orphanPoints = new ContinuationPoints();
  const pointsOf = (session: unknown) => {
    if (!session || typeof session !== 'object') return orphanPoints;
    let points = continuation.get(session);
    if (!points) continuation.set(session, (points = new ContinuationPoints()));
    return points;
  };
  for (const [tagId, { variable, tag }] of model.tags) installHistoryRead(variable, tagId, tag.type, host.historyRaw, pointsOf, warn);

  /** The twinline user of an OPC UA session that logged in with a user name (anonymous: none). */
  function principalOf(context: ISessionContext | null | undefined): { principal: Principal; source: string } | null {
    const session = context?.session as (ServerSession & { userIdentityToken?: unknown }) | undefined;
    const principal = session && session.userIdentityToken instanceof UserNameIdentityToken ? principals.get(sessionKey(session)) : undefined;
    return principal ? { principal, source: `opcua:${session?.channel?.remoteAddress ?? 'unknown'}` } : null;
  }

  /** A command's answer as an OPC UA status. */
  function statusOf(answer: CommandAnswer, what: string, user: string): StatusCode {
    if ('outcome' in answer) return answer.outcome === 'done' ? StatusCodes.Good : StatusCodes.UncertainNoCommunicationLastUsableValue;
    if ('refused' in answer) {
      host.log('info', `opc ua server: ${what} by ${user} refused: ${answer.refused.message}`);
      return statusOfRefusal(answer.refused.status, answer.refused.code, answer.refused.message);
    }
    warn(`${what} by ${user} failed: ${answer.failed}`);
    return StatusCodes.BadCommunicationError;
  }

  const conditions = createAlarmConditions(addressSpace, model, async (alarmKey, comment, context) => {
    const who = principalOf(context);
    if (!who) return StatusCodes.BadUserAccessDenied;
    const answer = await host.command({ kind: 'ack-alarm', alarmKey, ...(comment ? { note: comment } : {}) }, who.principal, who.source);
    // An acknowledgement that could not be confirmed still happened in the engine: Good, as before.
    return 'failed' in answer ? StatusCodes.BadInternalError : 'refused' in answer ? statusOf(answer, `acknowledge of ${alarmKey}`, who.principal.user) : StatusCodes.Good;
  }, warn);
  conditions.sync(options.alarms);

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
      const value = (writeValue.value as DataValue | undefined)?.value?.value as unknown;
      const reason = `OPC UA write to ${tagId}`;
      const request: CommandRequest = role === 'speedOverride'
        ? { kind: 'speed-override', machineId, percent: Number(value), reason }
        : role === 'resetFault'
          ? { kind: 'reset-fault', machineId, reason }
          : { kind: 'write-setpoint', machineId, tag: tagName, value: value as never, reason };
      host.command(request, who.principal, who.source).then(
        (answer) => callback(null, statusOf(answer, `write to ${tagId}`, who.principal.user)),
        (err: unknown) => {
          warn(`write to ${tagId} by ${who.principal.user} failed: ${(err as Error).message}`);
          callback(null, StatusCodes.BadCommunicationError);
        },
      );
    }) as typeof variable.writeAttribute;
  }

  server.on('session_closed', (session: ServerSession) => {
    principals.delete(sessionKey(session));
    options.onSessions?.(server.currentSessionCount);
  });
  server.on('session_activated', () => options.onSessions?.(server.currentSessionCount));

  try {
    await server.start();
  } catch (err) {
    await server.shutdown(0).catch(() => {});
    const msg = String((err as Error).message ?? err);
    if (msg.includes('EADDRINUSE')) throw new Error(`OPC UA server port ${settings.port} is already in use: stop the other server or set opcuaServer.port / --opcua-server-port`);
    throw err;
  }

  return {
    port: server.endpoints[0]!.port,
    endpointUrl: server.getEndpointUrl(),
    namespaceUri,
    model,
    setTag: (tagId, value, quality, ts) => model.setTag(tagId, value, quality, ts),
    setState: (machineId, state) => model.setState(machineId, state),
    setKpis(kpis) {
      for (const [machineId, k] of kpis.machines) model.setMachineKpis(machineId, k);
      model.setLineKpis(kpis.line);
    },
    alarm(event) {
      try {
        conditions.apply(event);
      } catch (err) {
        warn(`alarm event ${event.type} not shown as a condition: ${(err as Error).message}`);
      }
    },
    sessions: () => server.currentSessionCount,
    stop: () => server.shutdown(0),
  };
}
