// The health monitor against a synthetic machine whose temperature follows running with a
// 5-minute lag: it learns the machine's own baseline, stays quiet while healthy (also through
// stops and cool-downs), and scores a slow drift.
import { describe, expect, it } from 'vitest';
import { HealthMonitor } from '../../edge/diagnosis/health-monitor.js';
import { alarmSettings } from '../../shared/alarm-rules.js';
import { FakeClock, stateEvent, tagEvent, testPlant } from './fixtures.js';

/** Deterministic normal noise (LCG + Box-Muller). */
function noise(seed: number) {
  let s = seed >>> 0;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function run(hours: number, driftFromHour: number | null, driftPerHour = 6) {
  const plant = testPlant();
  const clock = new FakeClock();
  const monitor = new HealthMonitor({ plant, settings: alarmSettings({}).predictive, now: clock.now });
  const n = noise(42);
  let level = 24;
  let running = false;
  const scores: { hour: number; score: number; state: string }[] = [];
  const start = clock.t;
  for (let s = 0; s < hours * 3600; s++) {
    clock.t = start + s * 1000;
    // 20 min running, 5 min idle, a 30-min stop every 4 hours.
    const inCycle = s % 1500;
    const bigStop = s % (4 * 3600) >= 3.5 * 3600 && s % (4 * 3600) < 4 * 3600;
    const want = inCycle < 1200 && !bigStop;
    if (want !== running) {
      running = want;
      monitor.onModelEvents([stateEvent('press', running ? 'running' : 'idle', clock.t)]);
    }
    const drift = driftFromHour !== null && s / 3600 > driftFromHour ? (s / 3600 - driftFromHour) * driftPerHour : 0;
    const target = (running ? 44 + drift : 24 + 0.3 * drift);
    level += (target - level) * (1 - Math.exp(-1 / 300));
    monitor.onModelEvents([tagEvent('press', 'temperature', Math.round((level + 0.15 * n()) * 10) / 10, clock.t)]);
    if (s % 60 === 0) {
      monitor.tick();
      scores.push({ hour: s / 3600, score: monitor.score('press', ['temperature'])?.score ?? 0, state: running ? 'running' : 'idle' });
    }
  }
  return { monitor, scores };
}

describe('health monitor', () => {
  it('learns idle and running levels and the lag, and stays quiet on a healthy machine', () => {
    const { monitor, scores } = run(12, null);
    const t = monitor.health('press')!.tags.find((x) => x.tag === 'temperature')!;
    expect(t.status).toBe('scoring');
    expect(t.model!.idle).toBeCloseTo(24, 0);
    expect(t.model!.running).toBeCloseTo(44, 0);
    expect(Math.abs(t.model!.tauSeconds - 300)).toBeLessThan(10); // the nearest of the 3 %-apart candidates
    expect(t.residualStd!).toBeLessThan(0.2);
    expect(Math.max(...scores.map((s) => s.score))).toBeLessThan(0.5);
    // Nothing to say about a tag that never had data.
    expect(monitor.health('press')!.tags.find((x) => x.tag === 'vibration')!.status).toBe('learning');
  });

  it('a learned baseline survives a restart: restored, then scoring after a warm-up of five time constants', () => {
    const { monitor } = run(2, null);
    const stored = monitor.exportBaselines();
    expect(stored.map((b) => [b.machineId, b.tag])).toEqual([['press', 'temperature']]);
    const clock = new FakeClock();
    const again = new HealthMonitor({ plant: testPlant(), settings: alarmSettings({}).predictive, now: clock.now });
    expect(again.restoreBaselines(JSON.parse(JSON.stringify(stored)))).toBe(1);
    const before = monitor.health('press')!.tags.find((x) => x.tag === 'temperature')!;
    const after = again.health('press')!.tags.find((x) => x.tag === 'temperature')!;
    expect(after).toMatchObject({ status: 'scoring', model: before.model, residualStd: before.residualStd });
    // Hot machine, filters cold: the first buckets would read as a huge drift, so they are not scored.
    again.onModelEvents([stateEvent('press', 'running', clock.t)]);
    for (let s = 0; s < 600; s++) {
      clock.advance(1000);
      again.onModelEvents([tagEvent('press', 'temperature', 44 + (s % 2) * 0.1, clock.t)]);
    }
    again.tick();
    expect(again.score('press', null)!.score).toBe(0);
    expect(again.restoreBaselines([{ ...stored[0]!, tauSeconds: 301.5 }])).toBe(0);
  });

  it('scores a drift of a few degrees per hour within minutes of its start', () => {
    const { scores } = run(8, 4, 6);
    const before = scores.filter((s) => s.hour < 4);
    const detected = scores.find((s) => s.hour >= 4 && s.score >= 1)!;
    expect(Math.max(...before.map((s) => s.score))).toBeLessThan(0.5);
    expect(detected).toBeDefined();
    expect(detected.hour - 4).toBeLessThan(0.5);
  });
});
