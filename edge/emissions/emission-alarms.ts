// The emission conditions as ISA-18.2 alarms: one alarm point per outlet and condition (per
// factor where the limit or permit is the factor's), fed to the alarm engine as derived signals
// (AlarmEngine.derive), so they are listed, acknowledged, shelved and journalled like every
// other alarm. They belong to the outlet's machine (the furnace whose stack it is), so they show on
// it in the twin and get its flight recording; keys look like `emission-stack-hour-a21002@furnace`.
// Fault-catalogue codes (config/fault-codes.yaml, `common`) carry the advice in en/zh-CN.
import type { OutletConfig } from '../../shared/emission-schema.js';
import type { ConditionKind, EmissionCondition } from './emission-conditions.js';

/** What this module needs of the alarm engine: its derive() (structural, so no import of edge/alarms internals). */
export interface DerivedAlarmTarget {
  derive(spec: {
    id: string; source: string; priority: 'critical' | 'high' | 'medium' | 'low'; message: string; limit?: number | null;
    onDelaySeconds?: number; offDelaySeconds?: number; code?: number | null;
  }): { key: string; set(active: boolean, value: number | null): void };
}

/** Fault-catalogue codes of the emission alarms (config/fault-codes.yaml, common). */
export const EMISSION_FAULT_CODES: Record<ConditionKind, number> = {
  'hour-over-limit': 1801,
  'day-over-limit': 1802,
  'daily-permit-exceeded': 1803,
  'annual-permit-approaching': 1804,
  'annual-permit-exceeded': 1805,
  'calibration-overdue': 1806,
  'data-loss': 1807,
};

export interface EmissionAlarmSpec {
  id: string;
  /** The outlet's machine. */
  source: string;
  outlet: string;
  priority: 'high' | 'medium';
  message: string;
  limit: number | null;
  code: number;
  /** Which standing conditions hold this alarm. */
  kinds: readonly ConditionKind[];
  factor: string | null;
}

/** Every emission alarm point the plant's outlets call for. Pure. */
export function emissionAlarmSpecs(outlets: readonly OutletConfig[]): EmissionAlarmSpec[] {
  const specs: EmissionAlarmSpec[] = [];
  for (const o of outlets) {
    const base = { source: o.machine, outlet: o.id };
    const id = (what: string) => `emission-${o.id}-${what}`;
    for (const f of o.factors) {
      if (f.role !== 'pollutant') continue;
      const name = f.name ?? f.code;
      const conc = o.kind === 'flue-gas' ? 'converted ' : '';
      if (f.limits?.hour !== undefined) {
        specs.push({ ...base, id: id(`hour-${f.code}`), priority: 'high', limit: f.limits.hour, code: EMISSION_FAULT_CODES['hour-over-limit'], kinds: ['hour-over-limit'], factor: f.code,
          message: `${o.name}: ${name} hourly ${conc}average {value} over the limit {limit}` });
      }
      if (f.limits?.day !== undefined) {
        specs.push({ ...base, id: id(`day-${f.code}`), priority: 'high', limit: f.limits.day, code: EMISSION_FAULT_CODES['day-over-limit'], kinds: ['day-over-limit'], factor: f.code,
          message: `${o.name}: ${name} daily ${conc}average {value} over the limit {limit}` });
      }
      if (f.permit?.dailyKg !== undefined) {
        specs.push({ ...base, id: id(`permit-day-${f.code}`), priority: 'high', limit: f.permit.dailyKg, code: EMISSION_FAULT_CODES['daily-permit-exceeded'], kinds: ['daily-permit-exceeded'], factor: f.code,
          message: `${o.name}: ${name} today {value} kg, over the daily permit of {limit} kg` });
      }
      if (f.permit?.annualKg !== undefined) {
        specs.push({ ...base, id: id(`permit-year-near-${f.code}`), priority: 'medium', limit: f.permit.annualKg, code: EMISSION_FAULT_CODES['annual-permit-approaching'], kinds: ['annual-permit-approaching'], factor: f.code,
          message: `${o.name}: ${name} this year {value} kg, approaching the annual permit of {limit} kg` });
        specs.push({ ...base, id: id(`permit-year-${f.code}`), priority: 'high', limit: f.permit.annualKg, code: EMISSION_FAULT_CODES['annual-permit-exceeded'], kinds: ['annual-permit-exceeded'], factor: f.code,
          message: `${o.name}: ${name} this year {value} kg, over the annual permit of {limit} kg` });
      }
    }
    specs.push({ ...base, id: id('calibration-overdue'), priority: 'medium', limit: o.calibrationOverdueHours, code: EMISSION_FAULT_CODES['calibration-overdue'], kinds: ['calibration-overdue'], factor: null,
      message: `${o.name}: analysers not calibrated for {value} h (at most {limit} h)` });
    specs.push({ ...base, id: id('data-loss'), priority: 'high', limit: null, code: EMISSION_FAULT_CODES['data-loss'], kinds: ['data-loss'], factor: null,
      message: `${o.name}: {value} minutes of emission data lost` });
  }
  return specs;
}

/** Whether the conditions hold a spec's alarm, and the value shown (the largest among them). */
export function alarmSignal(spec: EmissionAlarmSpec, conditions: readonly EmissionCondition[]): { active: boolean; value: number | null } {
  const mine = conditions.filter((c) => c.outlet === spec.outlet && spec.kinds.includes(c.kind) && (spec.factor === null || c.code === spec.factor));
  if (!mine.length) return { active: false, value: null };
  const values = mine.map((c) => c.value).filter((v): v is number => v !== null);
  return { active: true, value: values.length ? Math.max(...values) : null };
}

/** Registers the points with the engine; the returned function feeds them the standing conditions. */
export function bindEmissionAlarms(target: DerivedAlarmTarget, outlets: readonly OutletConfig[]): (conditions: readonly EmissionCondition[]) => void {
  const bound = emissionAlarmSpecs(outlets).map((spec) => ({
    spec,
    signal: target.derive({ id: spec.id, source: spec.source, priority: spec.priority, message: spec.message, limit: spec.limit, code: spec.code }),
  }));
  const last = new Map<string, string>();
  return (conditions) => {
    for (const { spec, signal } of bound) {
      const s = alarmSignal(spec, conditions);
      const v = s.value === null ? null : Math.round(s.value * 100) / 100;
      // Only changes go to the engine (the module ticks four times a second).
      const sig = `${s.active}|${v}`;
      if (last.get(signal.key) === sig) continue;
      last.set(signal.key, sig);
      signal.set(s.active, v);
    }
  };
}
