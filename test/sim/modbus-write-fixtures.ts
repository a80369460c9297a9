// Fixtures for Modbus write tests against the simulator: a plant with back-to-back writable
// coils and registers, and a TCP relay that records the function code of every request.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import type { PlantConfig, TagConfig } from '../../shared/plant-schema.js';

/** The demo plant plus PLC memory on the washer: a stack light (three back-to-back coils) and two recipe registers. */
export function plantWithStackLight(): PlantConfig {
  const plant = structuredClone(loadPlantFile('config/demo-plant.yaml'));
  const washer = plant.machines.find((m) => m.id === 'washer')!;
  const coil = (name: string, address: number): TagConfig => ({
    name, role: 'process', type: 'bool', writable: true,
    modbus: { table: 'coil', address, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0 },
  });
  const register = (name: string, address: number, max: number): TagConfig => ({
    name, role: 'process', type: 'uint16', writable: true, min: 0, max,
    modbus: { table: 'holding', address, wordOrder: 'high-first', byteOrder: 'big', scale: 1, offset: 0 },
  });
  washer.tags.push(coil('lampRed', 120), coil('lampAmber', 121), coil('lampGreen', 122), register('recipe', 120, 99), register('batchSize', 121, 500));
  return plant;
}

export interface SeenRequest { fc: number; address: number; quantity: number }

/**
 * Relays Modbus TCP to `targetPort` and records every request (MBAP: 7-byte header, then the PDU).
 * `quantity` is the PDU's second word: the count for FC 1-4, 15, 16; the value for FC 5 (0xFF00 = on) and 6.
 */
export async function startModbusRelay(targetPort: number): Promise<{ port: number; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(inbound).add(outbound);
    let pending = Buffer.alloc(0);
    inbound.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 12) {
        const frameLength = 6 + pending.readUInt16BE(4);
        if (pending.length < frameLength) break;
        seen.push({ fc: pending[7]!, address: pending.readUInt16BE(8), quantity: pending.readUInt16BE(10) });
        pending = pending.subarray(frameLength);
      }
      outbound.write(chunk);
    });
    outbound.on('data', (chunk: Buffer) => inbound.write(chunk));
    const end = () => { inbound.destroy(); outbound.destroy(); };
    inbound.on('close', end).on('error', end);
    outbound.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    seen,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

