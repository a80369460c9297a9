// The simulator's pure line model stepped fast, without sockets, feeding the edge's plant
// model the way a connector would (every tag that changed since the last poll, as a batch);
// the edge modules under test see ModelEvents on a simulated clock. Also extracts the
// ground truth the predictive bench needs: wear breakdowns and when their drift started.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PlantConfig } from '../shared/plant-schema.js';
import type { TagSample } from '../edge/connectors/connector.js';
import { createPlantModel, type ModelEvent } from '../edge/model/plant-model.js';
import { createLineModel, type LineModel } from '../plc-sim/line-model.js';
import { parseScenario, resolveScenario, type ResolvedScenario, type ScenarioInput } from '../plc-sim/scenario.js';
import { TagImage } from '../plc-sim/tag-image.js';

export interface WearCycle {
  machineId: string;
  /** First poll at which the machine's wear had passed driftStartsAt. */
  driftStart: number;
  /** The wear breakdown (ground truth interval start). */
  breakdown: number;
  code: number;
}

export interface SimFeedOptions {
  plant: PlantConfig;
  /** Scenario document (default plc-sim/scenarios/demo.yaml); tickMs is overridden by pollMs. */
  scenario?: ScenarioInput;
  seed: number;
  startTime: number;
  durationMs: number;
  /** Simulated ms between polls (and model ticks). */
  pollMs: number;
  /** Only these machines' tags reach the plant model (the line model always runs whole). */
  machines?: readonly string[];
  onEvents: (events: ModelEvent[], now: number) => void;
  /** Called after every poll with the simulated clock (for tick()-style consumers). */
  onPoll?: (now: number, model: LineModel) => void;
}

export interface SimFeedResult {
  scenario: ResolvedScenario;
  wearCycles: WearCycle[];
  /** Drifts still under way when the run ended (their breakdown lies beyond it): machine → drift start. */
  openDrifts: Record<string, number>;
  /** Running time per machine, ms (ground truth). */
  runningMs: Record<string, number>;
  polls: number;
}

export function demoScenario(): ScenarioInput {
  return parse(readFileSync('plc-sim/scenarios/demo.yaml', 'utf8')) as ScenarioInput;
}

export function runSimFeed(o: SimFeedOptions): SimFeedResult {
  const input = { ...(o.scenario ?? demoScenario()), tickMs: o.pollMs };
  const scenario = resolveScenario(o.plant, parseScenario(input, 'scenario'));
  const model = createLineModel({ plant: o.plant, scenario, seed: o.seed, startTime: o.startTime });
  const image = new TagImage(o.plant, scenario.machines, o.startTime);
  const edge = createPlantModel(o.plant, o.startTime);
  const wanted = o.machines ? new Set(o.machines) : null;
  const published = image.tags.filter((t) => !wanted || wanted.has(t.machine.id));
  const lastSent = new Map<string, unknown>();
  const driftStart = new Map<string, number | null>();
  const lastReason = new Map<string, string>();
  const driftStarts: { machineId: string; driftStart: number; at: number }[] = [];
  const wearMachines = o.plant.machines.filter((m) => scenario.machines.get(m.id)!.wear && (!wanted || wanted.has(m.id)));
  let polls = 0;

  for (let t = o.startTime + o.pollMs; t <= o.startTime + o.durationMs; t += o.pollMs) {
    model.advanceTo(t);
    image.update(model);
    const batch: TagSample[] = [];
    for (const p of published) {
      const value = image.read(p);
      if (Object.is(lastSent.get(p.key), value)) continue;
      lastSent.set(p.key, value);
      batch.push({ tag: p.key, value, quality: 'good', ts: t, receivedTs: t });
    }
    polls++;
    // When each drift began (wear past driftStartsAt), matched below to the breakdown it ends in.
    for (const m of wearMachines) {
      const snap = model.machine(m.id);
      if (snap.wear >= scenario.machines.get(m.id)!.wear!.driftStartsAt && !driftStart.get(m.id)) driftStart.set(m.id, t);
      if (snap.reason === 'wear-breakdown' && lastReason.get(m.id) !== 'wear-breakdown' && driftStart.get(m.id)) {
        driftStarts.push({ machineId: m.id, driftStart: driftStart.get(m.id)!, at: t });
        driftStart.set(m.id, null);
      }
      lastReason.set(m.id, snap.reason);
    }
    if (batch.length) o.onEvents(edge.apply(batch), t);
    o.onPoll?.(t, model);
  }

  const end = o.startTime + o.durationMs;
  const truth = model.truth.report(o.startTime, end, model.now(), { seed: o.seed, scenario: scenario.name });
  const wearCycles: WearCycle[] = [];
  const runningMs: Record<string, number> = {};
  for (const mt of truth.machines) {
    runningMs[mt.machineId] = mt.timeByState.running;
    for (const iv of mt.intervals) {
      if (iv.reason !== 'wear-breakdown' || iv.start === o.startTime) continue;
      const d = driftStarts.find((x) => x.machineId === mt.machineId && x.at >= iv.start && x.at - iv.start <= o.pollMs);
      wearCycles.push({ machineId: mt.machineId, driftStart: d?.driftStart ?? iv.start, breakdown: iv.start, code: iv.faultCode });
    }
  }
  const openDrifts: Record<string, number> = {};
  for (const [id, t] of driftStart) if (t) openDrifts[id] = t;
  return { scenario, wearCycles, openDrifts, runningMs, polls };
}
