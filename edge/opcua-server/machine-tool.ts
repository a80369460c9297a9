// twinline's CNC machines as OPC 40501-1 Machine Tools, as far as twinline knows them: a
// MachineToolType instance (itself a MachineryItem under Objects/Machines) with the type's
// mandatory Identification, Monitoring/MachineTool/OperationMode, Production/ActiveProgram/State,
// Equipment and Notification, plus FeedOverride from the speed-override tag and a Spindle from a
// tag named spindleSpeed. twinline has no program, job or tool data, so ActiveProgram's Name is
// empty and Equipment has no Tools. The state tables are in docs/opcua.md.
import {
  DataType, StatusCodes, Variant, promoteToStateMachine,
  type AddressSpace, type Namespace, type UAObject, type UAStateMachineEx, type UAVariable,
} from 'node-opcua';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { MachineConfig, MachineState, TagConfig } from '../../shared/plant-schema.js';

export const MACHINE_TOOL_URI = 'http://opcfoundation.org/UA/MachineTool/';

/** Which twinline machines are machine tools. */
export const isMachineTool = (m: MachineConfig) => m.type === 'cnc';

/** OPC 40501-1 MachineOperationMode (enumeration): 0 Other, 1 Automatic, 2 Setup, 3 Manual. */
export const MACHINE_TOOL_OPERATION_MODE: Record<MachineState, 0 | 1 | 2 | 3> = {
  running: 1, idle: 1, 'planned-stop': 1, down: 1, setup: 2, 'no-data': 0,
};

/**
 * OPC 40501-1 ProductionProgramStateMachineType state of the active program. twinline knows the
 * machine, not its program: running is Running; idle (cycle done, waiting for a part) Ended;
 * a planned stop or a failure Interrupted (the program can go on); a changeover Initializing
 * (the next program is being set up). With no data the last state stays, marked Bad.
 */
export const PROGRAM_STATE: Record<Exclude<MachineState, 'no-data'>, 'Running' | 'Ended' | 'Interrupted' | 'Initializing'> = {
  running: 'Running', idle: 'Ended', 'planned-stop': 'Interrupted', down: 'Interrupted', setup: 'Initializing',
};

export interface MachineTool {
  item: UAObject;
  identification: UAObject;
  /** Its MachineryBuildingBlocks folder (the state machines go there). */
  buildingBlocks: UAObject;
  setState(state: MachineState): void;
  /** Called with every tag change of the machine; picks out what 40501 shows. */
  setTag(tag: TagConfig, value: TagValue, quality: Quality, ts: number): void;
}

const QUALITY_STATUS = { good: StatusCodes.Good, uncertain: StatusCodes.UncertainLastUsableValue, bad: StatusCodes.BadNoCommunication } as const;

export function addMachineTool(addressSpace: AddressSpace, ns: Namespace, machine: MachineConfig, machinesFolder: UAObject, description: string): MachineTool | null {
  const mt = addressSpace.getNamespaceIndex(MACHINE_TOOL_URI);
  const type = mt < 0 ? null : addressSpace.findObjectType('MachineToolType', mt);
  if (!type) return null;
  const speedOverride = machine.tags.find((t) => t.role === 'speedOverride');
  const spindleSpeed = machine.tags.find((t) => t.name === 'spindleSpeed');
  const item = type.instantiate({
    browseName: machine.id, namespace: ns, nodeId: `s=${machine.id}`, displayName: machine.name, description, organizedBy: machinesFolder,
    // Its alarms (Alarms & Conditions) are raised on it and reach subscribers of Machines and Server.
    eventNotifier: 1,
    optionals: [
      'MachineryBuildingBlocks', 'Identification.Model', 'Identification.ProductCode', 'Identification.AssetId', 'Identification.ComponentName',
      ...(speedOverride ? ['Monitoring.MachineTool.FeedOverride'] : []),
    ],
  } as Parameters<typeof type.instantiate>[0]);
  machinesFolder.addReference({ referenceType: 'HasEventSource', nodeId: item });
  const child = (parent: UAObject | null | undefined, name: string) => parent?.getChildByName(name, mt) as UAObject | UAVariable | null | undefined;
  const monitoring = child(item, 'Monitoring') as UAObject;
  const operation = child(monitoring, 'MachineTool') as UAObject;
  const operationMode = child(operation, 'OperationMode') as UAVariable;
  const feedOverride = child(operation, 'FeedOverride') as UAVariable | null;
  const activeProgram = child(child(item, 'Production') as UAObject, 'ActiveProgram') as UAObject;
  const programState: UAStateMachineEx = promoteToStateMachine(child(activeProgram, 'State') as UAObject);
  (child(activeProgram, 'Name') as UAVariable | null)?.setValueFromSource(new Variant({ dataType: DataType.String, value: '' }));
  const programCurrent = programState.getComponentByName('CurrentState') as UAVariable | null;

  let spindle: { isRotating: UAVariable } | null = null;
  if (spindleSpeed) {
    const spindleType = addressSpace.findObjectType('SpindleMonitoringType', mt)!;
    const s = spindleType.instantiate({
      browseName: { name: 'Spindle', namespaceIndex: mt }, namespace: ns, nodeId: `s=${machine.id}.Monitoring.Spindle`, componentOf: monitoring,
    } as Parameters<typeof spindleType.instantiate>[0]);
    (child(s, 'Name') as UAVariable).setValueFromSource(new Variant({ dataType: DataType.String, value: 'Spindle' }));
    const isRotating = child(s, 'IsRotating') as UAVariable;
    isRotating.setValueFromSource(new Variant({ dataType: DataType.Boolean, value: false }), StatusCodes.BadWaitingForInitialData);
    spindle = { isRotating };
  }
  operationMode.setValueFromSource(new Variant({ dataType: DataType.Int32, value: MACHINE_TOOL_OPERATION_MODE['no-data'] }), StatusCodes.BadWaitingForInitialData);
  feedOverride?.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }), StatusCodes.BadWaitingForInitialData);
  programState.setState('Initializing');
  programCurrent?.setValueFromSource(programCurrent.readValue().value, StatusCodes.BadWaitingForInitialData);

  return {
    item,
    identification: item.getChildByName('Identification', addressSpace.getNamespaceIndex('http://opcfoundation.org/UA/DI/')) as UAObject,
    buildingBlocks: item.getChildByName('MachineryBuildingBlocks', addressSpace.getNamespaceIndex('http://opcfoundation.org/UA/Machinery/')) as UAObject,
    setState(state) {
      operationMode.setValueFromSource(new Variant({ dataType: DataType.Int32, value: MACHINE_TOOL_OPERATION_MODE[state] }), StatusCodes.Good);
      if (state === 'no-data') {
        programCurrent?.setValueFromSource(programCurrent.readValue().value, StatusCodes.BadNoCommunication);
        return;
      }
      programState.setState(PROGRAM_STATE[state]);
    },
    setTag(tag, value, quality, ts) {
      const source = new Date(ts);
      if (feedOverride && tag === speedOverride) {
        if (typeof value === 'number') feedOverride.setValueFromSource(new Variant({ dataType: DataType.Double, value }), QUALITY_STATUS[quality], source);
        else feedOverride.setValueFromSource(feedOverride.readValue().value, QUALITY_STATUS.bad, source);
      } else if (spindle && tag === spindleSpeed) {
        if (typeof value === 'number') spindle.isRotating.setValueFromSource(new Variant({ dataType: DataType.Boolean, value: value !== 0 }), QUALITY_STATUS[quality], source);
        else spindle.isRotating.setValueFromSource(spindle.isRotating.readValue().value, QUALITY_STATUS.bad, source);
      }
    },
  };
}
