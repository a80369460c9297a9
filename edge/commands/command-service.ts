// The one path by which anything acts on the line. Every command, whether it came over REST
// or Socket.IO or a plant host's DCMD: role check → rate limits (per user, per tag) →
// validation against the plant file (writable, type, limits) → a "requested" audit entry →
// connector.write → read-back through the plant model → a final audit entry with the outcome.
// Refusals are audited too. The "requested" entry is committed (on disk, when the audit log's
// connection runs synchronous=FULL as the edge opens it) before the write goes out, so a crash
// between the write and its read-back still leaves a record.
import { COMMAND_MIN_ROLE, type CommandRequest, type CommandResult, type ReadBack } from '../../shared/command-api.js';
import { hasRole } from '../../shared/auth-api.js';
import type { MachineConfig, PlantConfig, TagConfig, TagRole } from '../../shared/plant-schema.js';
import type { TagValue } from '../../shared/live-protocol.js';
import type { Principal } from '../auth/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Connector } from '../connectors/index.js';
import { checkWrite, WriteRejected } from '../connectors/index.js';
import type { MachineStatus } from '../model/index.js';
import type { Log } from '../logger.js';
import type { ReadBackWatch } from './read-back.js';
import { createRateLimiter } from '../auth/index.js';

/** The alarm engine's operator commands, as the command service needs them (edge/alarms). */
export interface AlarmCommandPort {
  ack(key: string, by: string): unknown;
  shelve(key: string, by: string, minutes: number, reason: string): unknown;
}

/** A command that was not carried out; `status` is the HTTP status that fits. */
export class CommandRefused extends Error {
  override name = 'CommandRefused';
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

/**
 * How fast PLC writes may come: a burst, then one per refill interval. Per tag, so nothing can
 * drive one setpoint up and down faster than a person would; per user, so one account (or a
 * script holding its token) cannot sweep the line.
 */
export interface WriteRateLimits {
  perTag: { burst: number; refillMs: number };
  perUser: { burst: number; refillMs: number };
}
export const DEFAULT_WRITE_RATE_LIMITS: WriteRateLimits = { perTag: { burst: 5, refillMs: 2_000 }, perUser: { burst: 20, refillMs: 1_000 } };

export interface CommandServiceOptions {
  plant: PlantConfig;
  connectors: readonly Connector[];
  machine: (machineId: string) => MachineStatus | undefined;
  audit: AuditLog;
  /** The alarm engine; without it alarm commands answer 503. */
  alarms?: AlarmCommandPort;
  /** Where written values are waited for (a model event sink the composition root registers). */
  readBack: ReadBackWatch;
  now: () => number;
  log: Log;
  /** How long a written value may take to come back through the model. Default 5 s. */
  readBackTimeoutMs?: number;
  /** How long the protocol write itself may take. Default 5 s. */
  writeTimeoutMs?: number;
  /** Commands in flight at once; more are refused (503) rather than queued. Default 16. */
  maxInFlight?: number;
  /** PLC writes per tag and per user (429 with Retry-After beyond them). */
  writeRateLimits?: WriteRateLimits;
}

export interface CommandContext {
  principal: Principal;
  /** Client address (for 'sparkplug': the Sparkplug group/edge node the DCMD was sent to). */
  source: string;
  /** 'sparkplug': a DCMD from a plant host through the uplink (edge/uplink/remote-commands.ts); 'opcua': a Write to the edge's OPC UA server (edge/opcua-server). */
  transport: 'rest' | 'socket' | 'sparkplug' | 'opcua';
  /** Who the sender says asked (a DCMD's payload names a host user): recorded, never trusted. */
  claimedBy?: string;
}

export interface CommandService {
  execute(request: CommandRequest, context: CommandContext): Promise<CommandResult>;
  inFlight(): number;
  close(): void;
}

interface WriteTarget {
  machine: MachineConfig;
  tag: TagConfig;
  tagId: string;
  connector: Connector;
}

const ROLE_TAG: Partial<Record<CommandRequest['kind'], TagRole>> = { 'reset-fault': 'resetFault', 'speed-override': 'speedOverride' };

function sameValue(tag: TagConfig, observed: TagValue | undefined, expected: TagValue): boolean {
  if (observed === undefined || observed === null) return false;
  if (typeof expected === 'number' && typeof observed === 'number') {
    // float32 registers and Modbus scaling round: a relative tolerance, plus one scale step's rounding.
    const tolerance = Math.max(Math.abs(expected) * 1e-6, 1e-9) + (tag.modbus ? Math.abs(tag.modbus.scale) * 1e-6 : 0);
    return Math.abs(observed - expected) <= tolerance;
  }
  return observed === expected;
}

export function createCommandService(options: CommandServiceOptions): CommandService {
  const { plant, audit, now, log } = options;
  const readBackTimeoutMs = options.readBackTimeoutMs ?? 5_000;
  const writeTimeoutMs = options.writeTimeoutMs ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 16;
  const connectors = new Map(options.connectors.map((c) => [c.deviceId, c]));
  const machines = new Map(plant.machines.map((m) => [m.id, m]));
  const watch = options.readBack;
  const alarms = options.alarms;
  let inFlight = 0;
  const limits = options.writeRateLimits ?? DEFAULT_WRITE_RATE_LIMITS;
  const writesPerTag = createRateLimiter({ capacity: limits.perTag.burst, refillMs: limits.perTag.refillMs, now });
  const writesPerUser = createRateLimiter({ capacity: limits.perUser.burst, refillMs: limits.perUser.refillMs, now });
  // A caller hammering past the limit would otherwise cost one fsynced audit entry per attempt:
  // rate-limit refusals are recorded up to 5 per user in a burst, then one a minute, with a count.
  const limitAudits = createRateLimiter({ capacity: 5, refillMs: 60_000, now });
  const unrecorded = new Map<string, number>();

  function targetOf(request: Extract<CommandRequest, { machineId: string }>): WriteTarget {
    const machine = machines.get(request.machineId);
    if (!machine) throw new CommandRefused(404, 'unknown-machine', `no machine "${request.machineId}" (known: ${[...machines.keys()].join(', ')})`, 'machineId');
    const role = ROLE_TAG[request.kind];
    const tag = role
      ? machine.tags.find((t) => t.role === role)
      : machine.tags.find((t) => t.name === (request as { tag: string }).tag);
    if (!tag) {
      throw role
        ? new CommandRefused(409, 'not-supported', `${machine.name} has no ${role} tag in the plant file`, 'machineId')
        : new CommandRefused(404, 'unknown-tag', `${machine.id} has no tag "${(request as { tag: string }).tag}" (writable: ${machine.tags.filter((t) => t.writable).map((t) => t.name).join(', ') || 'none'})`, 'tag');
    }
    const connector = connectors.get(machine.device);
    if (!connector) throw new CommandRefused(503, 'no-connector', `no connector for device ${machine.device}`);
    return { machine, tag, tagId: `${machine.id}.${tag.name}`, connector };
  }

  function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout>;
    return Promise.race([
      promise.finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms); }),
    ]);
  }

  async function write(request: Extract<CommandRequest, { machineId: string }>, ctx: CommandContext, base: Record<string, unknown>): Promise<CommandResult> {
    const t = targetOf(request);
    const value: TagValue = request.kind === 'write-setpoint' ? request.value : request.kind === 'speed-override' ? request.percent : true;
    const field = request.kind === 'write-setpoint' ? 'value' : request.kind === 'speed-override' ? 'percent' : undefined;
    let checked: number | boolean | string;
    try {
      checked = checkWrite(t.tagId, t.tag, value);
    } catch (err) {
      if (err instanceof WriteRejected) throw new CommandRefused(422, 'write-refused', err.message, field);
      throw err;
    }
    const status = options.machine(t.machine.id);
    if (request.kind === 'reset-fault' && status && status.faultCode === null && status.state !== 'down') {
      throw new CommandRefused(409, 'no-fault', `${t.machine.name} has no active fault to reset (it is ${status.state})`);
    }
    if (!t.connector.health().connected) {
      throw new CommandRefused(503, 'device-offline', `device ${t.machine.device} is not connected: the write was not attempted; try again when it is back`);
    }
    if (!writesPerTag.take(t.tagId)) {
      const wait = writesPerTag.retryAfterMs(t.tagId);
      throw new CommandRefused(429, 'rate-limited', `${t.tagId} was written too often: wait ${Math.ceil(wait / 1000)} s and try again`, undefined, wait);
    }
    const previous = status?.tags[t.tag.name]?.value ?? null;
    const details = { ...base, tag: t.tagId, value: checked, previous, unit: t.tag.unit ?? null, min: t.tag.min ?? null, max: t.tag.max ?? null };
    // On disk (fsynced) before the write goes out: a power cut after it cannot lose the record.
    audit.append({ actor: ctx.principal.user, role: ctx.principal.role, action: `command.${request.kind}.requested`, target: t.tagId, details, outcome: 'ok' }, { durable: true });

    try {
      await withTimeout(t.connector.write(t.tagId, checked), writeTimeoutMs, `writing ${t.tagId}`);
    } catch (err) {
      const message = (err as Error).message;
      audit.append({ actor: ctx.principal.user, role: ctx.principal.role, action: `command.${request.kind}`, target: t.tagId, details: { ...details, error: message }, outcome: 'failed' });
      throw new CommandRefused(502, 'write-failed', `the device did not take the write: ${message}`);
    }

    // A reset coil reads back 0 once the PLC has acted: the proof of a reset is the fault going away.
    const expected = request.kind === 'reset-fault' ? 'no active fault' : `${t.tag.name} = ${JSON.stringify(checked)}`;
    const check = request.kind === 'reset-fault'
      ? () => { const s = options.machine(t.machine.id); return !!s && s.faultCode === null && s.state !== 'down'; }
      : () => sameValue(t.tag, options.machine(t.machine.id)?.tags[t.tag.name]?.value, checked);
    const written = now();
    const confirmed = await watch.waitFor(t.machine.id, check, readBackTimeoutMs);
    const after = options.machine(t.machine.id);
    const observed = request.kind === 'reset-fault' ? (after?.faultCode ?? 0) : (after?.tags[t.tag.name]?.value ?? null);
    const readBack: ReadBack = { confirmed, expected, observed, afterMs: Math.max(0, now() - written) };
    const entry = audit.append({
      actor: ctx.principal.user, role: ctx.principal.role, action: `command.${request.kind}`, target: t.tagId,
      details: { ...details, readBack }, outcome: confirmed ? 'ok' : 'unconfirmed',
    });
    const message = confirmed
      ? `${t.machine.name}: ${request.kind === 'reset-fault' ? 'fault reset' : `${t.tag.name} set to ${checked}${t.tag.unit ? ` ${t.tag.unit}` : ''}`} (read back after ${readBack.afterMs} ms)`
      : `${t.machine.name}: written, but ${expected} did not come back within ${readBackTimeoutMs} ms — check the machine`;
    if (!confirmed) log('warn', `command ${request.kind} by ${ctx.principal.user}: ${message}`);
    return { kind: request.kind, outcome: confirmed ? 'done' : 'unconfirmed', auditId: entry.id, readBack, message };
  }

  function alarmCommand(request: Extract<CommandRequest, { alarmKey: string }>, ctx: CommandContext, base: Record<string, unknown>): CommandResult {
    if (!alarms) throw new CommandRefused(503, 'alarms-unavailable', 'the alarm system is not running on this edge');
    try {
      if (request.kind === 'ack-alarm') alarms.ack(request.alarmKey, ctx.principal.user);
      else alarms.shelve(request.alarmKey, ctx.principal.user, request.minutes, request.reason);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (typeof status === 'number') throw new CommandRefused(status, status === 404 ? 'unknown-alarm' : 'alarm-refused', (err as Error).message, status === 404 ? 'alarmKey' : undefined);
      throw err;
    }
    const entry = audit.append({ actor: ctx.principal.user, role: ctx.principal.role, action: `command.${request.kind}`, target: request.alarmKey, details: base, outcome: 'ok' });
    const message = request.kind === 'ack-alarm' ? `alarm ${request.alarmKey} acknowledged` : `alarm ${request.alarmKey} shelved for ${request.minutes} min`;
    return { kind: request.kind, outcome: 'done', auditId: entry.id, readBack: null, message };
  }

  async function execute(request: CommandRequest, ctx: CommandContext): Promise<CommandResult> {
    const { principal } = ctx;
    const { kind, ...fields } = request;
    const base: Record<string, unknown> = { ...fields, via: principal.via, transport: ctx.transport, source: ctx.source, ...(ctx.claimedBy ? { claimedBy: ctx.claimedBy } : {}) };
    const target = 'alarmKey' in request ? request.alarmKey : 'tag' in request ? `${request.machineId}.${request.tag}` : request.machineId;
    const refuse = (err: CommandRefused): never => {
      if (err.code === 'rate-limited' && !limitAudits.take(principal.user)) {
        if (unrecorded.size < 10_000 || unrecorded.has(principal.user)) unrecorded.set(principal.user, (unrecorded.get(principal.user) ?? 0) + 1);
        throw err;
      }
      const before = err.code === 'rate-limited' ? unrecorded.get(principal.user) : undefined;
      if (before) unrecorded.delete(principal.user);
      audit.append({ actor: principal.user, role: principal.role, action: `command.${kind}`, target, details: { ...base, code: err.code, reason: err.message, ...(before ? { refusalsNotRecordedBefore: before } : {}) }, outcome: 'refused' });
      throw err;
    };
    const minimum = COMMAND_MIN_ROLE[kind];
    if (!hasRole(principal.role, minimum)) refuse(new CommandRefused(403, 'forbidden', `${kind} needs the ${minimum} role or above; "${principal.user}" is ${principal.role}`));
    if (!('alarmKey' in request) && !writesPerUser.take(principal.user)) {
      const wait = writesPerUser.retryAfterMs(principal.user);
      refuse(new CommandRefused(429, 'rate-limited', `"${principal.user}" sent PLC writes too often: wait ${Math.ceil(wait / 1000)} s and try again`, undefined, wait));
    }
    if (inFlight >= maxInFlight) refuse(new CommandRefused(503, 'busy', `${inFlight} commands are in progress: try again in a moment`));
    inFlight++;
    try {
      return 'alarmKey' in request ? alarmCommand(request, ctx, base) : await write(request, ctx, base);
    } catch (err) {
      // write-failed already has its own 'failed' entry.
      if (err instanceof CommandRefused && err.code !== 'write-failed') refuse(err);
      throw err;
    } finally {
      inFlight--;
    }
  }

  return {
    execute,
    inFlight: () => inFlight,
    close: () => watch.close(),
  };
}
