import { join } from 'node:path';
import {
  AttributeIds, ClientMonitoredItemGroup, ClientSubscription, DataChangeFilter, DataChangeTrigger, DataType, DeadbandType,
  MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, TimestampsToReturn, UserTokenType,
  type ClientSession, type DataValue, type StatusCode, type UserIdentityInfo,
} from 'node-opcua';
import type { DataType as TagDataType, OpcUaDeviceConfig } from '../../shared/plant-schema.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { BoundTag, Connector, ConnectorContext, ConnectorHealth, TagId } from './connector.js';
import { SampleBatch } from './sample-batch.js';
import { checkWrite } from './write-check.js';
import { offeredSecurity } from './opcua-endpoints.js';

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

/** Longest text a string tag takes from a server: megabytes from a device are not a tag value. */
const MAX_STRING_TAG_LENGTH = 4096;

/**
 * The value if it is what the plant file says the tag is, else undefined: a server that sends
 * text, a date, an array, NaN or infinity for a numeric tag (or a number for a bool) is not
 * shown as good data (found by test/fuzz/hostile-devices.fuzz.test.ts).
 */
function ofTagType(type: TagDataType, value: TagValue): TagValue | undefined {
  if (value === null) return undefined; // a Good (or Uncertain) status with no value is no reading
  if (type === 'bool') return typeof value === 'boolean' ? value : undefined;
  if (type === 'string') return typeof value === 'string' && value.length <= MAX_STRING_TAG_LENGTH ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A device clock may be off, or a simulator run faster than real time, but not by centuries: a
 * source timestamp more than a day ahead of the receive time is replaced by the receive time.
 * Downstream, time runs forward from it — a state change stamped in the year 2999 made the KPI
 * engine close every shift until then and stalled the edge (found by
 * test/fuzz/hostile-devices.fuzz.test.ts). Old timestamps are kept: they cost nothing.
 */
const MAX_CLOCK_AHEAD_MS = 24 * 3_600_000;

function plausibleTime(sourceTs: number | undefined, receivedTs: number): number {
  if (sourceTs === undefined || !Number.isFinite(sourceTs)) return receivedTs;
  return sourceTs > receivedTs + MAX_CLOCK_AHEAD_MS ? receivedTs : sourceTs;
}

const KEEPALIVE_READ_MS = 5000;

const SECURITY_MODES = { None: MessageSecurityMode.None, Sign: MessageSecurityMode.Sign, SignAndEncrypt: MessageSecurityMode.SignAndEncrypt } as const;
const SECURITY_POLICIES = {
  None: SecurityPolicy.None, Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
} as const;

/** Where the edge keeps its OPC UA application certificate and trust list. */
export function edgePkiFolder(dataDir: string): string {
  return join(dataDir, 'pki', 'edge');
}

function userIdentity(device: OpcUaDeviceConfig): UserIdentityInfo {
  if (!device.username) return { type: UserTokenType.Anonymous };
  const password = process.env[device.passwordEnv!];
  if (password === undefined) throw new Error(`${device.id}: set the environment variable ${device.passwordEnv} to the OPC UA password of user "${device.username}"`);
  return { type: UserTokenType.UserName, userName: device.username, password };
}

/** Monitored items that share sampling interval, queue size and deadband go in one group. */
function monitoringKey(tag: BoundTag, device: OpcUaDeviceConfig): string {
  const src = tag.config.opcua!;
  return JSON.stringify([src.samplingIntervalMs ?? device.samplingIntervalMs, src.queueSize ?? 10, src.deadband ?? null]);
}

function monitoringParameters(tag: BoundTag, device: OpcUaDeviceConfig) {
  const src = tag.config.opcua!;
  return {
    samplingInterval: src.samplingIntervalMs ?? device.samplingIntervalMs,
    discardOldest: true,
    queueSize: src.queueSize ?? 10,
    filter: src.deadband
      ? new DataChangeFilter({
        trigger: DataChangeTrigger.StatusValue,
        deadbandType: src.deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
        deadbandValue: src.deadband.value,
      })
      : null,
  };
}

/** Far above a publish of thousands of scalar tags (a few hundred KB); see docs/security.md. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export function createOpcUaConnector(ctx: ConnectorContext<OpcUaDeviceConfig>): Connector {
  const { device, now, log } = ctx;
  const byId = new Map(ctx.tags.map((t) => [t.id, t]));
  const health: ConnectorHealth = {
    deviceId: device.id, protocol: device.protocol, connected: false, lastError: null, latencyMs: null, readsPerSecond: 0, reconnects: 0, readsTotal: 0, errorsTotal: 0,
  };
  const pki = edgePkiFolder(ctx.dataDir);
  const certificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: false });
  const securityMode = device.securityMode;
  const securityPolicy = device.securityPolicy ?? (securityMode === 'None' ? 'None' : 'Basic256Sha256');
  const client = OPCUAClient.create({
    applicationName: 'twinline-edge',
    applicationUri: 'urn:twinline:edge',
    endpointMustExist: false,
    keepSessionAlive: true,
    securityMode: SECURITY_MODES[securityMode],
    securityPolicy: SECURITY_POLICIES[securityPolicy],
    clientCertificateManager: certificateManager,
    requestedSessionTimeout: 60_000,
    connectionStrategy: { initialDelay: 250, maxDelay: 5000, maxRetry: -1, randomisationFactor: 0.2 },
    // A server may not send the edge messages of unbounded size (node-opcua's client accepts any by
    // default): a publish of huge arrays would otherwise be decoded whole on the acquisition thread.
    transportSettings: { maxMessageSize: MAX_MESSAGE_BYTES, maxChunkCount: MAX_MESSAGE_BYTES / 8192 },
  });
  let session: ClientSession | undefined;
  let subscription: ClientSubscription | undefined;
  let onSamples: (batch: SampleBatch) => void = () => {};
  let pending = new SampleBatch(ctx.tags.length);
  let flushQueued = false;
  let keepAlive: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let trustHintGiven = false;
  /** The last connect error logged: a server that keeps refusing for the same reason is logged once. */
  let lastConnectError = '';
  let stopped = false;
  const reportedBadTags = new Set<string>();
  const reportedWrongTypes = new Set<string>();
  let updates = 0;
  let rateSince = { at: now(), updates: 0 };

  /** When the pending burst began to arrive: one publish response is decoded in one go, so its changes share a receive time. */
  let burstReceivedAt = 0;
  const emit = (tag: BoundTag, value: TagValue, quality: Quality, ts: number, receivedTs: number) => {
    pending.push(tag.id, value, quality, ts, receivedTs, tag.index);
    if (!flushQueued) {
      flushQueued = true;
      burstReceivedAt = receivedTs;
      // One publish response carries many changes: hand them on as one batch.
      setImmediate(() => {
        flushQueued = false;
        const batch = pending;
        pending = new SampleBatch(batch.length);
        if (batch.length) onSamples(batch);
      });
    }
  };

  function markAllBad(reason: string) {
    const t = now();
    health.lastError = reason;
    health.errorsTotal!++;
    for (const tag of ctx.tags) emit(tag, null, 'bad', t, t);
  }

  client.on('connection_lost', () => {
    health.connected = false;
    log('error', `${device.id}: connection to ${device.endpointUrl} lost — tags marked bad, reconnecting`);
    markAllBad('connection lost');
  });
  client.on('backoff', (attempt: number, delayMs: number) => {
    health.lastError = `cannot reach ${device.endpointUrl} (attempt ${attempt + 1}, next in ${delayMs} ms)`;
    health.errorsTotal!++;
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
    const groups = new Map<string, { tag: BoundTag; index: number }[]>();
    ctx.tags.forEach((tag, index) => {
      const key = monitoringKey(tag, device);
      const members = groups.get(key);
      if (members) members.push({ tag, index });
      else groups.set(key, [{ tag, index }]);
    });
    for (const members of groups.values()) {
      const items = members.map(({ tag }) => ({ nodeId: tag.config.opcua!.nodeId, attributeId: AttributeIds.Value }));
      const group = ClientMonitoredItemGroup.create(subscription, items, monitoringParameters(members[0]!.tag, device), TimestampsToReturn.Both);
      group.on('initialized', () => {
        // A node id the server does not know fails only its own tag.
        const created = (group as unknown as { monitoredItems: { statusCode?: StatusCode }[] }).monitoredItems;
        created.forEach((item, i) => {
          const tag = members[i]?.tag;
          if (!tag || !item.statusCode || item.statusCode.isGood()) return;
          reportBadNode(tag, item.statusCode);
        });
      });
      group.on('changed', (_item, dataValue: DataValue, i: number) => {
        const tag = members[i]?.tag;
        if (tag) emitValue(tag, dataValue);
      });
    }
  }

  function reportBadNode(tag: BoundTag, status: StatusCode) {
    const t = now();
    emit(tag, null, 'bad', t, t);
    health.lastError = `${tag.id}: ${status.name}`;
    health.errorsTotal!++;
    if (reportedBadTags.has(tag.id)) return;
    reportedBadTags.add(tag.id);
    log('error', `${tag.id}: cannot read ${tag.config.opcua!.nodeId} (${status.name}) — check the node id in the plant file (npm run browse lists them); other tags keep running`);
  }

  function emitValue(tag: BoundTag, dataValue: DataValue) {
    const receivedTs = flushQueued ? burstReceivedAt : now();
    const ts = plausibleTime(dataValue.sourceTimestamp?.getTime() ?? dataValue.serverTimestamp?.getTime(), receivedTs);
    const quality = qualityOf(dataValue.statusCode);
    updates++;
    health.readsTotal!++;
    const value = quality === 'bad' ? null : ofTagType(tag.config.type, toTagValue(dataValue));
    if (value === undefined) {
      emit(tag, null, 'bad', ts, receivedTs);
      health.lastError = `${tag.id}: the server sent ${DataType[dataValue.value.dataType]}${dataValue.value.arrayType ? ' array' : ''} where the plant file says ${tag.config.type}`;
      if (!reportedWrongTypes.has(tag.id)) {
        reportedWrongTypes.add(tag.id);
        log('error', `${health.lastError} — marked bad; check the tag's type in the plant file (npm run browse shows the server's data types)`);
      }
      return;
    }
    emit(tag, value, quality, ts, receivedTs);
  }

  /** Polling mode: one Read of every node per period, for servers whose subscriptions are unreliable. */
  async function pollOnce(s: ClientSession) {
    const started = performance.now();
    try {
      const results = await s.read(ctx.tags.map((t) => ({ nodeId: t.config.opcua!.nodeId, attributeId: AttributeIds.Value })));
      health.latencyMs = Math.round((performance.now() - started) * 10) / 10;
      results.forEach((dataValue, i) => {
        const tag = ctx.tags[i]!;
        const code = dataValue.statusCode;
        if (code.isBad() && (code.name === 'BadNodeIdUnknown' || code.name === 'BadNodeIdInvalid')) reportBadNode(tag, code);
        else emitValue(tag, dataValue);
      });
    } catch (err) {
      health.lastError = (err as Error).message;
      health.errorsTotal!++;
    }
  }

  async function keepAliveRead() {
    if (!session || !health.connected) return;
    const started = performance.now();
    try {
      await session.read({ nodeId: 'i=2258', attributeId: AttributeIds.Value }); // Server_ServerStatus_CurrentTime
      health.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    } catch (err) {
      health.lastError = (err as Error).message;
      health.errorsTotal!++;
    }
    const t = now();
    health.readsPerSecond = t > rateSince.at ? Math.round(((updates - rateSince.updates) * 1000) / (t - rateSince.at)) : 0;
    rateSince = { at: t, updates };
  }

  async function run() {
    try {
      // The engineer may have moved a rejected certificate into trusted/ since the last try;
      // file watchers alone miss that now and then.
      if (trustHintGiven) await certificateManager.reloadCertificates();
      await client.connect(device.endpointUrl);
      if (stopped) return;
      session = await client.createSession(userIdentity(device));
      health.connected = true;
      health.lastError = null;
      trustHintGiven = false;
      lastConnectError = '';
      log('info', `${device.id}: OPC UA session open on ${device.endpointUrl} (${securityMode}/${securityPolicy}), ${ctx.tags.length} tags by ${device.mode}`);
      if (device.mode === 'subscription') await subscribe(session);
      else poller = setInterval(() => session && health.connected && void pollOnce(session), device.pollIntervalMs);
      keepAlive = setInterval(() => void keepAliveRead(), KEEPALIVE_READ_MS);
    } catch (err) {
      if (stopped) return;
      health.connected = false;
      const message = await explainConnectError((err as Error).message);
      if (stopped) return;
      if (!trustHintGiven && message !== lastConnectError) log('error', `${device.id}: ${message}`);
      lastConnectError = message;
      trustHintGiven = /not trusted/.test(message);
      markAllBad(message);
      try { await client.disconnect(); } catch { /* not connected */ }
      retry = setTimeout(() => void run(), 2000);
    }
  }

  async function explainConnectError(message: string): Promise<string> {
    if (/Cannot find an Endpoint matching/.test(message)) {
      // The server lacks the mode/policy the plant file asks for: say what it does offer.
      const offered = await offeredSecurity(device.endpointUrl, pki).then((list) => list.join(', '), () => 'unknown: its endpoints could not be listed');
      return `${device.endpointUrl} does not offer ${securityMode === 'None' ? 'None' : `${securityMode}/${securityPolicy}`} (it offers: ${offered}). `
        + `Set securityMode/securityPolicy of device ${device.id} in the plant file to one of those, or enable this one on the server; retrying`;
    }
    if (/certificate verification failed/i.test(message)) {
      return `the server certificate of ${device.endpointUrl} is not trusted (${message.replace(/.*with err /, '')}). `
        + `If this is your server, move its certificate from ${join(pki, 'rejected')} to ${join(pki, 'trusted', 'certs')}; the edge retries by itself.`;
    }
    if (/BadIdentityTokenRejected|BadUserAccessDenied|BadIdentityTokenInvalid/.test(message)) {
      return `the server refused user "${device.username ?? 'anonymous'}" (${message}); check username and ${device.passwordEnv ?? 'passwordEnv'}`;
    }
    return `${message} — retrying`;
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
      clearInterval(keepAlive);
      clearInterval(poller);
      clearTimeout(retry);
      try { await subscription?.terminate(); } catch { /* session may be gone */ }
      try { await session?.close(); } catch { /* idem */ }
      await client.disconnect();
      await certificateManager.dispose();
      health.connected = false;
    },
  };
}
