// HJ 212 packets published by other implementations decode, and encode again to the same bytes.
// Each packet is quoted from the file named beside it; none was made by this code.
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket, headerValue, Hj212Error } from '../../shared/hj212/packet.js';
import { encodeCp, parseCp, pollutantsOf, cpFields, formatHjTime, parseHjTime } from '../../shared/hj212/cp.js';
import { crcHex } from '../../shared/hj212/crc.js';
import { decodeFlag, encodeFlag } from '../../shared/hj212/edition.js';
import { checkLine, encodeInput } from '../../edge/hj212/hj212-cli.js';

const PUBLISHED = [
  {
    // github.com/xiaoyao9184/hj-t212-parser — hj-t212-parser/src/test/java/com/xy/format/hbt212/core/deser/DataDeserializerTest.java
    // (HJ/T 212-2005 style: no QN, no Flag, old factor codes B01/011/060)
    text: '##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n',
    cn: '2011', mn: 'LD130133000015', check: (cp: ReturnType<typeof parseCp>) => expect(pollutantsOf(cp).get('060')?.get('Rtd')).toBe('1.803'),
  },
  {
    // github.com/liruoyu2008/HJ212Interpreter — README.md (a 2011 real-time upload asking for an answer, Flag=5)
    text: '##0162QN=20231008123340461;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008123340;w01008-SampleTime=20231008123340,w01008-Rtd=123.456&&F441\r\n',
    cn: '2011', mn: '010000A8900016F000169DC0', check: (cp: ReturnType<typeof parseCp>) => expect(pollutantsOf(cp).get('w01008')?.get('Rtd')).toBe('123.456'),
  },
  {
    // github.com/liruoyu2008/HJ212Interpreter — README.md (the platform's 9011 answer, QnRtn=1)
    text: '##0094QN=20231008125115215;ST=22;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&CC01\r\n',
    cn: '9011', mn: '010000A8900016F000169DC0', check: (cp: ReturnType<typeof parseCp>) => expect(cpFields(cp).get('QnRtn')).toBe('1'),
  },
  {
    // github.com/liruoyu2008/HJ212Interpreter — README.md (2081 restart time)
    text: '##0137QN=20231008130452757;ST=22;CN=2081;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008130452;RestartTime=20231007130452&&3AC0\r\n',
    cn: '2081', mn: '010000A8900016F000169DC0', check: (cp: ReturnType<typeof parseCp>) => expect(cpFields(cp).get('RestartTime')).toBe('20231007130452'),
  },
  {
    // github.com/liruoyu2008/HJ212Interpreter — README.md (a second 2011 upload)
    text: '##0162QN=20231008132300648;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008132300;w01008-SampleTime=20231008132300,w01008-Rtd=123.456&&2800\r\n',
    cn: '2011', mn: '010000A8900016F000169DC0', check: (cp: ReturnType<typeof parseCp>) => expect(cpFields(cp).get('DataTime')).toBe('20231008132300'),
  },
];

describe('packets from other implementations', () => {
  for (const [i, p] of PUBLISHED.entries()) {
    it(`#${i + 1} CN ${p.cn} decodes and encodes to the same bytes`, () => {
      const packet = decodePacket(p.text);
      expect(headerValue(packet, 'CN')).toBe(p.cn);
      expect(headerValue(packet, 'MN')).toBe(p.mn);
      const groups = parseCp(packet.cp);
      p.check(groups);
      expect(encodeCp(groups)).toBe(packet.cp);
      expect(encodePacket({ header: packet.header, cp: encodeCp(groups) })).toBe(p.text);
      expect(checkLine(p.text.trimEnd(), 'hj212')).toBe(`ok ${p.cn} ${p.mn}`);
    });
  }

  it('none of them carries the Modbus CRC-16: the appendix variant is what the field sends', () => {
    for (const p of PUBLISHED) {
      expect(() => decodePacket(p.text, { crc: 'modbus' })).toThrow(/bad CRC/);
    }
  });
});

describe('CRC', () => {
  it('the two variants differ, and each reads back its own packets', () => {
    // Check values computed by hand-run of the appendix algorithm on "123456789" (CRC-16/MODBUS of it is the catalogued 4B37).
    expect(crcHex('123456789', 'modbus')).toBe('4B37');
    expect(crcHex('123456789', 'hj212')).not.toBe('4B37');
    const text = encodePacket({ header: [['ST', '32'], ['CN', '2011'], ['PW', '123456'], ['MN', 'X1']], cp: 'DataTime=20260101000000' }, 'modbus');
    expect(decodePacket(text, { crc: 'modbus' }).cp).toBe('DataTime=20260101000000');
    expect(() => decodePacket(text)).toThrow(/bad CRC/);
  });
});

describe('invalid packets say what is wrong', () => {
  const good = PUBLISHED[1]!.text.trimEnd();
  const cases: Array<[string, string, RegExp]> = [
    ['no frame start', good.slice(1), /missing frame start/],
    ['length not digits', '##01a2' + good.slice(6), /not four decimal digits/],
    ['wrong length', '##0161' + good.slice(6), /wrong length: length field says 161, data segment has 162/],
    ['bad CRC', good.slice(0, -1) + '2', /bad CRC: packet says F442, data segment gives F441/],
    ['CP not closed', '##0014ST=32;CP=&&abc' + crcHex('ST=32;CP=&&abc'), /CP is not closed/],
  ];
  for (const [name, line, reason] of cases) {
    it(name, () => expect(checkLine(line, 'hj212')).toMatch(new RegExp(`^invalid: .*${reason.source}`)));
  }
  it('missing fields', () => {
    const data = 'QN=1;CN=2011;CP=&&&&';
    expect(checkLine(`##${String(data.length).padStart(4, '0')}${data}${crcHex(data)}`, 'hj212')).toBe('invalid: missing field ST, PW, MN');
  });
  it('a packet must end with CR LF on the wire', () => {
    expect(() => decodePacket(good)).toThrow(/missing CR LF/);
  });
  it('a data segment longer than 1024 characters is refused on encode and decode', () => {
    expect(() => encodePacket({ header: [['CN', '2011']], cp: 'a='.padEnd(1100, 'x') })).toThrow(Hj212Error);
    expect(checkLine('##2000' + 'x'.repeat(10), 'hj212')).toMatch(/more than the 1024/);
  });
});

describe('encode input', () => {
  it('writes the header fields in the standard order whatever the JSON order', () => {
    const text = encodeInput('{"CP":"QnRtn=1","Flag":4,"MN":"010000A8900016F000169DC0","PW":"123456","CN":"9011","ST":"22","QN":"20231008125115215"}', 'hj212');
    expect(text).toBe(PUBLISHED[2]!.text);
  });
  it('names the bad field', () => {
    expect(() => encodeInput('{"Flag":300}', 'hj212')).toThrow(/Flag/);
    expect(() => encodeInput('{"MN":"a;b"}', 'hj212')).toThrow(/MN/);
    expect(() => encodeInput('{"XX":1}', 'hj212')).toThrow(Hj212Error);
    expect(() => encodeInput('not json', 'hj212')).toThrow(/not JSON/);
  });
});

describe('flag and time', () => {
  it('Flag bits: version, split, answer', () => {
    expect(decodeFlag(5)).toEqual({ version: 1, split: false, answer: true });
    expect(encodeFlag('2017', { answer: true })).toBe(5);
    expect(encodeFlag('2025', {})).toBe(8);
  });
  it('times are local YYYYMMDDhhmmss', () => {
    const ms = Date.UTC(2026, 11, 2, 4, 5, 6, 7);
    expect(formatHjTime(ms, 480)).toBe('20261202120506');
    expect(formatHjTime(ms, 480, true)).toBe('20261202120506007');
    expect(parseHjTime('20261202120506', 480)).toBe(ms - 7);
    expect(() => parseHjTime('20261302120506', 480)).toThrow(/not a real date/);
  });
});
