// A minimal real OPC UA server for connector tests that need to restart it or serve odd nodes.
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';

export interface TinyServer {
  endpoint: string;
  set(name: string, value: number): void;
  stop(): Promise<void>;
}

export async function startTinyOpcUaServer(
  port: number, pkiDir: string, initial: Record<string, number>, options: { users?: Record<string, string> } = {},
): Promise<TinyServer> {
  const values = new Map(Object.entries(initial));
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'server'), automaticallyAcceptUnknownCertificate: true }),
    userCertificateManager: new OPCUACertificateManager({ rootFolder: join(pkiDir, 'user'), automaticallyAcceptUnknownCertificate: true }),
    ...(options.users
      ? { allowAnonymous: false, userManager: { isValidUser: (user: string, password: string) => options.users![user] === password } }
      : {}),
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = ns.addObject({ organizedBy: server.engine.addressSpace!.rootFolder.objects, browseName: 'press' });
  for (const name of values.keys()) {
    ns.addVariable({
      componentOf: folder, browseName: name, nodeId: `s=press.${name}`, dataType: 'Double',
      value: { get: () => new Variant({ dataType: DataType.Double, value: values.get(name) ?? 0 }) },
    });
  }
  await server.start();
  return {
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    set: (name, value) => { values.set(name, value); },
    stop: () => server.shutdown(0),
  };
}
