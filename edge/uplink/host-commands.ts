// Commands from the plant host. NCMD `Node Control/Rebirth` asks for the births again. A DCMD on
// a machine (a Sparkplug device) carries either a Command/Request — JSON naming the host's user
// and a command-service request — or a write to a writable Tags/<name> metric, made a
// write-setpoint. Either goes to the edge's own command service (remote-commands.ts); the answer
// is published as the machine's Command/Result, with the request's id for correlation.
import type { Log } from '../logger.js';
import { COMMAND_REQUEST, NODE_METRIC, type Catalogue } from './metric-catalogue.js';
import type { Payload } from './sparkplug-codec.js';
import type { NodeAddress } from './sparkplug-topics.js';

/** Who sent a command over DCMD, as far as Sparkplug can tell (the broker's ACL vouches for the host). */
export interface RemoteCommandOrigin {
  groupId: string;
  edgeNodeId: string;
  machineId: string;
  /** The user the host names in a Command/Request (absent for a plain metric write). */
  user: string | null;
  hostId: string | null;
}

export interface RemoteCommandOutcome {
  ok: boolean;
  message: string;
  status?: number;
  code?: string;
  auditId?: number;
  outcome?: string;
}

/**
 * The seam to the edge's command service: `request` is the parsed JSON of a Command/Request
 * (or a write-setpoint built from a DCMD on a Tags/<name> metric); it is validated there.
 */
export type RemoteCommandHandler = (request: unknown, origin: RemoteCommandOrigin) => Promise<RemoteCommandOutcome>;

export interface HostCommandsOptions {
  node: NodeAddress;
  catalogue: Catalogue;
  /** uplink.commands.enabled: when false every DCMD is refused. */
  enabled: boolean;
  /** Without it, DCMD commands are answered "no command service on this edge". */
  handler?: RemoteCommandHandler;
  rebirth(): void;
  /** Publishes a machine's Command/Result. */
  result(machineId: string, result: Record<string, unknown>): void;
  log: Log;
}

export interface HostCommands {
  onNodeCommand(payload: Payload): void;
  /** Resolves when every metric of the DCMD is answered. */
  onDeviceCommand(machineId: string, payload: Payload): Promise<void>;
}

export function createHostCommands(options: HostCommandsOptions): HostCommands {
  const { catalogue, log } = options;
  const result = options.result;

  return {
    onNodeCommand(payload) {
      for (const m of payload.metrics) {
        const isRebirth = m.name === NODE_METRIC.rebirth || (m.alias !== undefined && catalogue.byAlias(m.alias)?.name === NODE_METRIC.rebirth);
        if (isRebirth && m.value === true) {
          log('info', 'uplink: rebirth requested (NCMD Node Control/Rebirth)');
          options.rebirth();
        } else {
          log('warn', `uplink: NCMD ${m.name ?? `alias ${m.alias}`} is not supported; ignored`);
        }
      }
    },

    async onDeviceCommand(machineId, payload) {
      if (!catalogue.devices.has(machineId)) {
        log('warn', `uplink: DCMD for unknown machine "${machineId}" ignored`);
        return;
      }
      for (const m of payload.metrics) {
        const d = m.alias !== undefined ? catalogue.byAlias(m.alias) : m.name !== undefined ? catalogue.byName(machineId, m.name) : undefined;
        if (!d || d.device !== machineId) {
          log('warn', `uplink: DCMD ${machineId}: unknown metric ${m.name ?? `alias ${m.alias}`} ignored`);
          continue;
        }
        let request: unknown;
        let user: string | null = null;
        let hostId: string | null = null;
        let correlation: unknown = null;
        if (d.name === COMMAND_REQUEST) {
          try {
            const body = JSON.parse(String(m.value)) as { id?: unknown; user?: unknown; hostId?: unknown; request?: unknown };
            request = body.request;
            correlation = body.id ?? null;
            user = typeof body.user === 'string' ? body.user.slice(0, 64) : null;
            hostId = typeof body.hostId === 'string' ? body.hostId.slice(0, 64) : null;
          } catch {
            result(machineId, { id: null, ok: false, status: 400, error: 'Command/Request is not JSON: send {"id","user","request":{...}}' });
            continue;
          }
        } else if (d.tag !== undefined && d.writable) {
          request = { kind: 'write-setpoint', machineId, tag: d.tag, value: m.value, reason: 'written by a Sparkplug host (DCMD)' };
        } else {
          result(machineId, { id: null, ok: false, status: 403, error: `${d.name} is not writable` });
          continue;
        }
        const origin: RemoteCommandOrigin = { ...options.node, machineId, user, hostId };
        if (!options.enabled) {
          log('warn', `uplink: DCMD ${machineId} ${d.name} refused: remote commands are off (uplink.commands.enabled)`);
          result(machineId, { id: correlation, ok: false, status: 403, error: 'remote commands are disabled on this edge (uplink.commands.enabled: false)' });
          continue;
        }
        if (!options.handler) {
          result(machineId, { id: correlation, ok: false, status: 503, error: 'this edge has no command service wired to its uplink' });
          continue;
        }
        try {
          const outcome = await options.handler(request, origin);
          result(machineId, { id: correlation, ...outcome });
        } catch (err) {
          result(machineId, { id: correlation, ok: false, status: 500, error: (err as Error).message });
        }
      }
    },
  };
}
