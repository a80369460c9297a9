// The edge as an OPC UA server, northbound: the plant as OPC 40001-1 Machinery. The server
// (ua-server.ts) runs on a worker thread so that its sessions' sampling and publishing never
// share the event loop with acquisition; this side, on the main thread, is a ModelEventSink that
// hands the model's changes over as one compact batch per tick, refreshes the KPIs, forwards
// alarm events and answers the worker's requests: logins through the auth service (rate limits,
// audit), writes and acknowledgements through the command service (roles, limits, read-back,
// audit: OPC UA is not a way around them), history from the historian. docs/opcua.md.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { OpcUaServerSettings } from '../../shared/opcua-server-schema.js';
import type { MachineState } from '../../shared/plant-schema.js';
import type { AuthService } from '../auth/index.js';
import type { CommandService } from '../commands/index.js';
import type { LiveKpiEngine } from '../kpi/index.js';
import type { MachineStatus, ModelEvent, ModelEventSink } from '../model/index.js';
import type { Log } from '../logger.js';
import type { AlarmEvent, AlarmView } from '../../shared/alarm-wire.js';
import type { RawPoint } from '../../shared/history-api.js';
import { lineShiftKpis, machineShiftKpis, type ShiftKpis } from './shift-kpis.js';
import {
  createTagBatchWriter, tagIdsOf, transferablesOf, type CommandAnswer, type FromWorker, type HostCall, type KpiSnapshot, type LoginAnswer, type ToWorker, type WorkerData,
} from './worker-protocol.js';

/** What HistoryRead needs of the historian (edge/store HistoryQueries). */
export interface TagHistory {
  raw(tag: string, from: number, to: number, limit?: number): RawPoint[];
  /** Commits what the historian has queued, so a read sees everything recorded until now. */
  catchUp(): void;
}

export interface EdgeOpcUaServerOptions {
  plant: PlantConfig;
  settings: OpcUaServerSettings;
  /** PKI lives in <dataDir>/pki/opcua-server (own certificate, trusted and rejected clients). */
  dataDir: string;
  auth: AuthService;
  commands: CommandService;
  kpi: LiveKpiEngine;
  /** The alarm engine: its standing list and lifecycle events become Alarms & Conditions. */
  alarms: { list(): { alarms: AlarmView[] }; onAlarmEvent(listener: (event: AlarmEvent) => void): () => void };
  /** The historian's raw samples, for HistoryRead; without it tags have no history over OPC UA. */
  history?: TagHistory;
  /** Current state of each machine at start (later changes arrive as model events). */
  machineState: (machineId: string) => MachineStatus | undefined;
  log: Log;
}

export interface EdgeOpcUaServer extends ModelEventSink {
  readonly port: number;
  /** opc.tcp://<host>:<port>/ */
  readonly endpointUrl: string;
  /** The own namespace's URI: tags are nsu=<it>;s=<machine>.<tag>. */
  readonly namespaceUri: string;
  sessions(): number;
  /** Tag changes handed to the server since start (what acquisition delivered): the benchmark's rate. */
  tagChanges(): number;
  stop(): Promise<void>;
}

/** Batches handed over but not yet applied before the main thread stops sending and resends the whole state once the worker has caught up. */
const MAX_BEHIND = 40;
const STOP_TIMEOUT_MS = 10_000;

/**
 * The worker's entry. The edge runs TypeScript through tsx: a worker thread does not inherit
 * its loader, so the worker registers it before importing its module (a compiled .js runs as is).
 */
function workerSource(): string {
  const target = new URL(`./server-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  if (!target.endsWith('.ts')) return `import(${JSON.stringify(target)})`;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
}

export async function startEdgeOpcUaServer(options: EdgeOpcUaServerOptions): Promise<EdgeOpcUaServer> {
  const { plant, settings, auth, commands, kpi, log } = options;
  const positions = new Map(tagIdsOf(plant).map((id, i) => [id, i]));

  function kpiSnapshot(): KpiSnapshot {
    const last = plant.machines.length ? kpi.machine(plant.machines[plant.machines.length - 1]!.id) : null;
    return {
      machines: plant.machines.map((m): [string, ShiftKpis | null] => [m.id, machineShiftKpis(kpi.machine(m.id))]),
      line: lineShiftKpis(kpi.line(), last),
    };
  }

  /** Every machine's state and tag values now, as one batch. */
  function fullState(): { tags: ReturnType<ReturnType<typeof createTagBatchWriter>['take']>; states: Array<[string, MachineState]> } {
    const writer = createTagBatchWriter(positions.size || 1);
    const states: Array<[string, MachineState]> = [];
    for (const m of plant.machines) {
      const status = options.machineState(m.id);
      if (!status) continue;
      states.push([m.id, status.state]);
      for (const [name, t] of Object.entries(status.tags)) {
        const position = positions.get(`${m.id}.${name}`);
        if (position !== undefined) writer.add(position, t.value, t.quality, t.ts);
      }
    }
    return { tags: writer.take(), states };
  }

  const initial = fullState();
  const data: WorkerData = {
    plant, settings, dataDir: options.dataDir, states: initial.states, tags: initial.tags, kpis: kpiSnapshot(), alarms: options.alarms.list().alarms,
  };
  const worker = new Worker(workerSource(), { eval: true, workerData: data, transferList: transferablesOf(initial.tags) });
  const send = (m: ToWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);

  async function answer(call: HostCall): Promise<unknown> {
    switch (call.call) {
      case 'login': {
        const [username, password, source] = call.args;
        const r = await auth.login(username, password, source);
        const a: LoginAnswer = r.ok
          ? { ok: true, principal: { user: r.answer.session.user, role: r.answer.session.role, via: 'token', expiresAt: r.answer.expiresAt } }
          : { ok: false, code: r.refusal.code };
        return a;
      }
      case 'command': {
        const [request, principal, source] = call.args;
        try {
          const result = await commands.execute(request, { principal, source, transport: 'opcua' });
          return { outcome: result.outcome } satisfies CommandAnswer;
        } catch (err) {
          const e = err as { name?: string; status?: number; code?: string; message?: string };
          if (e.name === 'CommandRefused') return { refused: { status: e.status ?? 500, code: e.code ?? '', message: e.message ?? '' } } satisfies CommandAnswer;
          return { failed: e.message ?? String(err) } satisfies CommandAnswer;
        }
      }
      case 'historyRaw': {
        const [tagId, from, to, limit] = call.args;
        if (!options.history) return [];
        options.history.catchUp();
        return options.history.raw(tagId, from, to, limit);
      }
      default: throw new Error('unknown request');
    }
  }

  // One batch per tick: changes from every apply() in this turn of the event loop go together.
  const writer = createTagBatchWriter();
  let states: Array<[string, MachineState]> = [];
  let flushQueued = false;
  /** Tag changes the model delivered (the benchmark's acquisition rate). */
  let handed = 0;
  // Batches handed to the worker and applied by it; `behind` while it is too far back (flush()).
  let seq = 0;
  let appliedSeq = 0;
  let behind = false;
  let sessions = 0;
  let stopping = false;
  let stopped: (() => void) | null = null;
  const started = new Promise<{ port: number; endpointUrl: string; namespaceUri: string }>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      switch (m.t) {
        case 'listening': resolve(m); break;
        case 'failed': reject(new Error(m.message)); break;
        case 'request':
          answer(m).then(
            (value) => {
              // Changes the answer depends on (a written value read back) go first: a client that
              // reads right after a Good write must see the value it wrote.
              flush();
              send({ t: 'reply', id: m.id, ok: true, value });
            },
            (err: unknown) => send({ t: 'reply', id: m.id, ok: false, message: (err as Error).message ?? String(err) }),
          );
          break;
        case 'applied': caughtUp(m.seq); break;
        case 'sessions': sessions = m.count; break;
        case 'log': log(m.level, m.message); break;
        case 'stopped': stopped?.(); break;
        default: break;
      }
    });
    worker.once('error', (err) => {
      reject(err);
      log('error', `opc ua server: its worker thread failed (${err.message}); OPC UA clients are cut off until the edge restarts`);
    });
    worker.once('exit', (code) => {
      reject(new Error(`the OPC UA server's worker thread exited (code ${code}) before it listened`));
      if (!stopping) log('error', `opc ua server: its worker thread exited (code ${code}); OPC UA clients are cut off until the edge restarts`);
    });
  });
  let listening;
  try {
    listening = await started;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  log('info', `opc ua server: ${listening.endpointUrl} (${settings.securityModes.join(', ')}; ${settings.allowAnonymous ? 'anonymous may browse and read' : 'twinline users only'}; PKI ${options.dataDir}/pki/opcua-server; own thread)`);

  const timer = setInterval(() => {
    try {
      send({ t: 'kpis', kpis: kpiSnapshot() });
    } catch (err) {
      log('warn', `opc ua server: KPI refresh failed: ${(err as Error).message}`);
    }
  }, settings.kpiRefreshMs);
  timer.unref();
  const stopAlarms = options.alarms.onAlarmEvent((event) => send({ t: 'alarm', event }));

  function flush() {
    flushQueued = false;
    if (behind || (writer.length === 0 && states.length === 0)) return;
    if (seq - appliedSeq >= MAX_BEHIND) {
      // The worker is seconds behind: stop queueing history it would only skip over; it gets the state afresh once it has caught up.
      behind = true;
      writer.take();
      states = [];
      log('warn', `opc ua server: its thread is ${MAX_BEHIND} batches behind; OPC UA clients see the latest values once it catches up, not every change`);
      return;
    }
    const tags = writer.length ? writer.take() : null;
    send({ t: 'changes', seq: ++seq, tags, states }, tags ? transferablesOf(tags) : []);
    states = [];
  }
  function caughtUp(done: number) {
    appliedSeq = Math.max(appliedSeq, done);
    if (behind && appliedSeq === seq) {
      behind = false;
      const now = fullState();
      send({ t: 'changes', seq: ++seq, tags: now.tags, states: now.states }, transferablesOf(now.tags));
    }
  }

  return {
    name: 'opcua-server',
    port: listening.port,
    endpointUrl: listening.endpointUrl,
    namespaceUri: listening.namespaceUri,
    onModelEvents(events: readonly ModelEvent[]) {
      for (const e of events) {
        if (e.kind === 'tags') {
          handed += e.changes.length;
          if (behind) continue;
          for (const c of e.changes) {
            const position = positions.get(c.tagId);
            if (position !== undefined) writer.add(position, c.value, c.quality, c.ts);
          }
        } else if (e.kind === 'state' && !behind) {
          states.push([e.machineId, e.state]);
        }
      }
      if (!flushQueued && !behind) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    sessions: () => sessions,
    tagChanges: () => handed,
    async stop() {
      stopping = true;
      clearInterval(timer);
      stopAlarms();
      const done = new Promise<void>((resolve) => { stopped = resolve; });
      send({ t: 'stop' });
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref());
      await Promise.race([done, timeout]);
      await worker.terminate();
    },
  };
}
