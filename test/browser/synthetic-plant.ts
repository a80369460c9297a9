// A large synthetic plant (n machines in lines of 10) for performance checks of the twin.
// The rows snake (every other row runs right to left, machines turned round), as a long line
// folded onto a shop floor does: each row end feeds the next row's start over a short conveyor
// rather than a 55 m belt across the floor.
import type { PlantView } from '../../shared/live-protocol.js';

export function syntheticPlant(n: number): PlantView {
  const flow = ['robot', 'cnc', 'cnc', 'washer', 'inspection', 'robot', 'cnc', 'washer', 'inspection', 'packing'] as const;
  const tags = [
    { name: 'state', role: 'state', type: 'uint16', writable: false },
    { name: 'totalCount', role: 'totalCount', type: 'uint32', writable: false },
    { name: 'goodCount', role: 'goodCount', type: 'uint32', writable: false },
    { name: 'power', role: 'power', type: 'float32', unit: 'kW', writable: false },
    { name: 'temperature', role: 'process', type: 'float32', unit: '°C', writable: false },
  ] as const;
  return {
    site: { id: 'synthetic', name: 'Synthetic plant', timezone: 'Asia/Shanghai' },
    line: { id: 'synthetic', name: `Synthetic plant (${n} machines)` },
    machines: Array.from({ length: n }, (_, i) => {
      const row = Math.floor(i / 10);
      const col = i % 10;
      const reversed = row % 2 === 1;
      return {
        id: `m${String(i).padStart(3, '0')}`,
        name: `Machine ${i + 1}`,
        type: flow[col]!,
        device: `plc-${row}`,
        idealCycleTimeSeconds: 6 + (i % 5),
        layout: { x: (reversed ? 9 - col : col) * 6, z: row * 7, rotationDeg: reversed ? 180 : 0 },
        tags: tags.map((t) => ({ ...t })),
      };
    }),
  };
}
