// The benches' edges (uplink-edges.ts, plant-edges.ts) run in child processes that start their IPC
// handlers on import, so the line they publish lives here, apart from both.
import { PlantSchema, type PlantConfig } from '../../shared/plant-schema.js';

/** A line of M machines × T float tags and a state tag, on an OPC UA device nobody connects to. */
export function syntheticPlant(lineId: string, machines: number, tagsPerMachine: number): PlantConfig {
  return PlantSchema.parse({
    site: { id: 'bench', name: 'Bench plant', timezone: 'UTC' },
    line: { id: lineId, name: `Bench ${lineId}` },
    calendar: { shifts: [{ name: 'Day', start: '00:00', end: '00:00' }] },
    devices: [{ id: 'plc', protocol: 'opcua', endpointUrl: 'opc.tcp://127.0.0.1:1' }],
    machines: Array.from({ length: machines }, (_, m) => ({
      id: `m${String(m + 1).padStart(2, '0')}`, name: `Machine ${m + 1}`, type: 'cnc', device: 'plc', idealCycleTimeSeconds: 10,
      layout: { x: m * 6, z: 0 },
      tags: [
        { name: 'state', role: 'state', type: 'uint16', opcua: { nodeId: `ns=1;s=m${m}.state` } },
        ...Array.from({ length: tagsPerMachine }, (_, t) => ({ name: `t${t}`, type: 'float64', opcua: { nodeId: `ns=1;s=m${m}.t${t}` } })),
      ],
    })),
  });
}
