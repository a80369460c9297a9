// The flight recorder: per machine, a ring buffer of every tag change of the last
// `ringSeconds`, so that when an alarm (or a person) asks, the recording can start *before*
// the trigger. A capture copies the ring's window [trigger − pre, trigger], then keeps
// appending until trigger + post. Windows are on the edge clock (receive time), the clock
// the trigger comes from; each sample also keeps its source timestamp. Pure: no I/O, no
// timers; the caller persists captures and calls tick().
import type { RecordingSample } from '../../shared/alarm-wire.js';
import type { ModelEvent } from '../model/index.js';
import type { ModelEventSink } from '../model/index.js';
import { MAX_OPEN_RECORDINGS, MAX_OPEN_RECORDINGS_PER_MACHINE, MAX_RECORDING_SAMPLES } from '../../shared/query-limits.js';

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
  /** This machine's captures still recording: a sample visits these, not every open capture. */
  open: Capture[];
}

/** A recording asked for by a person while too many are open: the caller answers 400. */
export class RecordingLimitError extends Error {
  override name = 'RecordingLimitError';
  constructor(message: string, readonly limit: number) {
    super(message);
  }
}

export interface RecorderLimits {
  perMachine: number;
  overall: number;
  samplesPerCapture: number;
}

const LIMITS: RecorderLimits = { perMachine: MAX_OPEN_RECORDINGS_PER_MACHINE, overall: MAX_OPEN_RECORDINGS, samplesPerCapture: MAX_RECORDING_SAMPLES };

/** A machine with thousands of fast tags must not fill the memory: the ring keeps at most this many samples. */
export const MAX_RING_SAMPLES = 200_000;

export class FlightRecorder implements ModelEventSink {
  readonly name = 'flight recorder';
  private readonly rings = new Map<string, MachineRing>();
  private readonly open: Capture[] = [];

  private readonly limits: RecorderLimits;

  constructor(machineIds: readonly string[], private readonly ringMs: number, private readonly now: () => number, private readonly maxSamples = MAX_RING_SAMPLES, limits: Partial<RecorderLimits> = {}) {
    for (const id of machineIds) this.rings.set(id, { samples: [], evicted: new Map(), open: [] });
    this.limits = { ...LIMITS, ...limits };
  }

  get ringSeconds(): number {
    return this.ringMs / 1000;
  }

  onModelEvents(events: readonly ModelEvent[]): void {
    for (const e of events) {
      if (e.kind !== 'tags') continue;
      for (const change of e.changes) {
        const machineId = change.machineId;
        const ring = this.rings.get(machineId);
        if (!ring) continue;
        const s: RecordingSample = { tag: change.tagName, ts: change.ts, rx: change.receivedTs, value: change.value, quality: change.quality };
        ring.samples.push(s);
        for (const c of ring.open) {
          if (s.rx > c.to || c.samples.length >= this.limits.samplesPerCapture) continue;
          c.samples.push(s);
          // Full: the recording ends here (tick() completes it) rather than growing without end.
          if (c.samples.length >= this.limits.samplesPerCapture) c.to = s.rx;
        }
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

  /**
   * Starts a capture; the pre-trigger part is in it at once. `preMs` is cut to what the ring
   * holds. Past the open-recording limits a manual request is refused (RecordingLimitError);
   * an alarm's capture keeps its pre-trigger part and ends at the trigger, so an alarm flood
   * cannot make every sample visit hundreds of captures.
   */
  start(request: CaptureRequest): Capture {
    const ring = this.rings.get(request.machineId);
    if (!ring) throw new RangeError(`no machine "${request.machineId}" (known: ${[...this.rings.keys()].join(', ')})`);
    // A capture without a post-trigger part completes at the next tick and costs nothing meanwhile.
    const full = request.postMs > 0 ? this.full(request.machineId, ring) : null;
    if (full && request.trigger === 'manual') throw new RecordingLimitError(full.message, full.limit);
    const postMs = full ? 0 : request.postMs;
    const note = full ? `${request.note ?? ''}${request.note ? ' ' : ''}(pre-trigger part only: ${full.message})` : request.note;
    const preMs = Math.min(request.preMs, this.ringMs);
    const from = request.triggerTs - preMs;
    const to = request.triggerTs + postMs;
    const last = new Map(ring.evicted);
    const samples: RecordingSample[] = [];
    for (const s of ring.samples) {
      if (s.rx <= from) last.set(s.tag, s);
      else if (s.rx <= to) samples.push(s);
    }
    const capture: Capture = { ...request, note, preMs, postMs, id: 0, from, to, initial: [...last.values()].sort((a, b) => a.tag.localeCompare(b.tag)), samples };
    if (samples.length >= this.limits.samplesPerCapture) {
      samples.length = this.limits.samplesPerCapture;
      capture.to = samples.at(-1)!.rx;
    }
    this.open.push(capture);
    ring.open.push(capture);
    return capture;
  }

  private full(machineId: string, ring: MachineRing): { message: string; limit: number } | null {
    const { perMachine, overall } = this.limits;
    if (ring.open.length >= perMachine) {
      return { limit: perMachine, message: `${machineId} already has ${ring.open.length} recordings running; at most ${perMachine} open recordings per machine (parameter: id): wait until one completes (${new Date(Math.min(...ring.open.map((c) => c.to))).toISOString()})` };
    }
    if (this.open.length >= overall) {
      return { limit: overall, message: `${this.open.length} recordings are running; at most ${overall} open recordings on this edge (parameter: id): wait until one completes (${new Date(Math.min(...this.open.map((c) => c.to))).toISOString()})` };
    }
    return null;
  }

  private close(c: Capture): void {
    const ring = this.rings.get(c.machineId);
    if (ring) ring.open.splice(ring.open.indexOf(c), 1);
  }

  /** Captures whose window has passed; they leave the recorder. */
  tick(): Capture[] {
    const now = this.now();
    this.evict(now);
    const done: Capture[] = [];
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (this.open[i]!.to <= now) done.unshift(...this.open.splice(i, 1));
    }
    for (const c of done) this.close(c);
    return done;
  }

  /** Captures still recording. */
  pending(): readonly Capture[] {
    return this.open;
  }

  /** Ends every open capture now (the edge is stopping): what was captured is kept. */
  flush(): Capture[] {
    for (const ring of this.rings.values()) ring.open.length = 0;
    return this.open.splice(0, this.open.length);
  }
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per sample, the initial values first (phase "initial"), times as ISO and epoch ms; line by line, for a streamed export. */
export function* recordingCsvLines(r: { initial: readonly RecordingSample[]; samples: readonly RecordingSample[]; triggerTs: number }): Generator<string> {
  const row = (phase: string, s: RecordingSample) =>
    [phase, s.tag, new Date(s.ts).toISOString(), s.ts, s.rx, ((s.rx - r.triggerTs) / 1000).toFixed(3), s.value, s.quality].map(csvCell).join(',');
  yield 'phase,tag,source_time,source_ts,received_ts,offset_s,value,quality\n';
  for (const s of r.initial) yield `${row('initial', s)}\n`;
  for (const s of r.samples) yield `${row(s.rx <= r.triggerTs ? 'pre' : 'post', s)}\n`;
}

/** The whole CSV as one string (small recordings, tests). */
export function recordingCsv(r: { initial: readonly RecordingSample[]; samples: readonly RecordingSample[]; triggerTs: number }): string {
  return [...recordingCsvLines(r)].join('');
}
