// Every request does bounded work (issue 16 §2), tried as an attacker would on the real edge
// (real simulator, real SQLite file, real HTTP): huge time ranges, ranges from 1970, and a
// flood of long recordings are refused with a 400 that names the limit and the parameter,
// and the edge still answers afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLine, type LineHarness } from '../support/line-harness.js';
import { call, login } from './api-client.js';
import { MAX_OPEN_RECORDINGS_PER_MACHINE, MAX_SPAN_DAYS } from '../../shared/query-limits.js';

let line: LineHarness;
let token: string;

beforeAll(async () => {
  line = await startLine();
  token = await login(line.edge.url, 'operator', 'operator-demo');
});
afterAll(async () => {
  await line?.stop();
});

const get = (path: string) => call(line.edge.url, path, { token });
const alive = async () => expect((await get('/api/health')).status).toBe(200);

describe('time ranges', () => {
  it('refuses alarm KPIs over 1970 to the year 33658 instead of filling an array of 1.7 billion windows', async () => {
    const a = await get('/api/alarms/kpis?from=0&to=1000000000000000');
    expect(a.status).toBe(400);
    expect(a.body.field).toBe('to');
    expect(a.body.error).toMatch(new RegExp(`to − from is 11574074(\\.\\d)? days; at most ${MAX_SPAN_DAYS} days per request \\(parameter: to\\)`));
    await alive();
  });

  // `from` alone: the end defaults to now, so the window reaches back to 1970.
  it.each([
    '/api/history/tags/mill.spindleSpeed?from=0',
    '/api/history/states/mill?from=0',
    '/api/history/kpi/mill?from=0',
    '/api/history/counts/mill?from=0',
    '/api/kpi/machines/mill/shifts?from=0',
    '/api/kpi/line/shifts?from=0',
    '/api/alarms/history?from=0',
    '/api/machines/mill/service-history?from=0',
  ])('refuses %s: a window from 1970 to now', async (path) => {
    const a = await get(path);
    expect(a.status).toBe(400);
    expect(a.body).toMatchObject({ code: 'limit', field: 'from' });
    expect(a.body.error).toMatch(new RegExp(`from is [\\d.]+ days before now; at most ${MAX_SPAN_DAYS} days per request \\(parameter: from\\)`));
  });

  it.each([
    ['/api/history/counts/mill?since=0&from=1764000000000&to=1764003600000', 'since'],
    ['/api/alarms/history?from=0&to=1764000000000', 'to'],
    ['/api/machines/mill/service-history?from=0&to=1764000000000', 'to'],
    ['/api/history/states/mill?from=0&to=1764000000000', 'to'],
  ])('refuses %s: both ends given, too far apart', async (path, parameter) => {
    const a = await get(path);
    expect(a.status).toBe(400);
    expect(a.body.field).toBe(parameter);
    expect(a.body.error).toMatch(new RegExp(`at most ${MAX_SPAN_DAYS} days per request \\(parameter: ${parameter}\\)`));
  });

  it('still answers a window within the limit', async () => {
    const to = Date.now();
    const a = await get(`/api/history/states/mill?from=${to - 300 * 86_400_000}&to=${to}`);
    expect(a.status).toBe(200);
    expect(Array.isArray(a.body.intervals)).toBe(true);
    const k = await get(`/api/alarms/kpis?from=${to - 300 * 86_400_000}&to=${to}`);
    expect(k.status).toBe(200);
    expect(k.body.annunciated).toBeGreaterThanOrEqual(0);
    await alive();
  });
});

describe('open recordings', () => {
  it('opens no more than the per-machine limit of long recordings; the rest get a 400 naming it', async () => {
    const answers = [];
    for (let i = 0; i < 300; i++) {
      answers.push(await call(line.edge.url, '/api/machines/mill/recordings', { token, body: { postSeconds: 3600 } }));
    }
    const started = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 400);
    // Alarm-triggered recordings of the mill count too: the line may have opened some itself.
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThanOrEqual(MAX_OPEN_RECORDINGS_PER_MACHINE);
    expect(refused).toHaveLength(300 - started.length);
    expect(refused[0]!.body.field).toBe('id');
    expect(refused[0]!.body.error).toMatch(new RegExp(`at most ${MAX_OPEN_RECORDINGS_PER_MACHINE} open recordings per machine`));
    expect(line.edge.alarms.store.recordings({ machineId: 'mill', limit: 1000 }).filter((r) => r.status === 'recording').length).toBeLessThanOrEqual(MAX_OPEN_RECORDINGS_PER_MACHINE);
    await alive();
  });
});
