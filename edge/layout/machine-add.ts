// Adding a machine without YAML (issue 21.4): browse a connected OPC UA device's address space
// for variables to pick (the same walk as `npm run browse`), and append a machine to the plant
// file's machines list as text — the rest of the file stays byte for byte as it was.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy, UserTokenType } from 'node-opcua';
import { Document, isMap, isScalar, isSeq, parseDocument, type Scalar, type YAMLMap } from 'yaml';
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

/** How far a browse from the twin may go: it connects outward to an address an admin typed. */
export interface BrowseLimits {
  /** Variables listed at most. */
  limit: number;
  /** Nodes visited at most (objects, variables and methods). */
  maxNodes: number;
  /** The whole browse (connect, session, walk) ends by then; the connection is closed. */
  timeoutMs: number;
}
export const BROWSE_LIMITS: BrowseLimits = { limit: 2000, maxNodes: 5000, timeoutMs: 15_000 };

export class BrowseTimeout extends Error {
  override name = 'BrowseTimeout';
}

/** The variables under Objects (server object left out); needs the device's security None or its own PKI trust. */
export async function browseVariables(device: OpcUaDeviceConfig, dataDir: string, limits: BrowseLimits = BROWSE_LIMITS): Promise<BrowsedVariable[]> {
  const pki = join(dataDir, 'pki', 'edge');
  mkdirSync(pki, { recursive: true });
  const certificateManager = new OPCUACertificateManager({ rootFolder: pki, automaticallyAcceptUnknownCertificate: false });
  await certificateManager.initialize();
  const mode = MessageSecurityMode[device.securityMode];
  const client = OPCUAClient.create({
    applicationName: 'twinline-browse', applicationUri: 'urn:twinline:edge', endpointMustExist: false,
    securityMode: mode, securityPolicy: device.securityMode === 'None' ? SecurityPolicy.None : SecurityPolicy[device.securityPolicy ?? 'Basic256Sha256'],
    clientCertificateManager: certificateManager, connectionStrategy: { maxRetry: 0, initialDelay: 200, maxDelay: 500 },
    transportTimeout: limits.timeoutMs, defaultTransactionTimeout: limits.timeoutMs,
  });
  const browse = async () => {
    await client.connect(device.endpointUrl);
    const session = await client.createSession(device.username
      ? { type: UserTokenType.UserName, userName: device.username, password: process.env[device.passwordEnv ?? ''] ?? '' }
      : { type: UserTokenType.Anonymous });
    try {
      return variables(await browseTree(session, 'ns=0;i=85', { depth: 4, includeServerObject: false, maxNodes: limits.maxNodes })).slice(0, limits.limit);
    } finally {
      await session.close().catch(() => undefined);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrowseTimeout(`no answer within ${limits.timeoutMs / 1000} s`)), limits.timeoutMs);
  });
  const work = browse();
  work.catch(() => undefined); // after a time-out the walk fails on the closed connection: nobody waits for it
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    await client.disconnect().catch(() => undefined);
    await certificateManager.dispose();
  }
}

/** The plant file's text with `machine` appended to its machines list, indented as the list is. */
export function appendMachine(text: string, machine: Record<string, unknown>): string {
  return appendToList(text, 'machines', machine, (m) => {
    // Written the way the plant files are: the layout and each tag on one line.
    const layout = m.get('layout', true);
    if (isMap(layout)) layout.flow = true;
    const tags = m.get('tags', true);
    if (isSeq(tags)) for (const t of tags.items) if (isMap(t)) t.flow = true;
  });
}

/** The plant file's text with `device` appended to its devices list (a device added together with its first machine). */
export function appendDevice(text: string, device: Record<string, unknown>): string {
  return appendToList(text, 'devices', device, () => undefined);
}

/**
 * Appends an entry to a top-level list as text, the rest of the file byte for byte as it was.
 * A new plant file may have no such list, `list: []` or a bare `list:`: those become a block list
 * with the one entry (a comment after `[]` stays on the key's line).
 */
function appendToList(text: string, name: 'machines' | 'devices', value: Record<string, unknown>, style: (entry: YAMLMap) => void): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new LayoutWriteError('the plant file is not valid YAML: fix it by hand first');
  const entry = new Document([value]);
  const m = entry.get(0, true);
  if (isMap(m)) style(m);
  const lines = (indent: string) => entry.toString({ lineWidth: 0, flowCollectionPadding: true }).trimEnd().split('\n').map((l) => indent + l).join('\n');
  const root = doc.contents;
  if (!isMap(root)) throw new LayoutWriteError('the plant file is not a map of sections: fix it by hand first');
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === name);
  if (!pair) return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${name}:\n${lines('  ')}\n`;
  const seq = pair.value;
  const keyRange = (pair.key as Scalar).range!;
  const emptyValue = seq === null || (isScalar(seq) && seq.value === null) || (isSeq(seq) && seq.items.length === 0);
  if (emptyValue) {
    // From the key to the end of its (empty) value: `machines: []` or `machines:` → a block list.
    const valueEnd = (seq as { range?: [number, number, number] } | null)?.range?.[1] ?? keyRange[1] + text.slice(keyRange[1]).indexOf(':') + 1;
    const end = Math.max(valueEnd, keyRange[1]);
    const eol = text.indexOf('\n', end) === -1 ? text.length : text.indexOf('\n', end);
    return `${text.slice(0, keyRange[0])}${name}:${text.slice(end, eol)}\n${lines('  ')}${text.slice(eol)}`;
  }
  if (!isSeq(seq) || !seq.range || seq.flow) throw new LayoutWriteError(`the plant file's ${name}: is not a block list (one "- " entry a line): write it as one to add from the twin`);
  const end = seq.range[1];
  const lineStart = text.lastIndexOf('\n', (seq.items[0] as { range?: [number, number, number] }).range![0]) + 1;
  const indent = /^ */.exec(text.slice(lineStart))![0];
  const at = text.indexOf('\n', end - 1) === -1 ? text.length : text.indexOf('\n', end - 1);
  return `${text.slice(0, at)}\n${lines(indent)}${text.slice(at)}`;
}
