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

/**
 * Per tag, by its position in the connector's tag list: every polled tag is stamped on every
 * poll, so the last reads live in flat arrays rather than a map of objects.
 */
export class PolledChangeTimes {
  /** 0: no good read to go by; 1: the last value is in `lastNumber`; 2: in `lastOther`. */
  private readonly known: Uint8Array;
  private readonly lastNumber: Float64Array;
  private readonly lastOther: TagValue[];
  private readonly lastAt: Float64Array;

  constructor(tagCount: number) {
    this.known = new Uint8Array(tagCount);
    this.lastNumber = new Float64Array(tagCount);
    this.lastOther = new Array<TagValue>(tagCount).fill(null);
    this.lastAt = new Float64Array(tagCount);
  }

  /**
   * `at`: when the device sampled the value (the midpoint of request and response).
   * Returns the sample's timestamp: `at` for an unchanged value or the first read, the
   * midpoint between the previous read and this one for a changed value.
   */
  stamp(tag: number, value: TagValue, at: number): number {
    const known = this.known[tag]!;
    const readAt = this.lastAt[tag]!;
    this.lastAt[tag] = at;
    let same: boolean;
    if (typeof value === 'number') {
      same = known === 1 && Object.is(this.lastNumber[tag], value);
      this.lastNumber[tag] = value;
      this.known[tag] = 1;
    } else {
      same = known === 2 && this.lastOther[tag] === value;
      this.lastOther[tag] = value;
      this.known[tag] = 2;
    }
    // The midpoint (rounded up to whole ms) as `at` minus half the gap, and no branch on what is
    // returned: TurboFan then keeps the time an unboxed double, where returning `at` on one path
    // and a computed time on the other made it allocate a heap number per changed sample.
    const changed = known !== 0 && !same && at > readAt;
    return at - (changed ? Math.floor((at - readAt) / 2) : 0);
  }

  /** After a failed read or a lost link the last good read says nothing about when a later change happened. */
  forget(tag?: number): void {
    if (tag === undefined) this.known.fill(0);
    else this.known[tag] = 0;
  }
}
