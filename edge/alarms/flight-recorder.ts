// The flight recorder: per machine, a ring buffer of every tag change of the last
// `ringSeconds`, so that when an alarm (or a person) asks, the recording can start *before*
// the trigger. A capture copies the ring's window [trigger − pre, trigger], then keeps
// appending until trigger + post. Windows are on the edge clock (receive time), the clock
// the trigger comes from; each sample also keeps its source timestamp. Pure: no I/O, no
// timers; the caller persists captures and calls tick().
import type { RecordingSample } from '../../shared/alarm-wire.js';
import type { ModelEvent } from '../model/plant-model.js';
import type { ModelEventSink } from '../model/model-event-sink.js';

export interface CaptureRequest {
  machineId: string;
  trigger: 'alarm' | 'manual';
  triggerTs: number;
  preMs: number;
  postMs: number;
  alarmId: number | null;
  alarmKey: string | null;
  note: string | null;
}

export interface Capture extends CaptureRequest {
  /** Set by the caller once the capture is stored. */
  id: number;
  from: number;
  to: number;
  /** Each tag's last sample at or before `from`. */
  initial: RecordingSample[];
  samples: RecordingSample[];
}

interface MachineRing {
  samples: RecordingSample[];
  /** Each tag's newest sample that has left the ring. */
  evicted: Map<string, RecordingSample>;
}

/** A machine with thousands of fast tags must not fill the memory: the ring keeps at most this many samples. */
export const MAX_RING_SAMPLES = 200_000;

export class FlightRecorder implements ModelEventSink {
  readonly name = 'flight recorder';
  private readonly rings = new Map<string, MachineRing>();
  private readonly open: Capture[] = [];

  constructor(machineIds: readonly string[], private readonly ringMs: number, private readonly now: () => number, private readonly maxSamples = MAX_RING_SAMPLES) {
    for (const id of machineIds) this.rings.set(id, { samples: [], evicted: new Map() });
  }

  get ringSeconds(): number {
    return this.ringMs / 1000;
  }

  onModelEvents(events: readonly ModelEvent[]): void {
    for (const e of events) {
      if (e.kind !== 'tags') continue;
      const changes = e.changes;
      for (let i = 0; i < changes.length; i++) {
        const machineId = changes.machineId(i);
        const ring = this.rings.get(machineId);
        if (!ring) continue;
        const s: RecordingSample = { tag: changes.tagName(i), ts: changes.ts(i), rx: changes.receivedTs(i), value: changes.value(i), quality: changes.quality(i) };
        ring.samples.push(s);
        for (const c of this.open) if (c.machineId === machineId && s.rx <= c.to) c.samples.push(s);
      }
    }
    this.evict(this.now());
  }

  private evict(now: number): void {
    const cutoff = now - this.ringMs;
    for (const ring of this.rings.values()) {
      let n = 0;
      while (n < ring.samples.length && (ring.samples[n]!.rx < cutoff || ring.samples.length - n > this.maxSamples)) {
        const s = ring.samples[n]!;
        ring.evicted.set(s.tag, s);
        n++;
      }
      if (n) ring.samples.splice(0, n);
    }
  }

  /** Starts a capture; the pre-trigger part is in it at once. `preMs` is cut to what the ring holds. */
  start(request: CaptureRequest): Capture {
    const ring = this.rings.get(request.machineId);
    if (!ring) throw new RangeError(`no machine "${request.machineId}" (known: ${[...this.rings.keys()].join(', ')})`);
    const preMs = Math.min(request.preMs, this.ringMs);
    const from = request.triggerTs - preMs;
    const to = request.triggerTs + request.postMs;
    const last = new Map(ring.evicted);
    const samples: RecordingSample[] = [];
    for (const s of ring.samples) {
      if (s.rx <= from) last.set(s.tag, s);
      else if (s.rx <= to) samples.push(s);
    }
    const capture: Capture = { ...request, preMs, id: 0, from, to, initial: [...last.values()].sort((a, b) => a.tag.localeCompare(b.tag)), samples };
    this.open.push(capture);
    return capture;
  }

  /** Captures whose window has passed; they leave the recorder. */
  tick(): Capture[] {
    const now = this.now();
    this.evict(now);
    const done: Capture[] = [];
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (this.open[i]!.to <= now) done.unshift(...this.open.splice(i, 1));
    }
    return done;
  }

  /** Captures still recording. */
  pending(): readonly Capture[] {
    return this.open;
  }

  /** Ends every open capture now (the edge is stopping): what was captured is kept. */
  flush(): Capture[] {
    return this.open.splice(0, this.open.length);
  }
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per sample, the initial values first (phase "initial"), times as ISO and epoch ms. */
export function recordingCsv(r: { initial: readonly RecordingSample[]; samples: readonly RecordingSample[]; triggerTs: number }): string {
  const lines = ['phase,tag,source_time,source_ts,received_ts,offset_s,value,quality'];
  const row = (phase: string, s: RecordingSample) =>
    [phase, s.tag, new Date(s.ts).toISOString(), s.ts, s.rx, ((s.rx - r.triggerTs) / 1000).toFixed(3), s.value, s.quality].map(csvCell).join(',');
  for (const s of r.initial) lines.push(row('initial', s));
  for (const s of r.samples) lines.push(row(s.rx <= r.triggerTs ? 'pre' : 'post', s));
  return `${lines.join('\n')}\n`;
}
