// The public surface of shared/hj212: the HJ 212 protocol (packets, CP field lists, CRC, editions), pure and browser-safe.
// Other folders import from here and nothing else (test/unit/module-boundaries.test.ts checks it).
export { cpFields, encodeCp, formatHjTime, parseCp, parseHjTime, pollutantsOf, POLLUTANT_FIELDS, type CpGroups, type CpItem, type PollutantField } from './cp.js';
export { CRC_VARIANTS, crcHex, crcHj212, crcModbus, type CrcVariant } from './crc.js';
export { decodeFlag, editionOfVersion, encodeFlag, HJ212_EDITIONS, type FlagBits, type Hj212Edition } from './edition.js';
export { Hj212EncodeInputSchema, type Hj212EncodeInput } from './encode-input.js';
export {
  decodeDataSegment, decodePacket, encodeDataSegment, encodePacket, headerValue, HEADER_FIELDS, Hj212Error, MAX_DATA_SEGMENT, MAX_HEADER_VALUE,
  missingFields, redactPassword, type DecodeOptions, type HeaderField, type Hj212Packet,
} from './packet.js';
export { Hj212Reassembler, MAX_PARTS, splitPacket } from './split.js';
