// The downtime and handover modules over a real SQLite file and audit log, on a fake clock and
// hand-made historian intervals: classification revisions are appended (never overwritten,
// the tables refuse UPDATE/DELETE), stale revisions conflict, every change is audited; notes
// and open issues carry over; the shift report is made once the clock passes the shift's end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlantSchema, type PlantConfig } from '../../shared/plant-schema.js';
import type { PeriodTotals } from '../../shared/kpi/index.js';
import { openAuditLog, type AuditLog } from '../../edge/audit/index.js';
import { createDowntimeService, DowntimeError, type DowntimeService } from '../../edge/downtime/index.js';
import { createHandoverService, shiftOrders, type HandoverService } from '../../edge/handover/index.js';
import { openDatabase } from '../../edge/store/index.js';
import { TINY_PLANT } from '../api/tiny-plant.js';

const S = 1000;
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);
// Two 12-hour shifts a day in UTC.
const plant: PlantConfig = PlantSchema.parse({ ...TINY_PLANT, calendar: { shifts: [{ name: 'Day', start: '00:00', end: '12:00' }, { name: 'Night', start: '12:00', end: '00:00' }] } });

function emptyTotals(start: number, end: number): PeriodTotals {
  return {
    start, end, calendarMs: end - start,
    times: { plannedOperationMs: end - start, plannedDownMs: 0, noDataMs: 0, productionMs: end - start - 1800 * S, setupMs: 0, breakdownMs: 1800 * S, microStopMs: 0, idleMs: 0 },
    stops: { breakdowns: 1, microStops: 0, setups: 0, idles: 0 },
    reasons: { 'breakdown|fault 901': { bucket: 'breakdown', reason: 'fault 901', ms: 1800 * S, events: 1 } },
    counts: { total: 4000, good: 3950 }, idealOutputSeconds: 4000 * 10,
    energy: { kWh: 12.5, byState: { running: 12, idle: 0, down: 0.5, setup: 0, 'planned-stop': 0, 'no-data': 0 }, blocks: {} },
  };
}

let dir: string;
let clock: number;
let audit: AuditLog;
let downtime: DowntimeService;
let handover: HandoverService;
const closers: Array<() => void> = [];
const operator = { user: 'olga', role: 'operator' as const };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-downtime-'));
  const file = join(dir, 'twinline.db');
  clock = T0 + 3 * 3600 * S;
  const now = () => clock;
  const auditDb = openDatabase(file);
  const db = openDatabase(file);
  audit = openAuditLog(auditDb, now);
  closers.push(() => { audit.close(); auditDb.close(); db.close(); });
  // One 30-minute stop 01:00–01:30 with a wear fault (no default reason), one of 2 min (micro) at 02:00.
  const intervals = [
    { machineId: 'press', state: 'running', startTs: T0, endTs: T0 + 3600 * S, reason: null },
    { machineId: 'press', state: 'down', startTs: T0 + 3600 * S, endTs: T0 + 5400 * S, reason: 'fault 901' },
    { machineId: 'press', state: 'running', startTs: T0 + 5400 * S, endTs: T0 + 7200 * S, reason: null },
    { machineId: 'press', state: 'down', startTs: T0 + 7200 * S, endTs: T0 + 7320 * S, reason: 'fault 101' },
    { machineId: 'press', state: 'running', startTs: T0 + 7320 * S, endTs: null, reason: null },
  ];
  const dayShift = { name: 'Day', date: '2026-12-01', start: T0, end: T0 + 12 * 3600 * S, plannedStops: [] };
  downtime = createDowntimeService({
    plant, sqlite: db, now, audit,
    stateIntervals: (_m, from, to) => intervals.filter((i) => i.startTs < to && (i.endTs ?? Infinity) > from),
    kpi: { details: () => (clock < dayShift.end ? { shift: dayShift, totals: emptyTotals(T0, dayShift.end) } : null), closedShifts: () => [] },
  });
  handover = createHandoverService({
    plant, sqlite: db, now, audit, downtime, startedAt: T0,
    shiftTotals: (_m, start) => (start === T0 ? emptyTotals(T0, dayShift.end) : null),
  });
});
afterEach(() => {
  for (const c of closers.splice(0)) c();
  rmSync(dir, { recursive: true, force: true });
});

const auditOf = (action: string) => audit.page({ after: 0, limit: 100, action }).entries;

describe('classifying stops', () => {
  it('lists the stop unclassified and waiting, micro-stops grouped', () => {
    const answer = downtime.stops('press');
    expect(answer.stops).toHaveLength(1);
    expect(answer.stops[0]).toMatchObject({ start: T0 + 3600 * S, durationSeconds: 1800, faultCode: 901, needsReason: true, revision: 0 });
    expect(answer.microStops).toEqual({ count: 1, seconds: 120, thresholdSeconds: 300 });
    expect(downtime.prompts().map((s) => s.start)).toEqual([T0 + 3600 * S]);
  });

  it('appends a revision per classification; the history keeps who and when; the table refuses rewrites', () => {
    const start = T0 + 3600 * S;
    const first = downtime.classify('press', start, { parts: [{ reason: 'bearing-wear' }] }, operator);
    expect(first.parts).toEqual([{ start, end: start + 1800 * S, reason: 'bearing-wear', source: 'operator' }]);
    clock += 60 * S;
    const split = downtime.classify('press', start, { parts: [{ reason: 'bearing-wear', end: start + 600 * S }, { reason: 'no-operator' }], basedOn: 1 }, { user: 'max', role: 'maintenance' });
    expect(split.revision).toBe(2);
    expect(split.parts.map((p) => [p.reason, (p.end! - p.start) / S])).toEqual([['bearing-wear', 600], ['no-operator', 1200]]);
    const history = downtime.history('press', start);
    expect(history.map((h) => [h.revision, h.by, h.at, h.parts.length])).toEqual([[1, 'olga', T0 + 3 * 3600 * S, 1], [2, 'max', T0 + 3 * 3600 * S + 60 * S, 2]]);
    expect(downtime.prompts()).toEqual([]);
    // Someone who saw revision 1 cannot overwrite revision 2.
    expect(() => downtime.classify('press', start, { parts: [{ reason: 'jam' }], basedOn: 1 }, operator)).toThrow(/revision 2/);
    // The audit log has both, and the refusal.
    expect(auditOf('downtime.classify').map((e) => [e.actor, e.outcome])).toEqual([['olga', 'ok'], ['olga', 'refused']]);
    expect(auditOf('downtime.split').map((e) => [e.actor, e.outcome, e.target])).toEqual([['max', 'ok', `press@${new Date(start).toISOString()}`]]);
    const raw = openDatabase(join(dir, 'twinline.db'));
    closers.push(() => raw.close());
    expect(() => raw.prepare('UPDATE downtime_classifications SET parts_json = ?').run('[]')).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM downtime_classifications').run()).toThrow(/append-only/);
  });

  it('refuses micro-stops, unknown reasons and parts outside the stop, naming what to do', () => {
    expect(() => downtime.classify('press', T0 + 7200 * S, { parts: [{ reason: 'jam' }] }, operator)).toThrow(/micro-stops are not classified/);
    expect(() => downtime.classify('press', T0 + 3600 * S, { parts: [{ reason: 'gripper' }] }, operator)).toThrow(/not a reason of this machine's type/);
    try {
      downtime.classify('press', T0 + 3600 * S, { parts: [{ reason: 'jam', end: T0 + 9000 * S }, { reason: 'jam' }] }, operator);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DowntimeError);
      expect((err as DowntimeError).status).toBe(400);
    }
  });

  it("applies the reasons to the shift's losses: planned time leaves PBT, unclassified is its own row", () => {
    const start = T0 + 3600 * S;
    expect(downtime.losses('press', 'current')!.pareto.map((r) => [r.reason, r.seconds])).toEqual([['unclassified', 1800]]);
    downtime.classify('press', start, { parts: [{ reason: 'planned-maintenance', end: start + 1200 * S }, { reason: 'jam' }] }, operator);
    const l = downtime.losses('press', 'current')!;
    expect(l.pareto.map((r) => [r.reason, r.seconds])).toEqual([['planned-maintenance', 1200], ['jam', 600]]);
    expect(l.unclassifiedSeconds).toBe(0);
    // 12 h shift, 30 min down of which 20 planned: A = (43,200 − 1,800) / (43,200 − 1,200).
    expect(l.availability).toBeCloseTo(41_400 / 42_000, 12);
  });
});

describe('shift handover', () => {
  it('keeps notes per shift and carries open issues until closed; audits each', () => {
    handover.addNote({ kind: 'note', text: 'Coolant topped up' }, operator);
    const issue = handover.addNote({ kind: 'issue', text: 'Spindle noisy, watch it', machineId: 'press' }, operator);
    expect(handover.current().notes.map((n) => n.text)).toEqual(['Coolant topped up', 'Spindle noisy, watch it']);
    clock = T0 + 13 * 3600 * S; // the night shift
    const night = handover.current();
    expect(night.shift!.name).toBe('Night');
    expect(night.notes).toEqual([]);
    expect(night.openIssues.map((n) => [n.id, n.shift.name])).toEqual([[issue.id, 'Day']]);
    handover.closeIssue(issue.id, 'bearing replaced', { user: 'max', role: 'maintenance' });
    expect(handover.current().openIssues).toEqual([]);
    expect(() => handover.closeIssue(issue.id, undefined, operator)).toThrow(/was closed by max/);
    expect(auditOf('handover.note')).toHaveLength(1);
    expect(auditOf('handover.issue')).toHaveLength(1);
    expect(auditOf('handover.issue-close').map((e) => e.outcome)).toEqual(['ok', 'refused']);
  });

  it('makes the shift report once the clock passes the shift end, once, with the notes and the issue open then', () => {
    handover.addNote({ kind: 'issue', text: 'Guard door sticks' }, operator);
    expect(handover.generateDue()).toEqual([]);
    clock = T0 + 12 * 3600 * S + 5 * S;
    const [id] = handover.generateDue();
    expect(id).toBeTypeOf('number');
    expect(handover.generateDue()).toEqual([]);
    const report = handover.report(id!);
    expect(report.shift).toMatchObject({ name: 'Day', start: T0, end: T0 + 12 * 3600 * S });
    expect(report.machines[0]).toMatchObject({ machineId: 'press', counts: { total: 4000, good: 3950, scrap: 50 }, energyKWh: 12.5, unclassifiedSeconds: 1800 });
    // A = 41,400 / 43,200; P = 40,000 s / 41,400 s; Q = 3,950 / 4,000.
    expect(report.machines[0]!.oee).toBeCloseTo((41_400 / 43_200) * (40_000 / 41_400) * (3950 / 4000), 12);
    expect(report.losses.map((l) => [l.reason, l.seconds])).toEqual([['unclassified', 1800]]);
    expect(report.scrap).toBe(50);
    expect(report.openIssues.map((n) => n.text)).toEqual(['Guard door sticks']);
    expect(report.orders).toBeNull();
    expect(auditOf('handover.shift-report')).toHaveLength(1);
  });
});

describe('orders in the shift report', () => {
  it('lists the orders that ran during the shift, with progress and OEE so far', () => {
    const H = 3_600_000;
    const list = [
      { id: 'WO-1', productId: 'P', quantity: 100, status: 'completed', startedAt: T0 - 2 * H, completedAt: T0 - H },
      { id: 'WO-2', productId: 'P', quantity: 50, status: 'completed', startedAt: T0 - H, completedAt: T0 + H },
      { id: 'WO-3', productId: 'Q', quantity: 80, status: 'running', startedAt: T0 + H, completedAt: null },
      { id: 'WO-4', productId: 'Q', quantity: 10, status: 'planned', startedAt: null, completedAt: null },
      { id: 'WO-5', productId: 'Q', quantity: 10, status: 'running', startedAt: T0 + 13 * H, completedAt: null },
    ];
    const reads = {
      orders: () => list,
      order: (id: string) => ({ output: { good: id === 'WO-2' ? 50 : 20, quantity: 0, progress: id === 'WO-2' ? 1 : 0.25 }, line: { oee: 0.5 }, scrap: 1 }),
    };
    const rows = shiftOrders(reads, T0, T0 + 12 * H);
    expect(rows.map((r) => [r.id, r.good, r.progress])).toEqual([['WO-2', 50, 1], ['WO-3', 20, 0.25]]);
  });
});
