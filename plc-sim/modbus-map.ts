// The Modbus register map of the simulated PLC(s), built from the plant file: which tag
// (and which of its words) sits at each address of each table of each unit id.
import type { ModbusTcpDeviceConfig, PlantConfig } from '../shared/plant-schema.js';
import { wordCount, type RegisterLayout } from './register-codec.js';
import type { PublishedTag, TagImage } from './tag-image.js';

export type Table = 'coil' | 'discrete' | 'input' | 'holding';

export interface MappedCell { tag: PublishedTag; layout: RegisterLayout; word: number }

export interface UnitMap {
  device: ModbusTcpDeviceConfig;
  tables: Record<Table, Map<number, MappedCell>>;
  /** Addresses below this exist in the PLC's memory (unmapped ones read 0); above it, exception 2. */
  sizes: Record<Table, number>;
}

/** PLC memory is allocated in blocks: mapped addresses plus the rest of their block of 100. */
const BLOCK = 100;

export class ModbusMapError extends Error {
  override name = 'ModbusMapError';
}

export function buildModbusMap(plant: PlantConfig, image: TagImage): Map<number, UnitMap> {
  const units = new Map<number, UnitMap>();
  for (const device of plant.devices) {
    if (device.protocol !== 'modbus-tcp') continue;
    if (units.has(device.unitId)) {
      throw new ModbusMapError(`devices ${units.get(device.unitId)!.device.id} and ${device.id} both use Modbus unit id ${device.unitId}: the simulator serves all Modbus devices on one port, so give each its own unitId`);
    }
    units.set(device.unitId, {
      device,
      tables: { coil: new Map(), discrete: new Map(), input: new Map(), holding: new Map() },
      sizes: { coil: 0, discrete: 0, input: 0, holding: 0 },
    });
  }
  for (const t of image.tags) {
    const src = t.tag.modbus;
    if (!src) continue;
    const device = plant.devices.find((d) => d.id === t.machine.device);
    if (!device || device.protocol !== 'modbus-tcp') continue;
    const unit = units.get(device.unitId)!;
    const layout: RegisterLayout = { type: t.tag.type, wordOrder: src.wordOrder, scale: src.scale, offset: src.offset };
    const n = src.table === 'coil' || src.table === 'discrete' ? 1 : wordCount(t.tag.type);
    for (let w = 0; w < n; w++) {
      const address = src.address + w;
      const clash = unit.tables[src.table].get(address);
      if (clash) throw new ModbusMapError(`${t.key} and ${clash.tag.key} overlap at ${src.table} ${address} of unit ${device.unitId}`);
      unit.tables[src.table].set(address, { tag: t, layout, word: w });
      unit.sizes[src.table] = Math.max(unit.sizes[src.table], Math.min(65536, (Math.floor(address / BLOCK) + 1) * BLOCK));
    }
  }
  return units;
}
