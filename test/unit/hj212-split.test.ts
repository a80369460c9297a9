// Split packets (HJ 212-2017 PNUM/PNO): a CP too long for one 1024-character data segment goes
// as parts under one QN with the Flag's A bit set; the receiver puts them back together.
import { describe, expect, it } from 'vitest';
import { decodeFlag, decodePacket, encodeDataSegment, encodePacket, headerValue, Hj212Error, Hj212Reassembler, splitPacket, type Hj212Packet } from '../../shared/hj212/index.js';

// 30 factor groups of 67 characters ("a21000-Min=10.000,a21000-Avg=20.000,a21000-Max=30.000,a21000-Flag=N")
// after a 24-character DataTime group: a CP of 24 + 30 × 68 − 1 = 2063 characters.
const groups = Array.from({ length: 30 }, (_, i) => {
  const code = `a2${String(1000 + i).padStart(4, '0')}`;
  return `${code}-Min=${(10 + i).toFixed(3)},${code}-Avg=${(20 + i).toFixed(3)},${code}-Max=${(30 + i).toFixed(3)},${code}-Flag=N`;
});
const long: Hj212Packet = {
  header: [['QN', '20261103090000123'], ['ST', '31'], ['CN', '2051'], ['PW', '123456'], ['MN', 'TWLDEMO320500000000DA001'], ['Flag', '5']],
  cp: `DataTime=20261103090000;${groups.join(';')}`,
};

describe('HJ 212 split packets', () => {
  it('splits a long CP into framed parts of at most 1024 characters, cut only after ";" or ","', () => {
    expect(long.cp.length).toBe(2063);
    const parts = splitPacket(long);
    // The header with PNUM=9999;PNO=9999; and CP=&&&& takes 108 characters, leaving 916 for CP:
    // DataTime + 13 groups (908), 13 groups (884), the last 4 groups.
    expect(parts.map((p) => p.cp.length)).toEqual([908, 884, 271]);
    parts.forEach((p, i) => {
      const framed = encodePacket(p);
      expect(Number(framed.slice(2, 6))).toBeLessThanOrEqual(1024);
      // Each part is a valid packet on its own: frame, length, CRC.
      const back = decodePacket(framed);
      expect(back.header.map(([k]) => k)).toEqual(['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO']);
      expect(headerValue(back, 'QN')).toBe('20261103090000123');
      expect(headerValue(back, 'PNUM')).toBe('3');
      expect(headerValue(back, 'PNO')).toBe(String(i + 1));
      // Flag 5 (2017, answer) + bit A = 7.
      expect(headerValue(back, 'Flag')).toBe('7');
      expect(decodeFlag(7)).toEqual({ version: 1, split: true, answer: true });
      if (i < parts.length - 1) expect(p.cp.endsWith(';') || p.cp.endsWith(',')).toBe(true);
    });
    expect(parts.map((p) => p.cp).join('')).toBe(long.cp);
    // Short packets are not touched.
    const short: Hj212Packet = { header: long.header, cp: 'DataTime=20261103090000;a21002-Avg=1' };
    expect(splitPacket(short)).toEqual([short]);
  });

  it('reassembles in any order, takes a resent part once, and gives back the original packet', () => {
    const parts = splitPacket(long).map((p) => decodePacket(encodePacket(p)));
    const r = new Hj212Reassembler();
    expect(r.push(parts[2]!)).toBeNull();
    expect(r.push(parts[0]!)).toBeNull();
    expect(r.push(parts[0]!)).toBeNull();
    expect(r.waiting()).toBe(1);
    const whole = r.push(parts[1]!);
    expect(whole).toEqual(long);
    expect(encodeDataSegment(whole!)).toBe(encodeDataSegment(long));
    expect(r.waiting()).toBe(0);
    // An unsplit packet passes straight through.
    expect(r.push(long)).toBe(long);
  });

  it('reassembles a sender that cut in the middle of an item (concatenation in PNO order adds nothing)', () => {
    const header = long.header.map(([k, v]) => [k, k === 'Flag' ? '7' : v] as [typeof k, string]);
    const cut = (cp: string, no: number): Hj212Packet => ({ header: [...header, ['PNUM', '2'], ['PNO', String(no)]], cp });
    const r = new Hj212Reassembler();
    expect(r.push(cut('DataTime=20261103090000;a21002-Av', 1))).toBeNull();
    expect(r.push(cut('g=12.5,a21002-Flag=N', 2))?.cp).toBe('DataTime=20261103090000;a21002-Avg=12.5,a21002-Flag=N');
  });

  it('refuses parts that cannot belong together, and holds a bounded number of messages', () => {
    const parts = splitPacket(long);
    const r = new Hj212Reassembler(2);
    r.push(parts[0]!);
    const otherTotal = { header: parts[1]!.header.map(([k, v]) => [k, k === 'PNUM' ? '5' : v] as [typeof k, string]), cp: parts[1]!.cp };
    expect(() => r.push(otherTotal)).toThrow(Hj212Error);
    expect(() => r.push({ header: [...long.header, ['PNUM', '2']], cp: 'x=1' })).toThrow(/both PNUM and PNO/);
    expect(() => r.push({ header: [...long.header, ['PNUM', '2'], ['PNO', '3']], cp: 'x=1' })).toThrow(/from 1 to PNUM/);
    expect(() => r.push({ header: long.header.map(([k, v]) => [k, k === 'Flag' ? '7' : v] as [typeof k, string]), cp: 'x=1' })).toThrow(/bit A/);
    // Three messages started, two kept: the oldest is dropped.
    for (const qn of ['20261103090000001', '20261103090000002', '20261103090000003']) {
      r.push({ header: parts[0]!.header.map(([k, v]) => [k, k === 'QN' ? qn : v] as [typeof k, string]), cp: parts[0]!.cp });
    }
    expect(r.waiting()).toBe(2);
  });
});
