// The command parameters between CP=&& and && (HJ 212-2017 §6.3.2, Table 3): groups split by
// ";", items of a group by ",", key and value by "=". Pollutant items are `<code>-<field>`,
// e.g. `a21026-Rtd=12.3,a21026-Flag=N`. Parsed as groups of ordered items, so encoding them
// again gives the same text.
import { Hj212Error } from './packet.js';

export type CpItem = [key: string, value: string];
export type CpGroups = CpItem[][];

/** At most this many items in one CP: a 1024-character segment cannot hold more. */
const MAX_ITEMS = 512;

export function parseCp(cp: string): CpGroups {
  if (cp === '') return [];
  const groups: CpGroups = [];
  let items = 0;
  for (const group of cp.split(';')) {
    const parsed: CpItem[] = [];
    if (group !== '') {
      for (const item of group.split(',')) {
        const eq = item.indexOf('=');
        if (eq <= 0) throw new Hj212Error(`CP item ${JSON.stringify(item.slice(0, 40))} is not key=value`);
        parsed.push([item.slice(0, eq), item.slice(eq + 1)]);
        if (++items > MAX_ITEMS) throw new Hj212Error(`CP has more than ${MAX_ITEMS} items`);
      }
    }
    groups.push(parsed);
  }
  return groups;
}

export function encodeCp(groups: CpGroups): string {
  for (const group of groups) {
    for (const [k, v] of group) {
      if (!k || /[;,=&]/.test(k) || /[;,&]/.test(v)) throw new Hj212Error(`CP item ${JSON.stringify(`${k}=${v}`)} contains a separator (";", ",", "=" in the key, or "&")`);
    }
  }
  return groups.map((g) => g.map(([k, v]) => `${k}=${v}`).join(',')).join(';');
}

/** Every item of a CP as one map (later keys win); for reading DataTime, BeginTime, QnRtn, … */
export function cpFields(groups: CpGroups): Map<string, string> {
  return new Map(groups.flat());
}

/** The fields HJ 212-2017 Table 5 gives a monitored factor in data uploads. */
export const POLLUTANT_FIELDS = ['SampleTime', 'Rtd', 'Min', 'Avg', 'Max', 'ZsRtd', 'ZsMin', 'ZsAvg', 'ZsMax', 'Flag', 'EFlag', 'Cou'] as const;
export type PollutantField = (typeof POLLUTANT_FIELDS)[number];

/** Pollutant values by factor code (a21026, w01018, …), each with its fields as text. */
export function pollutantsOf(groups: CpGroups): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, value] of groups.flat()) {
    const dash = key.lastIndexOf('-');
    if (dash <= 0) continue;
    const code = key.slice(0, dash);
    const fields = out.get(code) ?? new Map<string, string>();
    fields.set(key.slice(dash + 1), value);
    out.set(code, fields);
  }
  return out;
}

/** HJ 212-2017 time fields: YYYYMMDDhhmmss in the station's local time, optionally with milliseconds (QN). */
export function formatHjTime(ms: number, utcOffsetMinutes: number, withMillis = false): string {
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return withMillis ? base + p(d.getUTCMilliseconds(), 3) : base;
}

export function parseHjTime(text: string, utcOffsetMinutes: number): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})?$/.exec(text);
  if (!m) throw new Hj212Error(`time ${JSON.stringify(text)} is not YYYYMMDDhhmmss`);
  const [, y, mo, d, h, mi, s, ms] = m;
  const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, ms ? +ms : 0);
  if (new Date(utc).getUTCMonth() !== +mo! - 1 || +h! > 23 || +mi! > 59 || +s! > 59) throw new Hj212Error(`time ${JSON.stringify(text)} is not a real date and time`);
  return utc - utcOffsetMinutes * 60_000;
}
