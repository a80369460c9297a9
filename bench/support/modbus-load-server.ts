// A Modbus TCP server whose holding registers change on every read, as its own process.
// Usage: node --import tsx bench/support/modbus-load-server.ts <port>
import ModbusModule from 'modbus-serial';

const { ServerTCP } = ModbusModule as unknown as { ServerTCP: new (vector: object, options: object) => { on(e: string, cb: () => void): void } };
const port = Number(process.argv[2]);
let tick = 0;
const server = new ServerTCP(
  {
    getMultipleHoldingRegisters: (addr: number, length: number) => {
      tick = (tick + 1) & 0x7fff;
      return Array.from({ length }, (_, i) => (tick + addr + i) & 0xffff);
    },
  },
  { host: '127.0.0.1', port, unitID: 1 },
);
server.on('initialized', () => process.stdout.write(`READY ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
