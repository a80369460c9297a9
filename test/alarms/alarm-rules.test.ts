// The `alarms:` section of the plant file: validation names the file and the field; the
// standard rules expand to one point per machine.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../edge/config/config-error.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { expandRules } from '../../edge/alarms/rule-set.js';
import { alarmSettings } from '../../shared/alarm-rules.js';
import { testPlant } from './fixtures.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('alarm rules in the plant file', () => {
  it.each([
    ['an unknown machine', { id: 'a', machine: 'lathe', kind: 'fault' }, 'alarms.rules[0].machine: no machine "lathe" (known: press, oven)'],
    ['an unknown tag', { id: 'a', machine: 'press', kind: 'high', tag: 'pressure', limit: 3 }, 'alarms.rules[0].tag: machine "press" has no tag "pressure"'],
    ['a tag no machine has', { id: 'a', kind: 'high', tag: 'flag', limit: 3 }, 'any machine has no tag "flag"'],
    ['a deviation without setpoint', { id: 'a', kind: 'deviation', tag: 'temperature', maxDeviation: 2 }, 'alarms.rules[0].setpoint: give exactly one of setpoint'],
    ['an unknown kind', { id: 'a', kind: 'sometimes' }, 'alarms.rules[0].kind'],
    ['a negative delay', { id: 'a', kind: 'fault', onDelaySeconds: -1 }, 'alarms.rules[0].onDelaySeconds'],
    ['suppressIn with onlyIn', { id: 'a', kind: 'fault', suppressIn: ['idle'], onlyIn: ['running'] }, 'alarms.rules[0].onlyIn: give suppressIn or onlyIn, not both'],
  ])('rejects %s, naming the file and the field', (_name, rule, expected) => {
    const text = message(() => testPlant({ rules: [rule as never] }));
    expect(text).toContain('test-plant.yaml');
    expect(text).toContain(expected);
  });

  it('rejects duplicate rule ids', () => {
    expect(message(() => testPlant({ rules: [{ id: 'a', kind: 'fault' }, { id: 'a', kind: 'comm-loss' }] }))).toContain('alarms.rules[1].id: duplicate alarm rule id "a"');
  });

  it('expands a rule without machine to every machine that has its tag, and standard rules to every machine', () => {
    const plant = testPlant({ defaultRules: true, rules: [{ id: 'hot', kind: 'high', tag: 'temperature', limit: 80 }, { id: 'fault', kind: 'fault', priority: 'critical' }] });
    const keys = expandRules(plant, alarmSettings(plant.alarms)).map((p) => `${p.key}:${p.rule.priority}`);
    expect(keys).toEqual([
      'comm-loss@press:high', 'down-long@press:medium', 'anomaly@press:medium', 'hot@press:medium', 'fault@press:critical',
      'comm-loss@oven:high', 'down-long@oven:medium', 'anomaly@oven:medium', 'hot@oven:medium', 'fault@oven:critical',
    ]);
  });

  it('accepts the demo plant and its alarm section', () => {
    const plant = loadPlantFile('config/demo-plant.yaml');
    const points = expandRules(plant, alarmSettings(plant.alarms));
    expect(points.filter((p) => p.rule.kind === 'fault')).toHaveLength(plant.machines.length);
  });
});
