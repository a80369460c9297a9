// Which work order each machine is working on, and the KPIs it makes for it. A model event
// sink: a machine's time, parts and energy are booked to its current order with the product's
// ideal cycle time. The current order comes from the operator's start (for the whole line), or
// from the machine's own `orderId` tag when the PLC knows it — the PLC then wins.
// A changeover (the order's product differs from the machine's last one) is booked as setup:
// the PLC's own setup state when it reports one; otherwise the machine's idle time from the
// order switch to its first part (a machine that runs at once had nothing to change over).
// Synchronous and deterministic: every booking carries its event's timestamp.
import type { MachineState, PlantConfig, TagRole } from '../../shared/plant-schema.js';
import type { TagValue } from '../../shared/live-protocol.js';
import { ShiftAccumulator, sumPeriodTotals, type PeriodTotals } from '../../shared/kpi/index.js';
import type { ModelEvent, ModelEventSink } from '../model/index.js';

export interface OrderRef { orderId: string; productId: string; idealCycleTimeSeconds: number }

export interface OrderTrackerOptions {
  plant: PlantConfig;
  microStopThresholdMs: number;
  /** The order's product and this machine's ideal cycle time for it; null when the order is unknown. */
  resolve(orderId: string, machineId: string, plcProduct: string | null): OrderRef | null;
  /** A closed stretch of a machine on an order (store it). */
  onSegmentClosed(segment: { orderId: string; machineId: string; start: number; end: number; totals: PeriodTotals }): void;
  /** The PLC switched a machine to an order (it may be new to the edge). */
  onPlcOrder?(machineId: string, orderId: string, plcProduct: string | null, ts: number): void;
  /** The machine now makes parts with this ideal cycle time (null: no order, the plant file's). */
  onIdealCycleTime?(machineId: string, seconds: number | null): void;
}

interface Segment { ref: OrderRef; acc: ShiftAccumulator; start: number }

interface MachineTrack {
  machineId: string;
  hasOrderTag: boolean;
  plcOrder: string | null;
  plcProduct: string | null;
  source: 'plc' | 'operator' | null;
  state: MachineState;
  reason: string | undefined;
  segment: Segment | null;
  lastProduct: string | null;
  changeover: boolean;
  plcReportedSetup: boolean;
  time: number;
}

export interface OrderTracker extends ModelEventSink {
  /** The operator started (orderId) or paused/completed (null) the line's order at ts. */
  setLineOrder(orderId: string | null, ts: number): void;
  machineOrder(machineId: string): { orderId: string | null; source: 'plc' | 'operator' | null; changeover: boolean };
  /** Open segments of the order, per machine, as totals up to ts. */
  openTotals(orderId: string, ts: number): { machineId: string; totals: PeriodTotals; idealCycleTimeSeconds: number }[];
  /** Closes every open segment (at shutdown), so what was booked is stored. */
  closeAll(ts: number): void;
}

const plcText = (v: TagValue): string | null => (v === null || v === undefined || v === 0 || v === '' || v === false ? null : String(v));

export function createOrderTracker(o: OrderTrackerOptions): OrderTracker {
  const roles = new Map<string, TagRole>();
  const tracks = new Map<string, MachineTrack>();
  for (const m of o.plant.machines) {
    for (const t of m.tags) roles.set(`${m.id}.${t.name}`, t.role);
    tracks.set(m.id, {
      // The furnace treats batches beside the line: it follows an order only when its own PLC names one.
      machineId: m.id, hasOrderTag: m.tags.some((t) => t.role === 'orderId') || m.type === 'furnace', plcOrder: null, plcProduct: null, source: null,
      state: 'no-data', reason: undefined, segment: null, lastProduct: null, changeover: false, plcReportedSetup: false, time: 0,
    });
  }
  const options = { microStopThresholdMs: o.microStopThresholdMs };
  let lineOrder: string | null = null;

  const effective = (t: MachineTrack): { state: MachineState; reason: string | undefined } =>
    t.changeover && t.state === 'idle' ? { state: 'setup', reason: 'changeover' } : { state: t.state, reason: t.reason };

  function close(t: MachineTrack, ts: number): void {
    const seg = t.segment;
    if (!seg) return;
    const end = Math.max(ts, seg.acc.time);
    seg.acc.advance(end);
    o.onSegmentClosed({ orderId: seg.ref.orderId, machineId: t.machineId, start: seg.start, end, totals: seg.acc.view(end) });
    t.segment = null;
  }

  function switchTo(t: MachineTrack, orderId: string | null, ts: number, source: 'plc' | 'operator'): void {
    if (t.segment?.ref.orderId === orderId) { t.source = source; return; }
    close(t, ts);
    t.source = orderId ? source : null;
    t.changeover = false;
    const ref = orderId ? o.resolve(orderId, t.machineId, t.plcProduct) : null;
    o.onIdealCycleTime?.(t.machineId, ref?.idealCycleTimeSeconds ?? null);
    if (!orderId || !ref) return;
    t.changeover = t.lastProduct !== null && t.lastProduct !== ref.productId;
    t.plcReportedSetup = t.state === 'setup';
    t.lastProduct = ref.productId;
    const e = { state: t.state, reason: t.reason };
    const shift = { name: orderId, date: '', start: ts, end: Number.MAX_SAFE_INTEGER, plannedStops: [] };
    t.segment = { ref, start: ts, acc: new ShiftAccumulator(shift, e.state, e.reason, options) };
    if (t.changeover) { const x = effective(t); t.segment.acc.setState(x.state, ts, x.reason); }
  }

  function onState(t: MachineTrack, state: MachineState, ts: number, reason: string | null): void {
    t.state = state;
    t.reason = reason ?? undefined;
    if (state === 'setup') t.plcReportedSetup = true;
    else if (t.changeover && t.plcReportedSetup) t.changeover = false;
    const x = effective(t);
    t.segment?.acc.setState(x.state, ts, x.reason);
  }

  function onPlcTag(t: MachineTrack, role: TagRole, value: TagValue, ts: number): void {
    if (role === 'productId') { t.plcProduct = plcText(value); return; }
    const order = plcText(value);
    if (order === t.plcOrder) return;
    t.plcOrder = order;
    if (order) o.onPlcOrder?.(t.machineId, order, t.plcProduct, ts);
    switchTo(t, order, ts, 'plc');
  }

  type Item = { ts: number; rank: number; run: () => void };
  return {
    name: 'orders',
    onModelEvents(events: readonly ModelEvent[]) {
      // Parts and energy before an order switch at the same instant (they were made before it),
      // the state after it (the changeover that starts with the new order belongs to it).
      const items: Item[] = [];
      for (const e of events) {
        if (e.kind === 'tags') {
          for (const c of e.changes) {
            const role = roles.get(c.tagId);
            if ((role !== 'orderId' && role !== 'productId') || c.quality !== 'good') continue;
            const t = tracks.get(c.machineId)!;
            const { value, ts } = c;
            items.push({ ts, rank: role === 'productId' ? 1 : 2, run: () => onPlcTag(t, role, value, ts) });
          }
          continue;
        }
        const t = tracks.get(e.machineId);
        if (!t) continue;
        if (e.kind === 'state') items.push({ ts: e.ts, rank: 3, run: () => onState(t, e.state, e.ts, e.reason) });
        else if (e.kind === 'count') {
          items.push({
            ts: e.ts, rank: 0, run: () => {
              const seg = t.segment;
              if (!seg) return;
              seg.acc.advance(e.ts);
              seg.acc.addCounts(e.deltaTotal, e.deltaGood, seg.ref.idealCycleTimeSeconds);
              if (t.changeover && e.deltaTotal > 0 && !t.plcReportedSetup) {
                t.changeover = false;
                seg.acc.setState(t.state, e.ts, t.reason);
              }
            },
          });
        } else if (e.kind === 'energy') {
          items.push({ ts: e.ts, rank: 0, run: () => { t.segment?.acc.advance(e.ts); t.segment?.acc.addEnergy(e.deltaKWh, e.ts); } });
        }
      }
      items.sort((a, b) => a.ts - b.ts || a.rank - b.rank);
      for (const item of items) item.run();
    },
    setLineOrder(orderId, ts) {
      lineOrder = orderId;
      for (const t of tracks.values()) if (!t.hasOrderTag) switchTo(t, lineOrder, ts, 'operator');
    },
    machineOrder(machineId) {
      const t = tracks.get(machineId);
      return { orderId: t?.segment?.ref.orderId ?? null, source: t?.segment ? t.source : null, changeover: t?.changeover ?? false };
    },
    openTotals(orderId, ts) {
      const out = [];
      for (const t of tracks.values()) {
        const seg = t.segment;
        if (seg?.ref.orderId !== orderId) continue;
        out.push({ machineId: t.machineId, totals: seg.acc.view(Math.max(ts, seg.acc.time)), idealCycleTimeSeconds: seg.ref.idealCycleTimeSeconds });
      }
      return out;
    },
    closeAll(ts) {
      for (const t of tracks.values()) close(t, ts);
    },
  };
}

/** Several stretches of one machine on one order as one. */
export function sumSegments(totals: readonly PeriodTotals[]): PeriodTotals | null {
  return totals.length ? sumPeriodTotals(totals) : null;
}
