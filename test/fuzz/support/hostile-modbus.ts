// A Modbus TCP "device" on a raw socket that answers as badly as it is told: random bytes,
// truncated frames, wrong MBAP length, wrong transaction id, wrong unit, wrong function code,
// exception frames with any code, wrong byte counts, silence, a closed connection, floods.
// Each request gets the next behaviour of the current script, cycling.
import { createServer, type Server, type Socket } from 'node:net';

export const MODBUS_BEHAVIOURS = [
  'valid', 'garbage', 'truncated', 'wrong-length', 'wrong-tid', 'wrong-unit', 'wrong-fc', 'exception', 'byte-count', 'silence', 'close', 'flood', 'huge-length',
] as const;
export type ModbusBehaviour = (typeof MODBUS_BEHAVIOURS)[number];

export interface HostileModbus {
  port: number;
  /** Behaviours to cycle through from the next request on, with a number that varies them (exception code, cut point…). */
  script(behaviours: ModbusBehaviour[], salt: number): void;
  requests(): number;
  close(): Promise<void>;
}

function validAnswer(tid: number, unit: number, fc: number, qty: number, salt: number): Buffer {
  let pdu: Buffer;
  if (fc === 1 || fc === 2) {
    const n = Math.ceil(qty / 8);
    pdu = Buffer.alloc(2 + n, salt & 0xff);
    pdu[0] = fc;
    pdu[1] = n;
  } else if (fc === 3 || fc === 4) {
    pdu = Buffer.alloc(2 + qty * 2);
    pdu[0] = fc;
    pdu[1] = qty * 2;
    for (let i = 0; i < qty; i++) pdu.writeUInt16BE((salt * 7919 + i * 104_729) & 0xffff, 2 + i * 2);
  } else {
    pdu = Buffer.from([fc, 0, 0, 0, 1]); // writes: echo-like
  }
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(pdu.length + 1, 4);
  head[6] = unit;
  return Buffer.concat([head, pdu]);
}

export async function startHostileModbus(): Promise<HostileModbus> {
  let behaviours: ModbusBehaviour[] = ['valid'];
  let salt = 1;
  let next = 0;
  let count = 0;
  const sockets = new Set<Socket>();

  function answer(socket: Socket, frame: Buffer) {
    count++;
    const tid = frame.readUInt16BE(0);
    const unit = frame[6]!;
    const fc = frame[7] ?? 3;
    const qty = frame.length >= 12 ? Math.min(frame.readUInt16BE(10), 125) : 1;
    const b = behaviours[next++ % behaviours.length]!;
    const ok = validAnswer(tid, unit, fc, qty, salt + count);
    const write = (buf: Buffer) => { if (!socket.destroyed) socket.write(buf); };
    switch (b) {
      case 'valid': return write(ok);
      case 'garbage': return write(Buffer.from(Array.from({ length: (salt + count) % 300 }, (_, i) => (i * 31 + salt) & 0xff)));
      case 'truncated': return write(ok.subarray(0, (salt + count) % ok.length));
      case 'wrong-length': { const f = Buffer.from(ok); f.writeUInt16BE((f.readUInt16BE(4) + 1 + (salt % 50)) & 0xffff, 4); return write(f); }
      case 'huge-length': { const f = Buffer.from(ok); f.writeUInt16BE(0xffff, 4); return write(f); }
      case 'wrong-tid': { const f = Buffer.from(ok); f.writeUInt16BE((tid + 1 + salt) & 0xffff, 0); return write(f); }
      case 'wrong-unit': { const f = Buffer.from(ok); f[6] = (unit + 1) & 0xff; return write(f); }
      case 'wrong-fc': { const f = Buffer.from(ok); f[7] = fc === 3 ? 4 : 3; return write(f); }
      case 'exception': { const f = Buffer.alloc(9); f.writeUInt16BE(tid, 0); f.writeUInt16BE(3, 4); f[6] = unit; f[7] = fc | 0x80; f[8] = (salt + count) & 0xff; return write(f); }
      case 'byte-count': { const f = Buffer.from(ok); if (f.length > 8) f[8] = (f[8]! + 1 + (salt % 7)) & 0xff; return write(f); }
      case 'silence': return;
      case 'close': socket.destroy(); return;
      case 'flood': for (let i = 0; i < 20; i++) write(ok); write(Buffer.alloc(65_536, 0x41)); return;
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 7) {
        const len = buffered.readUInt16BE(4);
        if (buffered.length < 6 + len) break;
        const frame = buffered.subarray(0, 6 + len);
        buffered = buffered.subarray(6 + len);
        answer(socket, frame);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    script(b, s) {
      behaviours = b.length ? b : ['valid'];
      salt = s;
      next = 0;
    },
    requests: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
