// Whether a plant host's DCMD may act on this edge, and in whose name. Sparkplug authenticates
// nobody: whoever may publish to spBv1.0/<group>/DCMD/<node>/… on the broker can command the
// line, so the only identity worth recording is the one the broker checked — this uplink's
// connection (TLS with the broker's certificate verified, and a broker login or a client
// certificate, under which the broker's ACL decides who may publish commands). Without that, a
// command is refused unless the plant file accepts the risk in so many words
// (uplink.commands.allowInsecureCommands). Pure.
import type { UplinkSettings } from '../../shared/uplink-config.js';

export interface RemoteCommandPolicy {
  /** Commands are carried out (enabled, and over an authenticated TLS uplink or explicitly allowed without). */
  allowed: boolean;
  /** The uplink has TLS with a verified broker and broker authentication. */
  secure: boolean;
  /** Why commands are refused, or what is missing for a secure uplink. */
  reason: string | null;
  /** The audit actor of every DCMD: the uplink's broker identity, e.g. uplink:edge-7@plant-a/line-1. */
  actor: (groupId: string, edgeNodeId: string) => string;
}

export function remoteCommandPolicy(settings: UplinkSettings): RemoteCommandPolicy {
  const { broker, commands } = settings;
  const missing: string[] = [];
  if (!/^(mqtts|tls|ssl):/.test(broker.url)) missing.push('the broker URL is not TLS (use mqtts://)');
  if (broker.tls?.rejectUnauthorized === false) missing.push('uplink.broker.tls.rejectUnauthorized is false (the broker is not verified)');
  const login = broker.username ?? (broker.tls?.certFile ? 'client-certificate' : null);
  if (!login) missing.push('the uplink does not authenticate to the broker (set broker.username/passwordEnv or a client certificate)');
  const secure = missing.length === 0;
  const allowed = commands.enabled && (secure || commands.allowInsecureCommands);
  const reason = !commands.enabled
    ? 'remote commands are disabled on this edge (uplink.commands.enabled: false)'
    : secure ? null : `remote commands need an authenticated TLS uplink: ${missing.join('; ')}${commands.allowInsecureCommands ? '' : ' — or accept the risk with uplink.commands.allowInsecureCommands: true'}`;
  return { allowed, secure, reason, actor: (groupId, edgeNodeId) => `uplink:${login ?? 'anonymous'}@${groupId}/${edgeNodeId}` };
}
