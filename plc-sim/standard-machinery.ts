// The simulator's OPC UA server in the standard shape as well (opt-in, option standardModel):
// each machine object is also organized under the Machinery nodeset's Objects/Machines with a DI
// MachineIdentificationType Identification and the MachineryItemState / MachineryOperationMode
// state machines, kept to the simulated state. Tags keep their configured node ids, so plant
// files need no change. The same state table as the edge's server (shared/opcua-machinery.ts).
import { DataType, Variant, coerceLocalizedText, promoteToStateMachine, type AddressSpace, type UAObject } from 'node-opcua';
import type { PlantConfig } from '../shared/plant-schema.js';
import { ITEM_STATE, OPERATION_MODE } from '../shared/opcua-machinery.js';

const MACHINERY_URI = 'http://opcfoundation.org/UA/Machinery/';
const DI_URI = 'http://opcfoundation.org/UA/DI/';

/** Adds the standard model beside the simulator's own; returns the refresh to call as the simulation moves. */
export function addStandardMachinery(addressSpace: AddressSpace, plant: PlantConfig, machines: ReadonlyMap<string, UAObject>, stateCode: (machineId: string) => number | undefined): () => void {
  const ns = addressSpace.getOwnNamespace();
  const mi = addressSpace.getNamespaceIndex(MACHINERY_URI);
  const di = addressSpace.getNamespaceIndex(DI_URI);
  if (mi < 0 || di < 0) throw new Error('standardModel needs the DI, IA and Machinery nodesets loaded');
  const folder = addressSpace.findNode(`ns=${mi};i=1001`) as UAObject;
  const identificationType = addressSpace.findObjectType('MachineIdentificationType', mi)!;
  const itemStateType = addressSpace.findObjectType('MachineryItemState_StateMachineType', mi)!;
  const modeType = addressSpace.findObjectType('MachineryOperationModeStateMachineType', mi)!;
  const folderType = addressSpace.findObjectType('FolderType')!;
  const hasAddIn = addressSpace.findReferenceType('HasAddIn', di) ?? 'HasComponent';
  const updates: Array<() => void> = [];
  for (const machine of plant.machines) {
    const obj = machines.get(machine.id);
    if (!obj) continue;
    folder.addReference({ referenceType: 'Organizes', nodeId: obj });
    const ident = identificationType.instantiate({ browseName: { name: 'Identification', namespaceIndex: di }, nodeId: `s=${machine.id}.MachineIdentification`, optionals: ['Model'] } as never) as UAObject;
    obj.addReference({ referenceType: hasAddIn, nodeId: ident });
    const set = (name: string, dataType: DataType, value: unknown) => (ident.getChildByName(name, di) as { setValueFromSource(v: Variant): void } | null)?.setValueFromSource(new Variant({ dataType, value }));
    set('Manufacturer', DataType.LocalizedText, coerceLocalizedText(machine.manufacturer ?? ''));
    set('Model', DataType.LocalizedText, coerceLocalizedText(machine.model ?? ''));
    set('SerialNumber', DataType.String, machine.serialNumber ?? '');
    set('ProductInstanceUri', DataType.String, `urn:${plant.site.id}:${plant.line.id}:${machine.id}`);
    const blocks = ns.addObject({ browseName: { name: 'MachineryBuildingBlocks', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryBuildingBlocks`, componentOf: obj, typeDefinition: folderType });
    const item = promoteToStateMachine(itemStateType.instantiate({ browseName: { name: 'MachineryItemState', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryItemState` } as never));
    const mode = promoteToStateMachine(modeType.instantiate({ browseName: { name: 'MachineryOperationMode', namespaceIndex: mi }, nodeId: `s=${machine.id}.MachineryOperationMode` } as never));
    for (const sm of [item, mode]) blocks.addReference({ referenceType: hasAddIn, nodeId: sm });
    let last = '';
    updates.push(() => {
      const code = stateCode(machine.id);
      const state = code === undefined ? 'no-data' : machine.stateCodes[String(code)] ?? 'no-data';
      if (state === last) return;
      last = state;
      item.setState(ITEM_STATE[state]);
      mode.setState(OPERATION_MODE[state]);
    });
  }
  return () => { for (const u of updates) u(); };
}
