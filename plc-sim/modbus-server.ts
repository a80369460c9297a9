// The simulated PLCs' Modbus face: one service vector (reads, writes, fault behaviour) that
// any transport can serve, and the TCP transport on top of modbus-serial's ServerTCP.
import { createServer, type Socket } from 'node:net';
import ModbusModule from 'modbus-serial';
import type { IServiceVector, ServerTCP as ServerTCPType } from 'modbus-serial/ServerTCP.js';
import { decodeWord, encodeWords } from './register-codec.js';
import type { FaultRegistry } from './fault-injection.js';
import type { Table, UnitMap } from './modbus-map.js';
import type { TagImage } from './tag-image.js';
import type { MachineCommand } from './line-model.js';

type ServerTCPClass = new (vector: IServiceVector, options: { host?: string; port?: number; unitID?: number }) => ServerTCPType;
const ServerTCP = (ModbusModule as unknown as { ServerTCP: ServerTCPClass }).ServerTCP;

/** Modbus exception codes (Modbus Application Protocol V1.1b3 §7). */
export const MODBUS_EXCEPTION = { illegalFunction: 1, illegalDataAddress: 2, illegalDataValue: 3, deviceFailure: 4, gatewayTargetFailed: 0x0b } as const;

class ModbusException extends Error {
  constructor(readonly modbusErrorCode: number, message: string) { super(message); }
}

export interface ModbusVectorOptions {
  units: Map<number, UnitMap>;
  image: TagImage;
  faults: FaultRegistry;
  /** Applies an operator write to the model; throws RangeError for values the PLC refuses. */
  command(machineId: string, command: MachineCommand): void;
  log(msg: string): void;
  /** On a serial bus a request for another unit is not ours to answer; a TCP gateway answers exception 0x0B. */
  unknownUnit?: 'exception' | 'silent';
  /** Called as a register block is answered (tests hold the edge's read times against the simulated clock). */
  onRead?(unitId: number, table: 'holding' | 'input', address: number): void;
}

type Cb<T> = (err: Error | null, value?: T) => void;

export function createModbusVector(o: ModbusVectorOptions): IServiceVector {
  const unitFor = (unitID: number): UnitMap => {
    const unit = o.units.get(unitID);
    if (!unit) throw new ModbusException(MODBUS_EXCEPTION.gatewayTargetFailed, `no unit ${unitID}`);
    return unit;
  };

  /** Answers through the device's injected faults: exception, silence, latency. */
  function answer<T>(unitID: number, cb: Cb<T>, work: () => T): void {
    let unit: UnitMap;
    try {
      unit = unitFor(unitID);
    } catch (err) {
      if (o.unknownUnit !== 'silent') cb(err as Error);
      return;
    }
    const device = unit.device.id;
    if (o.faults.silenced(device)) return; // the request is swallowed: the client times out
    const code = o.faults.exceptionCode(device);
    const reply = () => {
      if (code !== null) return cb(new ModbusException(code, 'injected exception'));
      try {
        cb(null, work());
      } catch (err) {
        cb(err as Error);
      }
    };
    const delay = o.faults.latencyMs(device);
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  }

  function readWord(unit: UnitMap, table: Table, address: number): number {
    if (address >= unit.sizes[table]) {
      throw new ModbusException(MODBUS_EXCEPTION.illegalDataAddress, `${table} ${address} is outside the PLC memory (0..${unit.sizes[table] - 1})`);
    }
    const cell = unit.tables[table].get(address);
    if (!cell) return 0;
    return encodeWords(o.image.read(cell.tag), cell.layout)[cell.word]!;
  }

  function readBlock(unitID: number, table: 'holding' | 'input', address: number, length: number): number[] {
    const words = Array.from({ length }, (_, i) => readWord(unitFor(unitID), table, address + i));
    o.onRead?.(unitID, table, address);
    return words;
  }

  function readBit(unit: UnitMap, table: Table, address: number): boolean {
    return readWord(unit, table, address) !== 0;
  }

  function write(unit: UnitMap, table: Table, address: number, word: number) {
    const cell = unit.tables[table].get(address);
    if (!cell || !cell.tag.tag.writable) {
      throw new ModbusException(MODBUS_EXCEPTION.illegalDataAddress, `${table} ${address} is not writable`);
    }
    if (cell.layout.type !== 'bool' && cell.layout.type !== 'uint16' && cell.layout.type !== 'int16') {
      throw new ModbusException(MODBUS_EXCEPTION.illegalDataAddress, `${cell.tag.key} is ${cell.layout.type}: not writable word by word`);
    }
    const { tag, machine } = cell.tag;
    const value = decodeWord(word, cell.layout);
    if ((tag.min !== undefined && value < tag.min) || (tag.max !== undefined && value > tag.max)) {
      throw new ModbusException(MODBUS_EXCEPTION.illegalDataValue, `${cell.tag.key} = ${value} is outside ${tag.min}..${tag.max}`);
    }
    try {
      if (tag.role === 'resetFault') {
        if (value) o.command(machine.id, { kind: 'resetFault' });
      } else if (tag.role === 'speedOverride') {
        o.command(machine.id, { kind: 'speedOverride', value });
      } else if (tag.role === 'process') {
        o.image.store(cell.tag, cell.layout.type === 'bool' ? value !== 0 : value);
      } else {
        throw new ModbusException(MODBUS_EXCEPTION.illegalDataAddress, `${cell.tag.key} has no effect when written`);
      }
    } catch (err) {
      if (err instanceof RangeError) throw new ModbusException(MODBUS_EXCEPTION.illegalDataValue, err.message);
      throw err;
    }
    o.log(`modbus write ${cell.tag.key} = ${value}`);
  }

  return {
    getCoil: (addr: number, unitID: number, cb: Cb<boolean>) => answer(unitID, cb, () => readBit(unitFor(unitID), 'coil', addr)),
    getDiscreteInput: (addr: number, unitID: number, cb: Cb<boolean>) => answer(unitID, cb, () => readBit(unitFor(unitID), 'discrete', addr)),
    getHoldingRegister: (addr: number, unitID: number, cb: Cb<number>) => answer(unitID, cb, () => readWord(unitFor(unitID), 'holding', addr)),
    getInputRegister: (addr: number, unitID: number, cb: Cb<number>) => answer(unitID, cb, () => readWord(unitFor(unitID), 'input', addr)),
    getMultipleHoldingRegisters: (addr: number, length: number, unitID: number, cb: Cb<number[]>) =>
      answer(unitID, cb, () => readBlock(unitID, 'holding', addr, length)),
    getMultipleInputRegisters: (addr: number, length: number, unitID: number, cb: Cb<number[]>) =>
      answer(unitID, cb, () => readBlock(unitID, 'input', addr, length)),
    setCoil: (addr: number, value: boolean, unitID: number, cb: Cb<void>) => answer(unitID, cb, () => write(unitFor(unitID), 'coil', addr, value ? 1 : 0)),
    setRegister: (addr: number, value: number, unitID: number, cb: Cb<void>) => answer(unitID, cb, () => write(unitFor(unitID), 'holding', addr, value)),
  } as IServiceVector;
}

export interface RunningModbusTcp {
  port: number;
  /** Closes every open client connection (the "drop" fault). */
  dropConnections(): void;
  /** While set, new connections are closed as soon as they open. */
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

/** Finds a free TCP port by letting the OS pick one, then releasing it. */
export async function freePort(host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function listenOnce(vector: IServiceVector, port: number, host: string): Promise<ServerTCPType> {
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host, port });
    const failed = (err: unknown) => {
      try { server.close(() => {}); } catch { /* never listened */ }
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    server.once('serverError', failed);
    server.once('error', failed);
    server.once('initialized', () => {
      server.removeListener('serverError', failed);
      server.removeListener('error', failed);
      resolve(server);
    });
  });
}

/** Port 0 picks a free port (modbus-serial itself would turn 0 into 502), retrying if another process takes it first. */
export async function startModbusTcp(vector: IServiceVector, port: number, host = '0.0.0.0', log: (m: string) => void = () => {}): Promise<RunningModbusTcp> {
  let server: ServerTCPType | undefined;
  let actual = port;
  for (let attempt = 0; !server; attempt++) {
    actual = port === 0 ? await freePort(host) : port;
    try {
      server = await listenOnce(vector, actual, host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (port === 0 && code === 'EADDRINUSE' && attempt < 5) continue;
      if (code === 'EADDRINUSE') throw new Error(`Modbus TCP port ${actual} is already in use: stop the other server or pass another --modbus-port`);
      throw err;
    }
  }
  const net = (server as unknown as { _server: import('node:net').Server })._server;
  let refusing = false;
  net.on('connection', (sock: Socket) => {
    if (refusing) sock.destroy();
  });
  server.on('socketError', (err: unknown) => log(`modbus socket error: ${String(err)}`));
  const running = server;
  return {
    port: actual,
    dropConnections() {
      for (const sock of running.socks.keys()) sock.destroy();
    },
    setRefusing(value) { refusing = value; },
    close() {
      return new Promise((resolve) => {
        for (const sock of running.socks.keys()) sock.destroy();
        running.close(() => resolve());
      });
    },
  };
}
