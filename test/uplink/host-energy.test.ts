// The plant host aggregates energy across lines (issue 22 §5): two edge nodes publish their
// meters (`Energy/Meters`) through a real broker; the host keeps the totals in each line's
// history and answers GET /api/energy/lines. The figures are worked out by hand from the totals
// the test publishes (support/energy-lines.ts; the same checks run on PostgreSQL in test/host-pg/plant-enpi.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnergyUplink } from '../../shared/energy-uplink.js';
import type { AlarmView } from '../../shared/alarm-wire.js';
import { toPlantView } from '../../shared/live-protocol.js';
import { EdgeMirror, type MirrorSink } from '../../edge/host/edge-mirror.js';
import { login, call } from '../api/api-client.js';
import { startTestBroker, type TestBroker } from './support/aedes-broker.js';
import {
  demandAlarm, expectEnergyAcrossLines, expectEnpiFromGoodParts, GROUP, lineB, MIN, plantOf, startEnergyLines, T0, type EnergyLines,
} from './support/energy-lines.js';

let broker: TestBroker;
let lines: EnergyLines;

beforeAll(async () => {
  broker = await startTestBroker();
  lines = await startEnergyLines({ brokerUrl: broker.url });
}, 60_000);

afterAll(async () => {
  await lines?.stop();
  await broker?.close();
});

describe('plant host: energy across lines', () => {
  it('reports every line and the plant sums from the published totals (worked by hand)', async () => {
    await expectEnergyAcrossLines(lines.host.url);
  });

  it('gives each line and the plant an EnPI from the good parts of the line\'s output machine (worked by hand)', async () => {
    await expectEnpiFromGoodParts(lines);
  });

  it('lists the line\'s demand alarm (no machine\'s: Alarms/Site List) with the plant\'s alarms', async () => {
    const token = await login(lines.host.url, 'operator', 'operator-demo');
    const answer = await call<{ lines: Array<{ key: string; alarms: AlarmView[] }> }>(lines.host.url, '/api/alarms', { token });
    expect(answer.status).toBe(200);
    const byLine = Object.fromEntries(answer.body.lines.map((l) => [l.key, l.alarms.map((a) => a.key)]));
    expect(byLine[`${GROUP}/line-a`]).toEqual(['demand@energy']);
    expect(byLine[`${GROUP}/line-b`]).toEqual([]);
  });

  it('is for managers, and names a bad window', async () => {
    const operator = await login(lines.host.url, 'operator', 'operator-demo');
    expect((await call(lines.host.url, `/api/energy/lines?from=${T0}&to=${T0 + MIN}`, { token: operator })).status).toBe(403);
    const manager = await login(lines.host.url, 'manager', 'manager-demo');
    const bad = await call(lines.host.url, `/api/energy/lines?from=${T0 + MIN}&to=${T0}`, { token: manager });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/"from".*must be before "to"/);
  });
});

describe('EdgeMirror: Energy/Meters', () => {
  it('keeps a valid message, tells the sink, and ignores one it does not understand', () => {
    const got: EnergyUplink[] = [];
    const logs: string[] = [];
    const sink: MirrorSink = {
      touched: () => {}, events: () => {}, lineChanged: () => {}, requestRebirth: () => {}, commandResult: () => {},
      energy: (u) => got.push(u), log: (_l, m) => logs.push(m),
    };
    const mirror = new EdgeMirror('g', 'n', sink, () => T0);
    const metric = (value: string) => ({ name: 'Energy/Meters', alias: 7, type: 'String' as const, value, timestamp: T0 });
    mirror.handleNode('NBIRTH', { timestamp: T0, seq: 0, metrics: [
      { name: 'bdSeq', alias: 0, type: 'UInt64', value: 1, timestamp: T0 },
      { name: 'Twinline/Plant View', alias: 1, type: 'String', value: JSON.stringify(toPlantView(plantOf('line-x'))), timestamp: T0 },
      metric(JSON.stringify(lineB)),
    ] });
    expect(mirror.energy).toEqual(lineB);
    expect(got).toHaveLength(1);
    mirror.handleNode('NDATA', { timestamp: T0, seq: 1, metrics: [{ alias: 7, type: 'String', value: JSON.stringify({ meters: [{ id: 'x' }] }), timestamp: T0 }] });
    expect(mirror.energy).toEqual(lineB);
    expect(got).toHaveLength(1);
    expect(logs.some((m) => /Energy\/Meters.*not understood/.test(m))).toBe(true);

    // Alarms of no machine, under their source; one naming a machine is not taken from this list; gone when the edge no longer lists it.
    const site = (alarms: AlarmView[]) => ({ alias: 8, type: 'String' as const, value: JSON.stringify(alarms), timestamp: T0 });
    mirror.handleNode('NDATA', { timestamp: T0, seq: 2, metrics: [{ name: 'Alarms/Site List', ...site([demandAlarm, { ...demandAlarm, key: 'x@press', machineId: 'press' }]) }] });
    expect(mirror.alarms.get('energy')?.map((a) => a.key)).toEqual(['demand@energy']);
    expect(mirror.alarms.get('press') ?? []).toEqual([]);
    mirror.handleNode('NDATA', { timestamp: T0, seq: 3, metrics: [{ name: 'Alarms/Site List', ...site([]) }] });
    expect(mirror.alarms.has('energy')).toBe(false);
  });
});
