// Fuzzes the HJ 212 input side: what an environmental platform (or anything that answers on its
// port) can send the edge's link. The codec (framer, packet decoder, split-packet reassembler)
// takes random bytes and mutated real packets and may only refuse them with Hj212Error, holding
// bounded state; split and reassembly give back any packet; and the edge's emissions module,
// linked to a hostile platform over TCP, still answers a valid history request after every batch.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { createEmissionMonitor, type EmissionMonitor } from '../../edge/emissions/emission-monitor.js';
import { openEmissionStore, type EmissionStore } from '../../edge/emissions/emission-store.js';
import { Hj212Framer } from '../../edge/hj212/index.js';
import {
  cpFields, decodePacket, encodeDataSegment, encodePacket, formatHjTime, headerValue, Hj212Error, Hj212Reassembler, parseCp, splitPacket, type Hj212Packet,
} from '../../shared/hj212/index.js';
import { waitFor } from '../support/wait-for.js';
import { fuzzParameters, fuzzTimeout, seedNote } from './support/fuzz-settings.js';

const T0 = Date.parse('2026-11-03T09:00:00+08:00');
const PW = 'fuzz-pw';

/** Real packets: the published ones of test/unit/hj212-codec.test.ts and what the edge itself sends. */
const SEEDS = [
  '##0136ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n',
  encodePacket({ header: [['QN', '20261103093000123'], ['ST', '31'], ['CN', '2051'], ['PW', PW], ['MN', 'TWLDEMO320500000000DA001'], ['Flag', '5']], cp: 'BeginTime=20261103090000;EndTime=20261103090100' }),
  encodePacket({ header: [['QN', '20261103093000123'], ['ST', '91'], ['CN', '9014'], ['PW', PW], ['MN', 'TWLDEMO320500000000DA001'], ['Flag', '4']], cp: '' }),
  ...splitPacket({ header: [['QN', '20261103093000124'], ['ST', '31'], ['CN', '2061'], ['PW', PW], ['MN', 'TWLDEMO320500000000DA001'], ['Flag', '5']], cp: `BeginTime=20261103090000;EndTime=20261103100000;${'x=1;'.repeat(300)}y=2` }).map((p) => encodePacket(p)),
];

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.boolean())
  .map(([seed, flips, cut, truncate]) => {
    const bytes = Buffer.from(seed, 'utf8');
    for (const [at, v] of flips) bytes[at % bytes.length] = v;
    return truncate ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
  });
const chunk = fc.oneof(mutated, fc.uint8Array({ maxLength: 1200 }).map((a) => Buffer.from(a)), fc.constantFrom(...SEEDS).map((s) => Buffer.from(s)));

describe(`HJ 212 codec under hostile input (${seedNote})`, () => {
  it('framer, decoder and reassembler refuse with Hj212Error only, and stay bounded', () => {
    fc.assert(fc.property(fc.array(chunk, { maxLength: 20 }), (chunks) => {
      const framer = new Hj212Framer();
      const reassembler = new Hj212Reassembler();
      for (const c of chunks) {
        for (const out of framer.push(c)) {
          if (out.kind !== 'packet') continue;
          try {
            const packet = decodePacket(out.text);
            parseCp(packet.cp);
            reassembler.push(packet);
          } catch (err) {
            if (!(err instanceof Hj212Error)) throw err;
          }
        }
        expect(reassembler.waiting()).toBeLessThanOrEqual(16);
      }
    }), fuzzParameters(300, 0.2));
  }, fuzzTimeout(30_000, 0.2));

  it('split and reassembly give back any packet, in any order of its parts', () => {
    const item = fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9.:-]{0,12}$/)).map(([k, v]) => `${k}=${v}`);
    const cp = fc.array(fc.array(item, { minLength: 1, maxLength: 8 }).map((g) => g.join(',')), { minLength: 1, maxLength: 200 }).map((gs) => gs.join(';'));
    fc.assert(fc.property(cp, fc.integer({ min: 0, max: 5 }), fc.nat(), (text, flag, order) => {
      const packet: Hj212Packet = { header: [['QN', '20261103093000125'], ['ST', '31'], ['CN', '2051'], ['PW', PW], ['MN', 'MN1'], ['Flag', String(flag & ~2)]], cp: text };
      const parts = splitPacket(packet).map((p) => decodePacket(encodePacket(p)));
      const r = new Hj212Reassembler();
      const shuffled = parts.map((p, i) => [(i * 7919 + order) % 10_007, p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
      let whole: Hj212Packet | null = null;
      for (const p of shuffled) whole = r.push(p) ?? whole;
      expect(encodeDataSegment(whole!)).toBe(encodeDataSegment(packet));
    }), fuzzParameters(200, 0.2));
  }, fuzzTimeout(30_000, 0.2));
});

describe(`the edge's HJ 212 link against a hostile platform (${seedNote})`, () => {
  let server: Server;
  let peer: Socket | null = null;
  let store: EmissionStore;
  let monitor: EmissionMonitor;
  const fromEdge: string[] = [];

  beforeAll(async () => {
    server = createServer((s) => {
      peer = s;
      s.on('data', (d) => fromEdge.push(d.toString('utf8')));
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const plant = loadPlantFile('config/demo-plant.yaml');
    Object.assign(plant.emissions!.platforms[0]!, { port: (server.address() as AddressInfo).port, realtimeSeconds: 0, reconnectMinMs: 50, reconnectMaxMs: 200 });
    store = openEmissionStore(':memory:');
    monitor = createEmissionMonitor({ plant, store, now: () => T0 + 10 * 60_000, log: () => {}, env: { TWINLINE_HJ212_PASSWORD: PW } });
    monitor.start();
    await waitFor('the link to connect', () => peer !== null && monitor.platforms()[0]!.connected);
  });

  afterAll(async () => {
    await monitor?.stop();
    store?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('answers a valid history request after every batch of hostile bytes', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(chunk, { minLength: 1, maxLength: 8 }), async (chunks) => {
      await waitFor('the link (re)connected', () => peer !== null && !peer.destroyed && monitor.platforms()[0]!.connected, 10_000);
      for (const c of chunks) peer!.write(c);
      // A stray "##" with a long length field holds the framer until a packet's worth of bytes: flush it.
      peer!.write(`${' '.repeat(1040)}\r\n`);
      const qn = formatHjTime(T0 + ++n, 480, true);
      fromEdge.length = 0;
      peer!.write(encodePacket({ header: [['QN', qn], ['ST', '31'], ['CN', '2051'], ['PW', PW], ['MN', 'TWLDEMO320500000000DA001'], ['Flag', '5']], cp: 'BeginTime=20261103090000;EndTime=20261103090100' }));
      await waitFor(`the answer to QN ${qn}`, () => fromEdge.join('').includes(`QN=${qn};ST=91;CN=9011`), 10_000);
      const answer = fromEdge.join('').split('\r\n').find((l) => l.includes(`QN=${qn};ST=91;CN=9011`))!;
      expect(cpFields(parseCp(decodePacket(`${answer.slice(answer.indexOf('##'))}\r\n`).cp)).get('QnRtn')).toBe('1');
      expect(headerValue(decodePacket(`${answer.slice(answer.indexOf('##'))}\r\n`), 'PW')).toBe(PW);
    }), fuzzParameters(15, 0.6));
  }, fuzzTimeout(120_000, 0.6));
});
