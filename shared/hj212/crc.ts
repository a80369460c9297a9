// The packet check of HJ 212-2017 Appendix A (same algorithm in HJ 212-2025): CRC-16 over the
// data segment, start 0xFFFF, polynomial 0xA001, but each byte is folded in as
// `crc = (crc >> 8) ^ byte` — not the Modbus `crc ^= byte`. Every packet published by other
// implementations that we checked carries this variant (test/unit/hj212-codec.test.ts); some
// field devices send the plain Modbus CRC-16 instead, so that one is an option.

export const CRC_VARIANTS = ['hj212', 'modbus'] as const;
export type CrcVariant = (typeof CRC_VARIANTS)[number];

export function crcHj212(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc = (crc >> 8) ^ b;
    for (let i = 0; i < 8; i++) {
      const carry = crc & 1;
      crc >>= 1;
      if (carry) crc ^= 0xa001;
    }
  }
  return crc;
}

export function crcModbus(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) {
      const carry = crc & 1;
      crc >>= 1;
      if (carry) crc ^= 0xa001;
    }
  }
  return crc;
}

/** Four upper-case hex digits, as the standard's examples print them. */
export function crcHex(dataSegment: string, variant: CrcVariant = 'hj212'): string {
  const bytes = new TextEncoder().encode(dataSegment);
  const crc = variant === 'modbus' ? crcModbus(bytes) : crcHj212(bytes);
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
