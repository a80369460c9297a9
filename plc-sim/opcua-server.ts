// The simulated PLCs' OPC UA face: one server, an object per machine under Objects/Machines
// in the spirit of OPC 40001-1 (Machinery): an Identification group (manufacturer, model,
// serial number from the plant file) and the plant's tags at exactly their configured node
// ids, with engineering units and source timestamps from the simulated clock.
import { uneceUnit } from '../shared/opcua-units.js';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import {
  AccessLevelFlag, DataType, DataValue, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCodes, Variant,
  makeEUInformation, nodesets, resolveNodeId, type EUInformation, type Namespace, type StatusCode, type UAObject, type UserManagerOptions,
} from 'node-opcua';
import type { DataType as TagDataType, PlantConfig } from '../shared/plant-schema.js';
import type { FaultRegistry } from './fault-injection.js';
import type { LineModel, MachineCommand } from './line-model.js';
import type { PublishedTag, TagImage } from './tag-image.js';
import { freePort } from './modbus-server.js';
import { addStandardMachinery } from './standard-machinery.js';
import {
  DEFAULT_OPCUA_SECURITY, checkSecurity, describeSecurity, type OpcUaSecurity, type SecurityModeName, type SecurityPolicyName,
} from './opcua-security.js';

const UA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean, int16: DataType.Int16, uint16: DataType.UInt16, int32: DataType.Int32, uint32: DataType.UInt32,
  float32: DataType.Float, float64: DataType.Double, string: DataType.String,
};

const INT_MAX: Partial<Record<TagDataType, number>> = { int16: 0x7fff, uint16: 0xffff, int32: 0x7fffffff, uint32: 0xffffffff };

/** The unit as OPC UA EUInformation (shared/opcua-units.ts says which UNECE code). */
function euInformation(unit: string): EUInformation {
  const u = uneceUnit(unit);
  return makeEUInformation(u.code, u.symbol, u.description);
}

const MODES: Record<SecurityModeName, MessageSecurityMode> = {
  None: MessageSecurityMode.None, Sign: MessageSecurityMode.Sign, SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};
const POLICIES: Record<SecurityPolicyName, SecurityPolicy> = {
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

/** The node-opcua server options that make the server offer exactly this. */
export function serverSecurityOptions(security: OpcUaSecurity) {
  const users = new Map(security.users.map((u) => [u.name, u.password]));
  const userManager: UserManagerOptions = { isValidUser: (name: string, password: string) => users.get(name) === password };
  return {
    securityModes: security.modes.map((m) => MODES[m]),
    // Policy None is implied by mode None; listing it alone with secure modes would offer nothing secure.
    securityPolicies: [...(security.modes.includes('None') ? [SecurityPolicy.None] : []), ...security.policies.map((p) => POLICIES[p])],
    allowAnonymous: users.size === 0,
    ...(users.size > 0 ? { userManager } : {}),
  };
}

export interface OpcUaServerOptions {
  plant: PlantConfig;
  model: LineModel;
  image: TagImage;
  faults: FaultRegistry;
  port: number;
  /** Server certificate under <pkiDir>/server/own, client certificates it saw under <pkiDir>/server/{trusted,rejected}. */
  pkiDir: string;
  /** Modes, policies and users offered; default DEFAULT_OPCUA_SECURITY (None + Basic256Sha256 Sign/SignAndEncrypt, anonymous). */
  security?: OpcUaSecurity;
  command(machineId: string, command: MachineCommand): void;
  log(msg: string): void;
  /** Also serve the standard OPC 40001-1 Machinery model (DI + Machinery nodesets; a few seconds more at start). */
  standardModel?: boolean;
}

export interface RunningOpcUa {
  port: number;
  endpoint: string;
  /** Device ids served by this server (the plant's opcua devices). */
  devices: string[];
  dropConnections(): void;
  setRefusing(refusing: boolean): void;
  /** Stops reading from every client socket (requests go unanswered) until resumed. */
  setSilent(silent: boolean): void;
  close(): Promise<void>;
}

function coerce(value: number | boolean, type: TagDataType): number | boolean {
  if (typeof value === 'boolean') return value;
  const max = INT_MAX[type];
  if (max !== undefined) {
    const min = type.startsWith('uint') ? 0 : -max - 1;
    return Number.isNaN(value) ? max : Math.min(max, Math.max(min, Math.round(value)));
  }
  return value;
}

export async function startOpcUaServer(o: OpcUaServerOptions): Promise<RunningOpcUa> {
  const opcuaDevices = o.plant.devices.filter((d) => d.protocol === 'opcua').map((d) => d.id);
  const deviceOf = (t: PublishedTag) => t.machine.device;
  const security = checkSecurity(o.security ?? DEFAULT_OPCUA_SECURITY);
  let server: OPCUAServer | undefined;
  let port = o.port;
  const machineObjects = new Map<string, UAObject>();
  let standardTimer: ReturnType<typeof setInterval> | undefined;
  for (let attempt = 0; !server; attempt++) {
    port = o.port === 0 ? await freePort() : o.port;
    const candidate = new OPCUAServer({
      port,
      resourcePath: '/',
      // Every certificate manager gets a folder of ours, or node-opcua writes to ~/.config.
      // A test bench trusts every client certificate: the edge's trust decision is what is under test.
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(o.pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
      userCertificateManager: new OPCUACertificateManager({ rootFolder: join(o.pkiDir, 'user'), automaticallyAcceptUnknownCertificate: true }),
      buildInfo: { productName: 'twinline plc-sim', manufacturerName: 'twinline', softwareVersion: '0.1.0' },
      serverInfo: { applicationName: { text: 'twinline plc-sim' }, applicationUri: 'urn:twinline:plc-sim', productUri: 'urn:twinline:plc-sim' },
      ...serverSecurityOptions(security),
      ...(o.standardModel ? { nodeset_filename: [nodesets.standard, nodesets.di, nodesets.ia, nodesets.machinery] } : {}),
    });
    try {
      await candidate.initialize();
      buildAddressSpace(candidate);
      await candidate.start();
      server = candidate;
    } catch (err) {
      await candidate.shutdown(0).catch(() => {});
      const msg = String((err as Error).message ?? err);
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || msg.includes('EADDRINUSE');
      if (inUse && o.port === 0 && attempt < 5) continue;
      if (inUse) throw new Error(`OPC UA port ${port} is already in use: stop the other server or pass another --opcua-port`);
      throw err;
    }
  }

  function buildAddressSpace(s: OPCUAServer) {
    const addressSpace = s.engine.addressSpace!;
    const ns: Namespace = addressSpace.getOwnNamespace();
    const machinesFolder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Machines', nodeId: 's=Machines' });
    const byMachine = new Map<string, PublishedTag[]>();
    for (const t of o.image.tags) {
      if (!t.tag.opcua) continue;
      const list = byMachine.get(t.machine.id) ?? [];
      list.push(t);
      byMachine.set(t.machine.id, list);
    }
    for (const [machineId, tags] of byMachine) {
      const machine = tags[0]!.machine;
      const obj: UAObject = ns.addObject({
        organizedBy: machinesFolder, browseName: machineId, nodeId: `s=${machineId}`,
        displayName: machine.name, description: `${machine.name} (${machine.type})`,
      });
      const ident = ns.addObject({ componentOf: obj, browseName: 'Identification', nodeId: `s=${machineId}.Identification` });
      const text = (name: string, value: string, dataType: DataType) => ns.addVariable({
        propertyOf: ident, browseName: name, nodeId: `s=${machineId}.Identification.${name}`, dataType,
        value: { dataType, value: dataType === DataType.LocalizedText ? { text: value } : value },
      });
      text('Manufacturer', machine.manufacturer ?? 'unknown', DataType.LocalizedText);
      text('Model', machine.model ?? 'unknown', DataType.LocalizedText);
      text('SerialNumber', machine.serialNumber ?? 'unknown', DataType.String);
      text('ProductInstanceUri', `urn:${o.plant.site.id}:${o.plant.line.id}:${machineId}`, DataType.String);
      for (const t of tags) addTagVariable(ns, obj, t);
      addStatus(ns, obj, machineId);
      machineObjects.set(machineId, obj);
    }
    if (o.standardModel) {
      const refresh = addStandardMachinery(addressSpace, o.plant, machineObjects, (id) => o.model.machine(id).stateCode);
      refresh();
      standardTimer = setInterval(refresh, 250);
      standardTimer.unref();
    }
  }

  function addTagVariable(ns: Namespace, parent: UAObject, t: PublishedTag) {
    const nodeId = resolveNodeId(t.tag.opcua!.nodeId);
    if (nodeId.namespace !== ns.index) {
      throw new Error(`${t.key}: node id ${t.tag.opcua!.nodeId} is in namespace ${nodeId.namespace}; the simulator serves its tags in ns=${ns.index}`);
    }
    const dataType = UA_TYPES[t.tag.type];
    let cached: { value: number | boolean; changedAt: number; dv: DataValue } | undefined;
    const current = (): DataValue => {
      const value = coerce(o.image.read(t), t.tag.type);
      if (!cached || !Object.is(cached.value, value) || cached.changedAt !== t.changedAt) {
        cached = {
          value, changedAt: t.changedAt,
          dv: new DataValue({ value: new Variant({ dataType, value }), statusCode: StatusCodes.Good, sourceTimestamp: new Date(t.changedAt), serverTimestamp: new Date(o.model.now()) }),
        };
      }
      return cached.dv;
    };
    const device = deviceOf(t);
    const delayed = <T>(work: () => T): T | Promise<T> => {
      if (o.faults.silenced(device)) return new Promise<T>(() => {}); // never answers
      const ms = o.faults.latencyMs(device);
      return ms > 0 ? new Promise<T>((resolve) => setTimeout(() => resolve(work()), ms)) : work();
    };
    const write = (dataValue: DataValue): StatusCode => {
      const v = dataValue.value.value as unknown;
      const tag = t.tag;
      if (tag.role === 'resetFault') {
        if (typeof v !== 'boolean') return StatusCodes.BadTypeMismatch;
        if (v) o.command(t.machine.id, { kind: 'resetFault' });
      } else if (tag.role === 'speedOverride') {
        if (typeof v !== 'number' || !Number.isFinite(v)) return StatusCodes.BadTypeMismatch;
        if ((tag.min !== undefined && v < tag.min) || (tag.max !== undefined && v > tag.max)) return StatusCodes.BadOutOfRange;
        o.command(t.machine.id, { kind: 'speedOverride', value: v });
      } else if (tag.role === 'process') {
        if (tag.type === 'bool' ? typeof v !== 'boolean' : typeof v !== 'number' || !Number.isFinite(v)) return StatusCodes.BadTypeMismatch;
        if (typeof v === 'number' && ((tag.min !== undefined && v < tag.min) || (tag.max !== undefined && v > tag.max))) return StatusCodes.BadOutOfRange;
        o.image.store(t, v as number | boolean);
      } else {
        return StatusCodes.BadNotWritable;
      }
      o.log(`opcua write ${t.key} = ${String(v)}`);
      return StatusCodes.Good;
    };
    const access = t.tag.writable ? AccessLevelFlag.CurrentRead | AccessLevelFlag.CurrentWrite : AccessLevelFlag.CurrentRead;
    const value = {
      timestamped_get: () => delayed(current),
      ...(t.tag.writable ? { timestamped_set: async (dv: DataValue) => delayed(() => write(dv)) } : {}),
    };
    const common = {
      componentOf: parent, browseName: t.tag.name.charAt(0).toUpperCase() + t.tag.name.slice(1), nodeId: t.tag.opcua!.nodeId,
      description: t.tag.description, accessLevel: access, userAccessLevel: access, minimumSamplingInterval: 100,
    };
    if (t.tag.unit && dataType !== DataType.Boolean) {
      ns.addAnalogDataItem({
        ...common, dataType, engineeringUnits: euInformation(t.tag.unit),
        engineeringUnitsRange: { low: t.tag.min ?? 0, high: t.tag.max ?? rangeHigh(t) },
        value: value as never,
      });
    } else {
      ns.addVariable({ ...common, dataType, value: value as never });
    }
  }

  function rangeHigh(t: PublishedTag): number {
    switch (t.tag.role) {
      case 'power': return 100;
      case 'energy': return 1e9;
      default: return t.tag.unit === '°C' ? 150 : 100_000;
    }
  }

  /** Extras a maintenance engineer wants that the plant's tags do not carry (read-only strings). */
  function addStatus(ns: Namespace, parent: UAObject, machineId: string) {
    const status = ns.addObject({ componentOf: parent, browseName: 'Status', nodeId: `s=${machineId}.Status` });
    const str = (name: string, get: () => string) => ns.addVariable({
      componentOf: status, browseName: name, nodeId: `s=${machineId}.Status.${name}`, dataType: 'String', minimumSamplingInterval: 100,
      value: { get: () => new Variant({ dataType: DataType.String, value: get() }) },
    });
    str('PackMLState', () => o.model.machine(machineId).packmlState);
    str('StateReason', () => o.model.machine(machineId).reason);
    str('FaultDescription', () => o.model.machine(machineId).faultDescription);
    str('Product', () => o.model.machine(machineId).product);
  }

  // Track client sockets ourselves: node-opcua keeps its transports private.
  const sockets = new Set<Socket>();
  let refusing = false;
  let silent = false;
  for (const endpoint of server.endpoints) {
    const net = (endpoint as unknown as { _server?: import('node:net').Server })._server;
    net?.prependListener('connection', (sock: Socket) => {
      if (refusing) { sock.destroy(); return; }
      sockets.add(sock);
      if (silent) sock.pause();
      sock.once('close', () => sockets.delete(sock));
    });
  }
  const running = server;
  o.log(`OPC UA server listening on opc.tcp://localhost:${port} (${o.image.tags.filter((t) => t.tag.opcua).length} tags; ${describeSecurity(security)})`);
  return {
    port,
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    devices: opcuaDevices,
    dropConnections() {
      for (const endpoint of running.endpoints) endpoint.abruptlyInterruptChannels();
      for (const sock of sockets) sock.destroy();
    },
    setRefusing(value) { refusing = value; },
    setSilent(value) {
      silent = value;
      for (const sock of sockets) {
        if (value) sock.pause(); else sock.resume();
      }
    },
    async close() {
      clearInterval(standardTimer);
      for (const sock of sockets) sock.destroy();
      await running.shutdown(0);
    },
  };
}
