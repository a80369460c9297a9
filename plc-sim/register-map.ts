// The documented register map and OPC UA node list, generated from the plant file so the
// README cannot drift from what the simulator serves (a test compares them).
import type { PlantConfig, TagConfig, TagRole } from '../shared/plant-schema.js';
import { wordCount } from './register-codec.js';

export interface RegisterRow {
  unitId: number;
  table: 'coil' | 'discrete' | 'input' | 'holding';
  address: number;
  /** Classic 1-based reference (40001 = holding address 0), what mbpoll's -r counts from. */
  reference: number;
  machineId: string;
  tag: string;
  key: string;
  type: TagConfig['type'];
  words: number;
  wordOrder: 'high-first' | 'low-first' | null;
  scale: number;
  offset: number;
  unit: string;
  writable: boolean;
  meaning: string;
}

const REF_BASE = { coil: 1, discrete: 10_001, input: 30_001, holding: 40_001 } as const;

export function roleMeaning(tag: TagConfig): string {
  const meanings: Record<TagRole, string> = {
    state: 'machine state: 1 running, 2 idle (starved/blocked), 3 down, 4 setup, 5 planned stop',
    faultCode: 'active fault code, 0 = none',
    totalCount: 'parts made since the last operator reset (wraps at the register size)',
    goodCount: 'good parts since the last operator reset (wraps at the register size)',
    scrapCount: 'rejected parts since the last operator reset (wraps at the register size)',
    orderId: 'number of the work order the machine is working on (its changeover included)',
    productId: 'product code of that order (1 = the scenario\'s first product, …)',
    power: 'active power draw',
    energy: tag.type.startsWith('float') ? 'energy meter total (monotonic; wraps only at the scenario\'s energyWrapKWh)' : 'energy meter total (wraps at the register size)',
    speedOverride: `speed override${tag.min !== undefined ? `, ${tag.min}–${tag.max}` : ''}`,
    resetFault: 'write 1 to clear the active fault; reads 0',
    process: tag.description ?? tag.name,
  };
  return meanings[tag.role];
}

export function registerRows(plant: PlantConfig): RegisterRow[] {
  const rows: RegisterRow[] = [];
  for (const machine of plant.machines) {
    const device = plant.devices.find((d) => d.id === machine.device);
    if (!device || device.protocol !== 'modbus-tcp') continue;
    for (const tag of machine.tags) {
      const src = tag.modbus;
      if (!src) continue;
      const bits = src.table === 'coil' || src.table === 'discrete';
      const words = bits ? 1 : wordCount(tag.type);
      rows.push({
        unitId: device.unitId, table: src.table, address: src.address, reference: REF_BASE[src.table] + src.address,
        machineId: machine.id, tag: tag.name, key: `${machine.id}.${tag.name}`, type: tag.type, words,
        wordOrder: words > 1 ? src.wordOrder : null, scale: src.scale, offset: src.offset, unit: tag.unit ?? '',
        writable: tag.writable, meaning: roleMeaning(tag),
      });
    }
  }
  return rows.sort((a, b) => a.unitId - b.unitId || a.table.localeCompare(b.table) || a.address - b.address);
}

export function renderRegisterMap(plant: PlantConfig): string {
  const lines = [
    '| Unit | Table | Address | Ref. | Machine.tag | Type | Word order | Scale | Unit | Access | Meaning |',
    '|---:|---|---:|---:|---|---|---|---:|---|---|---|',
  ];
  for (const r of registerRows(plant)) {
    const address = r.words > 1 ? `${r.address}–${r.address + r.words - 1}` : `${r.address}`;
    lines.push(`| ${r.unitId} | ${r.table} | ${address} | ${r.reference} | ${r.key} | ${r.type} | ${r.wordOrder ?? '—'} | ${r.scale} | ${r.unit || '—'} | ${r.writable ? 'R/W' : 'R'} | ${r.meaning} |`);
  }
  return lines.join('\n');
}

export function renderOpcUaNodes(plant: PlantConfig): string {
  const lines = ['| Node id | Machine.tag | Data type | Unit | Access | Meaning |', '|---|---|---|---|---|---|'];
  const uaType: Record<TagConfig['type'], string> = {
    bool: 'Boolean', int16: 'Int16', uint16: 'UInt16', int32: 'Int32', uint32: 'UInt32', float32: 'Float', float64: 'Double', string: 'String',
  };
  for (const machine of plant.machines) {
    for (const tag of machine.tags) {
      if (!tag.opcua) continue;
      lines.push(`| \`${tag.opcua.nodeId}\` | ${machine.id}.${tag.name} | ${uaType[tag.type]} | ${tag.unit ?? '—'} | ${tag.writable ? 'R/W' : 'R'} | ${roleMeaning(tag)} |`);
    }
  }
  return lines.join('\n');
}
