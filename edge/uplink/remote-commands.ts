// DCMD → the edge's own command service: a command from the plant host gets the same schema
// validation, role check, write limits, read-back and audit entries as one from the local UI.
// The host's user is named in the audit log as "<host id>/<user>"; the role is the one the plant
// file grants remote commands (uplink.commands.role), never more, whatever the host claims.
// Sparkplug itself authenticates nobody: the broker's ACL (only the host's MQTT user may publish
// to spBv1.0/<group>/DCMD/#) is what vouches for the sender (docs/deployment.md).
import { CommandRequestSchema } from '../../shared/command-api.js';
import { CommandRefused, type CommandService } from '../commands/command-service.js';
import type { RemoteCommandHandler } from './edge-node.js';

export function commandServiceHandler(commands: CommandService, role: 'operator' | 'maintenance'): RemoteCommandHandler {
  return async (raw, origin) => {
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
    const principal = { user: `${origin.hostId ?? 'sparkplug-host'}/${origin.user ?? 'unknown'}`, role, via: 'token' as const, expiresAt: null };
    try {
      const result = await commands.execute(request, { principal, source: `sparkplug:${origin.groupId}/${origin.edgeNodeId}`, transport: 'sparkplug' });
      return { ok: true, message: result.message, auditId: result.auditId, outcome: result.outcome };
    } catch (err) {
      if (err instanceof CommandRefused) return { ok: false, status: err.status, code: err.code, message: err.message };
      throw err;
    }
  };
}
