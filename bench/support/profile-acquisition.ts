// One side of the acquisition benchmark alone, for a profiler: `node --cpu-prof --import tsx
// bench/support/profile-acquisition.ts modbus|bare-modbus [seconds]`. Prints µs of CPU per update.
import { spawn } from 'node:child_process';
import { PlantSchema } from '../../shared/plant-schema.js';
import { tagsOfDevice } from '../../edge/connectors/connector.js';
import { createPlantModel } from '../../edge/model/plant-model.js';
import { createModbusTcpConnector } from '../../edge/connectors/modbus-tcp-connector.js';
import { ModbusRTU } from '../../edge/connectors/modbus-serial-client.js';
import { freePort } from '../../test/support/free-port.js';
import { measure } from './measure.js';

const side = process.argv[2] ?? 'modbus';
const seconds = Number(process.argv[3] ?? 10);
const TAGS = 1000;
const POLL_MS = 50;
const port = await freePort();
const server = spawn(process.execPath, ['--import', 'tsx', 'bench/support/modbus-load-server.ts', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => server.stdout!.on('data', (c: Buffer) => c.toString().includes('READY') && resolve()));

let updates = 0;
let stop: () => Promise<void>;
if (side === 'bare-modbus') {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  const latest = new Array<number>(TAGS);
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      for (let address = 0; address < TAGS; address += 125) {
        const { data } = await client.readHoldingRegisters(address, 125);
        for (let i = 0; i < 125; i++) latest[address + i] = data[i]!;
        updates += 125;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (performance.now() - started))));
    }
  })();
  stop = async () => { stopped = true; await loop; client.close(() => {}); };
} else {
  const plant = PlantSchema.parse({
    site: { id: 'p', name: 'p', timezone: 'Asia/Shanghai' }, line: { id: 'p', name: 'p' },
    calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
    devices: [{ id: 'load', protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, pollIntervalMs: POLL_MS }],
    machines: [{
      id: 'load', name: 'load', type: 'cnc', device: 'load', idealCycleTimeSeconds: 1, layout: { x: 0, z: 0 },
      tags: Array.from({ length: TAGS }, (_, i) => ({ name: `t${i}`, type: 'uint16', modbus: { table: 'holding', address: i } })),
    }],
  });
  const model = createPlantModel(plant, Date.now());
  const connector = createModbusTcpConnector({ device: plant.devices[0] as never, tags: tagsOfDevice(plant, 'load'), now: Date.now, dataDir: '.', log: () => {} });
  await connector.start((batch) => {
    for (const e of model.apply(batch)) if (e.kind === 'tag') updates++;
  });
  stop = () => connector.stop();
}
await new Promise((r) => setTimeout(r, 3000));
const w = await measure(() => updates, seconds);
console.log(`${side}: ${Math.round(w.perSecond)} updates/s, ${w.cpuMicrosPerUpdate.toFixed(2)} µs/update`);
await stop();
server.kill('SIGTERM');
process.exit(0);
