import { counterStep, type CounterBits } from '../../shared/kpi/index.js';
import type { TagConfig } from '../../shared/plant-schema.js';

const COUNTER_BITS: Partial<Record<TagConfig['type'], CounterBits>> = { uint16: 16, int16: 16, uint32: 32, int32: 32 };

/** Counter register width of an integer tag, or undefined for floats (which do not wrap). */
export function counterBitsOf(tag: TagConfig): CounterBits | undefined {
  return COUNTER_BITS[tag.type];
}

/**
 * Forward change of a monotonic total (part counter or energy meter) in engineering units.
 * Integer registers are compared as raw register values so wraps are detected at the
 * register's modulus even when the tag is scaled (energy in 0.01 kWh steps).
 */
export function totalDelta(tag: TagConfig, prev: number, next: number): number {
  const bits = counterBitsOf(tag);
  const scale = tag.modbus?.scale ?? 1;
  const offset = tag.modbus?.offset ?? 0;
  if (bits) {
    const toRaw = (v: number) => Math.round((v - offset) / scale);
    const rawPrev = toRaw(prev);
    const rawNext = toRaw(next);
    const modulus = bits === 16 ? 0x1_0000 : 0x1_0000_0000;
    if (rawPrev >= 0 && rawPrev < modulus && rawNext >= 0 && rawNext < modulus) {
      return counterStep(rawPrev, rawNext, bits).delta * scale;
    }
  }
  // Floating totals do not wrap; a drop is a meter reset, after which `next` has accrued.
  return next >= prev ? next - prev : Math.max(0, next);
}
