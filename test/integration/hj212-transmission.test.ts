// The emissions module against the reference platform over real TCP, on a simulated clock:
// minute records become 2051 packets that the platform answers; a platform outage of several
// minutes loses no minute record (store-and-forward); a history request is answered from the
// stored records (9011, the data, 9012).
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { openEmissionStore, type EmissionStore } from '../../edge/emissions/emission-store.js';
import { createEmissionMonitor, type EmissionMonitor } from '../../edge/emissions/emission-monitor.js';
import { startReferencePlatform, type ReferencePlatform } from '../../edge/hj212/reference-platform.js';
import { TagChanges } from '../../edge/model/tag-changes.js';
import { cpFields, parseCp, formatHjTime } from '../../shared/hj212/cp.js';
import { headerValue, type Hj212Packet } from '../../shared/hj212/packet.js';
import type { PlantConfig } from '../../shared/plant-schema.js';
import { waitFor } from '../support/wait-for.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-03T09:00:00+08:00');
const OFFSET = 480;

let platform: ReferencePlatform | undefined;
let monitor: EmissionMonitor | undefined;
let store: EmissionStore | undefined;
afterEach(async () => {
  await monitor?.stop();
  await platform?.close();
  store?.close();
});

function plantFor(port: number): PlantConfig {
  const plant = loadPlantFile('config/demo-plant.yaml');
  const p = plant.emissions!.platforms[0]!;
  Object.assign(p, { port, realtimeSeconds: 0, overTimeSeconds: 1, reCount: 1, reconnectMinMs: 50, reconnectMaxMs: 200 });
  return plant;
}

/** The furnace's analysers as the model would report them at `t`: steady, normal status. */
function readings(t: number) {
  const wave = Math.sin(t / 60_000);
  const values: Record<string, number> = {
    so2: 30 + wave, nox: 150 + 5 * wave, dust: 5, o2: 12, flueFlow: 9000, flueTemp: 180, fluePressure: -300, moisture: 8, cemsStatus: 0,
    cod: 80, nh3n: 4, tp: 0.5, ph: 7.4, effluentFlow: 4, waterStatus: 0,
  };
  const changes = TagChanges.from(Object.entries(values).map(([tagName, value]) => ({ machineId: 'furnace', tagName, value, quality: 'good' as const, ts: t, receivedTs: t })));
  return [{ kind: 'tags' as const, changes }];
}

function minutesOf(packets: readonly Hj212Packet[], mn: string): Set<string> {
  return new Set(packets.filter((p) => headerValue(p, 'CN') === '2051' && headerValue(p, 'MN') === mn).map((p) => cpFields(parseCp(p.cp)).get('DataTime')!));
}

describe('HJ 212 transmission', () => {
  it('a platform outage of six minutes loses no minute record, and history requests are answered from the tables', async () => {
    platform = await startReferencePlatform({ port: 0 });
    const port = platform.port;
    const plant = plantFor(port);
    const stack = plant.emissions!.outlets[0]!;
    store = openEmissionStore(':memory:');
    let now = T0;
    monitor = createEmissionMonitor({ plant, store, now: () => now, log: () => {}, env: { TWINLINE_HJ212_PASSWORD: 'pw-test' } });
    monitor.start();
    await waitFor('the link to connect', () => monitor!.platforms()[0]!.connected);
    const run = (minutes: number) => {
      const end = now + minutes * MIN;
      for (; now < end; now += 5000) {
        monitor!.onModelEvents(readings(now));
        monitor!.tick(now);
      }
      monitor!.tick(now);
    };

    run(3);
    await waitFor('three minutes answered', () => minutesOf(platform!.received, stack.mn).size === 3 && monitor!.platforms()[0]!.backlog === 0);
    const first = platform.received.find((p) => headerValue(p, 'CN') === '2051')!;
    expect(headerValue(first, 'PW')).toBe('pw-test');
    expect(headerValue(first, 'Flag')).toBe('5');
    expect(cpFields(parseCp(first.cp)).get('a21002-Flag')).toBe('N');

    // The platform goes away for six simulated minutes; the edge goes on recording.
    const before = platform.received.slice();
    await platform.close();
    run(6);
    await waitFor('the link to notice', () => !monitor!.platforms()[0]!.connected);
    expect(monitor.platforms()[0]!.backlog).toBeGreaterThanOrEqual(2 * 6);
    platform = await startReferencePlatform({ port });
    run(2);
    await waitFor('the backlog to drain', () => monitor!.platforms()[0]!.backlog === 0, 20_000);
    const all = minutesOf([...before, ...platform.received], stack.mn);
    const expected = Array.from({ length: 11 }, (_, i) => formatHjTime(T0 + i * MIN, OFFSET));
    expect([...all].sort()).toEqual(expected);

    // History: the platform asks for minutes 2–4 of the stack.
    const replies: Hj212Packet[] = [];
    platform.events.on('packet', (e) => replies.push(e.packet));
    const qn = '20261103093000123';
    platform.send({
      header: [['QN', qn], ['ST', '31'], ['CN', '2051'], ['PW', 'pw-test'], ['MN', stack.mn], ['Flag', '5']],
      cp: `BeginTime=${formatHjTime(T0 + 2 * MIN, OFFSET)};EndTime=${formatHjTime(T0 + 4 * MIN, OFFSET)}`,
    });
    await waitFor('the execution result', () => replies.some((p) => headerValue(p, 'CN') === '9012'));
    const mine = replies.filter((p) => headerValue(p, 'QN') === qn);
    expect(mine.map((p) => headerValue(p, 'CN'))).toEqual(['9011', '2051', '2051', '2051', '9012']);
    expect(cpFields(parseCp(mine[0]!.cp)).get('QnRtn')).toBe('1');
    expect(mine.slice(1, 4).map((p) => cpFields(parseCp(p.cp)).get('DataTime'))).toEqual(expected.slice(2, 5));

    // A wrong password is refused.
    platform.send({ header: [['QN', '20261103093000999'], ['ST', '31'], ['CN', '2051'], ['PW', 'nope'], ['MN', stack.mn], ['Flag', '5']], cp: 'BeginTime=20261103090000;EndTime=20261103090100' });
    await waitFor('the refusal', () => replies.find((p) => headerValue(p, 'QN') === '20261103093000999'));
    expect(cpFields(parseCp(replies.find((p) => headerValue(p, 'QN') === '20261103093000999')!.cp)).get('QnRtn')).toBe('3');
  });

  it('split: pnum sends a minute too long for one packet as PNUM/PNO parts that the platform answers and reassembles', async () => {
    platform = await startReferencePlatform({ port: 0 });
    const plant = plantFor(platform.port);
    plant.emissions!.platforms[0]!.split = 'pnum';
    const stack = plant.emissions!.outlets[0]!;
    // Two more pollutants (CO and NMHC on the SO2 and NOx signals) push the stack's minute past one data segment.
    stack.factors.push({ code: 'a21005', role: 'pollutant', tag: 'so2', name: 'CO', wetBasis: false }, { code: 'a24088', role: 'pollutant', tag: 'nox', name: 'NMHC', wetBasis: false });
    store = openEmissionStore(':memory:');
    let now = T0;
    monitor = createEmissionMonitor({ plant, store, now: () => now, log: () => {}, env: { TWINLINE_HJ212_PASSWORD: 'pw-test' } });
    monitor.start();
    await waitFor('the link to connect', () => monitor!.platforms()[0]!.connected);
    for (const end = now + 2 * MIN; now <= end; now += 5000) {
      monitor.onModelEvents(readings(now));
      monitor.tick(now);
    }
    const whole = () => platform!.messages.filter((p) => headerValue(p, 'CN') === '2051' && headerValue(p, 'MN') === stack.mn);
    await waitFor('two whole minutes, every part answered', () => whole().length === 2 && monitor!.platforms()[0]!.backlog === 0);
    const parts = platform.received.filter((p) => headerValue(p, 'CN') === '2051' && headerValue(p, 'MN') === stack.mn);
    expect(parts.length).toBe(4);
    expect(parts.map((p) => `${headerValue(p, 'PNUM')}/${headerValue(p, 'PNO')} ${headerValue(p, 'Flag')}`)).toEqual(['2/1 7', '2/2 7', '2/1 7', '2/2 7']);
    expect(headerValue(parts[0]!, 'QN')).toBe(headerValue(parts[1]!, 'QN'));
    // The reassembled minute has every factor of the outlet, with the stored record's values.
    const minute = whole()[0]!;
    expect(headerValue(minute, 'Flag')).toBe('5');
    expect(headerValue(minute, 'PNUM')).toBeUndefined();
    const fields = cpFields(parseCp(minute.cp));
    expect(fields.get('DataTime')).toBe(formatHjTime(T0, OFFSET));
    const stored = store.records('minute', 'stack', T0, T0 + 1);
    expect(stored.length).toBe(stack.factors.length);
    for (const r of stored) {
      expect(fields.get(`${r.code}-Flag`), r.code).toBe('N');
      // Sent with 3 decimals below 1000 and 1 above (hjNumber).
      expect(Math.abs(Number(fields.get(`${r.code}-Avg`)) - r.avg!), r.code).toBeLessThanOrEqual(Math.abs(r.avg!) >= 1000 ? 0.05 : 0.0005);
    }
  });
});
