// npm run hj212 -- check | encode | listen --port N   (see docs/emissions.md)
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { decodePacket, encodePacket, headerValue, Hj212Error, missingFields, HEADER_FIELDS, type Hj212Packet } from '../../shared/hj212/index.js';
import { parseCp } from '../../shared/hj212/index.js';
import { CRC_VARIANTS, type CrcVariant } from '../../shared/hj212/index.js';
import { HJ212_EDITIONS, type Hj212Edition } from '../../shared/hj212/index.js';
import { Hj212EncodeInputSchema } from '../../shared/hj212/index.js';
import { startReferencePlatform } from './reference-platform.js';

const USAGE = `usage: npm run hj212 -- <command> [options]
  check                 packets on stdin, one per line → "ok <CN> <MN>" or "invalid: <reason>"; exit 1 if any is invalid
  encode                a JSON object {QN, ST, CN, PW, MN, Flag, CP} on stdin → the framed packet
  listen --port N       a reference platform: validates, answers (CN 9014 when Flag asks), logs
options: --crc hj212|modbus (default hj212, HJ 212-2017 Appendix A)   --edition 2017|2025 (listen)`;

/** A line longer than a packet can be is not read into memory whole. */
const MAX_LINE = 2 + 4 + 1024 + 4 + 2 + 16;

export function checkLine(line: string, crc: CrcVariant): string {
  try {
    if (line.length > MAX_LINE) throw new Hj212Error(`line is ${line.length} characters, longer than any packet`);
    const packet = decodePacket(line.endsWith('\r\n') ? line : line.replace(/\r$/, ''), { crc, allowMissingCrLf: true });
    const missing = missingFields(packet);
    if (missing.length) throw new Hj212Error(`missing field ${missing.join(', ')}`);
    parseCp(packet.cp);
    return `ok ${headerValue(packet, 'CN')} ${headerValue(packet, 'MN')}`;
  } catch (err) {
    if (err instanceof Hj212Error) return `invalid: ${err.reason}`;
    throw err;
  }
}

export function encodeInput(json: string, crc: CrcVariant): string {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Hj212Error(`stdin is not JSON: ${(err as Error).message}`);
  }
  const parsed = Hj212EncodeInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Hj212Error(`${issue.path.join('.') || 'input'}: ${issue.message}`);
  }
  const input = parsed.data;
  const packet: Hj212Packet = { header: [], cp: input.CP };
  for (const field of HEADER_FIELDS) {
    const value = input[field];
    if (value !== undefined) packet.header.push([field, String(value)]);
  }
  parseCp(packet.cp);
  return encodePacket(packet, crc);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, crc: { type: 'string', default: 'hj212' }, edition: { type: 'string', default: '2017' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (!(CRC_VARIANTS as readonly string[]).includes(values.crc!)) {
    console.error(`--crc must be one of ${CRC_VARIANTS.join(', ')}`);
    return 2;
  }
  const crc = values.crc as CrcVariant;
  if (command === 'check') {
    let bad = 0;
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const result = checkLine(line, crc);
      if (result.startsWith('invalid')) bad++;
      console.log(result);
    }
    return bad ? 1 : 0;
  }
  if (command === 'encode') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) {
        console.error('invalid: input longer than 64 KiB');
        return 1;
      }
      chunks.push(chunk as Buffer);
    }
    try {
      process.stdout.write(encodeInput(Buffer.concat(chunks).toString('utf8'), crc));
      return 0;
    } catch (err) {
      if (!(err instanceof Hj212Error)) throw err;
      console.error(`invalid: ${err.reason}`);
      return 1;
    }
  }
  if (command === 'listen') {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error('listen needs --port N (0–65535; 0 picks a free port)');
      return 2;
    }
    if (!(HJ212_EDITIONS as readonly string[]).includes(values.edition!)) {
      console.error(`--edition must be one of ${HJ212_EDITIONS.join(', ')}`);
      return 2;
    }
    const platform = await startReferencePlatform({
      port, host: values.host, crc, edition: values.edition as Hj212Edition,
      log: (line) => console.log(`${new Date().toISOString()} ${line}`),
    });
    console.log(`reference platform listening on port ${platform.port} (CRC ${crc}, edition ${values.edition}); Ctrl-C stops it`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await platform.close();
    return 0;
  }
  console.error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    console.error(err);
    process.exit(1);
  });
}
