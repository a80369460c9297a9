import { describe, expect, it } from 'vitest';
import { PolledChangeTimes } from './change-time.js';

describe('PolledChangeTimes: change instants of polled values', () => {
  it('stamps a changed value between the read that saw the old value and the read that saw the new one', () => {
    const c = new PolledChangeTimes(2);
    expect(c.stamp(0, 1, 1000)).toBe(1000); // first read: nothing earlier to go by
    expect(c.stamp(0, 1, 1500)).toBe(1500); // unchanged: the read time
    expect(c.stamp(0, 3, 2000)).toBe(1750); // changed in (1500, 2000]
    expect(c.stamp(0, 3, 2500)).toBe(2500);
    expect(c.stamp(0, 1, 3001)).toBe(2751); // rounded to whole ms
  });

  it('keeps tags apart and treats NaN as unchanged', () => {
    const c = new PolledChangeTimes(2);
    c.stamp(0, 1, 0);
    c.stamp(1, Number.NaN, 0);
    expect(c.stamp(0, 2, 100)).toBe(50);
    expect(c.stamp(1, Number.NaN, 100)).toBe(100);
  });

  it('after forget() (a failed read, a lost link) the next read is stamped at its own time', () => {
    const c = new PolledChangeTimes(2);
    c.stamp(0, 1, 0);
    c.stamp(1, 5, 0);
    c.forget(0);
    expect(c.stamp(0, 2, 10_000)).toBe(10_000);
    expect(c.stamp(1, 6, 10_000)).toBe(5000);
    c.forget();
    expect(c.stamp(1, 7, 20_000)).toBe(20_000);
  });

  it('tells a string apart from a number', () => {
    const c = new PolledChangeTimes(1);
    c.stamp(0, 'A12', 0);
    expect(c.stamp(0, 'A12', 100)).toBe(100);
    expect(c.stamp(0, 12, 200)).toBe(150);
    expect(c.stamp(0, 12, 300)).toBe(300);
  });

  it('never stamps before a read that did not move forward in time', () => {
    const c = new PolledChangeTimes(2);
    c.stamp(0, 1, 1000);
    expect(c.stamp(0, 2, 1000)).toBe(1000);
  });
});
