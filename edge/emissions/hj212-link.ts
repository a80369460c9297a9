// One HJ 212 link: a TCP client to one environmental platform. It sends the outbox oldest first,
// one packet at a time; when the platform is asked to answer (Flag D) it waits OverTime seconds
// for the data answer (CN 9014, same QN) and resends up to ReCount times, then drops the
// connection and reconnects with backoff — the packet stays queued, so an outage loses nothing.
// It answers the platform's history requests (CN 2051/2061/2031 with BeginTime/EndTime) with
// 9011, the stored data, then 9012. Network timers are real; data times come from the records.
import { Socket } from 'node:net';
import type { PlatformConfig } from '../../shared/emission-schema.js';
import { cpFields, parseCp, parseHjTime } from '../../shared/hj212/index.js';
import { decodePacket, encodePacket, headerValue, Hj212Error, Hj212Reassembler, type Hj212Packet } from '../../shared/hj212/index.js';
import type { Log } from '../logger.js';
import { Hj212Framer } from '../hj212/index.js';
import type { EmissionStore } from './emission-store.js';
import { executionResult, PERIOD_OF_CN, requestAnswer, type PacketContext } from './hj212-packets.js';
import type { Period } from './emission-store.js';

export interface LinkStatus {
  platform: string;
  host: string;
  port: number;
  edition: string;
  connected: boolean;
  /** Packets waiting in the outbox for this platform. */
  backlog: number;
  lastSentAt: number | null;
  lastAnswerAt: number | null;
  lastError: string | null;
  resends: number;
}

export interface HistoryAnswer {
  /** null: no outlet has this MN. */
  packets: Hj212Packet[] | null;
  /** The range is longer than one request may ask for. */
  tooLong?: boolean;
}

export interface Hj212LinkOptions {
  platform: PlatformConfig;
  password: string;
  store: EmissionStore;
  ctx: PacketContext;
  now: () => number;
  log: Log;
  history: (mn: string, period: Period, from: number, to: number, qn: string) => HistoryAnswer;
}

export interface Hj212Link {
  start(): void;
  /** New packets are in the outbox. */
  kick(): void;
  /** Real-time data: sent when connected, otherwise dropped (it is not history). */
  sendLive(packet: Hj212Packet): void;
  status(): LinkStatus;
  stop(): Promise<void>;
}

export function createHj212Link(options: Hj212LinkOptions): Hj212Link {
  const { platform, store, log } = options;
  const crc = platform.crc;
  let socket: Socket | null = null;
  let connected = false;
  let stopped = false;
  let delay = platform.reconnectMinMs;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let inFlight: { id: number; qn: string; tries: number; timer: NodeJS.Timeout } | null = null;
  const status: Omit<LinkStatus, 'backlog'> = {
    platform: platform.id, host: platform.host, port: platform.port, edition: platform.edition,
    connected: false, lastSentAt: null, lastAnswerAt: null, lastError: null, resends: 0,
  };

  const withPassword = (p: Hj212Packet): Hj212Packet => ({ header: p.header.map(([k, v]) => [k, k === 'PW' ? options.password : v]), cp: p.cp });
  const write = (p: Hj212Packet) => {
    socket?.write(encodePacket(withPassword(p), crc));
    status.lastSentAt = options.now();
  };

  function pump() {
    if (!connected || inFlight || stopped) return;
    const entry = store.nextFor(platform.id);
    if (!entry) return;
    store.attempted(entry.id);
    write(entry.packet);
    if (!platform.answers) {
      store.done(entry.id);
      setImmediate(pump);
      return;
    }
    const arm = (): NodeJS.Timeout => setTimeout(() => {
      if (!inFlight) return;
      if (inFlight.tries < platform.reCount) {
        inFlight.tries++;
        status.resends++;
        write(entry.packet);
        inFlight.timer = arm();
        return;
      }
      status.lastError = `no answer to QN ${inFlight.qn} after ${platform.reCount + 1} sends: reconnecting`;
      log('warn', `HJ 212 ${platform.id}: ${status.lastError}`);
      inFlight = null;
      socket?.destroy();
    }, platform.overTimeSeconds * 1000);
    inFlight = { id: entry.id, qn: entry.qn, tries: 0, timer: arm() };
  }

  function onPacket(text: string, reassembler: Hj212Reassembler) {
    let packet: Hj212Packet;
    try {
      // A platform may split a long request (PNUM/PNO): it is acted on once whole.
      const whole = reassembler.push(decodePacket(text, { crc }));
      if (!whole) return;
      packet = whole;
    } catch (err) {
      status.lastError = `invalid packet from the platform: ${err instanceof Hj212Error ? err.reason : String(err)}`;
      return;
    }
    const cn = headerValue(packet, 'CN');
    const qn = headerValue(packet, 'QN') ?? '';
    if (cn === '9014') {
      if (inFlight && qn === inFlight.qn) {
        clearTimeout(inFlight.timer);
        store.done(inFlight.id);
        inFlight = null;
        status.lastAnswerAt = options.now();
        pump();
      }
      return;
    }
    const period = cn ? PERIOD_OF_CN[cn] : undefined;
    const mn = headerValue(packet, 'MN') ?? '';
    if (!period) {
      if (cn && cn.startsWith('9')) return;
      write(requestAnswer(options.ctx, qn, mn, 8));
      return;
    }
    if (headerValue(packet, 'PW') !== options.password) {
      write(requestAnswer(options.ctx, qn, mn, 3));
      return;
    }
    let from: number;
    let to: number;
    try {
      const fields = cpFields(parseCp(packet.cp));
      from = parseHjTime(fields.get('BeginTime') ?? '', options.ctx.utcOffsetMinutes);
      to = parseHjTime(fields.get('EndTime') ?? '', options.ctx.utcOffsetMinutes);
    } catch {
      write(requestAnswer(options.ctx, qn, mn, 2));
      return;
    }
    // EndTime is the last period wanted, inclusive.
    const answer = options.history(mn, period, from, to + 1, qn);
    if (answer.packets === null) {
      write(requestAnswer(options.ctx, qn, mn, 4));
      return;
    }
    if (answer.tooLong) {
      write(requestAnswer(options.ctx, qn, mn, 2));
      return;
    }
    write(requestAnswer(options.ctx, qn, mn, 1));
    for (const p of answer.packets) write(p);
    write(executionResult(options.ctx, qn, mn, answer.packets.length ? 1 : 100));
  }

  function connect() {
    if (stopped) return;
    const s = new Socket();
    socket = s;
    const framer = new Hj212Framer();
    const reassembler = new Hj212Reassembler();
    s.setNoDelay(true);
    s.on('connect', () => {
      connected = true;
      status.connected = true;
      delay = platform.reconnectMinMs;
      log('info', `HJ 212 ${platform.id}: connected to ${platform.host}:${platform.port}`);
      pump();
    });
    s.on('data', (chunk) => {
      for (const out of framer.push(chunk)) if (out.kind === 'packet') onPacket(out.text, reassembler);
    });
    s.on('error', (err) => {
      status.lastError = err.message;
    });
    s.on('close', () => {
      if (socket !== s) return;
      if (connected) log('warn', `HJ 212 ${platform.id}: connection lost (${status.lastError ?? 'closed'}); ${store.countFor(platform.id)} packets wait`);
      connected = false;
      status.connected = false;
      socket = null;
      if (inFlight) clearTimeout(inFlight.timer);
      inFlight = null;
      if (stopped) return;
      reconnectTimer = setTimeout(connect, delay);
      delay = Math.min(platform.reconnectMaxMs, delay * 2);
    });
    s.connect(platform.port, platform.host);
  }

  return {
    start: connect,
    kick: pump,
    sendLive(packet) {
      if (connected) write(packet);
    },
    status: () => ({ ...status, backlog: store.countFor(platform.id) }),
    stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      if (inFlight) clearTimeout(inFlight.timer);
      const s = socket;
      if (!s) return Promise.resolve();
      return new Promise((resolve) => {
        s.once('close', () => resolve());
        s.destroy();
      });
    },
  };
}
