import { join } from 'node:path';
import {
  AttributeIds, ClientMonitoredItemGroup, ClientSubscription, DataType, MessageSecurityMode, OPCUACertificateManager,
  OPCUAClient, SecurityPolicy, TimestampsToReturn, type ClientSession, type DataValue, type StatusCode,
} from 'node-opcua';
import type { DataType as TagDataType, OpcUaDeviceConfig } from '../../shared/plant-schema.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { Connector, ConnectorContext, ConnectorHealth, TagId, TagSample } from './connector.js';
import { checkWrite } from './write-check.js';

/** OPC UA Part 4 §7.34: the two high bits of a StatusCode give its severity. */
export function qualityOf(status: StatusCode): Quality {
  if (status.isGood()) return 'good';
  if (status.isBad()) return 'bad';
  return 'uncertain';
}

const OPCUA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean, int16: DataType.Int16, uint16: DataType.UInt16, int32: DataType.Int32, uint32: DataType.UInt32,
  float32: DataType.Float, float64: DataType.Double, string: DataType.String,
};

function toTagValue(dataValue: DataValue): TagValue {
  const v: unknown = dataValue.value?.value;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number') return v[0] * 0x100000000 + (v[1] as number); // (U)Int64 as [high, low]
  return String(v);
}

const KEEPALIVE_READ_MS = 5000;

export function createOpcUaConnector(ctx: ConnectorContext<OpcUaDeviceConfig>): Connector {
  const { device, now, log } = ctx;
  const byId = new Map(ctx.tags.map((t) => [t.id, t]));
  const health: ConnectorHealth = {
    deviceId: device.id, protocol: device.protocol, connected: false, lastError: null, latencyMs: null, readsPerSecond: 0, reconnects: 0,
  };
  const certificateManager = new OPCUACertificateManager({
    rootFolder: join(ctx.dataDir, 'pki', 'edge'),
    automaticallyAcceptUnknownCertificate: false,
  });
  const client = OPCUAClient.create({
    applicationName: 'twinline-edge',
    endpointMustExist: false,
    keepSessionAlive: true,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    clientCertificateManager: certificateManager,
    requestedSessionTimeout: 60_000,
    connectionStrategy: { initialDelay: 250, maxDelay: 5000, maxRetry: -1, randomisationFactor: 0.2 },
  });
  let session: ClientSession | undefined;
  let subscription: ClientSubscription | undefined;
  let onSamples: (batch: TagSample[]) => void = () => {};
  let pending: TagSample[] = [];
  let flushQueued = false;
  let keepAlive: NodeJS.Timeout | undefined;
  let stopped = false;
  const changeTimes: number[] = [];

  const emit = (sample: TagSample) => {
    pending.push(sample);
    if (!flushQueued) {
      flushQueued = true;
      // One publish response carries many changes: hand them on as one batch.
      setImmediate(() => {
        flushQueued = false;
        const batch = pending;
        pending = [];
        if (batch.length) onSamples(batch);
      });
    }
  };

  function markAllBad(reason: string) {
    const t = now();
    health.lastError = reason;
    for (const tag of ctx.tags) emit({ tag: tag.id, value: null, quality: 'bad', ts: t, receivedTs: t });
  }

  client.on('connection_lost', () => {
    health.connected = false;
    log('error', `${device.id}: connection to ${device.endpointUrl} lost — tags marked bad, reconnecting`);
    markAllBad('connection lost');
  });
  client.on('backoff', (attempt: number, delayMs: number) => {
    health.lastError = `cannot reach ${device.endpointUrl} (attempt ${attempt + 1}, next in ${delayMs} ms)`;
    if (attempt === 0) log('error', `${device.id}: ${health.lastError} — is the server running? retrying`);
  });
  client.on('connection_reestablished', () => {
    health.connected = true;
    health.reconnects++;
    log('info', `${device.id}: connection to ${device.endpointUrl} re-established`);
  });

  async function subscribe(s: ClientSession) {
    subscription = ClientSubscription.create(s, {
      requestedPublishingInterval: device.publishingIntervalMs,
      requestedLifetimeCount: 120,
      requestedMaxKeepAliveCount: 10,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    const items = ctx.tags.map((t) => ({ nodeId: t.config.opcua!.nodeId, attributeId: AttributeIds.Value }));
    const group = ClientMonitoredItemGroup.create(
      subscription, items,
      { samplingInterval: device.samplingIntervalMs, discardOldest: true, queueSize: 10 },
      TimestampsToReturn.Both,
    );
    group.on('initialized', () => {
      // A node id the server does not know fails only its own tag.
      const created = (group as unknown as { monitoredItems: { statusCode?: StatusCode }[] }).monitoredItems;
      created.forEach((item, index) => {
        const tag = ctx.tags[index];
        if (!tag || !item.statusCode || item.statusCode.isGood()) return;
        const t = now();
        emit({ tag: tag.id, value: null, quality: 'bad', ts: t, receivedTs: t });
        health.lastError = `${tag.id}: ${item.statusCode.name}`;
        log('error', `${tag.id}: cannot monitor ${tag.config.opcua!.nodeId} (${item.statusCode.name}) — check the node id in the plant file (npm run browse lists them); other tags keep running`);
      });
    });
    group.on('changed', (_item, dataValue: DataValue, index: number) => {
      const tag = ctx.tags[index];
      if (!tag) return;
      const receivedTs = now();
      const ts = dataValue.sourceTimestamp?.getTime() ?? dataValue.serverTimestamp?.getTime() ?? receivedTs;
      const quality = qualityOf(dataValue.statusCode);
      changeTimes.push(receivedTs);
      emit({ tag: tag.id, value: quality === 'bad' ? null : toTagValue(dataValue), quality, ts, receivedTs });
    });
  }

  async function keepAliveRead() {
    if (!session || !health.connected) return;
    const started = performance.now();
    try {
      await session.read({ nodeId: 'i=2258', attributeId: AttributeIds.Value }); // Server_ServerStatus_CurrentTime
      health.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    } catch (err) {
      health.lastError = (err as Error).message;
    }
    const cutoff = now() - 5000;
    while (changeTimes.length && changeTimes[0]! < cutoff) changeTimes.shift();
    health.readsPerSecond = changeTimes.length / 5;
  }

  async function run() {
    try {
      await client.connect(device.endpointUrl);
      if (stopped) return;
      session = await client.createSession();
      health.connected = true;
      health.lastError = null;
      log('info', `${device.id}: OPC UA session open on ${device.endpointUrl}, ${ctx.tags.length} monitored items`);
      await subscribe(session);
      keepAlive = setInterval(() => void keepAliveRead(), KEEPALIVE_READ_MS);
    } catch (err) {
      if (stopped) return;
      health.connected = false;
      log('error', `${device.id}: ${(err as Error).message} — retrying`);
      markAllBad((err as Error).message);
      setTimeout(() => void run(), 2000);
    }
  }

  return {
    deviceId: device.id,
    async start(cb) {
      onSamples = cb;
      await certificateManager.initialize();
      void run();
    },
    async write(id: TagId, requested: TagValue) {
      const tag = byId.get(id);
      if (!tag?.config.opcua) throw new Error(`tag ${id} is not on device ${device.id}`);
      const value = checkWrite(id, tag.config, requested);
      if (!session) throw new Error(`${device.id} is not connected; try again when the device is back`);
      const status = await session.write({
        nodeId: tag.config.opcua.nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: OPCUA_TYPES[tag.config.type], value } },
      });
      if (!status.isGood()) throw new Error(`writing ${id} failed: ${status.toString()}`);
    },
    health: () => ({ ...health }),
    async stop() {
      stopped = true;
      if (keepAlive) clearInterval(keepAlive);
      try { await subscription?.terminate(); } catch { /* session may be gone */ }
      try { await session?.close(); } catch { /* idem */ }
      await client.disconnect();
      await certificateManager.dispose();
      health.connected = false;
    },
  };
}
