// A plant file holding only its line (issue 21: the first step of a plant from scratch) has no
// machines, but its calendar (the default one: a 24-hour shift 'all-day', UTC) still runs a shift.
// The twin's header shows the line's shift, so the live snapshot and deltas carry it, and the
// line KPI route names it (with no KPIs: there is nothing to measure yet).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import type { LineKpiAnswer } from '../../shared/kpi-api.js';
import type { LineDelta, LineSnapshot } from '../../shared/live-protocol.js';
import { waitFor } from '../support/wait-for.js';
import { superviseEdge } from './support.js';

const DAY_MS = 86_400_000;
let dir: string;
let supervisor: PlantSupervisor<RunningEdge>;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-empty-plant-'));
  const file = join(dir, 'plant.yaml');
  writeFileSync(file, 'line: { id: hall-2, name: Hall 2 }\n');
  supervisor = await superviseEdge({ file, dir, logs, watch: false });
}, 60_000);
afterAll(async () => {
  await supervisor?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The default calendar's shift at `t`: the UTC day around it, named 'all-day'. */
function allDayAround(t: number) {
  const start = Math.floor(t / DAY_MS) * DAY_MS;
  return { name: 'all-day', start, end: start + DAY_MS };
}

describe('a line without machines', () => {
  it('its live snapshot and deltas carry the calendar shift running now', async () => {
    const edge = supervisor.edge();
    expect(edge.machines()).toEqual([]);
    const socket: Socket = io(edge.url, { transports: ['websocket'], reconnection: false });
    try {
      const deltas: LineDelta[] = [];
      socket.on('delta', (d: LineDelta) => deltas.push(d));
      const snapshot = await new Promise<LineSnapshot>((resolve, reject) => {
        socket.once('snapshot', resolve);
        socket.once('connect_error', reject);
      });
      expect(snapshot.machines).toEqual([]);
      expect(snapshot.shift, 'the snapshot names the shift').toEqual(allDayAround(snapshot.ts));
      // The periodic refresh (1 s) keeps it current without any machine changing.
      await waitFor('a delta', () => deltas.length > 0, 10_000);
      expect(deltas[0]!.shift, JSON.stringify(deltas[0])).toEqual(allDayAround(deltas[0]!.ts));
    } finally {
      socket.close();
    }
  });

  it('GET /api/kpi/line names the shift and has no KPIs yet', async () => {
    const edge = supervisor.edge();
    const login = await fetch(`${edge.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'operator', password: 'operator-demo' }) });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${edge.url}/api/kpi/line`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as LineKpiAnswer;
    expect(body.line).toEqual({ id: 'hall-2', name: 'Hall 2' });
    expect(body.kpis).toBeNull();
    const { name, start, end } = allDayAround(body.at);
    expect(body.shift).toEqual({ name, start, end, date: new Date(start).toISOString().slice(0, 10) });
  });
});
