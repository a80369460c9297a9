// Acquisition benchmark (issue 4): tag updates/s from a device into the edge's live model,
// over OPC UA subscriptions and Modbus polling, beside the bare library doing the same work.
// The ratio of CPU per update is the figure: it is what twinline costs on top of the library.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AttributeIds, ClientMonitoredItemGroup, ClientSubscription, OPCUAClient, TimestampsToReturn, type DataValue,
} from 'node-opcua';
import { PlantSchema, type PlantInput } from '../shared/plant-schema.js';
import { createOpcUaConnector } from '../edge/connectors/opcua-connector.js';
import { tagsOfDevice } from '../edge/connectors/connector.js';
import { createPlantModel } from '../edge/model/plant-model.js';
import { planReads } from '../edge/connectors/modbus-read-planner.js';
import { loadPlantFile } from '../edge/config/load-plant.js';
import { fmt, measure, type Window } from './support/measure.js';
import { freePort } from '../test/support/free-port.js';

export interface AcquisitionOptions {
  tags: number; samplingMs: number; seconds: number; warmupSeconds: number; rounds: number;
  /** `npm run bench -- acquisition --modbus` (or `--opcua`) runs one protocol only. */
  protocols: readonly ('opcua' | 'modbus')[];
}
const DEFAULTS: AcquisitionOptions = { tags: 4000, samplingMs: 100, seconds: 6, warmupSeconds: 3, rounds: 3, protocols: ['opcua', 'modbus'] };


async function startLoadServer(count: number, dir: string): Promise<{ endpoint: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = await spawnReady('bench/support/opcua-load-server.ts', [String(port), String(count), join(dir, 'pki')]);
  return { endpoint: `opc.tcp://127.0.0.1:${port}`, proc };
}

async function spawnReady(script: string, args: string[]): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('READY')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return proc;
}

function loadPlant(count: number, device: PlantInput['devices'][number]) {
  const opcua = device.protocol === 'opcua';
  const doc: PlantInput = {
    site: { id: 'bench', name: 'bench', timezone: 'Asia/Shanghai' },
    line: { id: 'bench', name: 'bench line' },
    calendar: { shifts: [{ name: 'all day', start: '00:00', end: '00:00' }] },
    devices: [device],
    machines: [{
      id: 'load', name: 'load', type: 'cnc', device: device.id, idealCycleTimeSeconds: 1, layout: { x: 0, z: 0 },
      tags: Array.from({ length: count }, (_, i) => (opcua
        ? { name: `t${i}`, type: 'float64' as const, opcua: { nodeId: `ns=1;s=load.t${i}` } }
        : { name: `t${i}`, type: 'uint16' as const, modbus: { table: 'holding' as const, address: i } })),
    }],
  };
  return PlantSchema.parse(doc);
}

async function bareOpcUa(endpoint: string, o: AcquisitionOptions): Promise<Window> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 3, initialDelay: 200, maxDelay: 1000 } });
  await client.connect(endpoint);
  const session = await client.createSession();
  const subscription = ClientSubscription.create(session, {
    requestedPublishingInterval: o.samplingMs, requestedLifetimeCount: 120, requestedMaxKeepAliveCount: 10,
    maxNotificationsPerPublish: 0, publishingEnabled: true, priority: 10,
  });
  const items = Array.from({ length: o.tags }, (_, i) => ({ nodeId: `ns=1;s=load.t${i}`, attributeId: AttributeIds.Value }));
  const group = ClientMonitoredItemGroup.create(subscription, items, { samplingInterval: o.samplingMs, discardOldest: true, queueSize: 10 }, TimestampsToReturn.Both);
  let updates = 0;
  const latest = new Map<number, unknown>();
  // the same minimal work an application needs: keep the latest value per item
  group.on('changed', (_item, dv: DataValue, index: number) => { latest.set(index, dv.value.value); updates++; });
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  const w = await measure(() => updates, o.seconds);
  await subscription.terminate();
  await session.close();
  await client.disconnect();
  return w;
}

async function twinlineOpcUa(endpoint: string, dir: string, o: AcquisitionOptions): Promise<Window> {
  const plant = loadPlant(o.tags, { id: 'load', protocol: 'opcua', endpointUrl: endpoint, samplingIntervalMs: o.samplingMs, publishingIntervalMs: o.samplingMs });
  const model = createPlantModel(plant, Date.now());
  const connector = createOpcUaConnector({ device: plant.devices[0] as never, tags: tagsOfDevice(plant, 'load'), now: Date.now, dataDir: dir, log: () => {} });
  let updates = 0;
  await connector.start((batch) => {
    for (const e of model.apply(batch)) if (e.kind === 'tag') updates++;
  });
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  const w = await measure(() => updates, o.seconds);
  await connector.stop();
  return w;
}

const MODBUS_TAGS = 1000;
const MODBUS_POLL_MS = 50;

/** The bare library: the same planned reads on the same schedule, decoded inline. */
async function bareModbus(port: number, o: AcquisitionOptions): Promise<Window> {
  const { ModbusRTU } = await import('../edge/connectors/modbus-serial-client.js');
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  const latest = new Array<number>(MODBUS_TAGS);
  let updates = 0;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const started = performance.now();
      for (let address = 0; address < MODBUS_TAGS; address += 125) {
        const length = Math.min(125, MODBUS_TAGS - address);
        const { data } = await client.readHoldingRegisters(address, length);
        for (let i = 0; i < length; i++) latest[address + i] = data[i]!;
        updates += length;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, MODBUS_POLL_MS - (performance.now() - started))));
    }
  };
  const running = loop();
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  const w = await measure(() => updates, o.seconds);
  stopped = true;
  await running;
  await new Promise<void>((r) => client.close(() => r()));
  return w;
}

async function twinlineModbus(port: number, o: AcquisitionOptions): Promise<Window> {
  const { createModbusTcpConnector } = await import('../edge/connectors/modbus-tcp-connector.js');
  const plant = loadPlant(MODBUS_TAGS, { id: 'load', protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, pollIntervalMs: MODBUS_POLL_MS });
  const model = createPlantModel(plant, Date.now());
  const connector = createModbusTcpConnector({ device: plant.devices[0] as never, tags: tagsOfDevice(plant, 'load'), now: Date.now, dataDir: '.', log: () => {} });
  let updates = 0;
  await connector.start((batch) => {
    for (const e of model.apply(batch)) if (e.kind === 'tag') updates++;
  });
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  const w = await measure(() => updates, o.seconds);
  await connector.stop();
  return w;
}

/**
 * One unmeasured warm-up of each side (JIT, and the edge's first-run OPC UA certificate, which a
 * running edge already has), then rounds in alternating order — A B, B A, A B — so load that comes
 * and goes on a shared machine falls on both sides alike. Each round gives one CPU-per-update ratio;
 * the median of those is the figure, the pooled windows give the rates.
 */
async function interleaved(a: (seconds: number) => Promise<Window>, b: (seconds: number) => Promise<Window>, o: AcquisitionOptions): Promise<Comparison> {
  await a(o.warmupSeconds);
  await b(o.warmupSeconds);
  const as: Window[] = [];
  const bs: Window[] = [];
  for (let i = 0; i < o.rounds; i++) {
    if (i % 2 === 0) {
      as.push(await a(o.seconds));
      bs.push(await b(o.seconds));
    } else {
      bs.push(await b(o.seconds));
      as.push(await a(o.seconds));
    }
  }
  const pool = (ws: Window[]): Window => {
    const seconds = ws.reduce((s, w) => s + w.seconds, 0);
    const count = ws.reduce((s, w) => s + w.count, 0);
    const cpuMicros = ws.reduce((s, w) => s + w.cpuMicrosPerUpdate * w.count, 0);
    return { seconds, count, perSecond: count / seconds, cpuPercent: (cpuMicros / 1e6 / seconds) * 100, cpuMicrosPerUpdate: cpuMicros / count };
  };
  const overheads = as.map((bare, i) => bs[i]!.cpuMicrosPerUpdate / bare.cpuMicrosPerUpdate - 1).sort((x, y) => x - y);
  return { bare: pool(as), ours: pool(bs), overheads };
}

interface Comparison { bare: Window; ours: Window; overheads: number[] }

function comparison(title: string, { bare, ours, overheads }: Comparison, target: string): string[] {
  const median = overheads[Math.floor(overheads.length / 2)]!;
  return [
    title,
    `    bare library          : ${fmt(bare.perSecond)} updates/s, CPU ${fmt(bare.cpuPercent, 1)} %, ${fmt(bare.cpuMicrosPerUpdate, 2)} µs/update`,
    `    twinline → live model : ${fmt(ours.perSecond)} updates/s, CPU ${fmt(ours.cpuPercent, 1)} %, ${fmt(ours.cpuMicrosPerUpdate, 2)} µs/update`,
    `    twinline overhead: ${fmt(median * 100, 1)} % CPU per update, median of ${overheads.length} alternating rounds (${target}); rounds ${overheads.map((x) => `${fmt(x * 100, 0)} %`).join(', ')}; rate ${fmt((ours.perSecond / bare.perSecond) * 100, 1)} % of bare`,
  ];
}

function modbusPlanFigures() {
  const plant = loadPlantFile('config/demo-plant.yaml');
  const lines: string[] = [];
  for (const device of plant.devices) {
    if (device.protocol !== 'modbus-tcp') continue;
    const tags = tagsOfDevice(plant, device.id);
    const planned = planReads(tags, { maxGap: device.maxGap }).length;
    lines.push(`  Modbus ${device.id}: ${tags.length} tags → ${planned} requests per poll (minimum the register map allows: ${minimumRequests(tags)})`);
  }
  return lines;
}

/** Fewest windows (125 registers / 2000 bits) covering every tag, per table: computed independently of the planner. */
function minimumRequests(tags: ReturnType<typeof tagsOfDevice>): number {
  const byTable = new Map<string, [number, number][]>();
  for (const t of tags) {
    const m = t.config.modbus!;
    const len = m.table === 'coil' || m.table === 'discrete' ? 1 : ({ float64: 4, int32: 2, uint32: 2, float32: 2 } as Record<string, number>)[t.config.type] ?? 1;
    byTable.set(m.table, [...(byTable.get(m.table) ?? []), [m.address, m.address + len]]);
  }
  let total = 0;
  for (const [table, spans] of byTable) {
    const limit = table === 'coil' || table === 'discrete' ? 2000 : 125;
    spans.sort((a, b) => a[0] - b[0]);
    // best[i] = fewest windows covering spans[0..i): a window starting at span j covers j..k while end - start <= limit
    const best = new Array<number>(spans.length + 1).fill(Infinity);
    best[0] = 0;
    for (let j = 0; j < spans.length; j++) {
      let end = 0;
      for (let k = j; k < spans.length; k++) {
        end = Math.max(end, spans[k]![1]);
        if (end - spans[j]![0] > limit) break;
        best[k + 1] = Math.min(best[k + 1]!, best[j]! + 1);
      }
    }
    total += best[spans.length]!;
  }
  return total;
}

export function protocolsFromArgs(argv: readonly string[]): Partial<AcquisitionOptions> {
  const asked = (['opcua', 'modbus'] as const).filter((p) => argv.includes(`--${p}`));
  return asked.length ? { protocols: asked } : {};
}

export async function runAcquisitionBench(options: Partial<AcquisitionOptions> = {}): Promise<string[]> {
  const o = { ...DEFAULTS, ...options };
  const dir = mkdtempSync(join(tmpdir(), 'twinline-bench-acq-'));
  const lines: string[] = [];
  if (o.protocols.includes('opcua')) await opcuaPart(o, dir, lines);
  if (o.protocols.includes('modbus')) await modbusPart(o, lines);
  rmSync(dir, { recursive: true, force: true });
  lines.push(...modbusPlanFigures());
  return lines;
}

async function opcuaPart(o: AcquisitionOptions, dir: string, lines: string[]) {
  const opcua = await startLoadServer(o.tags, dir);
  try {
    const result = await interleaved((seconds) => bareOpcUa(opcua.endpoint, { ...o, seconds }), (seconds) => twinlineOpcUa(opcua.endpoint, dir, { ...o, seconds }), o);
    lines.push(...comparison(
      `  OPC UA subscriptions: ${o.tags} tags sampled every ${o.samplingMs} ms (offered ${fmt(o.tags * 1000 / o.samplingMs)} updates/s; target ≥ 20,000 delivered), ${o.seconds} s windows`,
      result, 'target ≤ 25 %'));
  } finally {
    opcua.proc.kill('SIGTERM');
  }
}

async function modbusPart(o: AcquisitionOptions, lines: string[]) {
  const modbusPort = await freePort();
  const modbus = await spawnReady('bench/support/modbus-load-server.ts', [String(modbusPort)]);
  try {
    const result = await interleaved((seconds) => bareModbus(modbusPort, { ...o, seconds }), (seconds) => twinlineModbus(modbusPort, { ...o, seconds }), o);
    lines.push(...comparison(
      `  Modbus TCP polling: ${MODBUS_TAGS} holding registers every ${MODBUS_POLL_MS} ms (${Math.ceil(MODBUS_TAGS / 125)} requests per poll), ${o.seconds} s windows`,
      result, 'target ≤ 25 %'));
  } finally {
    modbus.kill('SIGTERM');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const lines = await runAcquisitionBench(protocolsFromArgs(process.argv));
  console.log(['acquisition', ...lines].join('\n'));
  process.exit(0);
}
