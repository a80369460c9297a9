// Modbus RTU on a serial line: the same service vector as TCP, served by modbus-serial's
// ServerSerial. Without hardware, a pseudo-terminal pair from socat stands in for the
// RS-485 cable: the simulator opens one end, a client the other.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ModbusModule from 'modbus-serial';
import type { ServerSerial as ServerSerialType } from 'modbus-serial/ServerSerial.js';
import type { IServiceVector } from 'modbus-serial/ServerTCP.js';

type ServerSerialClass = new (vector: IServiceVector, options: { path: string; baudRate: number; unitID?: number; openCallback?: (err: Error | null) => void }) => ServerSerialType;
const ServerSerial = (ModbusModule as unknown as { ServerSerial: ServerSerialClass }).ServerSerial;

export interface PtyPair {
  /** The simulator's end. */
  serverPath: string;
  /** Give this one to the client (mbpoll -m rtu, modbus-serial connectRTUBuffered, the edge). */
  clientPath: string;
  close(): Promise<void>;
}

/** Starts `socat` with two linked pseudo-terminals; needs the socat package (apt-get install socat). */
export async function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-rtu-'));
  const serverLink = join(dir, 'plc');
  const clientLink = join(dir, 'client');
  let proc: ChildProcess;
  try {
    proc = spawn('socat', [`pty,raw,echo=0,link=${serverLink}`, `pty,raw,echo=0,link=${clientLink}`], { stdio: 'ignore' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start socat for a Modbus RTU pseudo-terminal pair (${(err as Error).message}); install it with apt-get install socat`);
  }
  const spawnError = new Promise<never>((_, reject) => proc.once('error', (err) => reject(new Error(`cannot start socat: ${err.message}; install it with apt-get install socat`))));
  const deadline = Date.now() + timeoutMs;
  const ready = (async () => {
    while (!(existsSync(serverLink) && existsSync(clientLink))) {
      if (Date.now() > deadline) throw new Error(`socat did not create ${serverLink} and ${clientLink} within ${timeoutMs} ms`);
      if (proc.exitCode !== null) throw new Error(`socat exited with code ${proc.exitCode}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const close = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([ready, spawnError]);
  } catch (err) {
    await close();
    throw err;
  }
  // Links point at /dev/pts/N; serialport wants the real device.
  return { serverPath: realpathSync(serverLink), clientPath: realpathSync(clientLink), close };
}

export interface RunningModbusRtu {
  path: string;
  baudRate: number;
  close(): Promise<void>;
}

export async function startModbusRtu(vector: IServiceVector, path: string, baudRate = 19200): Promise<RunningModbusRtu> {
  let server: ServerSerialType | undefined;
  await new Promise<void>((resolve, reject) => {
    server = new ServerSerial(vector, {
      path, baudRate,
      openCallback: (err) => (err ? reject(new Error(`cannot open serial port ${path}: ${err.message}`)) : resolve()),
    });
    server.on('error', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
  });
  const running = server!;
  return {
    path, baudRate,
    close: () => new Promise<void>((resolve) => running.close(() => resolve())),
  };
}
