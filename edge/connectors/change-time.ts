// When did a polled value change? A protocol without source timestamps (Modbus) only tells
// us that a register held the old value at one read and the new value at the next, so the
// change happened somewhere between the two. Stamping it at the later read delays every
// change by half a poll period on average; for a duration that starts and ends with a
// change the delays cancel, but not where only one end is polled — a machine leaving a
// calendar break (the break's start comes from the calendar, its end from the PLC) would
// lose half a poll of production every time, and a part made just before a shift boundary
// would be counted in the next shift. The midpoint of the two reads is the unbiased
// estimate of the change instant, so changed values are stamped there.
import type { TagValue } from '../../shared/live-protocol.js';

export class PolledChangeTimes {
  private readonly last = new Map<string, { value: TagValue; at: number }>();

  /**
   * `at`: when the device sampled the value (the midpoint of request and response).
   * Returns the sample's timestamp: `at` for an unchanged value or the first read, the
   * midpoint between the previous read and this one for a changed value.
   */
  stamp(tag: string, value: TagValue, at: number): number {
    const prev = this.last.get(tag);
    if (!prev) {
      this.last.set(tag, { value, at });
      return at;
    }
    // Updated in place: this runs for every polled tag on every poll.
    const { value: before, at: readAt } = prev;
    prev.value = value;
    prev.at = at;
    if (Object.is(before, value) || at <= readAt) return at;
    return Math.round((readAt + at) / 2);
  }

  /** After a failed read or a lost link the last good read says nothing about when a later change happened. */
  forget(tag?: string): void {
    if (tag === undefined) this.last.clear();
    else this.last.delete(tag);
  }
}
