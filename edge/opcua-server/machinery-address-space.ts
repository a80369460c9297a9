// The plant as OPC 40001-1 Machinery in a node-opcua address space: each machine a
// MachineryItem under Objects/Machines (the Machinery namespace's folder) with DI
// Identification, MachineryItemState and MachineryOperationMode, its live tags (analog items
// with engineering units and ranges) and the current shift's KPIs; the line's KPIs on a line
// object; CNC machines as OPC 40501-1 machine tools (machine-tool.ts). Returns setters; what
// feeds them is the server's business. Layout: docs/opcua.md.
import { uneceUnit } from '../../shared/opcua-units.js';
import {
  AccessLevelFlag, AccessRestrictionsFlag, DataType, PermissionType, WellKnownRoles, makeRoles, StatusCodes, Variant, coerceLocalizedText, makeEUInformation, promoteToStateMachine,
  type AddressSpace, type EUInformation, type Namespace, type StatusCode, type UAObject, type UAStateMachineEx, type UAVariable,
} from 'node-opcua';
import { engineeringRange, type DataType as TagDataType, type MachineConfig, type MachineState, type PlantConfig, type TagConfig } from '../../shared/plant-schema.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import { ITEM_STATE, OPERATION_MODE, QUALITY_STATUS } from './machinery-states.js';
import type { ShiftKpis } from './shift-kpis.js';
import { addMachineTool, isMachineTool, type MachineTool } from './machine-tool.js';

export type { ShiftKpis };

export const MACHINERY_URI = 'http://opcfoundation.org/UA/Machinery/';
export const DI_URI = 'http://opcfoundation.org/UA/DI/';
/** Objects/Machines in the Machinery nodeset (OPC 40001-1 §8.1). */
const MACHINES_FOLDER_ID = 1001;

/**
 * Who may do what on the variables clients sample (Part 3 §5.2.9): everyone reads, browses and
 * reads history; a logged-in user may send a Write, which the command service then judges by
 * role. Set on each variable rather than left to the namespace's defaults because node-opcua
 * looks those defaults up through the address space on every read, and sampling 50,000
 * monitored items reads 200,000 times a second.
 */
const [ANONYMOUS, AUTHENTICATED] = makeRoles([WellKnownRoles.Anonymous, WellKnownRoles.AuthenticatedUser]);
const READ = PermissionType.Browse | PermissionType.Read | PermissionType.ReadHistory | PermissionType.ReadRolePermissions;
const readOnly = [{ roleId: ANONYMOUS!, permissions: READ }];
const readWrite = [...readOnly, { roleId: AUTHENTICATED!, permissions: READ | PermissionType.Write }];
const accessOf = (writable: boolean) => ({ rolePermissions: writable ? readWrite : readOnly, accessRestrictions: AccessRestrictionsFlag.None });

const UA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean, int16: DataType.Int16, uint16: DataType.UInt16, int32: DataType.Int32, uint32: DataType.UInt32,
  float32: DataType.Float, float64: DataType.Double, string: DataType.String,
};

/** The unit as OPC UA EUInformation (shared/opcua-units.ts says which UNECE code). */
export function euInformation(unit: string): EUInformation {
  const u = uneceUnit(unit);
  return makeEUInformation(u.code, u.symbol, u.description);
}

const KPI_VARIABLES: ReadonlyArray<{ key: Exclude<keyof ShiftKpis, 'shiftName'>; type: DataType; unit?: string; description: string }> = [
  { key: 'availability', type: DataType.Double, description: 'ISO 22400-2 availability of the current shift so far (ratio 0…1)' },
  { key: 'performance', type: DataType.Double, description: 'ISO 22400-2 effectiveness/performance of the current shift so far (ratio 0…1)' },
  { key: 'quality', type: DataType.Double, description: 'ISO 22400-2 quality rate of the current shift so far (ratio 0…1)' },
  { key: 'oee', type: DataType.Double, description: 'OEE = availability × performance × quality (ratio 0…1)' },
  { key: 'totalCount', type: DataType.Double, description: 'parts made this shift' },
  { key: 'goodCount', type: DataType.Double, description: 'good parts this shift' },
  { key: 'scrapCount', type: DataType.Double, description: 'scrap parts this shift' },
  { key: 'energyKWh', type: DataType.Double, unit: 'kWh', description: 'energy used this shift' },
  { key: 'energyPerGoodPartKWh', type: DataType.Double, unit: 'kWh', description: 'energy per good part this shift (Bad while no good part was made)' },
];
const KPI_BROWSE_NAMES: Record<(typeof KPI_VARIABLES)[number]['key'], string> = {
  availability: 'Availability', performance: 'Performance', quality: 'Quality', oee: 'OEE', totalCount: 'TotalCount',
  goodCount: 'GoodCount', scrapCount: 'ScrapCount', energyKWh: 'EnergyConsumption', energyPerGoodPartKWh: 'EnergyPerGoodPart',
};

export interface MachineryAddressSpace {
  /** The own namespace's index (tags are ns=<it>;s=<machine>.<tag>). */
  namespaceIndex: number;
  /** Writable tag variables by tag id, for the server to route writes. */
  writableTags: ReadonlyMap<string, { variable: UAVariable; machine: MachineConfig; tag: TagConfig }>;
  /** Every tag variable by tag id. */
  tags: ReadonlyMap<string, { variable: UAVariable; tag: TagConfig }>;
  /** The machine's object (a MachineryItem), for alarm conditions. */
  machineNode(machineId: string): UAObject | undefined;
  /** A tag's variable, for alarm conditions' InputNode. */
  tagNode(tagId: string): UAVariable | undefined;
  setTag(tagId: string, value: TagValue, quality: Quality, ts: number): void;
  setState(machineId: string, state: MachineState): void;
  setMachineKpis(machineId: string, kpis: ShiftKpis | null): void;
  setLineKpis(kpis: ShiftKpis | null): void;
}

function typed(type: TagDataType, value: TagValue): number | boolean | string | undefined {
  if (type === 'bool') return typeof value === 'boolean' ? value : typeof value === 'number' ? value !== 0 : undefined;
  if (type === 'string') return typeof value === 'string' ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function buildMachineryAddressSpace(addressSpace: AddressSpace, plant: PlantConfig): MachineryAddressSpace {
  const ns: Namespace = addressSpace.getOwnNamespace();
  const mi = addressSpace.getNamespaceIndex(MACHINERY_URI);
  const di = addressSpace.getNamespaceIndex(DI_URI);
  if (mi < 0 || di < 0) throw new Error('the OPC UA server needs the DI and Machinery nodesets loaded (node-opcua-nodesets: di, ia, machinery)');
  const machinesFolder = addressSpace.findNode(`ns=${mi};i=${MACHINES_FOLDER_ID}`) as UAObject;
  // Events of the machines' alarms reach a client subscribed to the Server object (Part 9 §5.12).
  addressSpace.rootFolder.objects.server.addReference({ referenceType: 'HasNotifier', nodeId: machinesFolder });
  const identificationType = addressSpace.findObjectType('MachineIdentificationType', mi)!;
  const itemStateType = addressSpace.findObjectType('MachineryItemState_StateMachineType', mi)!;
  const operationModeType = addressSpace.findObjectType('MachineryOperationModeStateMachineType', mi)!;
  const folderType = addressSpace.findObjectType('FolderType')!;
  const hasAddIn = addressSpace.findReferenceType('HasAddIn', di) ?? 'HasComponent';

  const tagVariables = new Map<string, { variable: UAVariable; tag: TagConfig; machineId: string }>();
  const writableTags = new Map<string, { variable: UAVariable; machine: MachineConfig; tag: TagConfig }>();
  const stateMachines = new Map<string, { item: UAStateMachineEx; mode: UAStateMachineEx }>();
  const kpiSets = new Map<string, Map<string, UAVariable>>();
  const machineNodes = new Map<string, UAObject>();
  const machineTools = new Map<string, MachineTool>();

  function addKpis(parent: UAObject, prefix: string): Map<string, UAVariable> {
    const folder = ns.addObject({ browseName: 'CurrentShift', nodeId: `s=${prefix}.CurrentShift`, componentOf: parent, typeDefinition: folderType,
      description: 'KPIs of the current shift so far (ISO 22400-2), from twinline\'s KPI engine' });
    const vars = new Map<string, UAVariable>();
    vars.set('shiftName', ns.addVariable({ browseName: 'ShiftName', nodeId: `s=${prefix}.CurrentShift.ShiftName`, componentOf: folder, dataType: 'String', value: new Variant({ dataType: DataType.String, value: '' }) }));
    for (const k of KPI_VARIABLES) {
      const name = KPI_BROWSE_NAMES[k.key];
      const options = { browseName: name, nodeId: `s=${prefix}.CurrentShift.${name}`, componentOf: folder, dataType: 'Double', description: k.description, ...accessOf(false) };
      const v = k.unit
        ? ns.addAnalogDataItem({ ...options, engineeringUnits: euInformation(k.unit), engineeringUnitsRange: { low: 0, high: 1e9 } })
        : ns.addVariable({ ...options, value: new Variant({ dataType: DataType.Double, value: 0 }) });
      v.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }), StatusCodes.UncertainInitialValue);
      vars.set(k.key, v);
    }
    return vars;
  }

  function setKpis(vars: Map<string, UAVariable> | undefined, kpis: ShiftKpis | null) {
    if (!vars) return;
    const now = new Date();
    vars.get('shiftName')!.setValueFromSource(new Variant({ dataType: DataType.String, value: kpis?.shiftName ?? '' }), StatusCodes.Good, now);
    for (const k of KPI_VARIABLES) {
      const value = kpis?.[k.key];
      const v = vars.get(k.key)!;
      // Between shifts (or before the first good part for energy per part) there is no figure: Bad, not a made-up zero.
      if (value === null || value === undefined || !Number.isFinite(value)) v.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }), StatusCodes.BadWaitingForInitialData, now);
      else v.setValueFromSource(new Variant({ dataType: DataType.Double, value }), StatusCodes.Good, now);
    }
  }

  for (const machine of plant.machines) {
    const description = `${machine.name} (${machine.type}), twinline machine ${machine.id}`;
    // A CNC machine is an OPC 40501-1 MachineToolType (a MachineryItem with more); the others plain MachineryItems.
    const tool = isMachineTool(machine) ? addMachineTool(addressSpace, ns, machine, machinesFolder, description) : null;
    const item = tool?.item ?? ns.addObject({
      browseName: machine.id, nodeId: `s=${machine.id}`, displayName: machine.name, organizedBy: machinesFolder, description,
      // Its alarms (Alarms & Conditions) are raised on it and reach subscribers of Machines and Server.
      eventNotifier: 1, eventSourceOf: machinesFolder,
    });
    if (tool) machineTools.set(machine.id, tool);
    machineNodes.set(machine.id, item);
    const identification = tool?.identification ?? identificationType.instantiate({
      browseName: { name: 'Identification', namespaceIndex: di }, nodeId: `s=${machine.id}.Identification`,
      optionals: ['Model', 'ProductCode', 'AssetId', 'ComponentName'],
    } as Parameters<typeof identificationType.instantiate>[0]) as UAObject;
    if (!tool) item.addReference({ referenceType: hasAddIn, nodeId: identification });
    const setProp = (name: string, dataType: DataType, value: unknown) => {
      const v = identification.getChildByName(name, di) ?? identification.getChildByName(name, mi);
      (v as UAVariable | null)?.setValueFromSource(new Variant({ dataType, value }));
    };
    setProp('Manufacturer', DataType.LocalizedText, coerceLocalizedText(machine.manufacturer ?? ''));
    setProp('Model', DataType.LocalizedText, coerceLocalizedText(machine.model ?? ''));
    setProp('SerialNumber', DataType.String, machine.serialNumber ?? '');
    setProp('ProductInstanceUri', DataType.String, `urn:twinline:${plant.site.id}:${plant.line.id}:${machine.id}`);
    setProp('AssetId', DataType.String, machine.id);
    setProp('ComponentName', DataType.LocalizedText, coerceLocalizedText(machine.name));

    const blocks = tool?.buildingBlocks ?? ns.addObject({ browseName: { name: 'MachineryBuildingBlocks', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryBuildingBlocks`, componentOf: item, typeDefinition: folderType });
    const itemState = promoteToStateMachine(itemStateType.instantiate({
      browseName: { name: 'MachineryItemState', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryItemState`,
    } as Parameters<typeof itemStateType.instantiate>[0]));
    const mode = promoteToStateMachine(operationModeType.instantiate({
      browseName: { name: 'MachineryOperationMode', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryOperationMode`,
    } as Parameters<typeof operationModeType.instantiate>[0]));
    for (const sm of [itemState, mode]) {
      blocks.addReference({ referenceType: hasAddIn, nodeId: sm });
      item.addReference({ referenceType: hasAddIn, nodeId: sm });
    }
    itemState.setState(ITEM_STATE['no-data']);
    mode.setState(OPERATION_MODE['no-data']);
    stateMachines.set(machine.id, { item: itemState, mode });

    const tagsFolder = ns.addObject({ browseName: 'Tags', nodeId: `s=${machine.id}.Tags`, componentOf: item, typeDefinition: folderType, description: 'Live values as the edge reads them; quality as status code' });
    for (const tag of machine.tags) {
      const tagId = `${machine.id}.${tag.name}`;
      const dataType = UA_TYPES[tag.type];
      // History from the historian (history-read.ts): every tag the edge reads is stored.
      const access = AccessLevelFlag.CurrentRead | AccessLevelFlag.HistoryRead | (tag.writable ? AccessLevelFlag.CurrentWrite : 0);
      const common = {
        browseName: tag.name, nodeId: `s=${tagId}`, componentOf: tagsFolder, accessLevel: access, userAccessLevel: access,
        description: tag.description ?? `${tag.role} tag ${tagId}`, minimumSamplingInterval: 100, historizing: true, ...accessOf(tag.writable),
      };
      const range = tag.type === 'bool' || tag.type === 'string' ? undefined : engineeringRange(tag);
      const variable = range
        ? ns.addAnalogDataItem({
          ...common, dataType: DataType[dataType], engineeringUnitsRange: { low: tag.min ?? range[0], high: tag.max ?? range[1] },
          ...(tag.unit ? { engineeringUnits: euInformation(tag.unit) } : {}),
        })
        : ns.addVariable({ ...common, dataType: DataType[dataType], value: new Variant({ dataType, value: tag.type === 'bool' ? false : '' }) });
      variable.setValueFromSource(new Variant({ dataType, value: tag.type === 'bool' ? false : tag.type === 'string' ? '' : 0 }), StatusCodes.BadWaitingForInitialData);
      tagVariables.set(tagId, { variable, tag, machineId: machine.id });
      if (tag.writable) writableTags.set(tagId, { variable, machine, tag });
    }
    kpiSets.set(machine.id, addKpis(item, machine.id));
  }

  const line = ns.addObject({
    browseName: plant.line.id, nodeId: `s=line.${plant.line.id}`, displayName: plant.line.name, organizedBy: addressSpace.rootFolder.objects,
    description: `Production line ${plant.line.name} at ${plant.site.name}; line KPIs by the bottleneck method (docs/kpi.md)`,
  });
  for (const machine of plant.machines) line.addReference({ referenceType: 'Organizes', nodeId: `ns=${ns.index};s=${machine.id}` });
  const lineKpis = addKpis(line, `line.${plant.line.id}`);

  return {
    namespaceIndex: ns.index,
    writableTags,
    tags: tagVariables,
    machineNode: (id) => machineNodes.get(id),
    tagNode: (id) => tagVariables.get(id)?.variable,
    setTag(tagId, value, quality, ts) {
      const entry = tagVariables.get(tagId);
      if (!entry) return;
      const dataType = UA_TYPES[entry.tag.type];
      const v = typed(entry.tag.type, value);
      const status: StatusCode = StatusCodes[QUALITY_STATUS[quality]];
      // A bad reading has no usable value: keep the last one, flagged with the status code.
      const variant = v === undefined ? entry.variable.readValue().value : new Variant({ dataType, value: v });
      entry.variable.setValueFromSource(variant, v === undefined && quality === 'good' ? StatusCodes.BadTypeMismatch : status, new Date(ts));
      machineTools.get(entry.machineId)?.setTag(entry.tag, value, quality, ts);
    },
    setState(machineId, state) {
      const sm = stateMachines.get(machineId);
      if (!sm) return;
      sm.item.setState(ITEM_STATE[state]);
      sm.mode.setState(OPERATION_MODE[state]);
      machineTools.get(machineId)?.setState(state);
    },
    setMachineKpis: (machineId, kpis) => setKpis(kpiSets.get(machineId), kpis),
    setLineKpis: (kpis) => setKpis(lineKpis, kpis),
  };
}
