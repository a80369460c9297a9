// The host's command service for one line: the same interface as the edge's (so the REST route
// and the Socket.IO `command` event work unchanged), but the work is done by the edge. A command
// goes out as DCMD `Command/Request` {id, user, hostId, request}; the edge runs it through its own
// command service (roles, limits, read-back, audit) and answers with DDATA `Command/Result`.
// The host checks the role too (no pointless round trip) and keeps its own audit record.
import { randomUUID } from 'node:crypto';
import { COMMAND_MIN_ROLE, type CommandRequest, type CommandResult } from '../../shared/command-api.js';
import { hasRole } from '../../shared/auth-api.js';
import type { AuditLog } from '../audit/index.js';
import { CommandRefused, type CommandContext, type CommandService } from '../commands/index.js';
import type { Log } from '../logger.js';
import { COMMAND_REQUEST } from '../uplink/index.js';
import type { EdgeMirror } from './edge-mirror.js';
import type { PrimaryHost } from './primary-host.js';

export interface RemoteCommandService extends CommandService {
  /** A Command/Result JSON from the edge (EdgeMirror → host runtime). */
  onResult(machineId: string, json: string): void;
}

interface EdgeAnswer {
  id?: unknown;
  ok?: unknown;
  message?: unknown;
  error?: unknown;
  status?: unknown;
  code?: unknown;
  auditId?: unknown;
  outcome?: unknown;
}

export function createRemoteCommandService(options: {
  host: Pick<PrimaryHost, 'sendDeviceCommand'>;
  mirror: EdgeMirror;
  hostId: string;
  audit: AuditLog;
  timeoutMs: number;
  log: Log;
}): RemoteCommandService {
  const { mirror, audit } = options;
  const waiting = new Map<string, (answer: EdgeAnswer) => void>();

  async function execute(request: CommandRequest, ctx: CommandContext): Promise<CommandResult> {
    const { principal } = ctx;
    const target = 'machineId' in request ? request.machineId : request.alarmKey;
    const base = { edge: mirror.key, transport: ctx.transport, source: ctx.source };
    const refuse = (status: number, code: string, message: string): never => {
      audit.append({ actor: principal.user, role: principal.role, action: `command.${request.kind}`, target, details: { ...base, code, reason: message }, outcome: 'refused' });
      throw new CommandRefused(status, code, message);
    };
    const minimum = COMMAND_MIN_ROLE[request.kind];
    if (!hasRole(principal.role, minimum)) refuse(403, 'forbidden', `${request.kind} needs the ${minimum} role or above; "${principal.user}" is ${principal.role}`);
    if (!('machineId' in request)) refuse(501, 'not-supported', 'alarms are acknowledged on the edge that raised them: open that line\'s own twin');
    const machineId = (request as { machineId: string }).machineId;
    if (!mirror.machines.has(machineId)) refuse(404, 'unknown-machine', `no machine "${machineId}" on ${mirror.key} (known: ${[...mirror.machines.keys()].join(', ')})`);
    if (!mirror.online) refuse(503, 'edge-offline', `${mirror.key} is offline: the command was not sent; try again when it is back`);

    const id = randomUUID();
    const alias = mirror.deviceAlias(machineId, COMMAND_REQUEST);
    const body = JSON.stringify({ id, user: principal.user, hostId: options.hostId, request });
    const metric = alias !== undefined ? { alias, type: 'String' as const, value: body } : { name: COMMAND_REQUEST, type: 'String' as const, value: body };
    const answer = new Promise<EdgeAnswer | null>((resolve) => {
      const timer = setTimeout(() => { waiting.delete(id); resolve(null); }, options.timeoutMs);
      waiting.set(id, (a) => { clearTimeout(timer); waiting.delete(id); resolve(a); });
    });
    if (!options.host.sendDeviceCommand(mirror, machineId, [metric])) {
      waiting.get(id)?.({ ok: false, status: 503, error: 'the host is not connected to the broker' });
    } else {
      audit.append({ actor: principal.user, role: principal.role, action: `command.${request.kind}.forwarded`, target, details: { ...base, id }, outcome: 'ok' });
    }
    const a = await answer;
    if (!a) {
      audit.append({ actor: principal.user, role: principal.role, action: `command.${request.kind}`, target, details: { ...base, id, reason: 'no answer' }, outcome: 'failed' });
      throw new CommandRefused(504, 'edge-timeout', `${mirror.key} did not answer within ${options.timeoutMs / 1000} s: the command may or may not have run; check the edge's audit log`);
    }
    const message = String(a.message ?? a.error ?? '');
    const edgeAudit = typeof a.auditId === 'number' ? a.auditId : null;
    if (a.ok !== true) {
      const status = typeof a.status === 'number' ? a.status : 502;
      audit.append({ actor: principal.user, role: principal.role, action: `command.${request.kind}`, target, details: { ...base, id, edgeAuditId: edgeAudit, reason: message }, outcome: 'refused' });
      throw new CommandRefused(status, typeof a.code === 'string' ? a.code : 'edge-refused', `${mirror.key}: ${message}`);
    }
    const unconfirmed = a.outcome === 'unconfirmed';
    const entry = audit.append({
      actor: principal.user, role: principal.role, action: `command.${request.kind}`, target,
      details: { ...base, id, edgeAuditId: edgeAudit, message }, outcome: unconfirmed ? 'unconfirmed' : 'ok',
    });
    return { kind: request.kind, outcome: unconfirmed ? 'unconfirmed' : 'done', auditId: entry.id, readBack: null, message: `${message}${edgeAudit !== null ? ` (edge audit #${edgeAudit})` : ''}` };
  }

  return {
    execute,
    onResult(_machineId, json) {
      let a: EdgeAnswer;
      try {
        a = JSON.parse(json) as EdgeAnswer;
      } catch {
        return;
      }
      if (typeof a.id === 'string') waiting.get(a.id)?.(a);
    },
    inFlight: () => waiting.size,
    close() {
      for (const resolve of [...waiting.values()]) resolve({ ok: false, status: 503, error: 'the host is stopping' });
    },
  };
}
