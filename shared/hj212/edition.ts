// Which edition of HJ 212 a link speaks, and the Flag field that says so on the wire.
// HJ 212-2017 §6.3.3: Flag = V5..V0 A D — bits 2..7 the standard version (000000 = HJ/T 212-2005,
// 000001 = HJ 212-2017), bit 1 (A) whether the packet carries PNUM/PNO (a split packet),
// bit 0 (D) whether the receiver must answer. HJ 212-2025 keeps the layout; the version
// number 2 for 2025 is how the `a` crate (docs.rs/crate/a, src/flag.rs) reads HJ 212-2025 §6.3.3 —
// we could not read the 2025 text itself, so docs/emissions.md marks it as second-hand.

export const HJ212_EDITIONS = ['2017', '2025'] as const;
export type Hj212Edition = (typeof HJ212_EDITIONS)[number];

const VERSION_OF: Record<Hj212Edition, number> = { '2017': 1, '2025': 2 };

export interface FlagBits {
  /** Bits 2..7: 0 HJ/T 212-2005, 1 HJ 212-2017, 2 HJ 212-2025. */
  version: number;
  /** Bit 1: PNUM and PNO present. */
  split: boolean;
  /** Bit 0: the receiver must answer (9011 for a request, 9014 for uploaded data). */
  answer: boolean;
}

export function decodeFlag(flag: number): FlagBits {
  return { version: flag >> 2, split: (flag & 0b10) !== 0, answer: (flag & 1) !== 0 };
}

export function encodeFlag(edition: Hj212Edition, bits: { split?: boolean; answer?: boolean }): number {
  return (VERSION_OF[edition] << 2) | (bits.split ? 0b10 : 0) | (bits.answer ? 1 : 0);
}

export function editionOfVersion(version: number): Hj212Edition | '2005' | null {
  if (version === 0) return '2005';
  if (version === 1) return '2017';
  if (version === 2) return '2025';
  return null;
}
