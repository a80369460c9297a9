// The twin's copy of the line: the last snapshot with every delta applied. Pure state, no I/O,
// so the scene, the panels and the tests all read the same numbers.
import type { DeviceHealth, LineDelta, LineSnapshot, MachineLive, PlantView, ShiftRef } from '../../../shared/live-protocol.js';

export type PlantMachine = PlantView['machines'][number];

/** A machine whose total count went up: drives parts along the conveyor after it. */
export interface CountStep {
  machineId: string;
  parts: number;
}

export interface StoreChange {
  kind: 'snapshot' | 'delta';
  machineIds: readonly string[];
  countSteps: readonly CountStep[];
  devicesChanged: boolean;
}

export type StoreListener = (change: StoreChange) => void;

export class LineStore {
  plant: PlantView | null = null;
  readonly machines = new Map<string, MachineLive>();
  readonly devices = new Map<string, DeviceHealth>();
  /** Server time of the last message, epoch ms (for ages shown in the UI, immune to client clock skew). */
  serverTs = 0;
  /** The line's shift as the edge last sent it (null between shifts); undefined when the edge does not send one. */
  lineShift: ShiftRef | null | undefined = undefined;
  private readonly listeners = new Set<StoreListener>();

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  machineConfig(id: string): PlantMachine | undefined {
    return this.plant?.machines.find((m) => m.id === id);
  }

  applySnapshot(snapshot: LineSnapshot): void {
    this.plant = snapshot.plant;
    this.machines.clear();
    for (const m of snapshot.machines) this.machines.set(m.machineId, m);
    this.devices.clear();
    for (const d of snapshot.devices) this.devices.set(d.deviceId, d);
    this.serverTs = snapshot.ts;
    this.lineShift = snapshot.shift;
    this.emit({ kind: 'snapshot', machineIds: snapshot.machines.map((m) => m.machineId), countSteps: [], devicesChanged: true });
  }

  applyDelta(delta: LineDelta): void {
    const countSteps: CountStep[] = [];
    for (const m of delta.machines) {
      const before = this.machines.get(m.machineId);
      // A count going down is a shift rollover or a reset, not parts flowing backwards.
      if (before && m.counts.total > before.counts.total) {
        countSteps.push({ machineId: m.machineId, parts: m.counts.total - before.counts.total });
      }
      this.machines.set(m.machineId, m);
    }
    for (const d of delta.devices) this.devices.set(d.deviceId, d);
    this.serverTs = delta.ts;
    if (delta.shift !== undefined) this.lineShift = delta.shift;
    this.emit({ kind: 'delta', machineIds: delta.machines.map((m) => m.machineId), countSteps, devicesChanged: delta.devices.length > 0 });
  }

  /** Line OEE as the mean of machine OEEs (a placeholder until the KPI engine sends a line figure). */
  lineSummary(): { oee: number | null; running: number; idle: number; down: number; other: number } {
    let sum = 0;
    let n = 0;
    let running = 0, idle = 0, down = 0, other = 0;
    for (const m of this.machines.values()) {
      if (m.state === 'running') running++;
      else if (m.state === 'idle') idle++;
      else if (m.state === 'down') down++;
      else other++;
      if (Number.isFinite(m.oee.oee)) {
        sum += m.oee.oee;
        n++;
      }
    }
    return { oee: n ? sum / n : null, running, idle, down, other };
  }

  /** The line's current shift: the edge's calendar view, else (older senders) the first machine's. */
  shift(): ShiftRef | null {
    if (this.lineShift !== undefined) return this.lineShift;
    return this.machines.values().next().value?.shift ?? null;
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l(change);
  }
}
