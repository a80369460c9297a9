// The plant file's optional `alarms:` section: which conditions are alarms, how urgent they
// are, and how the line's alarm system behaves (ISA-18.2 / IEC 62682 suppression, shelving,
// flood and chatter limits, flight recorder, predictive baseline). Browser-safe (no Node
// imports). Only a *type* comes from plant-schema.ts, so the two modules do not import
// each other at run time (plant-schema.ts imports this file).
import { z } from 'zod';
import type { MachineState } from './plant-schema.js';

const MACHINE_STATE_NAMES = ['running', 'idle', 'down', 'setup', 'planned-stop', 'no-data'] as const;
// Compile-time guard: this list must be exactly plant-schema's MachineState.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statesMatch: Same<(typeof MACHINE_STATE_NAMES)[number], MachineState> = true;
void statesMatch;
const StateSchema = z.enum(MACHINE_STATE_NAMES);

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" or "_", starting with a letter');

/** ISA-18.2 §10.3: few priorities, each with a defined operator response time. */
export const ALARM_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export const AlarmPrioritySchema = z.enum(ALARM_PRIORITIES);
export type AlarmPriority = z.infer<typeof AlarmPrioritySchema>;

/** The rule kinds, and `derived`: a condition a module computes and feeds to the alarm engine (energy demand, emissions). */
export const ALARM_KINDS = ['high', 'low', 'deviation', 'rate', 'state', 'fault', 'comm-loss', 'anomaly', 'derived'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

const seconds = z.number().min(0);

/** Fields every rule has. */
const common = {
  id: identifier,
  /** The machine this rule watches; omitted = every machine of the line (that has the rule's tag). */
  machine: identifier.optional(),
  priority: AlarmPrioritySchema.default('medium'),
  /** Shown to the operator; `{machine}`, `{tag}`, `{value}`, `{limit}`, `{code}` are filled in. */
  message: z.string().min(1).optional(),
  /** The condition must hold this long before the alarm is raised (filters spikes). */
  onDelaySeconds: seconds.default(0),
  /** The condition must be gone this long before the alarm returns to normal (filters chatter). */
  offDelaySeconds: seconds.default(0),
  /** Machine states in which this alarm is suppressed by design (default: the section's suppressIn). */
  suppressIn: z.array(StateSchema).optional(),
  /** The alarm is meaningful only in these states and suppressed in all others (the opposite of suppressIn). */
  onlyIn: z.array(StateSchema).min(1).optional(),
};

const tag = identifier;
/** Hysteresis in engineering units: a high alarm returns only below limit − deadband. */
const deadband = z.number().min(0).default(0);

export const HighLowRuleSchema = z.strictObject({
  ...common,
  kind: z.enum(['high', 'low']),
  tag,
  limit: z.number(),
  deadband,
});

export const DeviationRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('deviation'),
  tag,
  /** A fixed setpoint, or… */
  setpoint: z.number().optional(),
  /** …a tag of the same machine that holds it. */
  setpointTag: tag.optional(),
  maxDeviation: z.number().positive(),
  deadband,
});

export const RateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('rate'),
  tag,
  /** Engineering units per minute, measured over windowSeconds. */
  maxPerMinute: z.number().positive(),
  windowSeconds: z.number().positive().default(60),
  direction: z.enum(['rise', 'fall', 'both']).default('both'),
});

export const StateRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('state'),
  state: StateSchema,
  /** Raised when the machine has been in `state` for longer than this. */
  forMinutes: z.number().min(0),
});

export const FaultRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('fault'),
  /** Only these codes (default: every non-zero code). */
  codes: z.array(z.number().int().min(1)).optional(),
  /** Codes that are not alarms here (e.g. micro-stop codes that the OEE counts but nobody must act on). */
  excludeCodes: z.array(z.number().int().min(1)).default([]),
});

export const CommLossRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('comm-loss'),
  /** Also raised when this tag's quality is bad (default: only when the machine state is unreadable). */
  tag: tag.optional(),
});

export const AnomalyRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('anomaly'),
  /** Process tags scored against the machine's healthy baseline (default: every numeric process tag). */
  tags: z.array(tag).min(1).optional(),
  /** Anomaly score at which the alarm is raised; 1 = the CUSUM decision limit. */
  threshold: z.number().positive().default(1),
});

export const AlarmRuleSchema = z.discriminatedUnion('kind', [
  HighLowRuleSchema, DeviationRuleSchema, RateRuleSchema, StateRuleSchema, FaultRuleSchema, CommLossRuleSchema, AnomalyRuleSchema,
]).superRefine((rule, ctx) => {
  if (rule.kind === 'deviation' && (rule.setpoint === undefined) === (rule.setpointTag === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['setpoint'], message: 'give exactly one of setpoint (a number) or setpointTag (a tag of the machine)' });
  }
  if (rule.suppressIn && rule.onlyIn) {
    ctx.addIssue({ code: 'custom', path: ['onlyIn'], message: 'give suppressIn or onlyIn, not both' });
  }
});
export type AlarmRule = z.infer<typeof AlarmRuleSchema>;
export type AlarmRuleInput = z.input<typeof AlarmRuleSchema>;

/**
 * Predictive early warning. Each watched process tag is compared with the machine's own
 * healthy baseline: a first-order response model, level = idle + (running − idle) × r(t),
 * where r is the running share filtered with the tag's time constant (picked from
 * `responseSeconds` by least squares while learning). Buckets of `bucketSeconds` are scored
 * by their residual z-score, and a one-sided CUSUM (Page 1954) accumulates small persistent
 * shifts — such as bearing wear — that a fixed limit would only see late.
 */
export const PredictiveSettingsSchema = z.strictObject({
  /** Samples are averaged (time-weighted) over buckets this long; raw samples are autocorrelated. */
  bucketSeconds: z.number().positive().default(10),
  /** Bucket time (with readable data) the baseline learns from before it scores anything. */
  learnMinutes: z.number().positive().default(60),
  /**
   * Candidate time constants of the tags' response to running (thermal ≈ minutes, vibration ≈
   * seconds). Default: a geometric grid from 1 s to 1 h, 15 % apart — a wrong time constant
   * leaves a residual at every start and stop that reads as drift.
   */
  responseSeconds: z.array(z.number().positive()).min(1).optional(),
  /** After learning, the baseline follows slow healthy changes (ambient, seasons) with this time constant in hours. */
  adaptHours: z.number().positive().default(48),
  /**
   * CUSUM reference value k (in standard deviations): only shifts larger than k accumulate.
   * 1.5 rather than the textbook 0.5: a learned baseline is never exact, and a bias of a
   * fraction of σ would otherwise add up to a false alarm every few hours; a wear drift
   * passes 1.5σ within minutes anyway (bench/alarms.ts).
   */
  k: z.number().min(0).default(1.5),
  /** CUSUM decision limit h: the anomaly score is S/h, so score 1 means "shifted". */
  h: z.number().positive().default(10),
  /** Direction of the shifts that count: wear makes bearings hotter and rougher. */
  direction: z.enum(['up', 'down', 'both']).default('up'),
  /** The residual spread is never taken as smaller than this fraction of the running level (quantised or flat signals). */
  minRelativeStd: z.number().min(0).default(0.002),
});
export type PredictiveSettings = z.infer<typeof PredictiveSettingsSchema>;

export const AlarmSettingsSchema = z.strictObject({
  /** Adds the standard rules for every machine (fault, comm loss, down too long, anomaly); your rules come on top and win on equal id. */
  defaultRules: z.boolean().default(true),
  /** Machine states in which alarms are suppressed by design (ISA-18.2 state-based suppression). */
  suppressIn: z.array(StateSchema).default(['planned-stop']),
  /** ISA-18.2 §16.5: more than `count` annunciated alarms in `windowMinutes` on the line is a flood; it ends below `endCount`. */
  flood: z.strictObject({
    count: z.number().int().min(1).default(10),
    windowMinutes: z.number().positive().default(10),
    endCount: z.number().int().min(0).default(5),
  }).prefault({}),
  /** EEMUA 191: an alarm raised `count` times within `windowSeconds` is chattering. */
  chatter: z.strictObject({
    count: z.number().int().min(2).default(3),
    windowSeconds: z.number().positive().default(60),
  }).prefault({}),
  /** Operator positions on this line, for the ISA-18.2 alarm rate per operator. */
  operators: z.number().int().min(1).default(1),
  /** An alarm active longer than this is "stale" in the KPIs (ISA-18.2: 24 h). */
  staleAfterHours: z.number().positive().default(24),
  /** Shelving is always time-limited (ISA-18.2 §11.4); no shelve may last longer than this. */
  maxShelveMinutes: z.number().positive().default(8 * 60),
  /** Flight recorder: every tag of the machine from preSeconds before to postSeconds after the trigger. */
  recorder: z.strictObject({
    preSeconds: z.number().min(0).max(3600).default(60),
    postSeconds: z.number().min(0).max(3600).default(30),
    /** Alarms of these priorities start a recording (on-demand recordings are always possible). */
    priorities: z.array(AlarmPrioritySchema).default(['critical', 'high', 'medium']),
    /** Recordings older than this are deleted, except those attached to a service case. */
    keepDays: z.number().positive().default(90),
  }).prefault({}),
  predictive: PredictiveSettingsSchema.prefault({}),
  /** Fault-code catalogue (YAML); default config/fault-codes.yaml of the installation. */
  faultCatalogue: z.string().min(1).optional(),
  rules: z.array(AlarmRuleSchema).default([]),
});
export type AlarmSettings = z.infer<typeof AlarmSettingsSchema>;
export type AlarmSettingsInput = z.input<typeof AlarmSettingsSchema>;

export function alarmSettings(input?: AlarmSettingsInput): AlarmSettings {
  return AlarmSettingsSchema.parse(input ?? {});
}

/** What checkAlarmRules needs to know of the plant (structural, so this file stays import-free of plant-schema at run time). */
export interface AlarmRuleTarget {
  id: string;
  tags: readonly { name: string; type: string; role?: string }[];
}

const NUMERIC = new Set(['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']);

/** Cross-checks rules against the plant's machines and tags; reports each problem with a path below `alarms`. */
export function checkAlarmRules(
  settings: AlarmSettings,
  machines: readonly AlarmRuleTarget[],
  report: (path: (string | number)[], message: string) => void,
): void {
  const byId = new Map(machines.map((m) => [m.id, m]));
  const known = machines.map((m) => m.id).join(', ');
  const seen = new Set<string>();
  settings.rules.forEach((rule, r) => {
    const at = (field: string) => ['rules', r, field];
    if (seen.has(rule.id)) report(at('id'), `duplicate alarm rule id "${rule.id}"`);
    seen.add(rule.id);
    const targets = rule.machine ? [byId.get(rule.machine)] : machines;
    if (rule.machine && !byId.has(rule.machine)) {
      report(at('machine'), `no machine "${rule.machine}" (known: ${known})`);
      return;
    }
    const tagNames: [string, string][] = [];
    if ('tag' in rule && rule.tag) tagNames.push(['tag', rule.tag]);
    if (rule.kind === 'deviation' && rule.setpointTag) tagNames.push(['setpointTag', rule.setpointTag]);
    if (rule.kind === 'anomaly') for (const t of rule.tags ?? []) tagNames.push(['tags', t]);
    for (const [field, name] of tagNames) {
      const owners = targets.filter((m) => m?.tags.some((t) => t.name === name));
      if (owners.length === 0) {
        const where = rule.machine ? `machine "${rule.machine}"` : 'any machine';
        report(at(field), `${where} has no tag "${name}"`);
        continue;
      }
      if (rule.kind === 'comm-loss') continue;
      for (const m of owners) {
        const t = m!.tags.find((x) => x.name === name)!;
        if (!NUMERIC.has(t.type)) report(at(field), `tag "${m!.id}.${name}" is ${t.type}: ${rule.kind} alarms need a numeric tag`);
      }
    }
  });
}
