import { ModbusRTU, type ModbusClient } from './modbus-serial-client.js';
import type { ModbusDeviceConfig, ModbusRtuDeviceConfig, ModbusTcpDeviceConfig } from '../../shared/plant-schema.js';
import type { TagValue } from '../../shared/live-protocol.js';
import type { BoundTag, Connector, ConnectorContext, ConnectorHealth, TagId } from './connector.js';
import { SampleBatch } from './sample-batch.js';
import { decodeRegisters, type RegisterFormat } from './modbus-codec.js';
import { isolate, planReads, type ReadRequest } from './modbus-read-planner.js';
import { backoffDelay } from './backoff.js';
import { createModbusWriter } from './modbus-writer.js';
import { PolledChangeTimes } from './change-time.js';

/** Modbus exception codes (MODBUS Application Protocol V1.1b3 §7) that condemn one request, not the link. */
const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'server device failure',
  5: 'acknowledge', 6: 'server device busy', 10: 'gateway path unavailable', 11: 'gateway target failed to respond',
};

function exceptionCode(err: unknown): number | undefined {
  const code = (err as { modbusCode?: number }).modbusCode;
  return typeof code === 'number' ? code : undefined;
}

/** modbus-serial never calls back when closing a port that is not open. */
function closeQuietly(client: ModbusClient): Promise<void> {
  if (!client.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const guard = setTimeout(resolve, 1000);
    try {
      client.close(() => { clearTimeout(guard); resolve(); });
    } catch {
      clearTimeout(guard);
      resolve();
    }
  });
}

/** How a Modbus client reaches its device; the rest of the connector is transport-agnostic. */
interface ModbusTransport {
  describe: string;
  open(client: ModbusClient): Promise<void>;
}

export function createModbusTcpConnector(ctx: ConnectorContext<ModbusTcpDeviceConfig>): Connector {
  const { host, port } = ctx.device;
  return createModbusConnector(ctx, { describe: `${host}:${port}`, open: (client) => client.connectTCP(host, { port }) });
}

export function createModbusRtuConnector(ctx: ConnectorContext<ModbusRtuDeviceConfig>): Connector {
  const d = ctx.device;
  return createModbusConnector(ctx, {
    describe: `${d.path} (${d.baudRate} ${d.dataBits}${d.parity[0]!.toUpperCase()}${d.stopBits})`,
    open: (client) => client.connectRTUBuffered(d.path, { baudRate: d.baudRate, parity: d.parity, dataBits: d.dataBits, stopBits: d.stopBits }),
  });
}

function createModbusConnector(ctx: ConnectorContext<ModbusDeviceConfig>, transport: ModbusTransport): Connector {
  const { device, now, log } = ctx;
  const plan: ReadRequest[] = planReads(ctx.tags, { maxGap: device.maxGap });
  let client = new ModbusRTU();
  let onSamples: (batch: SampleBatch) => void = () => {};
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let wasConnected = false;
  const health: ConnectorHealth = {
    deviceId: device.id, protocol: device.protocol, connected: false, lastError: null, latencyMs: null, readsPerSecond: 0, reconnects: 0, readsTotal: 0, errorsTotal: 0,
  };
  const readTimes: number[] = [];
  // One request at a time: a Modbus TCP server may serve only one transaction per connection.
  // A lock the poll takes without a promise when it is free (nearly always), rather than a promise
  // chain: at hundreds of requests a second the chain's promises and microtask hops showed in profiles.
  let locked = false;
  const waiting: (() => void)[] = [];
  const lock = (): Promise<void> | undefined => {
    if (!locked) {
      locked = true;
      return undefined;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const unlock = () => {
    const next = waiting.shift();
    if (next) next(); // handed over: stays locked
    else locked = false;
  };
  const serialise = async <T>(fn: () => Promise<T>): Promise<T> => {
    await lock();
    try {
      return await fn();
    } finally {
      unlock();
    }
  };

  // Modbus has no source timestamps: a changed value is stamped between the two reads (change-time.ts).
  const changeTimes = new PolledChangeTimes(ctx.tags.length);
  const positionOf = new Map(ctx.tags.map((tag, i) => [tag, i]));

  function markAllBad(reason: string) {
    changeTimes.forget();
    const t = now();
    const batch = new SampleBatch(ctx.tags.length);
    for (const tag of ctx.tags) batch.push(tag.id, null, 'bad', t, t, tag.index);
    onSamples(batch);
    health.lastError = reason;
  }

  async function connect(): Promise<void> {
    client = new ModbusRTU();
    await transport.open(client);
    client.setID(device.unitId);
    client.setTimeout(device.timeoutMs);
  }

  /** The library's request for one planned read. */
  function request(req: ReadRequest): Promise<{ data: (number | boolean)[] }> {
    switch (req.table) {
      case 'holding': return client.readHoldingRegisters(req.address, req.length);
      case 'input': return client.readInputRegisters(req.address, req.length);
      case 'coil': return client.readCoils(req.address, req.length);
      case 'discrete': return client.readDiscreteInputs(req.address, req.length);
    }
  }

  /** Tags already reported as failing, so the log names each once rather than every poll. */
  const reportedBadTags = new Set<string>();

  /**
   * What decoding a request's tags needs, resolved once per request rather than per tag and poll,
   * column by column: an object per tag was a cache miss per tag on every poll.
   */
  interface RequestDecoder { ids: TagId[]; indexes: Int32Array; positions: Int32Array; offsets: Int32Array; formats: RegisterFormat[] }
  const decoders = new WeakMap<ReadRequest, RequestDecoder>();
  /** One object per distinct format (most tags share a few), not one per tag. */
  const formats = new Map<string, RegisterFormat>();
  function formatOf(tag: BoundTag): RegisterFormat {
    const src = tag.config.modbus!;
    const format = { type: tag.config.type, wordOrder: src.wordOrder, byteOrder: src.byteOrder, scale: src.scale, offset: src.offset };
    const key = JSON.stringify(format);
    if (!formats.has(key)) formats.set(key, format);
    return formats.get(key)!;
  }
  function decoderOf(req: ReadRequest): RequestDecoder {
    let decoder = decoders.get(req);
    if (!decoder) {
      decoder = {
        ids: req.tags.map(({ tag }) => tag.id),
        indexes: Int32Array.from(req.tags, ({ tag }) => tag.index ?? -1),
        positions: Int32Array.from(req.tags, ({ tag }) => positionOf.get(tag)!),
        offsets: Int32Array.from(req.tags, ({ offset }) => offset),
        formats: req.tags.map(({ tag }) => formatOf(tag)),
      };
      decoders.set(req, decoder);
    }
    return decoder;
  }

  /** `sampledAt`: when the device read its registers, as far as we know (between request and response). */
  function decodeInto(batch: SampleBatch, req: ReadRequest, words: number[], sampledAt: number) {
    const t = now();
    const bits = req.table === 'coil' || req.table === 'discrete';
    const { ids, indexes, positions, offsets, formats } = decoderOf(req);
    for (let j = 0; j < ids.length; j++) {
      const value = bits ? words[offsets[j]!] !== 0 : decodeRegisters(words, formats[j]!, offsets[j]);
      const id = ids[j]!;
      const position = positions[j]!;
      if (typeof value === 'number' && !Number.isFinite(value)) {
        changeTimes.forget(position);
        batch.push(id, null, 'bad', t, t, indexes[j]);
        continue;
      }
      batch.push(id, value, 'good', changeTimes.stamp(position, value, sampledAt), t, indexes[j]);
      if (reportedBadTags.size && reportedBadTags.delete(id)) log('info', `${id}: readable again`);
    }
  }

  /**
   * Reads one request; an exception fails only its tags, a link error propagates. A time-out is
   * often one lost frame (serial noise, a busy PLC): it is asked again before the device is given up.
   */
  async function readInto(batch: SampleBatch, req: ReadRequest): Promise<void> {
    const started = performance.now();
    try {
      const wait = lock();
      if (wait) await wait;
      let data: (number | boolean)[];
      let sentAt: number;
      try {
        for (let attempt = 0; ; attempt++) {
          sentAt = now();
          try {
            ({ data } = await request(req));
            break;
          } catch (err) {
            const timedOut = /timed out/i.test((err as Error).message ?? '');
            if (!timedOut || attempt >= device.retries || !client.isOpen) throw err;
          }
        }
      } finally {
        unlock();
      }
      const words = req.table === 'coil' || req.table === 'discrete' ? data.slice(0, req.length).map(Number) : data as number[];
      health.latencyMs = Math.round((performance.now() - started) * 10) / 10;
      readTimes.push(now());
      health.readsTotal!++;
      decodeInto(batch, req, words, Math.round((sentAt + now()) / 2));
    } catch (err) {
      const code = exceptionCode(err);
      if (code === undefined) throw err; // link-level failure: reconnect
      if (code === 2 && req.tags.length > 1) {
        // One bad address in a merged block: read its tags one by one from now on, so the
        // others keep flowing and the log can name the culprit.
        const singles = isolate(req);
        plan.splice(plan.indexOf(req), 1, ...singles);
        for (const single of singles) await readInto(batch, single);
        return;
      }
      const t = now();
      const reason = `Modbus exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown'}) reading ${req.table} ${req.address}+${req.length}`;
      health.lastError = reason;
      health.errorsTotal!++;
      for (const { tag } of req.tags) {
        changeTimes.forget(positionOf.get(tag)!);
        batch.push(tag.id, null, 'bad', t, t, tag.index);
        if (!reportedBadTags.has(tag.id)) {
          reportedBadTags.add(tag.id);
          log('error', `${tag.id}: ${reason} — check its modbus address/table in the plant file; other tags keep running`);
        }
      }
    }
  }

  /** One batch for every poll: the model copies what it keeps, so it is refilled, not reallocated. */
  const batch = new SampleBatch(ctx.tags.length);
  async function pollOnce(): Promise<void> {
    batch.clear();
    for (const req of [...plan]) await readInto(batch, req);
    const cutoff = now() - 5000;
    while (readTimes.length && readTimes[0]! < cutoff) readTimes.shift();
    health.readsPerSecond = readTimes.length / 5;
    onSamples(batch);
  }

  async function loop(): Promise<void> {
    if (stopped) return;
    try {
      if (!client.isOpen) {
        await connect();
        if (wasConnected) health.reconnects++;
        if (attempt > 0) log('info', `${device.id}: connected to ${transport.describe} after ${attempt} attempt(s)`);
        wasConnected = true;
        attempt = 0;
        health.connected = true;
      }
      const started = performance.now();
      await pollOnce();
      // Poll on a fixed period, not a fixed pause: a slow device must not stretch the rate.
      schedule(Math.max(0, device.pollIntervalMs - (performance.now() - started)));
    } catch (err) {
      const message = `${device.id}: ${(err as Error).message ?? String(err)}`;
      if (health.connected || attempt === 0) log('error', `${message} — tags marked bad, reconnecting`);
      health.connected = false;
      health.errorsTotal!++;
      markAllBad(message);
      void closeQuietly(client);
      schedule(backoffDelay(attempt++));
    }
  }

  function schedule(ms: number) {
    if (!stopped) timer = setTimeout(() => void loop(), ms);
  }

  // Writes (modbus-writer.ts) share the poll's queue and always use the current client.
  const writer = createModbusWriter({ device, tags: ctx.tags, client: () => client, serialise });

  return {
    deviceId: device.id,
    async start(cb) {
      onSamples = cb;
      void loop();
    },
    async write(id: TagId, requested: TagValue) {
      await writer.writeMany([{ tag: id, value: requested }]);
    },
    async writeMany(writes) {
      await writer.writeMany(writes);
    },
    health: () => ({ ...health }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await serialise(async () => {}); // lets a request in flight finish
      await closeQuietly(client);
      health.connected = false;
    },
  };
}
