// One sample of an outlet's analysers: each factor's value with its HJ 212 data flag, and for
// pollutants the dry and converted concentration and the emission rate (shared/emissions).
// Pure: the caller reads the tags; this decides what they mean.
import type { OutletConfig } from '../../shared/emission-schema.js';
import type { DataFlag } from '../../shared/emissions/index.js';
import { convertedConcentration, dryConcentration, dryStandardFlow, emissionRateKgH, flowFromVelocity, wastewaterRateKgH } from '../../shared/emissions/index.js';

export interface TagReading {
  value: unknown;
  quality: string;
  ts: number;
}

export interface FactorSample {
  code: string;
  /** The reported value: dry concentration for flue-gas pollutants, dry standard flow (m³/h) for the flue-gas flow. */
  value: number | null;
  flag: DataFlag;
  /** Converted concentration at the reference O2 (flue-gas pollutants). */
  zs: number | null;
  /** kg/h for pollutants, m³/h for the flow: what a minute's mass (Cou) is made of. */
  rate: number | null;
}

export interface OutletSample {
  outlet: string;
  ts: number;
  /** The analysers' state from the status tag (B when it cannot be read). */
  status: DataFlag;
  factors: FactorSample[];
}

/** A reading older than this is lost communication (B): three missed polls of a slow device. */
export const STALE_MS = 30_000;

export function sampleOutlet(outlet: OutletConfig, read: (tag: string) => TagReading | undefined, now: number): OutletSample {
  const usable = (r: TagReading | undefined): r is TagReading & { value: number } =>
    !!r && r.quality !== 'bad' && typeof r.value === 'number' && Number.isFinite(r.value) && now - r.ts <= STALE_MS;
  let status: DataFlag = 'N';
  if (outlet.statusTag) {
    const s = read(outlet.statusTag);
    // An unknown status code is a state the analyser did not tell us: treat it as a fault.
    status = usable(s) ? (outlet.statusCodes[String(Math.round(s.value))] ?? 'D') : 'B';
  }
  const raw = new Map<string, { value: number | null; flag: DataFlag }>();
  for (const f of outlet.factors) {
    const r = read(f.tag);
    if (!usable(r)) {
      raw.set(f.code, { value: null, flag: 'B' });
      continue;
    }
    let flag = status;
    if (flag === 'N' && f.rangeMax !== undefined && r.value > f.rangeMax) flag = 'T';
    raw.set(f.code, { value: r.value, flag });
  }
  const byRole = (role: string) => {
    const f = outlet.factors.find((x) => x.role === role);
    const v = f ? raw.get(f.code) : undefined;
    return v && v.value !== null && (v.flag === 'N' || v.flag === 'T' || v.flag === 'S') ? v.value : null;
  };

  const factors: FactorSample[] = [];
  if (outlet.kind === 'flue-gas') {
    const moisture = (byRole('moisture') ?? 0) / 100;
    const o2 = byRole('o2');
    const velocity = byRole('velocity');
    const actual = byRole('flow') ?? (velocity !== null && outlet.ductAreaM2 ? flowFromVelocity(velocity, outlet.ductAreaM2) : null);
    const temperature = byRole('temperature');
    const qsn = actual !== null && temperature !== null && moisture < 1
      ? dryStandardFlow({ flowActualM3h: actual, temperatureC: temperature, staticPressurePa: byRole('pressure') ?? 0, ambientPressurePa: outlet.ambientPressurePa, moisture })
      : null;
    for (const f of outlet.factors) {
      const s = raw.get(f.code)!;
      if (f.role === 'pollutant') {
        const dry = s.value === null ? null : f.wetBasis ? dryConcentration(s.value, moisture) : s.value;
        const zs = dry !== null && o2 !== null && outlet.referenceO2 !== undefined ? convertedConcentration(dry, o2, outlet.referenceO2) : null;
        factors.push({ code: f.code, value: dry, flag: s.flag, zs, rate: dry !== null && qsn !== null ? emissionRateKgH(dry, qsn) : null });
      } else if (f.role === 'flow' || f.role === 'velocity') {
        // The flow reported is the dry standard flow: the one masses are computed with.
        factors.push({ code: f.code, value: f.role === 'flow' ? qsn : s.value, flag: qsn === null && s.flag === 'N' ? 'B' : s.flag, zs: null, rate: f.role === 'flow' ? qsn : null });
      } else {
        factors.push({ code: f.code, value: s.value, flag: s.flag, zs: null, rate: null });
      }
    }
  } else {
    const flow = byRole('flow');
    for (const f of outlet.factors) {
      const s = raw.get(f.code)!;
      const rate = f.role === 'pollutant' && s.value !== null && flow !== null ? wastewaterRateKgH(s.value, flow) : f.role === 'flow' ? s.value : null;
      factors.push({ code: f.code, value: s.value, flag: s.flag, zs: null, rate });
    }
  }
  return { outlet: outlet.id, ts: now, status, factors };
}
