// Broker settings (shared/uplink-config.ts) → MQTT.js client options. Secrets come from the
// environment and files named in the config; anything missing is a ConfigError that says
// which field to fix, raised at start-up rather than at the first reconnect.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { MqttBrokerConfig } from '../../shared/uplink-config.js';
import { ConfigError } from '../config/index.js';

export interface BrokerOptionsContext {
  /** Where the settings live in their file, for error messages (e.g. "uplink.broker"). */
  path: string;
  clientId: string;
  env: NodeJS.ProcessEnv;
  /** Relative TLS file names are taken from here. */
  baseDir: string;
}

function readPem(file: string, field: string, ctx: BrokerOptionsContext): Buffer {
  const full = isAbsolute(file) ? file : resolve(ctx.baseDir, file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new ConfigError(`${ctx.path}.tls.${field}: cannot read ${full} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Put the PEM file there or fix the path.`);
  }
}

/**
 * Protocol-critical options are fixed here (Tahu's rule: callers cannot override them):
 * MQTT 3.1.1, clean session (Sparkplug 3.0 §7.x: "Clean session should be set to true"), and no
 * automatic reconnect — the caller reconnects itself, because every new CONNECT needs a new
 * Will (the next bdSeq).
 */
export function brokerOptions(broker: MqttBrokerConfig, ctx: BrokerOptionsContext): IClientOptions {
  const options: IClientOptions = {
    clientId: broker.clientId ?? ctx.clientId,
    protocolVersion: 4,
    clean: true,
    keepalive: broker.keepaliveSeconds,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    queueQoSZero: false,
    resubscribe: false,
  };
  if (broker.username) {
    const password = broker.passwordEnv ? ctx.env[broker.passwordEnv] : undefined;
    if (password === undefined) {
      throw new ConfigError(`${ctx.path}.passwordEnv: the environment variable ${broker.passwordEnv} is not set. Export the broker password in it before starting.`);
    }
    options.username = broker.username;
    options.password = password;
  }
  if (broker.tls) {
    const tls = broker.tls;
    if (tls.caFile) options.ca = readPem(tls.caFile, 'caFile', ctx);
    if (tls.certFile) options.cert = readPem(tls.certFile, 'certFile', ctx);
    if (tls.keyFile) options.key = readPem(tls.keyFile, 'keyFile', ctx);
    options.rejectUnauthorized = tls.rejectUnauthorized;
    if (tls.servername) options.servername = tls.servername;
  }
  return options;
}

/** The URL without credentials, for logs and health. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
