// DCMD → the edge's own command service: a command from the plant host gets the same schema
// validation, role check, rate limits, write limits, read-back and audit entries as one from
// the local UI. Refused outright unless the uplink is TLS with broker authentication or the
// plant file says allowInsecureCommands (edge/commands/remote-command-policy.ts). The audit
// actor is the uplink's broker identity ("uplink:<broker user>@<group>/<node>"), never a name
// from the payload; the host's user the payload names is kept as `claimedBy`. The role is the
// one the plant file grants remote commands (uplink.commands.role), whatever the host claims.
import { CommandRequestSchema } from '../../shared/command-api.js';
import type { UplinkSettings } from '../../shared/uplink-config.js';
import type { AuditLog } from '../audit/index.js';
import { CommandRefused, type CommandService } from '../commands/index.js';
import { remoteCommandPolicy } from '../commands/index.js';
import type { Log } from '../logger.js';
import type { RemoteCommandHandler } from './edge-node.js';

export function commandServiceHandler(commands: CommandService, settings: UplinkSettings, deps: { audit: AuditLog; log: Log }): RemoteCommandHandler {
  const policy = remoteCommandPolicy(settings);
  const role = settings.commands.role;
  if (settings.commands.enabled && !policy.secure) {
    deps.log('warn', policy.allowed
      ? `uplink: remote commands are accepted over an uplink without TLS and broker authentication (uplink.commands.allowInsecureCommands: true): anyone who can publish to the broker can write to the PLCs. ${policy.reason}`
      : `uplink: remote commands will be refused: ${policy.reason}`);
  }
  return async (raw, origin) => {
    const actor = policy.actor(origin.groupId, origin.edgeNodeId);
    const claimedBy = origin.user || origin.hostId ? `${origin.hostId ?? 'sparkplug-host'}/${origin.user ?? 'unknown'}` : undefined;
    if (!policy.allowed) {
      deps.audit.append({
        actor, role, action: 'command.remote', target: origin.machineId, outcome: 'refused',
        details: { code: 'insecure-uplink', reason: policy.reason, transport: 'sparkplug', ...(claimedBy ? { claimedBy } : {}) },
      });
      return { ok: false, status: 403, code: 'insecure-uplink', message: policy.reason ?? 'remote commands are refused' };
    }
    const parsed = CommandRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, status: 400, code: 'invalid', message: `request.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
    }
    const request = parsed.data;
    // A DCMD is addressed to one machine (the Sparkplug device): it may only act on that machine.
    if ('machineId' in request && request.machineId !== origin.machineId) {
      return { ok: false, status: 400, code: 'wrong-device', message: `a DCMD to ${origin.machineId} cannot command ${request.machineId}` };
    }
    const principal = { user: actor, role, via: 'token' as const, expiresAt: null, sessionId: null };
    try {
      const result = await commands.execute(request, { principal, source: `sparkplug:${origin.groupId}/${origin.edgeNodeId}`, transport: 'sparkplug', claimedBy });
      return { ok: true, message: result.message, auditId: result.auditId, outcome: result.outcome };
    } catch (err) {
      if (err instanceof CommandRefused) return { ok: false, status: err.status, code: err.code, message: err.message };
      throw err;
    }
  };
}
