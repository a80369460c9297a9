// The live benchmark's device, in its own process so neither the edge nor the clients pay
// for it (and a busy client process cannot delay it).
//
//   modbus <port> <t0> <periodMs>
//     Modbus TCP: every holding register holds the step number 1 + floor((now - t0) / period)
//     (register 0 of each 64-register block, the machine state, holds 1 = running). The value
//     is computed from the wall clock at each read, so the benchmark knows, for any value a
//     client receives, the instant the device changed to it: t0 + (value - 1) × period.
//   opcua <port> <machines> <tagsPerMachine> <hz> <pkiDir>
//     OPC UA: Double variables that all change every 1000/hz ms, each change stamped with the
//     wall clock (sourceTimestamp), reported by exception to subscribers.
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, Variant, type UAVariable } from 'node-opcua';

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'modbus') {
  const [portArg, t0Arg, periodArg] = rest;
  const t0 = Number(t0Arg);
  const period = Number(periodArg);
  const ModbusModule = (await import('modbus-serial')).default as unknown as {
    ServerTCP: new (vector: object, options: object) => { on(e: string, cb: () => void): void };
  };
  const step = () => 1 + (Math.floor((Date.now() - t0) / period) % 0xfffe);
  const value = (addr: number, s: number) => (addr % 64 === 0 ? 1 : s);
  const server = new ModbusModule.ServerTCP(
    {
      getHoldingRegister: (addr: number) => value(addr, step()),
      getMultipleHoldingRegisters: (addr: number, length: number) => {
        const s = step();
        return Array.from({ length }, (_, i) => value(addr + i, s));
      },
    },
    { host: '127.0.0.1', port: Number(portArg), unitID: 1 },
  );
  server.on('initialized', () => process.stdout.write(`READY ${portArg}\n`));
  process.on('SIGTERM', () => process.exit(0));
} else {
  await serveOpcUa(rest);
}

async function serveOpcUa(args: string[]) {
const [portArg, machinesArg, tagsArg, hzArg, pkiDir] = args;
const machines = Number(machinesArg);
const tagsPerMachine = Number(tagsArg);
const hz = Number(hzArg);

const server = new OPCUAServer({
  port: Number(portArg),
  hostname: '127.0.0.1',
  serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir!, 'server'), automaticallyAcceptUnknownCertificate: true }),
  userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir!, 'user'), automaticallyAcceptUnknownCertificate: true }),
  serverCapabilities: { maxMonitoredItems: 100_000, operationLimits: { maxMonitoredItemsPerCall: 100_000, maxNodesPerRead: 100_000 } },
});
await server.initialize();
const addressSpace = server.engine.addressSpace!;
const ns = addressSpace.getOwnNamespace();
const variables: UAVariable[] = [];
for (let m = 0; m < machines; m++) {
  const folder = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: `m${m}` });
  // the machine state: running, constant
  ns.addVariable({ componentOf: folder, browseName: 'State', nodeId: `s=m${m}.State`, dataType: 'UInt16', value: { dataType: DataType.UInt16, value: 1 } });
  for (let t = 0; t < tagsPerMachine; t++) {
    variables.push(ns.addVariable({
      componentOf: folder, browseName: `t${t}`, nodeId: `s=m${m}.t${t}`, dataType: 'Double', minimumSamplingInterval: 0,
      value: { dataType: DataType.Double, value: 0 },
    }));
  }
}
await server.start();

let step = 0;
setInterval(() => {
  step++;
  const now = new Date();
  for (let i = 0; i < variables.length; i++) {
    variables[i]!.setValueFromSource(new Variant({ dataType: DataType.Double, value: step + i / 1000 }), StatusCodes.Good, now);
  }
}, 1000 / hz);
process.stdout.write(`READY ${portArg}\n`);
process.on('SIGTERM', () => void server.shutdown(0).then(() => process.exit(0)));
}
