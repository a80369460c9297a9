// Real protocol clients for simulator tests: modbus-serial and node-opcua, with PKI in a temp dir.
import { join } from 'node:path';
import ModbusModule from 'modbus-serial';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';
import { AttributeIds, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, type ClientSession } from 'node-opcua';

type ModbusClass = new () => ModbusClient;
const mod = ModbusModule as unknown as ModbusClass & { default?: ModbusClass };
const ModbusRTU: ModbusClass = mod.default ?? mod;

export async function connectModbus(port: number, timeoutMs = 2000): Promise<ModbusClient> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(timeoutMs);
  return client;
}

export async function connectModbusRtu(path: string, baudRate: number, timeoutMs = 2000): Promise<ModbusClient> {
  const client = new ModbusRTU();
  await client.connectRTUBuffered(path, { baudRate, parity: 'none', dataBits: 8, stopBits: 1 });
  client.setID(1);
  client.setTimeout(timeoutMs);
  return client;
}

export interface UaSession { session: ClientSession; close(): Promise<void> }

export async function connectOpcUa(endpoint: string, pkiDir: string): Promise<UaSession> {
  const client = OPCUAClient.create({
    applicationName: 'twinline-sim-test',
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'client'), automaticallyAcceptUnknownCertificate: true }),
    connectionStrategy: { maxRetry: 2, initialDelay: 100, maxDelay: 500 },
    requestedSessionTimeout: 20_000,
  });
  await client.connect(endpoint);
  const session = await client.createSession();
  return {
    session,
    async close() {
      await session.close().catch(() => {});
      await client.disconnect();
    },
  };
}

export async function readUa(session: ClientSession, nodeId: string) {
  return session.read({ nodeId, attributeId: AttributeIds.Value });
}

/** Resolves when `probe` returns a truthy value, polling; rejects naming `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
