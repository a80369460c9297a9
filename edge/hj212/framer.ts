// Cuts a TCP byte stream into HJ 212 packets. Bounded: it holds at most one packet's worth of
// bytes, drops anything before a "##", and reports garbage instead of waiting for it to end.
import { MAX_DATA_SEGMENT } from '../../shared/hj212/index.js';

/** "##" + 4 digits + data + 4 CRC + CR LF. */
const MAX_PACKET = 2 + 4 + MAX_DATA_SEGMENT + 4 + 2;

export type FramerOutput = { kind: 'packet'; text: string } | { kind: 'garbage'; reason: string };

export class Hj212Framer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): FramerOutput[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: FramerOutput[] = [];
    for (;;) {
      const start = this.buffer.indexOf('##');
      if (start < 0) {
        // Keep a trailing "#" that may be half of the next start.
        const keep = this.buffer.length && this.buffer[this.buffer.length - 1] === 0x23 ? 1 : 0;
        if (this.buffer.length - keep > 0) out.push({ kind: 'garbage', reason: `${this.buffer.length - keep} bytes without a frame start "##"` });
        this.buffer = this.buffer.subarray(this.buffer.length - keep);
        return out;
      }
      if (start > 0) {
        out.push({ kind: 'garbage', reason: `${start} bytes before the frame start "##"` });
        this.buffer = this.buffer.subarray(start);
      }
      if (this.buffer.length < 6) return out;
      const lengthField = this.buffer.subarray(2, 6).toString('latin1');
      if (!/^\d{4}$/.test(lengthField) || Number(lengthField) > MAX_DATA_SEGMENT) {
        out.push({ kind: 'garbage', reason: `length field ${JSON.stringify(lengthField)} is not a length of at most ${MAX_DATA_SEGMENT}` });
        this.buffer = this.buffer.subarray(2);
        continue;
      }
      const total = 6 + Number(lengthField) + 4 + 2;
      if (this.buffer.length < total) {
        if (this.buffer.length > MAX_PACKET) this.buffer = this.buffer.subarray(2);
        return out;
      }
      out.push({ kind: 'packet', text: this.buffer.subarray(0, total).toString('utf8') });
      this.buffer = this.buffer.subarray(total);
    }
  }
}
