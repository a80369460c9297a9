// Runs the edge from a plant file and keeps it in step with that file (issue 21.5): a changed file
// is read once, hashed, validated with the plant schema and only then applied. An invalid file is
// reported (log, /api/status, the layout routes, and the live event `plant-file` every twin shows
// as a banner — plant-file-status.ts —, naming file and field) and the running plant keeps acquiring.
//
// How a valid change is applied:
// - positions and the `layout:` section only: live — the twin gets a new snapshot, nothing stops;
// - anything else (machines or devices added, removed or changed, other sections): the runtime
//   is composed again in this process on the same port. Every module (model, KPI, alarms,
//   energy, orders, OPC UA server…) is built from the plant, so this is the one way that cannot
//   leave a module with a stale plant. Nothing stored is lost: the historian, audit log and
//   KPI periods live in the database, the current shift's KPIs continue from it and each meter
//   total from its last good value; live clients reconnect and get the new snapshot.
// - per device, the field side is not composed again: a device whose config and machines' tags
//   are unchanged (the same connectorKey in both files) keeps its connector — same object, same
//   OPC UA session or Modbus socket, still reading. Only the connectors of added, removed or
//   changed devices stop and start. The kept ones are handed from the old runtime to the new
//   (connector-handover.ts): what they read during the swap is held and delivered to the new
//   runtime, after the last values the old model had, so their history has no gap.
// Every stop step has a deadline (bounded-step.ts): a peer or a client socket that does not
// answer is logged and left behind, it cannot hang the swap.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { parsePlantText } from '../config/index.js';
import type { Log } from '../logger.js';
import type { PlantFileHandle, ReloadOutcome, ReloadTrigger } from '../layout/index.js';
import { describeChanges, planChanges } from './plant-changes.js';
import { boundedStep } from './bounded-step.js';
import { connectorKey, type HandedConnector } from './connector-handover.js';
import { watchPlantFile, type PlantWatch } from './plant-watch.js';

/** What the supervisor needs of a running edge (edge/edge-runtime.ts RunningEdge). */
export interface ReloadableEdge {
  port: number;
  applyLayout(next: PlantConfig): void;
  /** Gives these devices' running connectors to the next runtime (absent: every connector restarts). */
  handOver?(deviceIds: readonly string[]): HandedConnector[];
  /** Tells connected twins the last reload outcome (an invalid file, or valid again). */
  reportPlantFile?(): void;
  stop(): Promise<void>;
}

/** The old runtime's whole stop; each of its steps has its own, shorter deadline. */
const EDGE_STOP_MS = 30_000;

export interface PlantSupervisorOptions<E extends ReloadableEdge> {
  /** The plant file (YAML); its folder also holds floor-plans/. */
  plantFile: string;
  /** The first port (0: any free one); a re-composition listens on the port the first edge got. */
  port: number;
  /**
   * Composes and starts the edge for a plant (the composition root passes startEdge with its
   * options). `adopt`: running connectors to take over (startEdge's `adopt`); one not taken is stopped.
   */
  start(plant: PlantConfig, port: number, plantFile: PlantFileHandle, adopt: readonly HandedConnector[]): Promise<E>;
  log: Log;
  now?: () => number;
  /** Quiet time after the last file event before reading it (editors write in bursts). */
  debounceMs?: number;
  /** Off only for tests that drive reload() themselves. */
  watch?: boolean;
}

export interface PlantSupervisor<E extends ReloadableEdge> {
  /** The running edge: a new object after a re-composition. */
  edge(): E;
  plant(): PlantConfig;
  reload(trigger?: ReloadTrigger): Promise<ReloadOutcome>;
  lastReload(): ReloadOutcome | null;
  /** Resolves after every reload started so far has been applied (tests, shutdown). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function runPlantFile<E extends ReloadableEdge>(options: PlantSupervisorOptions<E>): Promise<PlantSupervisor<E>> {
  const { plantFile: file, log } = options;
  const now = options.now ?? Date.now;
  const firstText = readFileSync(file, 'utf8');
  let plant = parsePlantText(firstText, file);
  let hash = sha256(firstText);
  let last: ReloadOutcome | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const handle: PlantFileHandle = {
    path: file,
    reload: (trigger) => supervisor.reload(trigger),
    lastReload: () => last,
  };
  const start = (p: PlantConfig, port: number, adopt: readonly HandedConnector[] = []) => options.start(p, port, handle, adopt);
  let edge = await start(plant, options.port);
  const port = edge.port;

  function outcome(result: ReloadOutcome['result'], summary: string, error?: string): ReloadOutcome {
    last = { result, file, hash, at: now(), summary, ...(error ? { error } : {}) };
    // Every twin hears of it; during a recomposition `edge` is the stopped one (the next tells on join).
    try { edge?.reportPlantFile?.(); } catch (err) { log('warn', `telling twins the plant file's state: ${(err as Error).message}`); }
    return last;
  }

  async function apply(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const error = `cannot read plant file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; the running plant is kept`;
      log('error', error);
      return outcome('invalid', 'unreadable', error);
    }
    const nextHash = sha256(text);
    // The watcher's echo of a save already applied (or a touch) must not hide the outcome people look at.
    if (nextHash === hash && last?.result !== 'invalid') return last ?? outcome('unchanged', 'same content');
    let next: PlantConfig;
    try {
      next = parsePlantText(text, file);
    } catch (err) {
      // The message names the file and each bad field (edge/config formatIssues).
      const error = (err as Error).message.replace('Fix the field(s) above and start again.', 'Fix the field(s) above; the running plant is kept until the file is valid.');
      log('error', `plant file reload (${trigger}) refused: ${error}`);
      hash = nextHash;
      return outcome('invalid', 'invalid file: the running plant is kept', error);
    }
    const changes = planChanges(plant, next);
    const summary = describeChanges(changes);
    if (!changes.unchanged && !changes.layoutOnly && trigger === 'layout-save') {
      // The save's own request is still open on the server a re-composition closes: apply after it.
      setTimeout(() => void supervisor.reload('after-save'), 0);
      return outcome('recomposing', summary);
    }
    hash = nextHash;
    if (changes.unchanged) {
      plant = next;
      return outcome('unchanged', summary);
    }
    if (changes.layoutOnly) {
      plant = next;
      edge.applyLayout(next);
      log('info', `plant file reload (${trigger}): applied live: ${summary}`);
      return outcome('layout', summary);
    }
    // Devices whose connector serves both plants alike keep it (and their session) across the swap.
    const keep = plant.devices.map((d) => d.id).filter((id) => next.devices.some((d) => d.id === id) && connectorKey(plant, id) === connectorKey(next, id));
    const restart = [...new Set([...plant.devices, ...next.devices].map((d) => d.id))].filter((id) => !keep.includes(id));
    log('info', `plant file reload (${trigger}): ${summary}; composing the edge again on port ${port} (stored data is kept; connectors kept: ${keep.join(', ') || 'none'}; started again: ${restart.join(', ') || 'none'})`);
    const handed = edge.handOver?.(keep) ?? [];
    const old = edge;
    await boundedStep('stopping the edge for the new plant', () => old.stop(), EDGE_STOP_MS, log);
    try {
      edge = await start(next, port, handed);
      plant = next;
    } catch (err) {
      // The new file validated but could not start (e.g. a database or port problem): go back.
      log('error', `plant file reload: the new plant did not start (${(err as Error).message}); starting the previous one again`);
      edge = await start(plant, port, handed);
      return outcome('invalid', 'the new plant did not start: the previous one runs again', (err as Error).message);
    } finally {
      // A start that did not take a handed connector (a caller without `adopt`): nobody reads it now.
      for (const h of handed) if (!h.feed.attached) await boundedStep(`stopping ${h.connector.deviceId} (not taken over)`, () => h.connector.stop(), 5_000, log);
    }
    return outcome('recomposed', summary);
  }

  const supervisor: PlantSupervisor<E> = {
    edge: () => edge,
    plant: () => plant,
    lastReload: () => last,
    reload(trigger = 'manual') {
      if (stopped) return Promise.resolve(outcome('unchanged', 'stopped'));
      const run = queue.then(() => apply(trigger));
      queue = run.catch((err) => log('error', `plant file reload failed: ${(err as Error).stack ?? String(err)}`));
      return run;
    },
    settled: () => queue.then(() => undefined),
    async stop() {
      stopped = true;
      watcher?.close();
      await queue;
      await boundedStep('stopping the edge', () => edge.stop(), EDGE_STOP_MS, log);
    },
  };
  const watcher: PlantWatch | null = options.watch === false
    ? null
    : watchPlantFile(file, options.debounceMs ?? 300, () => void supervisor.reload('watch'));
  return supervisor;
}
