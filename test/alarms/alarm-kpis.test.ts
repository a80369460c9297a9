// Alarm KPIs of a shift from a hand-made journal (ISA-18.2 §16.5 / EEMUA 191 figures).
import { describe, expect, it } from 'vitest';
import { alarmKpis } from '../../edge/alarms/alarm-kpis.js';
import type { AlarmOccurrence } from '../../shared/alarm-wire.js';

const FROM = Date.parse('2025-03-03T06:00:00+08:00');
const H = 3_600_000;
let id = 0;
function occ(key: string, atMin: number, o: Partial<AlarmOccurrence> = {}): AlarmOccurrence {
  const [ruleId, machineId] = key.split('@') as [string, string];
  const activeTs = FROM + atMin * 60_000;
  return {
    id: ++id, key, ruleId, kind: 'high', machineId, tag: null, priority: 'medium', message: key, state: 'normal', faultCode: null,
    activeTs, ackTs: activeTs + 30_000, ackBy: 'op', returnTs: activeTs + 60_000, closedTs: activeTs + 60_000, chattering: false, recordingId: null, ...o,
  };
}

describe('alarm KPIs', () => {
  it('rates, flood share, standing/stale, bad actors, chatter and ack times', () => {
    const journal: AlarmOccurrence[] = [
      // Standing since yesterday: stale, not counted as annunciated in this shift.
      occ('comm@washer', -30 * 60, { returnTs: null, closedTs: null, state: 'active-acked', priority: 'high' }),
      // A flood: 12 alarms within the 20-30 minute window.
      ...Array.from({ length: 12 }, (_, i) => occ(i < 8 ? 'hot@mill' : `fault@loader`, 20 + i * 0.5, { chattering: i < 3 })),
      occ('fault@packer', 100, { priority: 'high', ackTs: activeTsPlus(100, 90_000) }),
      // Raised near the end and still standing.
      occ('hot@mill', 470, { returnTs: null, closedTs: null, ackTs: null, ackBy: null, state: 'active-unacked' }),
    ];
    const k = alarmKpis({ from: FROM, to: FROM + 8 * H, occurrences: journal, operators: 2, floodCount: 10, staleAfterMs: 24 * H, shift: { name: 'Early', date: '2025-03-03' } });
    expect(k.annunciated).toBe(14);
    expect(k.perOperatorHour).toBeCloseTo(14 / 2 / 8, 3);
    expect(k.perOperator10Min.max).toBe(6);
    expect(k.floodShare).toBeCloseTo(1 / 48, 3);
    expect(k.floodMinutes).toBe(10);
    expect(k.standing).toBe(2);
    expect(k.stale).toBe(1);
    expect(k.byPriority).toEqual({ critical: 0, high: 1, medium: 13, low: 0 });
    expect(k.badActors[0]).toEqual({ key: 'hot@mill', machineId: 'mill', ruleId: 'hot', count: 9, share: 0.643 });
    expect(k.badActors.map((b) => b.key)).toEqual(['hot@mill', 'fault@loader', 'fault@packer']);
    expect(k.topTenShare).toBe(1);
    expect(k.chattering).toEqual(['hot@mill']);
    expect(k.ackSeconds).toEqual({ median: 30, p90: 30 });
    expect(k.shift).toEqual({ name: 'Early', date: '2025-03-03' });
  });

  it('an empty shift has zero rates and no ack times', () => {
    const k = alarmKpis({ from: FROM, to: FROM + 8 * H, occurrences: [], operators: 1, floodCount: 10, staleAfterMs: H });
    expect(k).toMatchObject({ annunciated: 0, perOperatorHour: 0, floodShare: 0, standing: 0, badActors: [], ackSeconds: { median: null, p90: null } });
  });
});

function activeTsPlus(atMin: number, ms: number) {
  return FROM + atMin * 60_000 + ms;
}
