// Minute/hour/day packets of an outlet with many factors stay within the 1024-character data
// segment: split by whole factor groups, every factor once, each packet decodable on its own.
import { describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { periodPackets, qnMaker } from '../../edge/emissions/hj212-packets.js';
import type { EmissionRecord } from '../../edge/emissions/emission-store.js';
import { decodePacket, encodePacket } from '../../shared/hj212/packet.js';
import { parseCp, pollutantsOf } from '../../shared/hj212/cp.js';

const plant = loadPlantFile('config/demo-plant.yaml');
const platform = plant.emissions!.platforms[0]!;
const base = plant.emissions!.outlets[0]!;
// Twenty pollutant factors: more than one packet can carry with Min/Avg/Max/Zs…/Cou/Flag each.
const outlet = { ...base, factors: Array.from({ length: 20 }, (_, i) => ({ ...base.factors[0]!, code: `a2${String(1000 + i).padStart(4, '0')}`, tag: 'so2' })) };
const T = Date.parse('2026-11-03T09:00:00+08:00');

describe('period packets', () => {
  it('split by whole factors, each within 1024 characters with a 32-character password', () => {
    const records: EmissionRecord[] = outlet.factors.map((f) => ({
      period: 'minute', outlet: 'stack', code: f.code, start: T, avg: 123.456, min: 120.123, max: 130.789, zsAvg: 164.608, zsMin: 160.164, zsMax: 174.385, cou: 0.0123, flag: 'N', validParts: 12, expectedParts: 12,
    }));
    const ctx = { platform, utcOffsetMinutes: 480, qn: qnMaker(480) };
    const packets = periodPackets(ctx, outlet, 'minute', T, records, T + 60_000);
    expect(packets.length).toBeGreaterThan(1);
    const seen: string[] = [];
    for (const p of packets) {
      const text = encodePacket({ header: p.header.map(([k, v]) => [k, k === 'PW' ? 'x'.repeat(32) : v]), cp: p.cp });
      const back = decodePacket(text);
      const groups = parseCp(back.cp);
      expect(groups[0]).toEqual([['DataTime', '20261103090000']]);
      seen.push(...pollutantsOf(groups).keys());
    }
    expect(seen.sort()).toEqual(outlet.factors.map((f) => f.code).sort());
    expect(new Set(packets.map((p) => p.header[0]![1])).size).toBe(packets.length);
  });

  it('the edition setting puts the standard version in Flag: 5 for HJ 212-2017, 9 for HJ 212-2025 (answer asked)', () => {
    const record: EmissionRecord = { period: 'hour', outlet: 'stack', code: 'a21002', start: T, avg: 1, min: 1, max: 1, zsAvg: 1, zsMin: 1, zsMax: 1, cou: 1, flag: 'N', validParts: 60, expectedParts: 60 };
    for (const [edition, flag] of [['2017', '5'], ['2025', '9']] as const) {
      const [p] = periodPackets({ platform: { ...platform, edition }, utcOffsetMinutes: 480, qn: qnMaker(480) }, base, 'hour', T, [record], T);
      expect(p!.header.find(([k]) => k === 'Flag')![1]).toBe(flag);
      expect(p!.header.find(([k]) => k === 'CN')![1]).toBe('2061');
    }
  });
});
