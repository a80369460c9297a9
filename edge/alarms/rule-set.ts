// From the plant file's rules to alarm points: one point per rule and machine it applies to.
// A rule without `machine` applies to every machine (that has its tag); the standard rules
// give every machine a fault, comm-loss, down-too-long and anomaly alarm unless turned off.
import type { AlarmPriority, AlarmRule, AlarmSettings } from '../../shared/alarm-rules.js';
import type { MachineConfig, MachineState, PlantConfig } from '../../shared/plant-schema.js';
import { MACHINE_STATES } from '../../shared/plant-schema.js';
import { numericProcessTags } from '../diagnosis/index.js';

/**
 * A condition a module computes (the energy module's demand forecast, emission limits) rather
 * than a rule on a machine tag: the module feeds it, the engine gives it the same lifecycle.
 */
export interface DerivedRule {
  id: string;
  kind: 'derived';
  priority: AlarmPriority;
  /** `{value}` and `{limit}` are filled in, as in a rule's message. */
  message: string;
  limit: number | null;
  onDelaySeconds: number;
  offDelaySeconds: number;
}

export interface AlarmPoint {
  /** `<ruleId>@<machineId>`: stable across restarts, used in REST paths and commands. */
  key: string;
  rule: AlarmRule | DerivedRule;
  machineId: string;
  /** The tag the rule watches, if it watches one. */
  tag: string | null;
  suppressIn: ReadonlySet<MachineState>;
}


/**
 * The standard rules. Fault alarms wait 60 s: micro-stops (the KPI counts them) are over by
 * then and nobody needs to act on them, which keeps the demo line under the ISA-18.2 target
 * of about six alarms per operator hour.
 */
export function standardRules(): AlarmRule[] {
  const base = { offDelaySeconds: 0 } as const;
  return [
    { ...base, id: 'fault', kind: 'fault', priority: 'high', onDelaySeconds: 60, excludeCodes: [], message: '{machine}: fault {code}' },
    { ...base, id: 'comm-loss', kind: 'comm-loss', priority: 'high', onDelaySeconds: 10, message: '{machine}: no data from the PLC' },
    { ...base, id: 'down-long', kind: 'state', state: 'down', forMinutes: 15, priority: 'medium', onDelaySeconds: 0, message: '{machine}: down for more than 15 minutes' },
    { ...base, id: 'anomaly', kind: 'anomaly', priority: 'medium', onDelaySeconds: 0, threshold: 1, message: '{machine}: {tag} drifting away from its healthy baseline' },
  ];
}

function tagOf(rule: AlarmRule): string | null {
  return 'tag' in rule && rule.tag ? rule.tag : null;
}

function appliesTo(rule: AlarmRule, machine: MachineConfig): boolean {
  if (rule.machine && rule.machine !== machine.id) return false;
  const tag = tagOf(rule);
  if (tag && !machine.tags.some((t) => t.name === tag)) return false;
  if (rule.kind === 'anomaly') {
    const watched = rule.tags ?? numericProcessTags(machine);
    return watched.some((name) => machine.tags.some((t) => t.name === name));
  }
  return true;
}

function suppressionStates(rule: AlarmRule, settings: AlarmSettings): Set<MachineState> {
  if (rule.onlyIn) return new Set(MACHINE_STATES.filter((s) => !rule.onlyIn!.includes(s)));
  return new Set(rule.suppressIn ?? settings.suppressIn);
}

/** Every alarm point of the plant, in plant order (machine, then rule). */
export function expandRules(plant: PlantConfig, settings: AlarmSettings): AlarmPoint[] {
  const own = settings.rules;
  const ownIds = new Set(own.map((r) => r.id));
  const rules = [...(settings.defaultRules ? standardRules().filter((r) => !ownIds.has(r.id)) : []), ...own];
  const points: AlarmPoint[] = [];
  for (const machine of plant.machines) {
    for (const rule of rules) {
      if (!appliesTo(rule, machine)) continue;
      points.push({ key: `${rule.id}@${machine.id}`, rule, machineId: machine.id, tag: tagOf(rule), suppressIn: suppressionStates(rule, settings) });
    }
  }
  return points;
}

/** Fills `{machine}`, `{tag}`, `{value}`, `{limit}`, `{code}` into a rule's message. */
export function alarmMessage(point: AlarmPoint, machineName: string, fill: { value: number | null; code: number | null; tag?: string | null }): string {
  const rule = point.rule;
  const limit = 'limit' in rule ? rule.limit : rule.kind === 'deviation' ? rule.maxDeviation : rule.kind === 'rate' ? rule.maxPerMinute : null;
  const template = rule.message ?? defaultMessage(rule);
  const fmt = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  return template
    .replaceAll('{machine}', machineName)
    .replaceAll('{tag}', fill.tag ?? point.tag ?? '')
    .replaceAll('{value}', fmt(fill.value))
    .replaceAll('{limit}', fmt(limit))
    .replaceAll('{code}', fill.code === null ? '–' : String(fill.code));
}

function defaultMessage(rule: AlarmRule | DerivedRule): string {
  switch (rule.kind) {
    case 'derived': return rule.message;
    case 'high': return '{machine}: {tag} high ({value} > {limit})';
    case 'low': return '{machine}: {tag} low ({value} < {limit})';
    case 'deviation': return '{machine}: {tag} deviates from its setpoint by {value} (max {limit})';
    case 'rate': return '{machine}: {tag} changing fast ({value}/min, max {limit}/min)';
    case 'state': return `{machine}: ${rule.state} for more than ${rule.forMinutes} min`;
    case 'fault': return '{machine}: fault {code}';
    case 'comm-loss': return '{machine}: no data';
    case 'anomaly': return '{machine}: {tag} anomaly';
  }
}
