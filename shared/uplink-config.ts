// The plant file's optional `uplink:` section: how the edge publishes its line to an MQTT
// broker as a Sparkplug B 3.0 edge node (docs/deployment.md). Browser-safe (no Node imports).
import { z } from 'zod';

/** Sparkplug ids become MQTT topic levels: UTF-8 without the reserved + / # (Sparkplug 3.0 §4.1.1). */
export const SparkplugIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^+/#\s]+$/, 'a Sparkplug id is one MQTT topic level: no "+", "/", "#" or spaces');

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable, e.g. TWINLINE_MQTT_PASSWORD');

export const MqttTlsSchema = z.strictObject({
  /** CA certificate(s) that signed the broker's certificate (PEM file). Without it the system CAs are used. */
  caFile: z.string().min(1).optional(),
  /** Client certificate and key (PEM) for brokers that authenticate clients by certificate. */
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** Only for a test broker with a self-signed certificate: never turn this off in a plant. */
  rejectUnauthorized: z.boolean().default(true),
  /** Host name expected in the broker certificate, when it differs from the URL's host. */
  servername: z.string().min(1).optional(),
}).superRefine((tls, ctx) => {
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    ctx.addIssue({ code: 'custom', path: [tls.certFile ? 'keyFile' : 'certFile'], message: 'a client certificate needs both certFile and keyFile' });
  }
});
export type MqttTlsConfig = z.infer<typeof MqttTlsSchema>;

/** The broker connection: shared by the edge's uplink and the plant host. */
export const MqttBrokerSchema = z.strictObject({
  /** mqtt://host:1883 (plain TCP) or mqtts://host:8883 (TLS). */
  url: z.string().regex(/^(mqtt|mqtts|tcp|tls|ssl):\/\/[^\s/]+/, 'use mqtt://host:1883 or mqtts://host:8883'),
  /** MQTT client id; default derived from the Sparkplug ids. Must be unique on the broker. */
  clientId: z.string().min(1).max(128).optional(),
  username: z.string().min(1).optional(),
  /** The password is read from this environment variable, never from the file. */
  passwordEnv: envName.optional(),
  tls: MqttTlsSchema.optional(),
  keepaliveSeconds: z.number().int().min(5).max(3600).default(30),
  /** Reconnect backoff after a lost connection (exponential, with jitter). */
  reconnectMinMs: z.number().int().min(50).default(500),
  reconnectMaxMs: z.number().int().min(100).default(15_000),
}).superRefine((b, ctx) => {
  if (b.username && !b.passwordEnv) {
    ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'a username needs passwordEnv: the environment variable that holds the password' });
  }
  if (b.tls && !/^(mqtts|tls|ssl):/.test(b.url)) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'tls settings need a TLS URL: use mqtts://host:8883' });
  }
  if (b.reconnectMaxMs < b.reconnectMinMs) {
    ctx.addIssue({ code: 'custom', path: ['reconnectMaxMs'], message: 'reconnectMaxMs is smaller than reconnectMinMs' });
  }
});
export type MqttBrokerConfig = z.infer<typeof MqttBrokerSchema>;

export const StoreAndForwardSchema = z.strictObject({
  /** SQLite file of the queue; relative paths are taken from the data folder. Default uplink-<edgeNodeId>.db. */
  file: z.string().min(1).optional(),
  /** Metrics kept while the broker (or the primary host) is away; beyond this the oldest are dropped and counted. */
  maxMetrics: z.number().int().min(100).default(5_000_000),
  /** Historical messages in flight during replay (waiting for the broker's PUBACK). */
  replayWindow: z.number().int().min(1).max(1000).default(64),
});

export const RemoteCommandsSchema = z.strictObject({
  /** Off by default: a host may only act on this line when the plant file says so. */
  enabled: z.boolean().default(false),
  /** The role a command from the host is checked against (the edge's own role rules and limits apply). */
  role: z.enum(['operator', 'maintenance']).default('operator'),
  /**
   * Commands are refused unless the uplink runs over TLS (broker verified) with broker
   * authentication, because only the broker's ACL says who may publish a DCMD. true accepts
   * commands over a plain or anonymous uplink anyway (logged as a warning at start): for a lab.
   */
  allowInsecureCommands: z.boolean().default(false),
});

export const UplinkSettingsSchema = z.strictObject({
  broker: MqttBrokerSchema,
  /** Sparkplug group: typically the site or area (e.g. jiangsu-plant). */
  groupId: SparkplugIdSchema,
  /** Sparkplug edge node id; default the line id. Unique within the group. */
  edgeNodeId: SparkplugIdSchema.optional(),
  /** When set, births wait for this host's STATE online, and its going offline starts store-and-forward (Sparkplug 3.0 §5.x). */
  primaryHostId: SparkplugIdSchema.optional(),
  /**
   * QoS of births, deaths and data (the NDEATH Will is always QoS 1). Sparkplug 3.0 says 0;
   * twinline defaults to 1 so a data message the broker has not acknowledged when the
   * connection drops is kept and replayed (nothing lost). One QoS for all of them, because
   * brokers keep order only within a QoS level and the host checks seq order across them.
   * Set 0 for strict conformance: then messages in flight at a broker crash may be lost.
   */
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  /** Changes are gathered this long into one DDATA per machine. */
  publishIntervalMs: z.number().int().min(10).max(10_000).default(100),
  /** KPIs (which move with time), device health and line KPIs are compared this often and published when changed. */
  refreshIntervalMs: z.number().int().min(100).max(60_000).default(1000),
  storeAndForward: StoreAndForwardSchema.prefault({}),
  commands: RemoteCommandsSchema.prefault({}),
});
export type UplinkSettings = z.infer<typeof UplinkSettingsSchema>;
export type UplinkSettingsInput = z.input<typeof UplinkSettingsSchema>;
