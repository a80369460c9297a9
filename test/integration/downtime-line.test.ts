// Downtime reasons on the real line (issue 23.4): the simulator and the edge on one simulated
// clock, two breakdowns injected — one with a fault code the PLC cannot explain (the operator is
// prompted), one with a mapped code (the PLC's default reason). Stop times are held against the
// simulator's ground truth to the second; an operator classifies one and splits the other over
// REST; the shift's losses by reason follow to the second, the audit log has both, the history
// keeps the first classification after a reclassification.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Stop, StopsAnswer } from '../../shared/downtime-api.js';
import { DEFAULT_DOWNTIME } from '../../shared/downtime-schema.js';
import { call, login } from '../api/api-client.js';
import { startSimClockLine, type SimClockLine } from '../support/sim-clock-line.js';

// 2026-12-01 07:00 in Asia/Shanghai: inside the Early shift, hours from its 10:00 break.
const START = Date.UTC(2026, 10, 30, 23, 0, 0);
const MILL_CODE = 905; // no default reason: the operator is asked
const WASHER_CODE = 401; // default: electrical-failure
const S = 1000;

/** Polls an async condition (waitFor takes sync probes only). */
async function poll(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let line: SimClockLine;
let dir: string;
let operator: string;
let manager: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-downtime-line-'));
  const plant = parse(readFileSync('config/demo-plant.yaml', 'utf8')) as Record<string, unknown>;
  // Stops over a minute are classified one by one; the prompt comes after 20 s (short, for a fast test).
  plant.kpi = { microStopThresholdSeconds: 60 };
  plant.downtime = { ...DEFAULT_DOWNTIME, promptAfterSeconds: 20 };
  const plantFile = join(dir, 'plant.yaml');
  writeFileSync(plantFile, stringify(plant));
  line = await startSimClockLine({ plantFile, seed: 11, timeScale: 5, startTime: START, publishIntervalMs: 50 });
  operator = await login(line.edge.url, 'operator', 'operator-demo');
  manager = await login(line.edge.url, 'manager', 'manager-demo');
}, 120_000);
afterAll(async () => {
  await line?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function stopsOf(machine: string): Promise<StopsAnswer> {
  const answer = await call<StopsAnswer>(line.edge.url, `/api/downtime/stops?machine=${machine}`, { token: operator });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function endedStop(machine: string, code: number): Promise<Stop> {
  let found: Stop | undefined;
  await poll(`the ${machine} stop with fault ${code} to end`, async () => {
    found = (await stopsOf(machine)).stops.find((s) => s.faultCode === code && s.end !== null);
    return found !== undefined;
  }, 60_000);
  return found!;
}

function truthInterval(machine: string, code: number) {
  const truth = line.sim.truth(START, line.sim.clock.now());
  const m = truth.machines.find((x) => x.machineId === machine)!;
  const down = m.intervals.filter((i) => i.state === 'down' && i.faultCode === code);
  expect(down).toHaveLength(1);
  return down[0]!;
}

describe('downtime reasons on the line', () => {
  let mill: Stop;
  let washer: Stop;

  it('prompts for the stop the PLC cannot explain, not for the one it can; times match the simulator to the second', async () => {
    line.sim.model.injectBreakdown('mill', MILL_CODE, 90 * S, 'bearing over-temperature');
    line.sim.model.injectBreakdown('washer', WASHER_CODE, 100 * S, 'pump overload');
    await poll('the mill stop to be prompted', async () => {
      const p = await call<{ stops: Stop[] }>(line.edge.url, '/api/downtime/prompts', { token: operator });
      return p.body.stops.some((s) => s.machineId === 'mill' && s.faultCode === MILL_CODE);
    }, 60_000);
    const prompts = (await call<{ stops: Stop[] }>(line.edge.url, '/api/downtime/prompts', { token: operator })).body.stops;
    expect(prompts.some((s) => s.machineId === 'washer' && s.faultCode === WASHER_CODE)).toBe(false);

    mill = await endedStop('mill', MILL_CODE);
    washer = await endedStop('washer', WASHER_CODE);
    expect(mill.parts).toEqual([{ start: mill.start, end: mill.end, reason: 'unclassified', source: 'none' }]);
    expect(washer.parts[0]).toMatchObject({ reason: 'electrical-failure', source: 'plc' });
    for (const [stop, code] of [[mill, MILL_CODE], [washer, WASHER_CODE]] as const) {
      const truth = truthInterval(stop.machineId, code);
      expect(Math.abs(stop.start - truth.start)).toBeLessThanOrEqual(1000);
      expect(Math.abs(stop.end! - truth.end)).toBeLessThanOrEqual(1000);
      expect(Math.abs(stop.durationSeconds - (truth.end - truth.start) / 1000)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('an operator classifies one stop and splits the other; losses by reason follow to the second; audited', async () => {
    const classified = await call<Stop>(line.edge.url, `/api/downtime/stops/mill/${mill.start}/classification`, { token: operator, body: { parts: [{ reason: 'bearing-wear' }], basedOn: 0 } });
    expect(classified.status).toBe(200);
    expect(classified.body.parts).toEqual([{ start: mill.start, end: mill.end, reason: 'bearing-wear', source: 'operator' }]);
    const cut = washer.start + 40 * S;
    const split = await call<Stop>(line.edge.url, `/api/downtime/stops/washer/${washer.start}/classification`, { token: operator, body: { parts: [{ reason: 'adjustment', end: cut }, { reason: 'no-material' }] } });
    expect(split.status).toBe(200);
    expect(split.body.parts.map((p) => [p.reason, p.start, p.end])).toEqual([['adjustment', washer.start, cut], ['no-material', cut, washer.end]]);

    const millTruth = truthInterval('mill', MILL_CODE);
    const washerTruth = truthInterval('washer', WASHER_CODE);
    const millLosses = (await call(line.edge.url, '/api/downtime/losses?machine=mill', { token: operator })).body as { pareto: Array<{ reason: string; seconds: number }> };
    expect(Math.abs(millLosses.pareto.find((r) => r.reason === 'bearing-wear')!.seconds - (millTruth.end - millTruth.start) / 1000)).toBeLessThanOrEqual(1);
    const washerLosses = (await call(line.edge.url, '/api/downtime/losses?machine=washer', { token: operator })).body as { pareto: Array<{ reason: string; seconds: number; loss: string }>; waterfall: Array<{ step: string; seconds: number }> };
    expect(washerLosses.pareto.find((r) => r.reason === 'adjustment')).toMatchObject({ seconds: 40, loss: 'setup-adjustment' });
    expect(Math.abs(washerLosses.pareto.find((r) => r.reason === 'no-material')!.seconds - ((washerTruth.end - washerTruth.start) / 1000 - 40))).toBeLessThanOrEqual(1);
    expect(washerLosses.waterfall.some((w) => w.step === 'unclassified stops')).toBe(true);

    const audit = (action: string) => call<{ entries: Array<{ actor: string; role: string; target: string; outcome: string; details: Record<string, unknown> }> }>(line.edge.url, `/api/audit?action=${action}&after=0&limit=50`, { token: manager });
    const classifyEntries = (await audit('downtime.classify')).body.entries;
    expect(classifyEntries).toEqual([expect.objectContaining({ actor: 'operator', role: 'operator', outcome: 'ok', target: `mill@${new Date(mill.start).toISOString()}` })]);
    const splitEntries = (await audit('downtime.split')).body.entries;
    expect(splitEntries).toEqual([expect.objectContaining({ actor: 'operator', outcome: 'ok', target: `washer@${new Date(washer.start).toISOString()}` })]);
  }, 60_000);

  it('a reclassification appends; the first stays in the history; a stale revision is refused', async () => {
    const again = await call<Stop>(line.edge.url, `/api/downtime/stops/mill/${mill.start}/classification`, { token: manager, body: { parts: [{ reason: 'mechanical-failure' }], basedOn: 1 } });
    expect(again.status).toBe(200);
    expect(again.body.revision).toBe(2);
    const stale = await call(line.edge.url, `/api/downtime/stops/mill/${mill.start}/classification`, { token: operator, body: { parts: [{ reason: 'jam' }], basedOn: 1 } });
    expect(stale.status).toBe(409);
    const history = (await call<{ revisions: Array<{ revision: number; by: string; parts: Array<{ reason: string }> }> }>(line.edge.url, `/api/downtime/stops/mill/${mill.start}/history`, { token: operator })).body.revisions;
    expect(history.map((h) => [h.revision, h.by, h.parts[0]!.reason])).toEqual([[1, 'operator', 'bearing-wear'], [2, 'manager', 'mechanical-failure']]);
  }, 30_000);
});
