import { describe, expect, it } from 'vitest';
import { PolledChangeTimes } from './change-time.js';

describe('PolledChangeTimes: change instants of polled values', () => {
  it('stamps a changed value between the read that saw the old value and the read that saw the new one', () => {
    const c = new PolledChangeTimes();
    expect(c.stamp('m.state', 1, 1000)).toBe(1000); // first read: nothing earlier to go by
    expect(c.stamp('m.state', 1, 1500)).toBe(1500); // unchanged: the read time
    expect(c.stamp('m.state', 3, 2000)).toBe(1750); // changed in (1500, 2000]
    expect(c.stamp('m.state', 3, 2500)).toBe(2500);
    expect(c.stamp('m.state', 1, 3001)).toBe(2751); // rounded to whole ms
  });

  it('keeps tags apart and treats NaN as unchanged', () => {
    const c = new PolledChangeTimes();
    c.stamp('a.x', 1, 0);
    c.stamp('b.x', Number.NaN, 0);
    expect(c.stamp('a.x', 2, 100)).toBe(50);
    expect(c.stamp('b.x', Number.NaN, 100)).toBe(100);
  });

  it('after forget() (a failed read, a lost link) the next read is stamped at its own time', () => {
    const c = new PolledChangeTimes();
    c.stamp('m.state', 1, 0);
    c.stamp('m.count', 5, 0);
    c.forget('m.state');
    expect(c.stamp('m.state', 2, 10_000)).toBe(10_000);
    expect(c.stamp('m.count', 6, 10_000)).toBe(5000);
    c.forget();
    expect(c.stamp('m.count', 7, 20_000)).toBe(20_000);
  });

  it('never stamps before a read that did not move forward in time', () => {
    const c = new PolledChangeTimes();
    c.stamp('m.state', 1, 1000);
    expect(c.stamp('m.state', 2, 1000)).toBe(1000);
  });
});
