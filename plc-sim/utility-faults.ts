// Meter faults of the simulated utilities area (plc-sim/utilities.ts), injected like every
// other fault (control API POST /api/faults, startSimulator's `faults`).
import { z } from 'zod';

const meter = z.string().min(1);

export const METER_FAULT_SPECS = [
  /** The meter's registers stop changing (a hung meter or a frozen gateway); energy still flows. */
  z.strictObject({ kind: z.literal('meter-stuck'), meter, durationMs: z.number().int().min(0).optional() }),
  /** The meter's total register restarts at 0 (a meter exchange or a reset from its panel). */
  z.strictObject({ kind: z.literal('meter-reset'), meter, durationMs: z.number().int().min(0).optional() }),
  /**
   * The meter's counter is set `unitsBeforeWrap` below its rollover value, so it wraps soon.
   * Inject it before the edge first reads the meter (or the jump reads as consumption).
   */
  z.strictObject({ kind: z.literal('meter-rollover'), meter, unitsBeforeWrap: z.number().positive().default(1), durationMs: z.number().int().min(0).optional() }),
] as const;

export type MeterFaultSpec = z.infer<(typeof METER_FAULT_SPECS)[number]>;
