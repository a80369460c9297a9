// One side of the acquisition benchmark in its own process, so its CPU is its own:
//   node --import tsx bench/support/acquisition-side.ts <side> <json options>
// side: bare-opcua | twinline-opcua | bare-modbus | twinline-modbus. Connects, prints READY, reads
// the start time (epoch ms, the same for both sides) from stdin, keeps running until then (warm-up),
// then measures `rounds` back-to-back windows and prints one JSON line per window. Both sides of a comparison run at the same time, so load that comes
// and goes on a shared machine falls on both alike.
import type { DataValue } from 'node-opcua';
import type { PlantInput } from '../../shared/plant-schema.js';
import type { Connector, ConnectorContext } from '../../edge/connectors/connector.js';
import { measure } from './measure.js';

export interface SideOptions {
  /** opc.tcp://… or the Modbus TCP port. */
  endpoint: string;
  tags: number;
  /** OPC UA sampling/publishing interval, Modbus poll period. */
  periodMs: number;
  dataDir: string;
  seconds: number;
  rounds: number;
}

interface Running { updates(): number; stop(): Promise<void> }

// Each side loads only the modules it uses: a process's heap, and so its collector's work, is part of its cost.
async function loadPlant(o: SideOptions, device: NonNullable<PlantInput['devices']>[number]) {
  const { PlantSchema } = await import('../../shared/plant-schema.js');
  const opcua = device.protocol === 'opcua';
  return PlantSchema.parse({
    site: { id: 'bench', name: 'bench', timezone: 'Asia/Shanghai' },
    line: { id: 'bench', name: 'bench line' },
    calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
    devices: [device],
    machines: [{
      id: 'load', name: 'load', type: 'cnc', device: device.id, idealCycleTimeSeconds: 1, layout: { x: 0, z: 0 },
      tags: Array.from({ length: o.tags }, (_, i) => (opcua
        ? { name: `t${i}`, type: 'float64' as const, opcua: { nodeId: `ns=1;s=load.t${i}` } }
        : { name: `t${i}`, type: 'uint16' as const, modbus: { table: 'holding' as const, address: i } })),
    }],
  } satisfies PlantInput);
}

async function bareOpcUa(o: SideOptions): Promise<Running> {
  const { AttributeIds, ClientMonitoredItemGroup, ClientSubscription, OPCUAClient, TimestampsToReturn } = await import('node-opcua');
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 3, initialDelay: 200, maxDelay: 1000 } });
  await client.connect(o.endpoint);
  const session = await client.createSession();
  const subscription = ClientSubscription.create(session, {
    requestedPublishingInterval: o.periodMs, requestedLifetimeCount: 120, requestedMaxKeepAliveCount: 10,
    maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 10,
  });
  const items = Array.from({ length: o.tags }, (_, i) => ({ nodeId: `ns=1;s=load.t${i}`, attributeId: AttributeIds.Value }));
  const group = ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: o.periodMs, discardOldest: true, queueSize: 10 }, TimestampsToReturn.Both);
  let updates = 0;
  const latest = new Map<number, unknown>();
  // the least an application does: keep the latest value per item
  group.on('changed', (_item, dv: DataValue, index: number) => { latest.set(index, dv.value.value); updates++; });
  return {
    updates: () => updates,
    async stop() {
      await subscription.terminate();
      await session.close();
      await client.disconnect();
    },
  };
}

/** twinline's side: the device's connector feeding the live model, as the edge wires them. */
async function intoModel(o: SideOptions, device: NonNullable<PlantInput['devices']>[number], create: (ctx: ConnectorContext<never>) => Connector): Promise<Running> {
  const { tagsOfDevice } = await import('../../edge/connectors/connector.js');
  const { createPlantModel } = await import('../../edge/model/plant-model.js');
  const plant = await loadPlant(o, device);
  const model = createPlantModel(plant, Date.now());
  const connector = create({ device: plant.devices[0] as never, tags: tagsOfDevice(plant, 'load'), now: Date.now, dataDir: o.dataDir, log: () => {} });
  let updates = 0;
  await connector.start((batch) => {
    for (const e of model.apply(batch)) if (e.kind === 'tags') updates += e.changes.length;
  });
  return { updates: () => updates, stop: () => connector.stop() };
}

async function twinlineOpcUa(o: SideOptions): Promise<Running> {
  const { createOpcUaConnector } = await import('../../edge/connectors/opcua-connector.js');
  return intoModel(o, { id: 'load', protocol: 'opcua', endpointUrl: o.endpoint, samplingIntervalMs: o.periodMs, publishingIntervalMs: o.periodMs }, createOpcUaConnector);
}

/** The bare library: the same planned reads (125 registers each) on the same schedule, the words kept raw. */
async function bareModbus(o: SideOptions): Promise<Running> {
  const { ModbusRTU } = await import('../../edge/connectors/modbus-serial-client.js');
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: Number(o.endpoint) });
  client.setID(1);
  // Configured as the connector configures it: a poller without a request time-out hangs on the
  // first lost frame, so that is part of the same work (modbus-serial arms a timer per request).
  client.setTimeout(1000);
  const latest = new Array<number>(o.tags);
  let updates = 0;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const started = performance.now();
      for (let address = 0; address < o.tags; address += 125) {
        const length = Math.min(125, o.tags - address);
        const { data } = await client.readHoldingRegisters(address, length);
        for (let i = 0; i < length; i++) latest[address + i] = data[i]!;
        updates += length;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, o.periodMs - (performance.now() - started))));
    }
  };
  const running = loop();
  return {
    updates: () => updates,
    async stop() {
      stopped = true;
      await running;
      await new Promise<void>((r) => client.close(() => r()));
    },
  };
}

async function twinlineModbus(o: SideOptions): Promise<Running> {
  const { createModbusTcpConnector } = await import('../../edge/connectors/modbus-tcp-connector.js');
  return intoModel(o, { id: 'load', protocol: 'modbus-tcp', host: '127.0.0.1', port: Number(o.endpoint), unitId: 1, pollIntervalMs: o.periodMs }, createModbusTcpConnector);
}

const SIDES: Record<string, (o: SideOptions) => Promise<Running>> = {
  'bare-opcua': bareOpcUa, 'twinline-opcua': twinlineOpcUa, 'bare-modbus': bareModbus, 'twinline-modbus': twinlineModbus,
};

const [side, json] = process.argv.slice(2);
const start = SIDES[side ?? ''];
if (!start || !json) {
  console.error(`usage: acquisition-side.ts <${Object.keys(SIDES).join('|')}> <json options>`);
  process.exit(2);
}
const o = JSON.parse(json) as SideOptions;
const running = await start(o);
// Ready once values flow: the edge's first OPC UA run creates its certificate, which must not fall in a window.
while (running.updates() === 0) await new Promise((r) => setTimeout(r, 100));
process.stdout.write('READY\n');
const startAt = await new Promise<number>((resolve) => process.stdin.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
for (let i = 0; i < o.rounds; i++) {
  const w = await measure(running.updates, o.seconds);
  process.stdout.write(`${JSON.stringify({ side, round: i, ...w })}\n`);
}
await running.stop();
process.exit(0);
