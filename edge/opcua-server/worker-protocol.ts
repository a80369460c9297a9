// What the edge's main thread and the OPC UA server's worker thread say to each other. The
// server runs on its own thread so that 50 sessions sampling 1,000 items each cannot slow
// acquisition: the main thread sends the model's changes as one compact batch per tick (typed
// arrays, transferred, not copied) and answers the worker's requests for what only it may do —
// logins (auth service), writes and acknowledgements (command service), history (historian).
// No node-opcua here: the main thread never loads it for the server.
import type { AlarmEvent, AlarmView } from '../../shared/alarm-wire.js';
import type { CommandRequest } from '../../shared/command-api.js';
import type { RawPoint } from '../../shared/history-api.js';
import type { Quality, TagValue } from '../../shared/live-protocol.js';
import type { OpcUaServerSettings } from '../../shared/opcua-server-schema.js';
import type { MachineState, PlantConfig } from '../../shared/plant-schema.js';
import type { Principal } from '../auth/index.js';
import type { ShiftKpis } from './shift-kpis.js';

const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];
const KIND = { number: 0, true: 1, false: 2, null: 3, string: 4 } as const;

/** Tag changes by position in `tagIdsOf(plant)`, in order. */
export interface TagBatch {
  length: number;
  position: Int32Array;
  kind: Uint8Array;
  number: Float64Array;
  quality: Uint8Array;
  ts: Float64Array;
  /** The string values, in order of the changes whose kind is string. */
  strings: string[];
}

/** Every tag of the plant in one order both threads derive from the plant file. */
export function tagIdsOf(plant: PlantConfig): string[] {
  return plant.machines.flatMap((m) => m.tags.map((t) => `${m.id}.${t.name}`));
}

/** Collects changes into typed arrays; `take()` hands them over and starts afresh. */
export function createTagBatchWriter(initialCapacity = 1024) {
  let capacity = initialCapacity;
  let b = empty(capacity);
  function empty(n: number): TagBatch {
    return { length: 0, position: new Int32Array(n), kind: new Uint8Array(n), number: new Float64Array(n), quality: new Uint8Array(n), ts: new Float64Array(n), strings: [] };
  }
  function grow() {
    const next = empty(capacity * 2);
    next.position.set(b.position); next.kind.set(b.kind); next.number.set(b.number); next.quality.set(b.quality); next.ts.set(b.ts);
    next.length = b.length;
    next.strings = b.strings;
    capacity *= 2;
    b = next;
  }
  return {
    get length() { return b.length; },
    add(position: number, value: TagValue, quality: Quality, ts: number) {
      if (b.length === capacity) grow();
      const i = b.length++;
      b.position[i] = position;
      b.quality[i] = Math.max(0, QUALITIES.indexOf(quality));
      b.ts[i] = ts;
      if (typeof value === 'number') { b.kind[i] = KIND.number; b.number[i] = value; }
      else if (typeof value === 'boolean') b.kind[i] = value ? KIND.true : KIND.false;
      else if (typeof value === 'string') { b.kind[i] = KIND.string; b.strings.push(value); }
      else b.kind[i] = KIND.null;
    },
    /** The batch so far, trimmed to its length (its buffers may be transferred). */
    take(): TagBatch {
      const n = b.length;
      const out: TagBatch = {
        length: n, position: b.position.slice(0, n), kind: b.kind.slice(0, n), number: b.number.slice(0, n), quality: b.quality.slice(0, n), ts: b.ts.slice(0, n), strings: b.strings,
      };
      b.length = 0;
      b.strings = [];
      return out;
    },
  };
}

/** The buffers of a batch, for postMessage's transfer list. */
export const transferablesOf = (b: TagBatch): ArrayBuffer[] => [b.position.buffer, b.kind.buffer, b.number.buffer, b.quality.buffer, b.ts.buffer] as ArrayBuffer[];

/** Calls `each` for every change of the batch, in order. */
export function readTagBatch(b: TagBatch, each: (position: number, value: TagValue, quality: Quality, ts: number) => void): void {
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    const k = b.kind[i]!;
    const value: TagValue = k === KIND.number ? b.number[i]! : k === KIND.true ? true : k === KIND.false ? false : k === KIND.string ? b.strings[s++]! : null;
    each(b.position[i]!, value, QUALITIES[b.quality[i]!] ?? 'bad', b.ts[i]!);
  }
}

export interface KpiSnapshot { machines: Array<[string, ShiftKpis | null]>; line: ShiftKpis | null }

/** What the worker starts from (later changes follow as messages). */
export interface WorkerData {
  plant: PlantConfig;
  settings: OpcUaServerSettings;
  dataDir: string;
  states: Array<[string, MachineState]>;
  tags: TagBatch;
  kpis: KpiSnapshot;
  alarms: AlarmView[];
}

export type LoginAnswer = { ok: true; principal: Principal } | { ok: false; code: string };
export type CommandAnswer =
  | { outcome: 'done' | 'unconfirmed' }
  | { refused: { status: number; code: string; message: string } }
  | { failed: string };

/** What the OPC UA server needs of the rest of the edge; the worker reaches it by request and reply. */
export interface ServerHost {
  /** twinline's login (rate limits, audit), as POST /api/login. */
  login(username: string, password: string, source: string): Promise<LoginAnswer>;
  /** A command run by the command service (roles, limits, read-back, audit) with transport 'opcua'. */
  command(request: CommandRequest, principal: Principal, source: string): Promise<CommandAnswer>;
  /** The historian's raw samples of a tag in [from, to), oldest first, at most `limit`. */
  historyRaw(tagId: string, from: number, to: number, limit: number): Promise<RawPoint[]>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export type HostCall =
  | { call: 'login'; args: Parameters<ServerHost['login']> }
  | { call: 'command'; args: Parameters<ServerHost['command']> }
  | { call: 'historyRaw'; args: Parameters<ServerHost['historyRaw']> };

export type ToWorker =
  | { t: 'changes'; seq: number; tags: TagBatch | null; states: Array<[string, MachineState]> }
  | { t: 'kpis'; kpis: KpiSnapshot }
  | { t: 'alarm'; event: AlarmEvent }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; message: string }
  | { t: 'stop' };

export type FromWorker =
  | { t: 'listening'; port: number; endpointUrl: string; namespaceUri: string }
  | { t: 'failed'; message: string }
  | ({ t: 'request'; id: number } & HostCall)
  | { t: 'applied'; seq: number }
  | { t: 'sessions'; count: number }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { t: 'stopped' };
