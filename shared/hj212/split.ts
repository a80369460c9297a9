// Split packets (HJ 212-2017 §6.3.2–6.3.3): content longer than one data segment (1024
// characters) goes as PNUM packets, each with the same QN, ST, CN, PW and MN, the Flag's A bit
// set, PNUM (how many) and PNO (which, from 1) after the Flag, and a piece of the CP text.
// The standard does not say where the CP may be cut; twinline cuts only after a ";" or ","
// (so each piece still parses) and a receiver puts the pieces back together in PNO order
// without adding anything — which also reassembles senders that cut anywhere.
import { decodeFlag } from './edition.js';
import { encodeDataSegment, headerValue, Hj212Error, MAX_DATA_SEGMENT, type HeaderField, type Hj212Packet } from './packet.js';

/** At most this many parts to a message: four digits of PNUM. */
export const MAX_PARTS = 9999;

const withoutSplit = (header: Hj212Packet['header']) => header.filter(([k]) => k !== 'PNUM' && k !== 'PNO');

function flagWith(header: Hj212Packet['header'], split: boolean): Hj212Packet['header'] {
  const has = header.some(([k]) => k === 'Flag');
  const out: Hj212Packet['header'] = header.map(([k, v]) => [k, k === 'Flag' ? String(split ? Number(v) | 0b10 : Number(v) & ~0b10) : v]);
  // A packet without a Flag says nothing of its version; a split one must say it is split.
  if (!has && split) out.push(['Flag', '2']);
  return out;
}

/**
 * The packet as one or more packets whose data segments fit `maxSegment` characters (leave room
 * for a password filled in later). Throws Hj212Error when even the header alone does not fit.
 */
export function splitPacket(packet: Hj212Packet, maxSegment = MAX_DATA_SEGMENT): Hj212Packet[] {
  if (encodeDataSegment(packet).length <= maxSegment) return [packet];
  const header = flagWith(withoutSplit(packet.header), true);
  // Room for the CP piece: the header with four-digit PNUM and PNO, and "CP=&&" + "&&".
  const fixed = encodeDataSegment({ header: [...header, ['PNUM', '9999'], ['PNO', '9999']], cp: '' }).length;
  const room = maxSegment - fixed;
  if (room < 16) throw new Hj212Error(`the header alone takes ${fixed} of the ${maxSegment} characters a data segment may have: nothing left to split the CP into`);
  const pieces: string[] = [];
  let rest = packet.cp;
  while (rest.length > room) {
    // Cut after the last ";" in reach, else the last ",", else (one item longer than a piece) at the room.
    const window = rest.slice(0, room);
    const semi = window.lastIndexOf(';');
    const comma = window.lastIndexOf(',');
    const at = semi > 0 ? semi : comma > 0 ? comma : room - 1;
    pieces.push(rest.slice(0, at + 1));
    rest = rest.slice(at + 1);
  }
  if (rest.length) pieces.push(rest);
  if (pieces.length > MAX_PARTS) throw new Hj212Error(`the CP needs ${pieces.length} packets, more than the ${MAX_PARTS} PNUM can count`);
  const at = header.findIndex(([k]) => k === 'Flag') + 1;
  return pieces.map((cp, i) => ({
    header: [...header.slice(0, at), ['PNUM', String(pieces.length)], ['PNO', String(i + 1)], ...header.slice(at)] as Array<[HeaderField, string]>,
    cp,
  }));
}

interface Pending {
  total: number;
  parts: Map<number, Hj212Packet>;
  chars: number;
}

/**
 * Puts split packets back together. Bounded: at most `maxMessages` incomplete messages (the
 * oldest is dropped when another starts) and `maxChars` of CP text held in all.
 */
export class Hj212Reassembler {
  private readonly pending = new Map<string, Pending>();
  private held = 0;

  constructor(private readonly maxMessages = 16, private readonly maxChars = 256 * 1024) {}

  /**
   * A whole packet: the packet itself when it is not split, the reassembled one (without PNUM/PNO,
   * the Flag's A bit cleared) when this was its last missing part; null while parts are missing.
   * Throws Hj212Error on parts that cannot belong together.
   */
  push(packet: Hj212Packet): Hj212Packet | null {
    const pnum = headerValue(packet, 'PNUM');
    const pno = headerValue(packet, 'PNO');
    const flag = headerValue(packet, 'Flag');
    if (pnum === undefined && pno === undefined) {
      if (flag !== undefined && decodeFlag(Number(flag)).split) throw new Hj212Error('Flag says the packet is split (bit A) but PNUM and PNO are missing');
      return packet;
    }
    if (pnum === undefined || pno === undefined) throw new Hj212Error(`a split packet needs both PNUM and PNO (got only ${pnum === undefined ? 'PNO' : 'PNUM'})`);
    const total = Number(pnum);
    const no = Number(pno);
    if (total < 1 || total > MAX_PARTS || no < 1 || no > total) throw new Hj212Error(`PNO ${pno} of PNUM ${pnum} is not a part number from 1 to PNUM (at most ${MAX_PARTS})`);
    if (total === 1) return { header: flagWith(withoutSplit(packet.header), false), cp: packet.cp };
    const key = ['MN', 'QN', 'CN'].map((k) => headerValue(packet, k as HeaderField) ?? '').join('|');
    let p = this.pending.get(key);
    if (p && p.total !== total) throw new Hj212Error(`PNUM ${total} differs from the ${p.total} of earlier parts of QN ${headerValue(packet, 'QN')}`);
    if (!p) {
      p = { total, parts: new Map(), chars: 0 };
      this.pending.set(key, p);
      while (this.pending.size > this.maxMessages) this.drop(this.pending.keys().next().value!);
    }
    // A resent part replaces the first copy.
    const previous = p.parts.get(no);
    if (previous) {
      p.chars -= previous.cp.length;
      this.held -= previous.cp.length;
    }
    p.parts.set(no, packet);
    p.chars += packet.cp.length;
    this.held += packet.cp.length;
    while (this.held > this.maxChars && this.pending.size > 1) this.drop([...this.pending.keys()].find((k) => k !== key)!);
    if (this.held > this.maxChars) {
      this.drop(key);
      throw new Hj212Error(`a split message holds more than ${this.maxChars} characters: dropped`);
    }
    if (p.parts.size < total) return null;
    this.drop(key);
    const first = p.parts.get(1)!;
    let cp = '';
    for (let i = 1; i <= total; i++) cp += p.parts.get(i)!.cp;
    return { header: flagWith(withoutSplit(first.header), false), cp };
  }

  /** Incomplete messages held now. */
  waiting(): number {
    return this.pending.size;
  }

  private drop(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.held -= p.chars;
    this.pending.delete(key);
  }
}
