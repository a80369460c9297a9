// A one-machine plant for KPI tests: the classic Vorne/oee.com shift (8 h, two 15-min
// breaks and a 30-min meal) in the time zone and calendar a test asks for.
import { PlantSchema, type PlantConfig, type PlantInput } from '../../shared/plant-schema.js';

export function kpiTestPlant(options: {
  timezone?: string;
  shifts?: NonNullable<PlantInput['calendar']>['shifts'];
  workingDays?: number[];
  idealCycleTimeSeconds?: number;
  co2eKgPerKWh?: number;
} = {}): PlantConfig {
  return PlantSchema.parse({
    site: { id: 'test-site', name: 'Test site', timezone: options.timezone ?? 'Asia/Shanghai' },
    line: { id: 'line-1', name: 'Line 1' },
    calendar: {
      shifts: options.shifts ?? [
        {
          name: 'Day',
          start: '08:00',
          end: '16:00',
          breaks: [
            { start: '10:00', end: '10:15', reason: 'break' },
            { start: '12:00', end: '12:30', reason: 'meal' },
            { start: '14:00', end: '14:15', reason: 'break' },
          ],
        },
      ],
      ...(options.workingDays ? { workingDays: options.workingDays } : {}),
    },
    energy: { co2eKgPerKWh: options.co2eKgPerKWh ?? 0.5 },
    devices: [{ id: 'plc', protocol: 'opcua', endpointUrl: 'opc.tcp://localhost:4840' }],
    machines: [
      {
        id: 'mill',
        name: 'Mill',
        type: 'cnc',
        device: 'plc',
        idealCycleTimeSeconds: options.idealCycleTimeSeconds ?? 1,
        layout: { x: 0, z: 0 },
        tags: [{ name: 'State', role: 'state', type: 'uint16', opcua: { nodeId: 'ns=1;s=mill.State' } }],
      },
      {
        id: 'washer',
        name: 'Washer',
        type: 'washer',
        device: 'plc',
        idealCycleTimeSeconds: 0.5,
        layout: { x: 4, z: 0 },
        tags: [{ name: 'State', role: 'state', type: 'uint16', opcua: { nodeId: 'ns=1;s=washer.State' } }],
      },
    ],
  });
}

/** A clock the test moves by hand. */
export function manualClock(start: number): { now: () => number; set: (ts: number) => void } {
  let t = start;
  return { now: () => t, set: (ts) => { t = ts; } };
}
