// Predictive early-warning benchmark (issue 9 §5): the simulator's line model runs days of
// simulated time without sockets; the edge's plant model, health monitor and alarm engine
// (with the plant's anomaly rule) watch it on the simulated clock. Against the ground
// truth it reports, per wear breakdown, how long before it the anomaly alarm was raised
// (lead time), and how often the alarm was raised when no drift was under way (false
// alarms per 24 h of running).
//
//   npx tsx bench/alarms.ts [--days 3] [--seed 7] [--seeds 7,8,9]   or   npm run bench -- alarms
import { pathToFileURL } from 'node:url';
import { loadPlantFile } from '../edge/config/load-plant.js';
import { createAlarmEngine } from '../edge/alarms/alarm-engine.js';
import { HealthMonitor } from '../edge/diagnosis/health-monitor.js';
import { alarmSettings, type AlarmSettingsInput } from '../shared/alarm-rules.js';
import type { PlantConfig } from '../shared/plant-schema.js';
import { alarmKpis } from '../edge/alarms/alarm-kpis.js';
import type { AlarmOccurrence } from '../shared/alarm-wire.js';
import { parseScenario, resolveScenario } from '../plc-sim/scenario.js';
import { demoScenario, runSimFeed, type WearCycle } from './alarms-sim-feed.js';

/** One machine's result in a predictive run. */
export interface PredictiveMachine {
  machineId: string;
  wearBreakdowns: number;
  detected: number;
  /** Per detected breakdown: breakdown − first raise of the anomaly alarm inside its drift, minutes. */
  leadMinutes: number[];
  /** Per breakdown: breakdown − drift start (the most a perfect detector could get), minutes. */
  driftMinutes: number[];
  /** Raises outside every drift (re-annunciations of a standing alarm after a planned stop are not counted again). */
  falseAlarms: number;
  /** A drift still under way at the end of the run: raises in it are neither lead times nor false alarms. */
  openDriftStart: number | null;
  runningHours: number;
  /** Raises of the anomaly alarm (all), simulated epoch ms. */
  raises: number[];
  cycles: WearCycle[];
}

export interface PredictiveRun extends PredictiveMachine {
  seed: number;
  days: number;
  machines: PredictiveMachine[];
  falseAlarmsPer24hRunning: number;
  wallSeconds: number;
}

export interface PredictiveOptions {
  seed?: number;
  days?: number;
  /** Machines to watch (default: the mill). The line model always runs whole. */
  machineIds?: string[];
  /** Overrides of the plant's alarms section (e.g. predictive settings). */
  alarms?: AlarmSettingsInput;
  plant?: PlantConfig;
  pollMs?: number;
}

const START = Date.parse('2025-03-03T06:00:00+08:00');

/** Machines whose scenario has a wear model (their drifts are what the detector is for). */
export function wearMachines(plant: PlantConfig): string[] {
  const scenario = resolveScenario(plant, parseScenario(demoScenario(), 'demo'));
  return plant.machines.filter((m) => scenario.machines.get(m.id)!.wear).map((m) => m.id);
}

export function runPredictive(o: PredictiveOptions = {}): PredictiveRun {
  const t0 = performance.now();
  const seed = o.seed ?? 7;
  const days = o.days ?? 3;
  const machineIds = o.machineIds ?? ['mill'];
  const base = o.plant ?? loadPlantFile('config/demo-plant.yaml');
  const settings = alarmSettings({
    ...(base.alarms ?? {}),
    ...(o.alarms ?? {}),
    defaultRules: false,
    rules: [{ id: 'anomaly', kind: 'anomaly', priority: 'medium' }],
  });
  let now = START;
  const clock = () => now;
  const monitor = new HealthMonitor({ plant: base, settings: settings.predictive, now: clock });
  const engine = createAlarmEngine({ plant: base, settings, now: clock, anomaly: (m, tags) => monitor.score(m, tags) });
  const raises = new Map<string, number[]>(machineIds.map((id) => [id, []]));
  const unsuppressedAt = new Map<string, number>();
  engine.onEvent((e) => {
    const id = e.view?.machineId;
    if (!id) return;
    if (e.type === 'unsuppressed') unsuppressedAt.set(id, e.ts);
    // A standing anomaly is annunciated again after a planned stop: the same detection, not a new one.
    if (e.type === 'raised' && e.ts !== unsuppressedAt.get(id)) raises.get(id)?.push(e.ts);
  });
  let lastTick = START;
  const feed = runSimFeed({
    plant: base, seed, startTime: START, durationMs: days * 86_400_000, pollMs: o.pollMs ?? 1000, machines: machineIds,
    onEvents(events, t) {
      now = t;
      monitor.onModelEvents(events);
      engine.onModelEvents(events);
    },
    onPoll(t) {
      now = t;
      if (t - lastTick >= 5000) {
        lastTick = t;
        monitor.tick();
        engine.tick();
      }
    },
  });
  const machines = machineIds.map((machineId): PredictiveMachine => {
    const cycles = feed.wearCycles.filter((c) => c.machineId === machineId);
    const mine = raises.get(machineId)!;
    const leadMinutes: number[] = [];
    const driftMinutes: number[] = [];
    const openDriftStart = feed.openDrifts[machineId] ?? null;
    const inDrift = (ts: number) => cycles.some((c) => ts >= c.driftStart && ts <= c.breakdown) || (openDriftStart !== null && ts >= openDriftStart);
    for (const c of cycles) {
      driftMinutes.push((c.breakdown - c.driftStart) / 60_000);
      const first = mine.find((r) => r >= c.driftStart && r <= c.breakdown);
      if (first !== undefined) leadMinutes.push((c.breakdown - first) / 60_000);
    }
    return {
      machineId, wearBreakdowns: cycles.length, detected: leadMinutes.length, leadMinutes, driftMinutes,
      falseAlarms: mine.filter((r) => !inDrift(r)).length, openDriftStart,
      runningHours: (feed.runningMs[machineId] ?? 0) / 3_600_000, raises: mine, cycles,
    };
  });
  const sum = (f: (m: PredictiveMachine) => number) => machines.reduce((acc, m) => acc + f(m), 0);
  const runningHours = sum((m) => m.runningHours);
  const falseAlarms = sum((m) => m.falseAlarms);
  return {
    seed, days, machines,
    machineId: machineIds.join(','),
    wearBreakdowns: sum((m) => m.wearBreakdowns),
    detected: sum((m) => m.detected),
    leadMinutes: machines.flatMap((m) => m.leadMinutes),
    driftMinutes: machines.flatMap((m) => m.driftMinutes),
    falseAlarms,
    openDriftStart: null,
    runningHours,
    raises: machines.flatMap((m) => m.raises),
    cycles: machines.flatMap((m) => m.cycles),
    falseAlarmsPer24hRunning: runningHours ? (falseAlarms / runningHours) * 24 : 0,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface AlarmLoadRun {
  seed: number;
  days: number;
  /** Annunciated alarms per operator hour over the run (ISA-18.2: ~6 acceptable, ~12 manageable). */
  perOperatorHour: number;
  maxPer10Min: number;
  floodShare: number;
  byRule: Record<string, number>;
  wallSeconds: number;
}

/** The demo plant's whole alarm configuration on the whole line: is it "few and meaningful"? */
export function runAlarmLoad(o: { seed?: number; days?: number; plant?: PlantConfig } = {}): AlarmLoadRun {
  const t0 = performance.now();
  const seed = o.seed ?? 7;
  const days = o.days ?? 1;
  const plant = o.plant ?? loadPlantFile('config/demo-plant.yaml');
  const settings = alarmSettings(plant.alarms);
  let now = START;
  const clock = () => now;
  const monitor = new HealthMonitor({ plant, settings: settings.predictive, now: clock });
  const engine = createAlarmEngine({ plant, settings, now: clock, anomaly: (m, tags) => monitor.score(m, tags) });
  const occurrences = new Map<number, AlarmOccurrence>();
  engine.onEvent((e) => { if (e.occurrence) occurrences.set(e.occurrence.id, e.occurrence); });
  let lastTick = START;
  runSimFeed({
    plant, seed, startTime: START, durationMs: days * 86_400_000, pollMs: 1000,
    onEvents(events, t) { now = t; monitor.onModelEvents(events); engine.onModelEvents(events); },
    onPoll(t) {
      now = t;
      if (t - lastTick >= 5000) { lastTick = t; monitor.tick(); engine.tick(); }
    },
  });
  const all = [...occurrences.values()];
  const k = alarmKpis({ from: START, to: START + days * 86_400_000, occurrences: all, operators: settings.operators, floodCount: settings.flood.count, staleAfterMs: settings.staleAfterHours * 3_600_000 });
  const byRule: Record<string, number> = {};
  for (const occ of all) byRule[occ.key] = (byRule[occ.key] ?? 0) + 1;
  return { seed, days, perOperatorHour: k.perOperatorHour, maxPer10Min: k.perOperator10Min.max, floodShare: k.floodShare, byRule, wallSeconds: (performance.now() - t0) / 1000 };
}

export interface AlarmsBenchResult { runs: PredictiveRun[]; load: AlarmLoadRun; lines: string[] }

export function runAlarmsBench(o: { seeds?: number[]; days?: number } = {}): AlarmsBenchResult {
  const seeds = o.seeds ?? [7, 8, 9];
  const plant = loadPlantFile('config/demo-plant.yaml');
  const machineIds = wearMachines(plant);
  const runs = seeds.map((seed) => runPredictive({ seed, days: o.days ?? 3, plant, machineIds }));
  const load = runAlarmLoad({ seed: seeds[0], days: 1 });
  const lines: string[] = [];
  lines.push(`  predictive early warning: anomaly alarm (CUSUM of residual z vs each machine's own baseline) on the demo line's wearing machines (${machineIds.join(', ')})`);
  for (const r of runs) {
    lines.push(`  seed ${r.seed}: ${r.days} d simulated in ${r.wallSeconds.toFixed(1)} s`);
    for (const m of r.machines) {
      lines.push(
        `    ${m.machineId.padEnd(10)} ${m.runningHours.toFixed(1).padStart(5)} h running, wear breakdowns ${m.wearBreakdowns}, detected ${m.detected}, ` +
        `lead [${m.leadMinutes.map((x) => x.toFixed(0)).join(', ')}] min of drift [${m.driftMinutes.map((x) => x.toFixed(0)).join(', ')}] min, false alarms ${m.falseAlarms}`,
      );
    }
  }
  const leads = runs.flatMap((r) => r.leadMinutes);
  const breakdowns = runs.reduce((s, r) => s + r.wearBreakdowns, 0);
  const detected = runs.reduce((s, r) => s + r.detected, 0);
  const falseAlarms = runs.reduce((s, r) => s + r.falseAlarms, 0);
  const hours = runs.reduce((s, r) => s + r.runningHours, 0);
  const drifts = runs.flatMap((r) => r.driftMinutes);
  lines.push(`  detected ${detected}/${breakdowns} wear breakdowns; lead time median ${median(leads).toFixed(0)} min, min ${Math.min(...leads).toFixed(0)} min (drift median ${median(drifts).toFixed(0)} min: the most any detector could give)`);
  lines.push(`  false alarms ${falseAlarms} in ${hours.toFixed(0)} h running = ${(hours ? (falseAlarms / hours) * 24 : 0).toFixed(2)} per 24 h running`);
  lines.push(
    `  alarm load, demo plant's alarm rules on the whole line, seed ${load.seed}, ${load.days} d (${load.wallSeconds.toFixed(1)} s): ` +
    `${load.perOperatorHour.toFixed(2)} alarms per operator hour (ISA-18.2: ~6 acceptable), max ${load.maxPer10Min} per 10 min, ` +
    `flood ${(load.floodShare * 100).toFixed(1)} % of 10-min windows; by rule ${Object.entries(load.byRule).map(([r, n]) => `${r} ${n}`).join(', ')}`,
  );
  return { runs, load, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const seeds = arg('seeds')?.split(',').map(Number) ?? (arg('seed') ? [Number(arg('seed'))] : undefined);
  const { lines } = runAlarmsBench({ seeds, days: arg('days') ? Number(arg('days')) : undefined });
  for (const l of lines) console.log(l);
}
