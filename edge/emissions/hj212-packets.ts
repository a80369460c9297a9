// The HJ 212-2017 data packets the unit uploads (§6.6, Appendix C): real-time data (CN 2011),
// minute (2051), hour (2061) and day (2031) data of one outlet, and the answers to a platform's
// requests (9011 request answer, 9012 execution result). Pure: records in, packets out.
// The password is left empty here; the link puts it in when it writes (no secret is stored).
import type { OutletConfig, PlatformConfig } from '../../shared/emission-schema.js';
import { encodeCp, formatHjTime, type CpGroups } from '../../shared/hj212/index.js';
import { encodeFlag } from '../../shared/hj212/index.js';
import { encodeDataSegment, MAX_DATA_SEGMENT, MAX_HEADER_VALUE, splitPacket, type Hj212Packet } from '../../shared/hj212/index.js';
import type { EmissionRecord, Period } from './emission-store.js';
import type { OutletSample } from './outlet-sample.js';

export const CN_OF_PERIOD: Record<Period, string> = { minute: '2051', hour: '2061', day: '2031' };
export const PERIOD_OF_CN: Record<string, Period> = { 2051: 'minute', 2061: 'hour', 2031: 'day' };

/** System code (ST): 31 air pollution source, 32 surface-water pollution source; 91 system interaction. */
export function systemCode(outlet: OutletConfig): string {
  return outlet.st ?? (outlet.kind === 'flue-gas' ? '31' : '32');
}

/** Numbers as the field sends them: enough digits for mg/m³ and kg, no exponent. */
export function hjNumber(v: number): string {
  const abs = Math.abs(v);
  const text = abs >= 1000 ? v.toFixed(1) : abs >= 1 ? v.toFixed(3) : v.toFixed(4);
  return text.replace(/\.?0+$/, '') || '0';
}

export interface PacketContext {
  platform: PlatformConfig;
  /** Minutes east of UTC of the station's clock (HJ 212 times are local). */
  utcOffsetMinutes: number;
  /** Makes a QN: request times must be unique per link. */
  qn: (now: number) => string;
}

function header(ctx: PacketContext, qn: string, st: string, cn: string, mn: string, answer: boolean): Hj212Packet['header'] {
  return [['QN', qn], ['ST', st], ['CN', cn], ['PW', ''], ['MN', mn], ['Flag', String(encodeFlag(ctx.platform.edition, { answer }))]];
}

/** Minute/hour/day data of one outlet: one group per factor with Min/Avg/Max, Zs…, Cou and Flag. */
export function periodPacket(ctx: PacketContext, outlet: OutletConfig, period: Period, start: number, records: readonly EmissionRecord[], now: number, qn = ctx.qn(now)): Hj212Packet {
  const groups: CpGroups = [[['DataTime', formatHjTime(start, ctx.utcOffsetMinutes)]]];
  for (const f of outlet.factors) {
    const r = records.find((x) => x.code === f.code);
    if (!r) continue;
    const items: CpGroups[number] = [];
    const put = (field: string, v: number | null) => { if (v !== null) items.push([`${f.code}-${field}`, hjNumber(v)]); };
    put('Min', r.min); put('Avg', r.avg); put('Max', r.max);
    put('ZsMin', r.zsMin); put('ZsAvg', r.zsAvg); put('ZsMax', r.zsMax);
    put('Cou', r.cou);
    items.push([`${f.code}-Flag`, r.flag]);
    groups.push(items);
  }
  return { header: header(ctx, qn, systemCode(outlet), CN_OF_PERIOD[period], outlet.mn, ctx.platform.answers), cp: encodeCp(groups) };
}

/**
 * The same, as as many packets as the 1024-character data segment needs (room is left for the
 * longest password). By default (`split: whole-groups`) factors are never cut: each packet
 * carries the DataTime and a whole number of factor groups, with its own QN — simpler for
 * platforms than split packets, and each stands alone. With `split: pnum` it is one message in
 * PNUM/PNO parts under one QN (shared/hj212/split.ts).
 */
export function periodPackets(ctx: PacketContext, outlet: OutletConfig, period: Period, start: number, records: readonly EmissionRecord[], now: number, qn?: string): Hj212Packet[] {
  const whole = periodPacket(ctx, outlet, period, start, records, now, qn);
  const room = MAX_DATA_SEGMENT - MAX_HEADER_VALUE;
  if (encodeDataSegment(whole).length <= room) return [whole];
  if (ctx.platform.split === 'pnum') return splitPacket(whole, room);
  const packets: Hj212Packet[] = [];
  let part: EmissionRecord[] = [];
  for (const f of outlet.factors) {
    const r = records.find((x) => x.code === f.code);
    if (!r) continue;
    const trial = periodPacket(ctx, outlet, period, start, [...part, r], now, qn ?? 'Q'.repeat(17));
    if (part.length && encodeDataSegment(trial).length > room) {
      packets.push(periodPacket(ctx, outlet, period, start, part, now, qn));
      part = [];
    }
    part.push(r);
  }
  if (part.length) packets.push(periodPacket(ctx, outlet, period, start, part, now, qn));
  return packets;
}

/** Real-time data (CN 2011): never stored, never waited for. */
export function realtimePacket(ctx: PacketContext, outlet: OutletConfig, sample: OutletSample, now: number): Hj212Packet {
  const groups: CpGroups = [[['DataTime', formatHjTime(sample.ts, ctx.utcOffsetMinutes)]]];
  for (const f of sample.factors) {
    const items: CpGroups[number] = [];
    if (f.value !== null) items.push([`${f.code}-Rtd`, hjNumber(f.value)]);
    if (f.zs !== null) items.push([`${f.code}-ZsRtd`, hjNumber(f.zs)]);
    items.push([`${f.code}-Flag`, f.flag]);
    groups.push(items);
  }
  return { header: header(ctx, ctx.qn(now), systemCode(outlet), '2011', outlet.mn, false), cp: encodeCp(groups) };
}

/** QnRtn (HJ 212-2017 Table 8): 1 ready to execute, 2 refused, 3 wrong password, 4 wrong MN, 8 unknown CN, 100 other. */
export function requestAnswer(ctx: PacketContext, qn: string, mn: string, qnRtn: number): Hj212Packet {
  return { header: header(ctx, qn, '91', '9011', mn, false), cp: encodeCp([[['QnRtn', String(qnRtn)]]]) };
}

/** ExeRtn (HJ 212-2017 Table 9): 1 done, 2 failed, 100 no data. */
export function executionResult(ctx: PacketContext, qn: string, mn: string, exeRtn: number): Hj212Packet {
  return { header: header(ctx, qn, '91', '9012', mn, false), cp: encodeCp([[['ExeRtn', String(exeRtn)]]]) };
}

/** A QN generator: the local time in ms, moved on by one ms when two packets share an instant. */
export function qnMaker(utcOffsetMinutes: number): (now: number) => string {
  let last = 0;
  return (now) => {
    const t = Math.max(now, last + 1);
    last = t;
    return formatHjTime(t, utcOffsetMinutes, true);
  };
}
