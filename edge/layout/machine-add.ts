// Adding a machine without YAML (issue 21.4): browse a connected OPC UA device's address space
// for variables to pick (the same walk as `npm run browse`), and append a machine to the plant
// file's machines list as text — the rest of the file stays byte for byte as it was.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, UserTokenType } from 'node-opcua';
import { Document, isMap, isSeq, parseDocument } from 'yaml';
import type { OpcUaDeviceConfig } from '../../shared/plant-schema.js';
import { browseTree, tagNameOf, tagTypeOf, type BrowsedNode } from '../tools/index.js';
import { LayoutWriteError } from './layout-document.js';

export interface BrowsedVariable { nodeId: string; path: string; suggestedName: string; dataType: string | null; type: string | null; unit: string | null }

function variables(nodes: BrowsedNode[], prefix = ''): BrowsedVariable[] {
  return nodes.flatMap((n) => {
    const path = prefix ? `${prefix}/${n.browseName}` : n.browseName;
    if (n.nodeClass === 'Variable') {
      return [{ nodeId: n.nodeId, path, suggestedName: tagNameOf(n.browseName), dataType: n.dataType ?? null, type: tagTypeOf(n.dataType) ?? null, unit: n.unit ?? null }];
    }
    return variables(n.children, path);
  });
}

/** The variables under Objects (server object left out), at most `limit`; needs the device's security None or its own PKI trust. */
export async function browseVariables(device: OpcUaDeviceConfig, dataDir: string, limit = 2000): Promise<BrowsedVariable[]> {
  const pki = join(dataDir, 'pki', 'edge');
  mkdirSync(pki, { recursive: true });
  const certificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: false });
  await certificateManager.initialize();
  const mode = MessageSecurityMode[device.securityMode];
  const client = OPCUAClient.create({
    applicationName: 'twinline-browse', applicationUri: 'urn:twinline:edge', endpointMustExist: false,
    securityMode: mode, securityPolicy: device.securityMode === 'None' ? SecurityPolicy.None : SecurityPolicy[device.securityPolicy ?? 'Basic256Sha256'],
    clientCertificateManager: certificateManager, connectionStrategy: { maxRetry: 0, initialDelay: 200, maxDelay: 500 },
  });
  try {
    await client.connect(device.endpointUrl);
    const session = await client.createSession(device.username
      ? { type: UserTokenType.UserName, userName: device.username, password: process.env[device.passwordEnv ?? ''] ?? '' }
      : { type: UserTokenType.Anonymous });
    try {
      return variables(await browseTree(session, 'ns=0;i=85', { depth: 4, includeServerObject: false })).slice(0, limit);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
    await certificateManager.dispose();
  }
}

/** The plant file's text with `machine` appended to its machines list, indented as the list is. */
export function appendMachine(text: string, machine: Record<string, unknown>): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new LayoutWriteError('the plant file is not valid YAML: fix it by hand first');
  const seq = doc.get('machines', true);
  if (!isSeq(seq) || !seq.range || seq.flow || !seq.items.length) throw new LayoutWriteError('the plant file has no block machines: list to add to');
  const end = seq.range[1];
  const lineStart = text.lastIndexOf('\n', (seq.items[0] as { range?: [number, number, number] }).range![0]) + 1;
  const indent = /^ */.exec(text.slice(lineStart))![0];
  const entry = new Document([machine]);
  // Written the way the plant files are: the layout and each tag on one line.
  const m = entry.get(0, true);
  if (isMap(m)) {
    const layout = m.get('layout', true);
    if (isMap(layout)) layout.flow = true;
    const tags = m.get('tags', true);
    if (isSeq(tags)) for (const t of tags.items) if (isMap(t)) t.flow = true;
  }
  const item = entry.toString({ lineWidth: 0, flowCollectionPadding: true }).trimEnd().split('\n').map((l) => indent + l).join('\n');
  const at = text.indexOf('\n', end - 1) === -1 ? text.length : text.indexOf('\n', end - 1);
  return `${text.slice(0, at)}\n${item}${text.slice(at)}`;
}
