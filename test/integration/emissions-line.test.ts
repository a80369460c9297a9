// The furnace's emissions end to end: the real simulator's analysers over Modbus TCP, the real
// edge on the simulator's clock, a reference platform over TCP. Minute values and flags match
// the simulator's ground truth, the platform receives them as HJ 212 2051 packets, an injected
// exceedance shows in the converted concentration it is sent and raises the NOx alarm, and the REST routes serve it to
// maintenance (not to an operator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSimClockLine, type SimClockLine } from '../support/sim-clock-line.js';
import { startReferencePlatform, type ReferencePlatform } from '../../edge/hj212/reference-platform.js';
import { cpFields, parseCp, formatHjTime } from '../../shared/hj212/cp.js';
import { headerValue } from '../../shared/hj212/packet.js';
import { call, login } from '../api/api-client.js';
import { waitFor } from '../support/wait-for.js';

const MIN = 60_000;
const START = Date.parse('2026-11-03T09:00:00+08:00');
let line: SimClockLine;
let platform: ReferencePlatform;
const previousPassword = process.env.TWINLINE_HJ212_PASSWORD;

beforeAll(async () => {
  platform = await startReferencePlatform({ port: 0 });
  const doc = parse(readFileSync('config/demo-plant.yaml', 'utf8'));
  Object.assign(doc.emissions.platforms[0], { port: platform.port, realtimeSeconds: 60 });
  const file = join(mkdtempSync(join(tmpdir(), 'twinline-em-')), 'plant.yaml');
  writeFileSync(file, stringify(doc));
  process.env.TWINLINE_HJ212_PASSWORD = 'line-test-pw';
  line = await startSimClockLine({ plantFile: file, seed: 3, timeScale: 6, startTime: START });
});

afterAll(async () => {
  await line?.stop();
  await platform?.close();
  if (previousPassword === undefined) delete process.env.TWINLINE_HJ212_PASSWORD;
  else process.env.TWINLINE_HJ212_PASSWORD = previousPassword;
});

const minutePackets = (mn: string) => platform.received.filter((p) => headerValue(p, 'CN') === '2051' && headerValue(p, 'MN') === mn);

describe('emissions on the demo line', () => {
  it('minute values match the simulator, reach the platform, and an exceedance is reported', async () => {
    const stack = line.plant.emissions!.outlets[0]!;
    const furnace = line.sim.furnace!;
    const t0 = line.sim.clock.now();
    await waitFor('four minute packets of the stack', () => minutePackets(stack.mn).length >= 4, 120_000);
    furnace.inject({ kind: 'exceedance', outlet: 'stack', code: 'a21002', factor: 3, minutes: 4 });
    const injectedAt = line.sim.clock.now();
    await waitFor('two minutes after the injection', () => minutePackets(stack.mn).some((p) => cpFields(parseCp(p.cp)).get('DataTime')! >= formatHjTime(injectedAt + 2 * MIN, 480)), 120_000);

    const token = await login(line.edge.url, 'maintenance', 'maintenance-demo');
    const from = Math.ceil(t0 / MIN) * MIN;
    const records = await call(line.edge.url, `/api/emissions/stack/records?period=minute&from=${from}&to=${line.sim.clock.now()}`, { token });
    expect(records.status).toBe(200);
    const nox = records.body.records.filter((r: any) => r.code === 'a21002');
    expect(nox.length).toBeGreaterThanOrEqual(4);
    const truth = furnace.truth.minutes('stack', 'a21002');
    let compared = 0;
    for (const r of nox) {
      const t = truth.find((m) => m.start === r.start);
      // Steady minutes only: while the injected exceedance ramps up, 3 s of Modbus lag is worth more than 3 %.
      if (!t || t.flag !== 'N' || r.start < from || r.start + MIN > injectedAt) continue;
      expect(r.flag, new Date(r.start).toISOString()).toBe('N');
      // The edge samples every 5 s what Modbus read; the truth averages every second: within 3 %.
      expect(Math.abs(r.avg - t.avg!) / t.avg!, `avg ${r.avg} vs ${t.avg}`).toBeLessThan(0.03);
      expect(Math.abs(r.zsAvg - t.zsAvg!) / t.zsAvg!).toBeLessThan(0.03);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(2);

    // The platform got what the edge stored, and the exceedance in ZsAvg above the 300 mg/m³ hour limit.
    const sent = minutePackets(stack.mn).map((p) => cpFields(parseCp(p.cp)));
    const late = sent.filter((c) => c.get('DataTime')! >= formatHjTime(injectedAt + MIN, 480));
    expect(late.length).toBeGreaterThanOrEqual(1);
    for (const c of late) expect(Number(c.get('a21002-ZsAvg'))).toBeGreaterThan(300);
    expect(platform.received.some((p) => headerValue(p, 'CN') === '2011')).toBe(true);

    // The alarm engine raised the plant file's NOx rule on the furnace.
    const alarm = await waitFor('the nox-high alarm', () => line.edge.alarms.list().alarms.find((x) => x.ruleId === 'nox-high' && x.active), 60_000);
    expect(alarm).toMatchObject({ machineId: 'furnace', priority: 'high' });

    // The emission conditions are alarm points of the furnace in the edge's own alarm engine (derived signals).
    const keys = line.edge.alarms.list({ all: true }).alarms.map((a) => a.key);
    expect(keys).toEqual(expect.arrayContaining(['emission-stack-hour-a21002@furnace', 'emission-stack-data-loss@furnace', 'emission-effluent-calibration-overdue@furnace']));

    const overview = await call(line.edge.url, '/api/emissions', { token });
    expect(overview.body.platforms[0]).toMatchObject({ platform: 'provincial', connected: true });
    expect(overview.body.outlets.map((o: any) => o.id)).toEqual(['stack', 'effluent']);
    const operator = await login(line.edge.url, 'operator', 'operator-demo');
    expect((await call(line.edge.url, '/api/emissions', { token: operator })).status).toBe(403);
    const csv = await call(line.edge.url, `/api/emissions/stack/records?period=minute&from=${from}&to=${line.sim.clock.now()}&format=csv`, { token });
    expect(String(csv.body).split('\n')[0]).toBe('start,code,avg,min,max,zsAvg,zsMin,zsMax,cou,flag,validParts,expectedParts');
    // Totals and the daily report over REST; an operator may not read them.
    expect(overview.body.totals.map((t: any) => `${t.outlet}.${t.code}`)).toEqual(['stack.a21026', 'stack.a21002', 'stack.a34013', 'effluent.w01018']);
    const report = await call(line.edge.url, '/api/emissions/report?date=2026-11-03', { token });
    expect(report.status).toBe(200);
    expect(report.body.outlets.map((o: any) => o.id)).toEqual(['stack', 'effluent']);
    expect((await call(line.edge.url, '/api/emissions/report?date=2026-11-03', { token: operator })).status).toBe(403);
    expect((await call(line.edge.url, '/api/emissions/report?date=2026-13-40', { token })).status).toBe(400);
  }, 300_000);
});
