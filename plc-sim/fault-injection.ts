// Misbehaviour on demand, like real networks and real PLCs: the protocol servers ask this
// registry how to answer; value faults act on the tag image; breakdowns on the model.
import { z } from 'zod';
import { METER_FAULT_SPECS } from './utility-faults.js';

const id = z.string().min(1);

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  /** Close every open connection to the device; for `durationMs` (wall time), refuse new ones too. */
  z.strictObject({ kind: z.literal('drop'), device: id, durationMs: z.number().int().min(0).optional() }),
  /** Accept requests but never answer them (clients see time-outs). */
  z.strictObject({ kind: z.literal('silence'), device: id, durationMs: z.number().int().min(0).optional() }),
  /** Delay every answer. */
  z.strictObject({ kind: z.literal('latency'), device: id, ms: z.number().int().min(1).max(120_000), durationMs: z.number().int().min(0).optional() }),
  /** Answer every Modbus request with this exception code (1 illegal function, 2 illegal address, 4 device failure, 6 busy…). */
  z.strictObject({ kind: z.literal('exception'), device: id, code: z.number().int().min(1).max(255), durationMs: z.number().int().min(0).optional() }),
  /** The tag reads NaN (integer registers read their maximum, like an overflowing analog card). */
  z.strictObject({ kind: z.literal('nan'), tag: id, durationMs: z.number().int().min(0).optional() }),
  /** The tag reads a value outside its type's sensible range. */
  z.strictObject({ kind: z.literal('out-of-range'), tag: id, durationMs: z.number().int().min(0).optional() }),
  /** The tag (`machine.tag`) or every tag of a machine (`machine`) stops changing. */
  z.strictObject({ kind: z.literal('freeze'), tag: id, durationMs: z.number().int().min(0).optional() }),
  /** The machine breaks down now with this fault code for this long (simulated minutes). */
  z.strictObject({ kind: z.literal('breakdown'), machine: id, code: z.number().int().min(1).max(65535), minutes: z.number().positive(), durationMs: z.number().int().min(0).optional() }),
  /** Utilities-area meters: meter-stuck, meter-reset, meter-rollover (plc-sim/utility-faults.ts). */
  ...METER_FAULT_SPECS,
]);
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export type DeviceFault = Extract<FaultSpec, { device: string }>;

export interface ActiveFault { id: number; spec: FaultSpec; since: number }

/**
 * Parses the CLI form `kind:target[:arg][@durationMs]`, e.g. `latency:plc-modbus:300`,
 * `exception:plc-modbus:4`, `freeze:mill.SpindleTemperature`, `drop:plc-opcua@5000`,
 * `breakdown:mill:301:10` (code 301 for 10 simulated minutes).
 */
export function parseFaultFlag(text: string): FaultSpec {
  const [body, duration] = text.split('@');
  const [kind, target, a, b] = (body ?? '').split(':');
  const durationMs = duration !== undefined ? Number(duration) : undefined;
  const raw: Record<string, unknown> = { kind, durationMs };
  switch (kind) {
    case 'drop': case 'silence': raw.device = target; break;
    case 'latency': raw.device = target; raw.ms = Number(a); break;
    case 'exception': raw.device = target; raw.code = Number(a ?? 4); break;
    case 'nan': case 'out-of-range': case 'freeze': raw.tag = target; break;
    case 'breakdown': raw.machine = target; raw.code = Number(a); raw.minutes = Number(b ?? 10); break;
    default:
      throw new RangeError(`--fault ${text}: unknown kind "${kind}" (use drop, silence, latency, exception, nan, out-of-range, freeze or breakdown)`);
  }
  if (durationMs === undefined) delete raw.durationMs;
  const result = FaultSpecSchema.safeParse(raw);
  if (!result.success) {
    throw new RangeError(`--fault ${text}: ${result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')} (form: kind:target[:arg][@durationMs])`);
  }
  return result.data;
}

export class FaultRegistry {
  private nextId = 1;
  private readonly active = new Map<number, ActiveFault>();
  private readonly listeners = new Set<(change: 'added' | 'removed', fault: ActiveFault) => void>();

  add(spec: FaultSpec, since: number): ActiveFault {
    const fault = { id: this.nextId++, spec, since };
    this.active.set(fault.id, fault);
    for (const l of this.listeners) l('added', fault);
    return fault;
  }

  remove(id: number): boolean {
    const fault = this.active.get(id);
    if (!fault) return false;
    this.active.delete(id);
    for (const l of this.listeners) l('removed', fault);
    return true;
  }

  clear(): void {
    for (const id of [...this.active.keys()]) this.remove(id);
  }

  list(): ActiveFault[] {
    return [...this.active.values()];
  }

  onChange(listener: (change: 'added' | 'removed', fault: ActiveFault) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private deviceFaults(device: string): DeviceFault[] {
    const out: DeviceFault[] = [];
    for (const f of this.active.values()) if ('device' in f.spec && f.spec.device === device) out.push(f.spec);
    return out;
  }

  latencyMs(device: string): number {
    return this.deviceFaults(device).reduce((sum, f) => sum + (f.kind === 'latency' ? f.ms : 0), 0);
  }

  silenced(device: string): boolean {
    return this.deviceFaults(device).some((f) => f.kind === 'silence');
  }

  refusing(device: string): boolean {
    return this.deviceFaults(device).some((f) => f.kind === 'drop');
  }

  exceptionCode(device: string): number | null {
    const f = this.deviceFaults(device).find((x) => x.kind === 'exception');
    return f && f.kind === 'exception' ? f.code : null;
  }
}
