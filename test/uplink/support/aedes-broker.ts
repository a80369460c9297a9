// A real MQTT broker in-process (aedes) on a free port, that a test can stop and start again on
// the same port (a broker restart as the edge sees it), with optional username/password and TLS.
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aedes } from 'aedes';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface TestBroker {
  port: number;
  url: string;
  /** Stops the broker and drops every connection, as a crash would. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Drops one client's TCP connection without a DISCONNECT (its Will is published). */
  dropClient(clientId: string): boolean;
  clientIds(): string[];
  /**
   * When set and it returns true for a topic, the broker refuses that publish: no PUBACK, and the
   * client's connection is closed (as a broker going down mid-message looks to the client).
   */
  refusePublish: ((topic: string) => boolean) | null;
  /** Every Sparkplug message the broker accepted, in order, across restarts (a tap on the broker, not a subscriber). */
  published: Array<{ topic: string; payload: Buffer; clientId: string | null }>;
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  credentials?: { username: string; password: string };
  tls?: boolean;
}

export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  let aedes: Aedes | null = null;
  let server: Server | null = null;
  let port = 0;
  const sockets = new Set<Socket>();
  const byClient = new Map<string, Socket>();
  const published: TestBroker['published'] = [];

  async function start() {
    const broker = new Aedes();
    if (options.credentials) {
      const { username, password } = options.credentials;
      broker.authenticate = (_client, user, pass, done) => {
        const ok = user === username && pass?.toString() === password;
        if (ok) done(null, true);
        else done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }) as never, false);
      };
    }
    broker.authorizePublish = (_client, packet, done) => done(api.refusePublish?.(packet.topic) ? new Error('refused by the test') : null);
    broker.on('client', (client) => {
      const stream = (client as unknown as { conn: Socket }).conn;
      if (client.id && stream) byClient.set(client.id, stream);
    });
    broker.on('publish', (packet, client) => {
      if (packet.topic.startsWith('spBv1.0/')) published.push({ topic: packet.topic, payload: Buffer.from(packet.payload as Buffer), clientId: client?.id ?? null });
    });
    await broker.listen();
    const onConnection = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      broker.handle(socket);
    };
    const srv = options.tls
      ? createTlsServer({ key: readFileSync(join(FIXTURES, 'broker-key.pem')), cert: readFileSync(join(FIXTURES, 'broker-cert.pem')) }, onConnection)
      : createTcpServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    port = (srv.address() as { port: number }).port;
    aedes = broker;
    server = srv;
  }

  async function stop() {
    const srv = server;
    const broker = aedes;
    server = null;
    aedes = null;
    for (const s of sockets) s.destroy();
    sockets.clear();
    byClient.clear();
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  await start();
  const api: TestBroker = {
    refusePublish: null,
    get port() { return port; },
    get url() { return `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`; },
    stop,
    start,
    dropClient(clientId) {
      const s = byClient.get(clientId);
      if (!s) return false;
      s.destroy();
      return true;
    },
    clientIds: () => [...byClient.keys()],
    published,
    close: stop,
  };
  return api;
}
