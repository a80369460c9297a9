// One HJ 212 communication packet (HJ 212-2017 §6.3.1/§6.3.2): "##" + four decimal digits giving
// the data segment's length + the data segment + four hex digits of CRC + CR LF. The data
// segment is `QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&`.
// Header fields keep the order they came in and CP keeps its text, so a packet decoded and
// encoded again is the same bytes (test/unit/hj212-codec.test.ts checks packets of other
// implementations).
import { crcHex, type CrcVariant } from './crc.js';

/** HJ 212-2017 Table 2: the data segment is 0–1024 characters; longer content is split (PNUM/PNO). */
export const MAX_DATA_SEGMENT = 1024;
/** The longest header value we accept: MN is 24 characters in HJ 212-2017, QN 17. */
export const MAX_HEADER_VALUE = 32;
export const HEADER_FIELDS = ['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO'] as const;
export type HeaderField = (typeof HEADER_FIELDS)[number];

export interface Hj212Packet {
  /** Header fields in the order they appear. */
  header: Array<[HeaderField, string]>;
  /** The text between CP=&& and &&. */
  cp: string;
}

export class Hj212Error extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Hj212Error';
  }
}

export function headerValue(packet: Hj212Packet, field: HeaderField): string | undefined {
  return packet.header.find(([k]) => k === field)?.[1];
}

const encoder = new TextEncoder();
const byteLength = (s: string) => encoder.encode(s).length;

export function encodeDataSegment(packet: Hj212Packet): string {
  return `${packet.header.map(([k, v]) => `${k}=${v};`).join('')}CP=&&${packet.cp}&&`;
}

/** The framed packet, CR LF included. Throws Hj212Error when the data segment is too long for one packet. */
export function encodePacket(packet: Hj212Packet, crc: CrcVariant = 'hj212'): string {
  for (const [k, v] of packet.header) checkHeaderValue(k, v);
  const data = encodeDataSegment(packet);
  const length = byteLength(data);
  if (length > MAX_DATA_SEGMENT) {
    throw new Hj212Error(`data segment is ${length} characters, more than the ${MAX_DATA_SEGMENT} one packet may carry: split it (PNUM/PNO) or send fewer values`);
  }
  return `##${String(length).padStart(4, '0')}${data}${crcHex(data, crc)}\r\n`;
}

export interface DecodeOptions {
  crc?: CrcVariant;
  /** Accept a packet without its CR LF (a line read from a file or stdin). */
  allowMissingCrLf?: boolean;
}

/** Decodes one framed packet; throws Hj212Error naming what is wrong. */
export function decodePacket(text: string, options: DecodeOptions = {}): Hj212Packet {
  if (!text.startsWith('##')) throw new Hj212Error(`missing frame start "##" (packet begins ${JSON.stringify(text.slice(0, 8))})`);
  const lengthField = text.slice(2, 6);
  if (!/^\d{4}$/.test(lengthField)) throw new Hj212Error(`length field ${JSON.stringify(lengthField)} is not four decimal digits`);
  const declared = Number(lengthField);
  if (declared > MAX_DATA_SEGMENT) throw new Hj212Error(`length field says ${declared}, more than the ${MAX_DATA_SEGMENT} characters a data segment may have`);
  let body = text.slice(6);
  if (body.endsWith('\r\n')) body = body.slice(0, -2);
  else if (!options.allowMissingCrLf) throw new Hj212Error('missing CR LF at the end of the packet');
  if (body.length < 4) throw new Hj212Error('packet too short: no CRC after the data segment');
  const data = body.slice(0, -4);
  const crcField = body.slice(-4);
  const actual = byteLength(data);
  if (actual !== declared) throw new Hj212Error(`wrong length: length field says ${declared}, data segment has ${actual} characters`);
  if (!/^[0-9A-Fa-f]{4}$/.test(crcField)) throw new Hj212Error(`CRC field ${JSON.stringify(crcField)} is not four hex digits`);
  const expected = crcHex(data, options.crc ?? 'hj212');
  if (expected !== crcField.toUpperCase()) {
    throw new Hj212Error(`bad CRC: packet says ${crcField}, data segment gives ${expected} (${options.crc ?? 'hj212'} CRC; try the other variant if the device uses it)`);
  }
  return decodeDataSegment(data);
}

export function decodeDataSegment(data: string): Hj212Packet {
  const cpAt = data.indexOf('CP=&&');
  if (cpAt < 0) throw new Hj212Error('missing field CP (no "CP=&&" in the data segment)');
  if (!data.endsWith('&&') || data.length < cpAt + 7) throw new Hj212Error('CP is not closed by "&&" at the end of the data segment');
  if (cpAt > 0 && data[cpAt - 1] !== ';') throw new Hj212Error('the field before CP is not ended by ";"');
  const cp = data.slice(cpAt + 5, -2);
  const header: Array<[HeaderField, string]> = [];
  const seen = new Set<string>();
  for (const part of cpAt > 0 ? data.slice(0, cpAt - 1).split(';') : []) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Hj212Error(`header field ${JSON.stringify(part)} has no "="`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (!(HEADER_FIELDS as readonly string[]).includes(key)) throw new Hj212Error(`unknown header field ${JSON.stringify(key)} (expected ${HEADER_FIELDS.join(', ')})`);
    if (seen.has(key)) throw new Hj212Error(`header field ${key} appears twice`);
    seen.add(key);
    checkHeaderValue(key as HeaderField, value);
    header.push([key as HeaderField, value]);
  }
  return { header, cp };
}

function checkHeaderValue(key: HeaderField, value: string): void {
  if (value.length > MAX_HEADER_VALUE) throw new Hj212Error(`${key} is ${value.length} characters, more than ${MAX_HEADER_VALUE}`);
  if (/[;&\r\n]/.test(value)) throw new Hj212Error(`${key} contains ";", "&" or a line break`);
  if ((key === 'Flag' || key === 'PNUM' || key === 'PNO') && !/^\d+$/.test(value)) throw new Hj212Error(`${key} ${JSON.stringify(value)} is not a number`);
  if (key === 'Flag' && Number(value) > 255) throw new Hj212Error(`Flag ${value} is more than 255 (it is one byte of bits)`);
}

/** Fields a data packet must carry (HJ 212-2017 §6.3.2): ST, CN, PW, MN; QN and Flag are optional in older devices. */
export function missingFields(packet: Hj212Packet, required: readonly HeaderField[] = ['ST', 'CN', 'PW', 'MN']): HeaderField[] {
  return required.filter((f) => headerValue(packet, f) === undefined);
}

/** The packet text with its access password replaced, for logs: the password is a credential. */
export function redactPassword(text: string): string {
  return text.replace(/(^|;|##\d{4})PW=[^;]*/g, '$1PW=***');
}
