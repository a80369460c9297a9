// A node-opcua server with N Double variables whose value changes on every sample, run as
// its own process so the benchmark measures the client side alone.
// Usage: node --import tsx bench/support/opcua-load-server.ts <port> <count> <pkiDir>
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';
import { join } from 'node:path';

const [portArg, countArg, pkiDir] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);

const server = new OPCUAServer({
  port,
  hostname: '127.0.0.1',
  serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir!, 'server'), automaticallyAcceptUnknownCertificate: true }),
  userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir!, 'user'), automaticallyAcceptUnknownCertificate: true }),
  serverCapabilities: { maxMonitoredItems: 100_000, operationLimits: { maxMonitoredItemsPerCall: 100_000, maxNodesPerRead: 100_000 } },
  maxConnectionsPerEndpoint: 10,
});
await server.initialize();
const ns = server.engine.addressSpace!.getOwnNamespace();
const folder = ns.addObject({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: 'load' });
let tick = 0;
for (let i = 0; i < count; i++) {
  ns.addVariable({
    componentOf: folder, browseName: `t${i}`, nodeId: `s=load.t${i}`, dataType: 'Double', minimumSamplingInterval: 50,
    // A new value on every sample: each sampling interval is one update per item.
    value: { get: () => new Variant({ dataType: DataType.Double, value: ++tick }) },
  });
}
await server.start();
process.stdout.write(`READY ${port}\n`);
process.on('SIGTERM', () => void server.shutdown(0).then(() => process.exit(0)));
