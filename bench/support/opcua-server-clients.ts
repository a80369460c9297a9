// The external OPC UA clients of the opcua-server benchmark, in their own process so the edge's
// CPU is the edge's: S sessions, each subscribing to I of the edge's variables.
// Usage: node --import tsx bench/support/opcua-server-clients.ts <endpoint> <sessions> <items> <publishingMs> <pkiDir> <nodeId,…>
// Prints READY once every item is monitored; on stdin "count" prints {"notifications":n}; "stop" ends.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AttributeIds, ClientMonitoredItemGroup, ClientSubscription, OPCUACertificateManager, OPCUAClient, TimestampsToReturn } from 'node-opcua';

const [endpoint, sessionsArg, itemsArg, publishingArg, pkiDir, nodeList] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const items = Number(itemsArg);
const publishingMs = Number(publishingArg);
const nodes = nodeList!.split(',');
let notifications = 0;
const clients: OPCUAClient[] = [];
const certificateManager = new OPCUACertificateManager({ rootFolder: join(pkiDir!, 'clients'), automaticallyAcceptUnknownCertificate: true });

await certificateManager.initialize();
async function open(s: number) {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 2 }, clientCertificateManager: certificateManager, requestedSessionTimeout: 600_000,
    // 50 sessions subscribing 1,000 items each keep a loaded 2-core server busy: give a call a minute, not 15 s.
    defaultTransactionTimeout: 60_000 });
  clients.push(client);
  await client.connect(endpoint!);
  const session = await client.createSession();
  const sub = ClientSubscription.create(session, { requestedPublishingInterval: publishingMs, requestedMaxKeepAliveCount: 20, requestedLifetimeCount: 600, maxNotificationsPerPublish: 0, publishingEnabled: true });
  // Each session its own slice of the variables, wrapping round when there are fewer than `items`.
  const ids = Array.from({ length: items }, (_, i) => nodes[(s * items + i) % nodes.length]!);
  const group = await ClientMonitoredItemGroup.create(sub, ids.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })), { samplingInterval: publishingMs, queueSize: 1, discardOldest: true }, TimestampsToReturn.Neither);
  group.on('changed', () => { notifications++; });
}
// The first one creates the client certificate; the rest share it, ten at a time.
await open(0);
for (let s = 1; s < sessions; s += 10) await Promise.all(Array.from({ length: Math.min(10, sessions - s) }, (_, k) => open(s + k)));
process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') process.stdout.write(`${JSON.stringify({ notifications })}\n`);
  if (line === 'stop') break;
}
await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
process.exit(0);
