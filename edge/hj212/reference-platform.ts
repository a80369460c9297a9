// A reference environmental platform (监控中心): accepts HJ 212 links, validates every packet,
// answers uploads whose Flag asks for it with a data answer (CN 9014, same QN), and logs.
// Used by the tests and by `npm run hj212 -- listen`, so a plant can try its settings.
import { createServer, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { decodePacket, encodePacket, headerValue, Hj212Error, Hj212Reassembler, missingFields, redactPassword, type Hj212Packet } from '../../shared/hj212/index.js';
import { decodeFlag, encodeFlag, type Hj212Edition } from '../../shared/hj212/index.js';
import type { CrcVariant } from '../../shared/hj212/index.js';
import { Hj212Framer } from './framer.js';

/** Commands a field unit uploads that the platform acknowledges with 9014 (HJ 212-2017 Appendix C). */
const UPLOADS = new Set(['2011', '2051', '2061', '2031', '2041', '2081', '3020']);
const MAX_CONNECTIONS = 32;

export type PlatformEvent =
  | { kind: 'packet'; packet: Hj212Packet; text: string; answered: boolean }
  | { kind: 'invalid'; reason: string; text: string };

export interface ReferencePlatformOptions {
  port: number;
  host?: string;
  crc?: CrcVariant;
  edition?: Hj212Edition;
  log?: (line: string) => void;
}

export interface ReferencePlatform {
  readonly port: number;
  readonly events: EventEmitter<{ packet: [Extract<PlatformEvent, { kind: 'packet' }>]; invalid: [Extract<PlatformEvent, { kind: 'invalid' }>]; message: [Hj212Packet]; connection: [] }>;
  /** Every valid packet as it came (split ones part by part). */
  readonly received: Hj212Packet[];
  /** Whole messages: unsplit packets, and split ones once all their parts (PNUM/PNO) are in. */
  readonly messages: Hj212Packet[];
  /** False: receive and log but never answer (a platform that lost its answers). */
  answering: boolean;
  /** Sends a packet (e.g. a history request) to every connected unit. */
  send(packet: Hj212Packet): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startReferencePlatform(options: ReferencePlatformOptions): Promise<ReferencePlatform> {
  const crc = options.crc ?? 'hj212';
  const edition = options.edition ?? '2017';
  const log = options.log ?? (() => {});
  const events = new EventEmitter() as ReferencePlatform['events'];
  const sockets = new Set<Socket>();
  const received: Hj212Packet[] = [];
  const messages: Hj212Packet[] = [];

  const server: Server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    events.emit('connection');
    const framer = new Hj212Framer();
    const reassembler = new Hj212Reassembler();
    socket.on('data', (chunk) => {
      for (const out of framer.push(chunk)) {
        if (out.kind === 'garbage') {
          log(`invalid: ${out.reason}`);
          events.emit('invalid', { kind: 'invalid', reason: out.reason, text: '' });
          continue;
        }
        let packet: Hj212Packet;
        try {
          packet = decodePacket(out.text, { crc });
          const missing = missingFields(packet, ['CN', 'MN']);
          if (missing.length) throw new Hj212Error(`missing field ${missing.join(', ')}`);
        } catch (err) {
          const reason = err instanceof Hj212Error ? err.reason : String(err);
          log(`invalid: ${reason}: ${redactPassword(out.text.trim())}`);
          events.emit('invalid', { kind: 'invalid', reason, text: out.text });
          continue;
        }
        received.push(packet);
        const flag = decodeFlag(Number(headerValue(packet, 'Flag') ?? '0'));
        const cn = headerValue(packet, 'CN')!;
        const answered = platform.answering && flag.answer && UPLOADS.has(cn);
        log(`${answered ? 'answered' : 'received'} CN=${cn} MN=${headerValue(packet, 'MN')} ${redactPassword(out.text.trim())}`);
        if (answered) {
          const answer: Hj212Packet = {
            header: [
              ['QN', headerValue(packet, 'QN') ?? ''], ['ST', '91'], ['CN', '9014'],
              ['PW', headerValue(packet, 'PW') ?? ''], ['MN', headerValue(packet, 'MN')!], ['Flag', String(encodeFlag(edition, {}))],
            ],
            cp: '',
          };
          socket.write(encodePacket(answer, crc));
        }
        events.emit('packet', { kind: 'packet', packet, text: out.text, answered });
        try {
          const whole = reassembler.push(packet);
          if (whole) {
            if (whole !== packet) log(`reassembled CN=${cn} MN=${headerValue(whole, 'MN')} QN=${headerValue(whole, 'QN')} from ${headerValue(packet, 'PNUM')} parts`);
            messages.push(whole);
            events.emit('message', whole);
          }
        } catch (err) {
          const reason = err instanceof Hj212Error ? err.reason : String(err);
          log(`invalid: ${reason}`);
          events.emit('invalid', { kind: 'invalid', reason, text: out.text });
        }
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });

  const platform: ReferencePlatform = {
    port: (server.address() as AddressInfo).port,
    events,
    received,
    messages,
    answering: true,
    send(packet) {
      const text = encodePacket(packet, crc);
      for (const s of sockets) s.write(text);
    },
    connections: () => sockets.size,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return platform;
}
