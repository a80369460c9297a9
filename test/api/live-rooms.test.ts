// The live protocol against the real simulator and edge (demo mode, as npm start runs it):
// rooms, machine deltas with only what changed, reconnect → fresh snapshot, demo notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinAck, LineSnapshot, MachineDelta, MachineSnapshot } from '../../shared/live-protocol.js';
import type { Session } from '../../shared/auth-api.js';
import { startLine, waitFor, type LineHarness } from '../support/line-harness.js';
import { call, connect, connected, login, type LiveClient } from './api-client.js';

let line: LineHarness;
const sockets: LiveClient[] = [];

beforeAll(async () => {
  line = await startLine({ timeScale: 5, seed: 5 });
  await waitFor('every machine to report', () => line.edge.machines().every((m) => m.state !== 'no-data'), 30_000);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await line?.stop();
});

const open = (auth: Record<string, unknown> = {}) => {
  const s = connect(line.edge.url, auth);
  sockets.push(s);
  return s;
};
const join = (s: LiveClient, request: unknown) => new Promise<JoinAck>((resolve) => s.emit('join', request as never, resolve));

describe('demo mode', () => {
  it('auto-logs visitors in as operator and says so, on the socket, in status and in the log', async () => {
    const s = open();
    let session: Session | undefined;
    s.on('session', (x) => { session = x; });
    await connected(s);
    await waitFor('session', () => session);
    expect(session).toMatchObject({ user: 'operator', role: 'operator', via: 'demo-auto-login', expiresAt: null });
    expect(session!.demo!.notice).toMatch(/Demo mode/);
    expect(session!.demo!.accounts.map((a) => a.role)).toEqual(['operator', 'maintenance', 'manager', 'admin']);
    const status = await call(line.edge.url, '/api/status');
    expect(status.body.auth).toMatchObject({ mode: 'demo', notice: expect.stringMatching(/Demo mode/) });
    expect(line.logs.some((l) => /DEMO MODE/.test(l))).toBe(true);
  });

  it('lets a visitor log in as a demo account for a higher role', async () => {
    const account = (await call<Session>(line.edge.url, '/api/session')).body.demo!.accounts.find((a) => a.role === 'maintenance')!;
    const token = await login(line.edge.url, account.username, account.password);
    const session = await call<Session>(line.edge.url, '/api/session', { token });
    expect(session.body).toMatchObject({ user: 'maintenance', role: 'maintenance', via: 'token' });
    // the anonymous visitor stays an operator: no writes
    const write = await call(line.edge.url, '/api/commands', { body: { kind: 'speed-override', machineId: 'mill', percent: 90, reason: 'visitor tries' } });
    expect(write.status).toBe(403);
  });
});

describe('rooms', () => {
  it('a machine room gets a machine snapshot, then deltas with only what changed', async () => {
    const s = open({ autoJoin: false });
    let lineSnapshots = 0;
    const snapshots: MachineSnapshot[] = [];
    const deltas: MachineDelta[] = [];
    s.on('snapshot', () => { lineSnapshots++; });
    s.on('machine-snapshot', (m) => snapshots.push(m));
    s.on('machine-delta', (d) => deltas.push(d));
    await connected(s);
    expect(await join(s, { room: 'machine', id: 'mill' })).toEqual({ ok: true, room: 'machine:mill' });
    await waitFor('a machine snapshot', () => snapshots.length > 0);
    expect(snapshots[0]!.machine.machineId).toBe('mill');
    expect(Object.keys(snapshots[0]!.machine.tags).length).toBeGreaterThan(5);

    await waitFor('several machine deltas', () => deltas.length >= 5, 15_000);
    expect(deltas.every((d) => d.machineId === 'mill')).toBe(true);
    // only what changed: the mill has ~12 tags, a delta carries a few
    const allTags = Object.keys(snapshots[0]!.machine.tags).length;
    expect(deltas.some((d) => Object.keys(d.tags).length < allTags)).toBe(true);
    // and applying them gives the edge's own view
    const view = structuredClone(snapshots[0]!.machine);
    for (const d of deltas) {
      Object.assign(view, d.fields);
      Object.assign(view.tags, d.tags);
    }
    const edgeView = line.edge.machines().find((m) => m.machineId === 'mill')!;
    await waitFor('the client to catch up with the edge', () => {
      for (const d of deltas.splice(0)) { Object.assign(view, d.fields); Object.assign(view.tags, d.tags); }
      const now = line.edge.machines().find((m) => m.machineId === 'mill')!;
      return JSON.stringify(view.counts) === JSON.stringify(now.counts) && view.state === now.state;
    }, 10_000);
    expect(edgeView.machineId).toBe('mill');
    expect(lineSnapshots).toBe(0);
  });

  it('refuses joins to unknown rooms with a reason, and leaving stops the deltas', async () => {
    const s = open({ autoJoin: false });
    await connected(s);
    expect(await join(s, { room: 'machine', id: 'nope' })).toMatchObject({ ok: false, field: 'id', error: expect.stringMatching(/known: loader, mill/) });
    expect(await join(s, { room: 'line', id: 'other-line' })).toMatchObject({ ok: false, field: 'id' });
    expect(await join(s, { room: 'kitchen' })).toMatchObject({ ok: false, field: 'room' });
    let deltas = 0;
    s.on('machine-delta', () => { deltas++; });
    await join(s, { room: 'machine', id: 'washer' });
    await waitFor('washer deltas', () => deltas > 1, 15_000);
    await new Promise<void>((resolve) => s.emit('leave', { room: 'machine', id: 'washer' }, () => resolve()));
    const after = deltas;
    // a full refresh happens every second: two of them pass without a washer delta
    const snaps: LineSnapshot[] = [];
    const probe = open();
    probe.on('snapshot', (x) => snaps.push(x));
    await waitFor('two refresh periods', () => snaps.length > 0 && Date.now() - snaps[0]!.ts > 2_200, 10_000);
    expect(deltas).toBe(after);
  });

  it('the plant room gets the line snapshot too, and a reconnect gets a fresh snapshot', async () => {
    const s = open({ autoJoin: false });
    const snaps: LineSnapshot[] = [];
    s.on('snapshot', (x) => snaps.push(x));
    await connected(s);
    expect(await join(s, { room: 'plant' })).toEqual({ ok: true, room: 'plant' });
    await waitFor('plant snapshot', () => snaps.length === 1);
    expect(snaps[0]!.machines.map((m) => m.machineId)).toEqual(line.plant.machines.map((m) => m.id));

    const t = open();
    const again: LineSnapshot[] = [];
    t.on('snapshot', (x) => again.push(x));
    await waitFor('first snapshot', () => again.length === 1);
    t.disconnect();
    t.connect();
    await waitFor('a fresh snapshot after reconnect', () => again.length === 2);
    expect(again[1]!.ts).toBeGreaterThan(again[0]!.ts);
  });
});
