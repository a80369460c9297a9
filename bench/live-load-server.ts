// The live benchmark's device: an OPC UA server with <machines> × <tagsPerMachine> Double
// variables, all of which change every 1000/<hz> ms. Each new value is stamped with the wall
// clock at the moment it changes (sourceTimestamp), so a client that receives it can tell the
// end-to-end latency. Own process, so the device's work is not billed to the edge.
// Usage: node --import tsx bench/live-load-server.ts <port> <machines> <tagsPerMachine> <hz> <pkiDir>
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, StatusCodes, Variant, type UAVariable } from 'node-opcua';

const [portArg, machinesArg, tagsArg, hzArg, pkiDir] = process.argv.slice(2);
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
