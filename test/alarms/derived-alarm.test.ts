// Derived signals: a condition a module computes (the energy module's demand forecast) fed
// to the alarm engine, which gives it the ISA-18.2 lifecycle of every rule's alarm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlarmEngine, type EngineEvent } from '../../edge/alarms/alarm-engine.js';
import { openHistorian } from '../../edge/store/historian.js';
import { alarmSettings } from '../../shared/alarm-rules.js';
import { AlarmViewSchema } from '../../shared/alarm-wire.js';
import { alarmSystem, FakeClock, testPlant } from './fixtures.js';

const DEMAND = {
  id: 'demand', source: 'energy', priority: 'high', limit: 900,
  message: 'Demand heading for {value} kW against the contracted {limit} kW',
} as const;

function setup(restore?: Parameters<typeof createAlarmEngine>[0]['restore']) {
  const plant = testPlant();
  const clock = new FakeClock();
  const engine = createAlarmEngine({ plant, settings: alarmSettings(plant.alarms), now: clock.now, restore });
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return { clock, engine, events };
}

describe('derived alarm signals', () => {
  it('runs the lifecycle: raised with the value in the message, acknowledged, cleared, normal', () => {
    const { clock, engine, events } = setup();
    const demand = engine.derive(DEMAND);
    expect(demand.key).toBe('demand@energy');
    expect(engine.view('demand@energy')!.state).toBe('normal');
    expect(engine.list()).toEqual([]);

    clock.advance(1000);
    demand.set(false, 700);
    expect(engine.view('demand@energy')!.state).toBe('normal');
    demand.set(true, 950.5);
    const view = engine.view('demand@energy')!;
    expect(view).toMatchObject({ state: 'active-unacked', kind: 'derived', machineId: 'energy', priority: 'high', value: 950.5 });
    expect(view.message).toBe('Demand heading for 950.50 kW against the contracted 900 kW');
    expect(AlarmViewSchema.safeParse(view).success).toBe(true);
    expect(engine.list().map((a) => a.key)).toEqual(['demand@energy']);

    engine.ack('demand@energy', 'olga');
    expect(engine.view('demand@energy')!.state).toBe('active-acked');
    clock.advance(60_000);
    demand.set(false, 400);
    expect(engine.view('demand@energy')!.state).toBe('normal');
    expect(events.map((e) => e.type)).toEqual(['raised', 'acknowledged', 'normal']);
    expect(events[0]!.occurrence).toMatchObject({ key: 'demand@energy', kind: 'derived', activeTs: clock.t - 60_000 });
  });

  it('a return before anyone acknowledged stays until acknowledged (rtn-unacked)', () => {
    const { engine } = setup();
    const demand = engine.derive(DEMAND);
    demand.set(true, 990);
    demand.set(false, 500);
    expect(engine.view('demand@energy')!.state).toBe('rtn-unacked');
    engine.ack('demand@energy', 'olga');
    expect(engine.view('demand@energy')!.state).toBe('normal');
  });

  it('honours on-delay, shelving and its expiry like any other alarm', () => {
    const { clock, engine, events } = setup();
    const demand = engine.derive({ ...DEMAND, onDelaySeconds: 5 });
    demand.set(true, 920);
    clock.advance(4000);
    engine.tick();
    expect(engine.view('demand@energy')!.state).toBe('normal');
    clock.advance(1000);
    engine.tick();
    expect(engine.view('demand@energy')!.state).toBe('active-unacked');

    engine.shelve('demand@energy', 'olga', 10, 'load shedding planned');
    expect(engine.view('demand@energy')!.state).toBe('shelved');
    clock.advance(5 * 60_000);
    demand.set(true, 930);
    expect(engine.view('demand@energy')!.state).toBe('shelved');
    clock.advance(5 * 60_000);
    engine.tick();
    // Shelving expired with the condition still there: annunciated anew.
    expect(engine.view('demand@energy')!.state).toBe('active-unacked');
    expect(events.filter((e) => e.type === 'raised')).toHaveLength(2);
  });

  it('keeps shelving across a restart and refuses a second point with the same key', () => {
    const until = Date.parse('2025-03-03T09:00:00+08:00');
    const { engine } = setup([{ key: 'demand@energy', shelved: { by: 'olga', at: until - 60_000, until, reason: 'test' }, outOfService: null }]);
    const demand = engine.derive(DEMAND);
    demand.set(true, 999);
    expect(engine.view('demand@energy')!.state).toBe('shelved');
    expect(() => engine.derive(DEMAND)).toThrow(/demand@energy.*exists already/);
  });

  it('through the alarm service: journaled, listed, no flight recording (there is no machine to record)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinline-derived-'));
    const clock = new FakeClock();
    const historian = openHistorian({ file: join(dir, 'twinline.db'), now: clock.now });
    const system = alarmSystem({ plant: testPlant(), file: join(dir, 'twinline.db'), now: clock.now });
    const { alarms } = system;
    try {
      const demand = alarms.derive(DEMAND);
      demand.set(true, 910);
      const listed = alarms.list().alarms.find((a) => a.key === 'demand@energy')!;
      expect(listed).toMatchObject({ state: 'active-unacked', recordingId: null });
      expect(alarms.recordings()).toEqual([]);
      expect(alarms.history({ from: clock.t - 1, to: clock.t + 1 })).toMatchObject([{ key: 'demand@energy', kind: 'derived', machineId: 'energy' }]);
    } finally {
      system.close();
      historian.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
