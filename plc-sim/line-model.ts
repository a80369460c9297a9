// The simulated line: a pure, synchronous step function of a simulated clock and a seeded
// PRNG. No sockets, no timers, no Date.now(): the protocol servers only publish what this
// model says, and tests can run a shift of simulated time without any I/O.
//
// Flow: machines in plant order, each taking parts from the buffer before it and putting
// them into the buffer after it. The first machine has unlimited raw parts, the last an
// unlimited sink, so starvation and blocking propagate along the line from where they start.
import type { MachineConfig, PlantConfig } from '../shared/plant-schema.js';
import { CalendarCursor, type CalendarPhase } from './calendar-cursor.js';
import { GroundTruthRecorder, type SimState, type StateReason } from './ground-truth.js';
import { createPrng, type Prng } from './prng.js';
import type { ResolvedBehaviour, ResolvedScenario } from './scenario.js';

export type { SimState, StateReason } from './ground-truth.js';

/** State register values of the demo line's PLCs (the plant schema's DEFAULT_STATE_CODES). */
export const STATE_CODES: Record<SimState, number> = { running: 1, idle: 2, down: 3, setup: 4, 'planned-stop': 5 };

/** PackML (ISA-TR88.00.02) state that best matches each reason, for the OPC UA view. */
export const PACKML_STATE: Record<StateReason, string> = {
  producing: 'Execute', starved: 'Suspended', blocked: 'Suspended', 'micro-stop': 'Held',
  breakdown: 'Aborted', 'wear-breakdown': 'Aborted', changeover: 'Stopped', break: 'Stopped', 'no-shift': 'Stopped',
};

/** `order`: the work order the part was released for (a new order every orderSize parts, numbered from 1). */
interface Part { product: string; order: number; seq: number; readyAt: number }

type Activity =
  | { kind: 'cycle'; part: Part; remainingMs: number; idealMs: number; microStopAtRemainingMs: number | null }
  | { kind: 'starved' }
  | { kind: 'blocked'; part: Part }
  | { kind: 'changeover'; part: Part; remainingMs: number; from: string; startedAt: number }
  | { kind: 'fault'; reason: 'micro-stop' | 'breakdown' | 'wear-breakdown'; code: number; description: string; remainingMs: number; resume: Activity };

interface Buffer { capacity: number; parts: Part[] }

interface MachineSim {
  config: MachineConfig;
  behaviour: ResolvedBehaviour;
  prng: Prng;
  activity: Activity;
  product: string;
  /** The work order of the part being worked on (its changeover included) and that order's product. */
  order: number;
  orderProduct: string;
  speedOverride: number;
  /** Running ms left until each breakdown kind strikes (exponential, memoryless). */
  ttfMs: number[];
  /** 0 = fresh, 1 = breaks. */
  wear: number;
  wearLifeMs: number;
  /** Lifetime truth. */
  made: { total: number; good: number; scrap: number };
  /** What the PLC's counters hold before their register wraps (operator resets zero them). */
  counter: { total: number; good: number };
  /** kWh the meter has counted since it was installed (before its register wraps). */
  meterKWh: number;
  noise: number;
  powerKW: number;
  signals: Map<string, { level: number; value: number }>;
  input: Buffer | null;
  output: Buffer | null;
}

export interface MachineSnapshot {
  id: string;
  state: SimState;
  stateCode: number;
  reason: StateReason;
  packmlState: string;
  faultCode: number;
  faultDescription: string;
  product: string;
  /** Work order number and its product code (1-based index into the scenario's products): the PLC's orderId and productId tags. */
  order: number;
  productCode: number;
  /** PLC counters before the register wraps (the publisher wraps them to the tag's type). */
  totalCount: number;
  goodCount: number;
  powerKW: number;
  /** Meter total before the register wraps. */
  energyKWh: number;
  speedOverride: number;
  wear: number;
  /** Process signal values by plant tag name. */
  signals: Record<string, number>;
  bufferBefore: number | null;
  bufferAfter: number | null;
}

export type MachineCommand =
  | { kind: 'resetFault' }
  | { kind: 'speedOverride'; value: number };

export interface LineModelOptions {
  plant: PlantConfig;
  scenario: ResolvedScenario;
  seed: number;
  /** Epoch ms at which the simulated clock starts. */
  startTime: number;
}

export interface LineModel {
  readonly plant: PlantConfig;
  readonly seed: number;
  readonly scenarioName: string;
  readonly startTime: number;
  /** The simulated clock (epoch ms), advanced only by advanceTo/step. */
  now(): number;
  /** Runs whole ticks up to `t` (a remainder smaller than a tick waits for the next call, so any split of calls gives the same story). */
  advanceTo(t: number): void;
  step(dtMs: number): void;
  snapshot(): MachineSnapshot[];
  machine(id: string): MachineSnapshot;
  /** Applies an operator command at the current simulated instant. Throws RangeError for bad values. */
  command(machineId: string, command: MachineCommand): void;
  /** Forces a breakdown now (for tests and demos). */
  injectBreakdown(machineId: string, code: number, durationMs: number, description?: string): void;
  readonly truth: GroundTruthRecorder;
}

export function createLineModel(options: LineModelOptions): LineModel {
  const { plant, scenario, seed, startTime } = options;
  const tickMs = scenario.tickMs;
  const rootPrng = createPrng(seed);
  const products = scenario.line.products;
  const truth = new GroundTruthRecorder(plant.machines.map((m) => m.id));
  const calendar = new CalendarCursor(plant);
  let clock = startTime;
  let released = 0;
  let partSeq = 0;

  const productFactor = (id: string) => products.find((p) => p.id === id)?.cycleTimeFactor ?? 1;
  const productOfRelease = (n: number) => products[Math.floor(n / scenario.line.orderSize) % products.length]!.id;
  const orderOfRelease = (n: number) => Math.floor(n / scenario.line.orderSize) + 1;
  const productCode = (id: string) => products.findIndex((p) => p.id === id) + 1;

  // A furnace treats batches beside the line (plc-sim/furnace.ts): it is not in the part flow.
  const flow = plant.machines.filter((m) => m.type !== 'furnace');
  // Buffers between consecutive machines, filled part-way so every station works from the start.
  const buffers: Buffer[] = flow.slice(0, -1).map((m) => {
    const capacity = scenario.line.buffers[m.id] ?? scenario.line.defaultBufferCapacity;
    const fill = Math.round(capacity * scenario.line.initialBufferFill);
    return { capacity, parts: Array.from({ length: fill }, () => ({ product: products[0]!.id, order: 1, seq: ++partSeq, readyAt: startTime })) };
  });

  const machines: MachineSim[] = plant.machines.map((config) => {
    const i = flow.indexOf(config);
    const behaviour = scenario.machines.get(config.id)!;
    const prng = rootPrng.fork(config.id);
    const signals = new Map<string, { level: number; value: number }>();
    for (const [name, s] of Object.entries(behaviour.signals)) signals.set(name, { level: s.base, value: s.base });
    const m: MachineSim = {
      config, behaviour, prng,
      activity: { kind: 'starved' },
      product: products[0]!.id,
      order: 1,
      orderProduct: products[0]!.id,
      speedOverride: behaviour.speedOverride,
      ttfMs: behaviour.breakdowns.map((b) => prng.exponential(b.mtbfMinutes * 60_000)),
      wear: behaviour.wear ? prng.uniform(0, 0.4) : 0,
      wearLifeMs: behaviour.wear ? drawWearLife(prng, behaviour) : Infinity,
      made: { total: 0, good: 0, scrap: 0 },
      counter: { total: behaviour.initialTotalCount, good: behaviour.initialGoodCount },
      meterKWh: behaviour.initialEnergyKWh,
      noise: 1,
      powerKW: 0,
      signals,
      input: i > 0 ? buffers[i - 1]! : null,
      output: i >= 0 && i < buffers.length ? buffers[i]! : null,
    };
    // Start mid-cycle at a random phase: a line that was already running, so parts appear at once.
    const part: Part = { product: m.product, order: 1, seq: ++partSeq, readyAt: startTime };
    if (i === 0) released++;
    const c = startCycleActivity(m, part);
    if (c.kind === 'cycle') c.remainingMs *= prng.uniform(0.05, 1);
    m.activity = c;
    return m;
  });

  function drawWearLife(prng: Prng, b: ResolvedBehaviour): number {
    return Math.max(0.2, prng.normal(1, 0.15)) * b.wear!.lifeHours * 3_600_000;
  }

  function idealCycleMs(m: MachineSim, product: string): number {
    return m.config.idealCycleTimeSeconds * 1000 * productFactor(product);
  }

  function startCycleActivity(m: MachineSim, part: Part): Activity {
    const idealMs = idealCycleMs(m, part.product);
    const b = m.behaviour;
    const factor = Math.max(0.9, m.prng.normal(1 + b.slowdown, b.cycleTimeCv * (1 + b.slowdown)));
    const durationMs = (idealMs * factor * 100) / m.speedOverride;
    const micro = b.microStop && m.prng.chance(b.microStop.probabilityPerCycle) ? m.prng.uniform(0, durationMs) : null;
    return { kind: 'cycle', part, remainingMs: durationMs, idealMs, microStopAtRemainingMs: micro };
  }

  /** Takes the next part for `m` at `t`, or null. The first machine has unlimited raw parts. */
  function takeInput(m: MachineSim, t: number): Part | null {
    if (!m.input) {
      const part = { product: productOfRelease(released), order: orderOfRelease(released), seq: ++partSeq, readyAt: t };
      if (m.config.type !== 'furnace') released++;
      return part;
    }
    const first = m.input.parts[0];
    if (!first || first.readyAt > t) return null;
    m.input.parts.shift();
    return first;
  }

  function beginWork(m: MachineSim, part: Part, t: number): Activity {
    m.order = part.order;
    m.orderProduct = part.product;
    if (part.product !== m.product) {
      return { kind: 'changeover', part, remainingMs: m.behaviour.changeoverMinutes * 60_000, from: m.product, startedAt: t };
    }
    return startCycleActivity(m, part);
  }

  function stateOf(m: MachineSim, phase: CalendarPhase): { state: SimState; reason: StateReason; faultCode: number; detail?: string } {
    const a = m.activity;
    if (a.kind === 'fault') return { state: 'down', reason: a.reason, faultCode: a.code };
    if (!phase.producing) return { state: 'planned-stop', reason: phase.reason ?? 'no-shift', faultCode: 0, detail: phase.detail };
    switch (a.kind) {
      case 'cycle': return { state: 'running', reason: 'producing', faultCode: 0 };
      case 'starved': return { state: 'idle', reason: 'starved', faultCode: 0 };
      case 'blocked': return { state: 'idle', reason: 'blocked', faultCode: 0 };
      case 'changeover': return { state: 'setup', reason: 'changeover', faultCode: 0 };
    }
  }

  function record(m: MachineSim, t: number, phase: CalendarPhase) {
    const s = stateOf(m, phase);
    truth.enter(m.config.id, t, { ...s, product: m.product, order: m.order });
  }

  /** The state alone, without allocating: this runs for every event of every machine. */
  function stateKind(m: MachineSim, phase: CalendarPhase): SimState {
    const k = m.activity.kind;
    if (k === 'fault') return 'down';
    if (!phase.producing) return 'planned-stop';
    return k === 'cycle' ? 'running' : k === 'changeover' ? 'setup' : 'idle';
  }

  function powerLevel(m: MachineSim, state: SimState): number {
    const p = m.behaviour.power;
    switch (state) {
      case 'running': return p.running;
      case 'idle': return p.idle;
      case 'down': return p.down;
      case 'setup': return p.setup;
      case 'planned-stop': return p.plannedStop;
    }
  }

  function consume(m: MachineSim, ms: number, phase: CalendarPhase) {
    if (ms <= 0) return;
    const kWh = (powerLevel(m, stateKind(m, phase)) * m.noise * ms) / 3_600_000;
    m.meterKWh += kWh;
    truth.addEnergy(m.config.id, kWh);
  }

  function completePart(m: MachineSim, a: Extract<Activity, { kind: 'cycle' }>, t: number): Activity {
    const good = !m.prng.chance(m.behaviour.scrapRate);
    m.made.total++;
    m.counter.total++;
    if (good) { m.made.good++; m.counter.good++; } else m.made.scrap++;
    truth.part({ machineId: m.config.id, ts: t, good, product: a.part.product, order: a.part.order, idealCycleMs: a.idealMs });
    if (!good) return { kind: 'starved' }; // scrap leaves the line here
    return { kind: 'blocked', part: { ...a.part, readyAt: t } };
  }

  /** Moves `m` through [t, end) with the calendar phase fixed, event by event. */
  function run(m: MachineSim, t: number, end: number, phase: CalendarPhase) {
    let guard = 0;
    while (t < end) {
      if (++guard > 10_000) throw new Error(`line model: no progress for ${m.config.id} at ${t}`);
      const a = m.activity;
      // Waiting states resolve instantly when their condition clears.
      if (a.kind === 'blocked') {
        if (!m.output || m.output.parts.length < m.output.capacity) {
          if (m.output) m.output.parts.push({ ...a.part, readyAt: t });
          m.activity = { kind: 'starved' };
          record(m, t, phase);
          continue;
        }
        consume(m, end - t, phase);
        return;
      }
      if (a.kind === 'starved') {
        if (!phase.producing) { consume(m, end - t, phase); return; }
        const next = m.input?.parts[0];
        if (m.input && next && next.readyAt > t && next.readyAt < end) {
          consume(m, next.readyAt - t, phase);
          t = next.readyAt;
          continue;
        }
        const part = takeInput(m, t);
        if (!part) { consume(m, end - t, phase); return; }
        m.activity = beginWork(m, part, t);
        record(m, t, phase);
        continue;
      }
      if (a.kind === 'fault') {
        const d = Math.min(a.remainingMs, end - t);
        consume(m, d, phase);
        a.remainingMs -= d;
        t += d;
        if (a.remainingMs <= 0) {
          m.activity = a.resume;
          record(m, t, phase);
        }
        continue;
      }
      if (!phase.producing) { consume(m, end - t, phase); return; } // a planned stop pauses cycles and changeovers
      if (a.kind === 'changeover') {
        const d = Math.min(a.remainingMs, end - t);
        consume(m, d, phase);
        a.remainingMs -= d;
        t += d;
        if (a.remainingMs <= 0) {
          truth.changeover({ machineId: m.config.id, from: a.from, to: a.part.product, start: a.startedAt, end: t });
          m.product = a.part.product;
          m.activity = startCycleActivity(m, a.part);
          record(m, t, phase);
        }
        continue;
      }
      // Cycling: the next event is the cycle end, a micro-stop, a breakdown or wear-out.
      let d = Math.min(a.remainingMs, end - t);
      if (a.microStopAtRemainingMs !== null) d = Math.min(d, a.remainingMs - a.microStopAtRemainingMs);
      let failing = -1;
      m.ttfMs.forEach((ttf, k) => { if (ttf <= d) { d = ttf; failing = k; } });
      const wearLeftMs = (1 - m.wear) * m.wearLifeMs;
      const wearing = m.behaviour.wear !== null && wearLeftMs <= d;
      if (wearing) d = wearLeftMs;
      d = Math.max(0, d);
      consume(m, d, phase);
      a.remainingMs -= d;
      for (let k = 0; k < m.ttfMs.length; k++) m.ttfMs[k]! -= d;
      if (m.behaviour.wear) m.wear = Math.min(1, m.wear + d / m.wearLifeMs);
      t += d;
      if (wearing && m.behaviour.wear) {
        const w = m.behaviour.wear;
        m.wear = 0;
        m.wearLifeMs = drawWearLife(m.prng, m.behaviour);
        m.activity = { kind: 'fault', reason: 'wear-breakdown', code: w.code, description: w.description, remainingMs: m.prng.lognormal(w.mttrMinutes * 60_000, 0.3), resume: a };
        record(m, t, phase);
        continue;
      }
      if (failing >= 0) {
        const b = m.behaviour.breakdowns[failing]!;
        m.ttfMs[failing] = m.prng.exponential(b.mtbfMinutes * 60_000);
        m.activity = { kind: 'fault', reason: 'breakdown', code: b.code, description: b.description, remainingMs: m.prng.lognormal(b.mttrMinutes * 60_000, b.mttrCv), resume: a };
        record(m, t, phase);
        continue;
      }
      if (a.microStopAtRemainingMs !== null && a.remainingMs <= a.microStopAtRemainingMs + 1e-9) {
        const ms = m.behaviour.microStop!;
        a.microStopAtRemainingMs = null;
        m.activity = { kind: 'fault', reason: 'micro-stop', code: ms.code, description: ms.description, remainingMs: Math.min(ms.maxSeconds * 1000, m.prng.exponential(ms.meanSeconds * 1000)), resume: a };
        record(m, t, phase);
        continue;
      }
      if (a.remainingMs <= 1e-9) {
        m.activity = completePart(m, a, t);
        record(m, t, phase);
      }
    }
  }

  function updateSignals(m: MachineSim, dtMs: number, state: SimState) {
    const drift = m.behaviour.wear ? Math.max(0, (m.wear - m.behaviour.wear.driftStartsAt) / (1 - m.behaviour.wear.driftStartsAt)) : 0;
    for (const [name, s] of Object.entries(m.behaviour.signals)) {
      const sig = m.signals.get(name)!;
      const running = state === 'running';
      const isSpeed = name.toLowerCase().includes('speed');
      const target = running ? (isSpeed ? s.running * (m.speedOverride / 100) : s.running) + s.wearGain * drift : s.base + (isSpeed ? 0 : 0.3 * s.wearGain * drift);
      sig.level += (target - sig.level) * (1 - Math.exp(-dtMs / (s.tauSeconds * 1000)));
      sig.value = sig.level + (s.noise > 0 ? m.prng.normal(0, s.noise) : 0);
    }
  }

  let lastShiftStart: number | null = null;
  let lastPhase: CalendarPhase | undefined;

  function onShiftStart(phase: CalendarPhase, t: number) {
    const start = phase.shift?.start ?? null;
    if (start === null || start === lastShiftStart) return;
    const first = lastShiftStart === null;
    lastShiftStart = start;
    if (first) return; // the simulator started inside this shift: nobody walked in to reset anything
    for (const m of machines) {
      if (!m.behaviour.counterResetAtShiftChange) continue;
      m.counter.total = 0;
      m.counter.good = 0;
      truth.counterReset({ machineId: m.config.id, ts: t, reason: `shift ${phase.shift!.name} started` });
    }
  }

  function tick(t0: number, t1: number) {
    for (const m of machines) m.noise = Math.max(0, 1 + m.prng.normal(0, m.behaviour.power.noise));
    let t = t0;
    while (t < t1) {
      const phase = calendar.at(t);
      onShiftStart(phase, t);
      const end = Math.min(t1, phase.until);
      if (phase !== lastPhase) {
        for (const m of machines) record(m, t, phase);
        lastPhase = phase;
      }
      for (const m of machines) run(m, t, end, phase);
      t = end;
    }
    const phase = calendar.at(t1 - 1);
    for (const m of machines) {
      const state = stateKind(m, phase);
      m.powerKW = powerLevel(m, state) * m.noise;
      updateSignals(m, t1 - t0, state);
    }
  }

  // Open the first intervals at the start instant.
  {
    const phase = calendar.at(startTime);
    onShiftStart(phase, startTime);
    for (const m of machines) {
      record(m, startTime, phase);
      m.powerKW = powerLevel(m, stateOf(m, phase).state);
    }
  }

  let ticks = 0;
  function snap(m: MachineSim): MachineSnapshot {
    const phase = calendar.at(clock);
    const s = stateOf(m, phase);
    const a = m.activity;
    const signals: Record<string, number> = {};
    for (const [name, sig] of m.signals) signals[name] = sig.value;
    return {
      id: m.config.id,
      state: s.state,
      stateCode: STATE_CODES[s.state],
      reason: s.reason,
      packmlState: PACKML_STATE[s.reason],
      faultCode: s.faultCode,
      faultDescription: a.kind === 'fault' ? a.description : '',
      product: m.product,
      order: m.order,
      productCode: productCode(m.orderProduct),
      totalCount: m.counter.total,
      goodCount: m.counter.good,
      powerKW: m.powerKW,
      energyKWh: m.meterKWh,
      speedOverride: m.speedOverride,
      wear: m.wear,
      signals,
      bufferBefore: m.input ? m.input.parts.length : null,
      bufferAfter: m.output ? m.output.parts.length : null,
    };
  }

  const byId = new Map(machines.map((m) => [m.config.id, m]));
  const get = (id: string): MachineSim => {
    const m = byId.get(id);
    if (!m) throw new RangeError(`no machine "${id}" (known: ${[...byId.keys()].join(', ')})`);
    return m;
  };

  const model: LineModel = {
    plant, seed, startTime, truth,
    scenarioName: scenario.name,
    now: () => clock,
    advanceTo(t) {
      while (clock + tickMs <= t) {
        tick(clock, clock + tickMs);
        clock += tickMs;
        if (++ticks % 14_400 === 0) truth.prune(clock);
      }
    },
    step(dtMs) { model.advanceTo(clock + dtMs); },
    snapshot: () => machines.map(snap),
    machine: (id) => snap(get(id)),
    command(machineId, command) {
      const m = get(machineId);
      if (command.kind === 'speedOverride') {
        if (!Number.isFinite(command.value) || command.value < 1 || command.value > 200) throw new RangeError(`speed override ${command.value} % is outside 1..200`);
        m.speedOverride = Math.round(command.value);
        return;
      }
      if (m.activity.kind === 'fault') {
        // The operator acknowledges and clears the fault; the machine picks up where it stopped.
        m.activity = m.activity.resume;
        record(m, clock, calendar.at(clock));
      }
    },
    injectBreakdown(machineId, code, durationMs, description = 'injected fault') {
      const m = get(machineId);
      const resume = m.activity.kind === 'fault' ? m.activity.resume : m.activity;
      m.activity = { kind: 'fault', reason: 'breakdown', code, description, remainingMs: durationMs, resume };
      record(m, clock, calendar.at(clock));
    },
  };
  return model;
}
