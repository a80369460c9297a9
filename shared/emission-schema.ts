// The plant file's optional `emissions:` section (docs/emissions.md): monitored outlets (a stack,
// a wastewater outlet), their analysers as machine tags with HJ 212 factor codes, the reference
// O2, permit limits, and the environmental platforms the edge reports to over HJ 212.
// Browser-safe (no Node imports).
import { z } from 'zod';
import { HJ212_EDITIONS } from './hj212/index.js';
import { CRC_VARIANTS } from './hj212/index.js';
import { DATA_FLAGS } from './emissions/index.js';

const identifier = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'use letters, digits, "-" or "_", starting with a letter');
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable, e.g. TWINLINE_HJ212_PASSWORD');

/** What a factor is to the emission maths; `pollutant` factors get concentrations, rates and masses. */
export const FACTOR_ROLES = ['pollutant', 'o2', 'flow', 'velocity', 'temperature', 'pressure', 'moisture', 'ph'] as const;

/** HJ 212-2017 Appendix B codes: a (air) or w (water) + five digits, e.g. a21026 SO2, w01018 COD. */
const factorCode = z.string().regex(/^[aw]\d{5}$/, 'an HJ 212-2017 factor code: "a" or "w" and five digits (a21026 SO2, w01018 COD)');

/** Concentration limits per averaging period, in the factor's unit (converted concentration for flue gas). */
export const LimitsSchema = z.strictObject({
  minute: z.number().positive().optional(),
  hour: z.number().positive().optional(),
  day: z.number().positive().optional(),
});

/** Permitted mass per day and per year (kg): the permit's totals (排污许可量). */
export const PermitSchema = z.strictObject({
  dailyKg: z.number().positive().optional(),
  annualKg: z.number().positive().optional(),
  /** The year's mass is "approaching" the annual permit (a medium alarm) from this share of it. */
  annualWarnShare: z.number().gt(0).lt(1).default(0.8),
});

export const FactorSchema = z.strictObject({
  /** HJ 212 factor code. */
  code: factorCode,
  role: z.enum(FACTOR_ROLES).default('pollutant'),
  /** The machine tag the analyser's value arrives on. */
  tag: identifier,
  name: z.string().min(1).optional(),
  unit: z.string().min(1).optional(),
  /** Flue gas: the analyser measures in wet gas (extractive-hot or in-situ); converted to dry with the moisture factor. */
  wetBasis: z.boolean().default(false),
  limits: LimitsSchema.optional(),
  permit: PermitSchema.optional(),
  /** Measuring range upper limit: values above it are flagged T. */
  rangeMax: z.number().positive().optional(),
});
export type FactorConfig = z.infer<typeof FactorSchema>;

export const OutletSchema = z.strictObject({
  id: identifier,
  name: z.string().min(1),
  kind: z.enum(['flue-gas', 'wastewater']),
  /** The machine whose tags carry this outlet's analysers (a CEMS or a water station is a machine to the edge). */
  machine: identifier,
  /** HJ 212 monitoring point id (MN, 24 characters in HJ 212-2017). */
  mn: z.string().min(1).max(24).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" or "_"'),
  /** HJ 212 system code: 31 air pollution source, 32 surface-water pollution source. Default by kind. */
  st: z.string().regex(/^\d{2}$/).optional(),
  /** Flue gas: the reference O2 (%) of the source's emission standard, for converted concentrations. */
  referenceO2: z.number().min(0).max(20.9).optional(),
  /** Flue gas: duct cross-section (m²), when the flow analyser reports velocity. */
  ductAreaM2: z.number().positive().optional(),
  /** Flue gas: ambient pressure (Pa) when no tag measures it. */
  ambientPressurePa: z.number().min(50_000).max(120_000).default(101_325),
  /** Analyser status tag: its numeric value maps to a data flag (0 N, 1 C, 2 M, 3 D by default). */
  statusTag: identifier.optional(),
  statusCodes: z.record(z.string().regex(/^\d+$/), z.enum(DATA_FLAGS)).default({ 0: 'N', 1: 'C', 2: 'M', 3: 'D', 4: 'F' }),
  /** How often the analysers are sampled for minute values (s). */
  sampleSeconds: z.number().int().min(1).max(60).default(5),
  /** Alarm when the analysers have not been calibrated for this long (h); HJ 75-2017 asks daily zero/span checks. */
  calibrationOverdueHours: z.number().positive().default(24),
  factors: z.array(FactorSchema).min(1),
}).superRefine((o, ctx) => {
  const codes = new Set<string>();
  o.factors.forEach((f, i) => {
    if (codes.has(f.code)) ctx.addIssue({ code: 'custom', path: ['factors', i, 'code'], message: `duplicate factor ${f.code}` });
    codes.add(f.code);
    if (o.kind === 'wastewater' && f.code.startsWith('a')) ctx.addIssue({ code: 'custom', path: ['factors', i, 'code'], message: 'a wastewater outlet has w… factor codes' });
    if (o.kind === 'flue-gas' && f.code.startsWith('w')) ctx.addIssue({ code: 'custom', path: ['factors', i, 'code'], message: 'a flue-gas outlet has a… factor codes' });
  });
  const has = (role: string) => o.factors.some((f) => f.role === role);
  if (o.kind === 'flue-gas') {
    if (o.referenceO2 === undefined) ctx.addIssue({ code: 'custom', path: ['referenceO2'], message: 'a flue-gas outlet needs referenceO2 (%), from its emission standard' });
    if (!has('o2')) ctx.addIssue({ code: 'custom', path: ['factors'], message: 'a flue-gas outlet needs an o2 factor (a19001) for converted concentrations' });
    if (!has('flow') && !has('velocity')) ctx.addIssue({ code: 'custom', path: ['factors'], message: 'a flue-gas outlet needs a flow (a00000) or velocity (a01011) factor' });
    if (has('velocity') && !has('flow') && o.ductAreaM2 === undefined) ctx.addIssue({ code: 'custom', path: ['ductAreaM2'], message: 'flow from velocity needs ductAreaM2' });
  } else if (!has('flow')) {
    ctx.addIssue({ code: 'custom', path: ['factors'], message: 'a wastewater outlet needs a flow factor (w00000)' });
  }
});
export type OutletConfig = z.infer<typeof OutletSchema>;

export const PlatformSchema = z.strictObject({
  id: identifier,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  edition: z.enum(HJ212_EDITIONS).default('2017'),
  crc: z.enum(CRC_VARIANTS).default('hj212'),
  /** The access password (PW) is read from this environment variable … */
  passwordEnv: envName.optional(),
  /** … or from this file (first line), never from the plant file. */
  passwordFile: z.string().min(1).optional(),
  /** Outlets reported to this platform (default: all). */
  outlets: z.array(identifier).optional(),
  /** Ask the platform to answer data uploads (Flag D bit), and resend without an answer. */
  answers: z.boolean().default(true),
  /** HJ 212-2017 OverTime (s) and ReCount: how long to wait for an answer, how often to resend. */
  overTimeSeconds: z.number().int().min(1).max(600).default(10),
  reCount: z.number().int().min(0).max(10).default(3),
  /**
   * Data longer than one packet (1024 characters): `whole-groups` sends it as several complete
   * packets, each with its own QN and whole factor groups; `pnum` as one split message
   * (HJ 212-2017 PNUM/PNO, the Flag's A bit), which the platform puts back together.
   */
  split: z.enum(['whole-groups', 'pnum']).default('whole-groups'),
  /** Real-time data (CN 2011) every so many seconds; 0 = none. */
  realtimeSeconds: z.number().int().min(0).max(3600).default(30),
  /** Reconnect backoff after a lost link. */
  reconnectMinMs: z.number().int().min(50).default(1000),
  reconnectMaxMs: z.number().int().min(100).default(60_000),
}).superRefine((p, ctx) => {
  if (!p.passwordEnv && !p.passwordFile) ctx.addIssue({ code: 'custom', path: ['passwordEnv'], message: 'give passwordEnv (an environment variable) or passwordFile: the access password is not kept in the plant file' });
});
export type PlatformConfig = z.infer<typeof PlatformSchema>;

export const EmissionSettingsSchema = z.strictObject({
  outlets: z.array(OutletSchema).min(1),
  platforms: z.array(PlatformSchema).default([]),
});
export type EmissionSettings = z.infer<typeof EmissionSettingsSchema>;

/** Cross-checks against the machines (called from the plant schema's superRefine). */
export function checkEmissionSettings(
  settings: EmissionSettings,
  machines: ReadonlyArray<{ id: string; tags: ReadonlyArray<{ name: string }> }>,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const byId = new Map(machines.map((m) => [m.id, m]));
  const outletIds = new Set<string>();
  const mns = new Set<string>();
  settings.outlets.forEach((o, i) => {
    if (outletIds.has(o.id)) issue(['outlets', i, 'id'], `duplicate outlet id "${o.id}"`);
    outletIds.add(o.id);
    if (mns.has(o.mn)) issue(['outlets', i, 'mn'], `MN "${o.mn}" is used by two outlets: each monitoring point has its own`);
    mns.add(o.mn);
    const machine = byId.get(o.machine);
    if (!machine) {
      issue(['outlets', i, 'machine'], `no machine "${o.machine}" (known: ${[...byId.keys()].join(', ')})`);
      return;
    }
    const tags = new Set(machine.tags.map((t) => t.name));
    if (o.statusTag && !tags.has(o.statusTag)) issue(['outlets', i, 'statusTag'], `machine "${o.machine}" has no tag "${o.statusTag}"`);
    o.factors.forEach((f, j) => {
      if (!tags.has(f.tag)) issue(['outlets', i, 'factors', j, 'tag'], `machine "${o.machine}" has no tag "${f.tag}"`);
    });
  });
  settings.platforms.forEach((p, i) => {
    (p.outlets ?? []).forEach((id, j) => {
      if (!outletIds.has(id)) issue(['platforms', i, 'outlets', j], `no outlet "${id}"`);
    });
  });
}
