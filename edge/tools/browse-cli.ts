// `npm run browse -- opc.tcp://host:port [options]`: prints a server's address tree and,
// with --snippet, the plant-file tags for chosen nodes.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, UserTokenType } from 'node-opcua';
import { browseTree, formatTree, plantSnippet } from './opcua-browse.js';

const HELP = `Browse an OPC UA server and write plant-file tags for its nodes

Usage: npm run browse -- <opc.tcp://host:port> [options]
  --root <nodeId>        where to start                      default ns=0;i=85 (Objects)
  --depth <n>            how deep to go                      default 6
  --snippet <nodeId,…>   print plant-file tags for these nodes (objects: all their variables;
                         browse names work too), instead of the tree
  --all                  include the standard Server object
  --security <mode>      None | Sign | SignAndEncrypt        default None (Basic256Sha256)
  --user <name>          username identity; password from $OPCUA_PASSWORD
  --data <dir>           data folder (the edge's PKI)        default ./data
Examples:
  npm run browse -- opc.tcp://localhost:4840
  npm run browse -- opc.tcp://localhost:4840 --snippet "ns=1;s=mill"`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      root: { type: 'string', default: 'ns=0;i=85' },
      depth: { type: 'string', default: '6' },
      snippet: { type: 'string' },
      all: { type: 'boolean', default: false },
      security: { type: 'string', default: 'None' },
      user: { type: 'string' },
      data: { type: 'string', default: 'data' },
      help: { type: 'boolean', default: false },
    },
  });
  const endpoint = positionals[0];
  if (values.help || !endpoint) {
    console.log(HELP);
    process.exit(endpoint || values.help ? 0 : 2);
  }
  if (!endpoint.startsWith('opc.tcp://')) throw new UsageError(`"${endpoint}" is not an opc.tcp:// endpoint URL`);
  const modes = { None: MessageSecurityMode.None, Sign: MessageSecurityMode.Sign, SignAndEncrypt: MessageSecurityMode.SignAndEncrypt } as const;
  const mode = modes[values.security as keyof typeof modes];
  if (mode === undefined) throw new UsageError(`--security must be None, Sign or SignAndEncrypt, not "${values.security}"`);
  const pki = resolve(join(values.data, 'pki', 'edge'));
  mkdirSync(pki, { recursive: true });
  const certificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: false });
  await certificateManager.initialize();
  const client = OPCUAClient.create({
    applicationName: 'twinline-browse', applicationUri: 'urn:twinline:edge', endpointMustExist: false,
    securityMode: mode, securityPolicy: mode === MessageSecurityMode.None ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256,
    clientCertificateManager: certificateManager, connectionStrategy: { maxRetry: 1, initialDelay: 500, maxDelay: 1000 },
  });
  try {
    await client.connect(endpoint).catch((err: Error) => {
      if (/certificate verification failed/i.test(err.message)) {
        throw new UsageError(`the server certificate is not trusted: move it from ${join(pki, 'rejected')} to ${join(pki, 'trusted', 'certs')} and try again`);
      }
      throw new UsageError(`cannot connect to ${endpoint}: ${err.message}`);
    });
    const session = await client.createSession(
      values.user ? { type: UserTokenType.UserName, userName: values.user, password: process.env.OPCUA_PASSWORD ?? '' } : { type: UserTokenType.Anonymous },
    );
    const tree = await browseTree(session, values.root, { depth: Number(values.depth), includeServerObject: values.all });
    if (values.snippet) {
      console.log(plantSnippet(tree, values.snippet.split(',').map((s) => s.trim())));
    } else {
      console.log(formatTree(tree));
    }
    await session.close();
  } finally {
    await client.disconnect();
    await certificateManager.dispose();
  }
}

class UsageError extends Error {}

main().catch((err) => {
  console.error(`browse: ${err instanceof UsageError ? err.message : (err as Error).stack}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
