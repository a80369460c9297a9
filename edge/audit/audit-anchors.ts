// Anchors: now and then the audit log's entry count and head hash are written outside the
// database (an append-only JSON-lines file beside it, and to the plant host over the uplink
// when there is one). Rows deleted from the end of the log, or the log rewritten from some entry
// on, then disagree with an anchor written before: the chain alone cannot show that, because a
// shorter or rewritten chain can still be internally consistent. Each anchor carries an HMAC
// under the audit key, so anchors cannot be made up either. Pure checks, file I/O at the edges.
import { appendFileSync, chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync } from 'node:fs';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export interface AuditAnchor {
  /** When it was written (epoch ms). */
  ts: number;
  /** Entries in the log then (= the id of its last entry). */
  entries: number;
  /** Hash of entry `entries` (the genesis hash for an empty log). */
  head: string;
}

export interface SignedAnchor extends AuditAnchor {
  mac: string;
}

export function signAnchor(anchor: AuditAnchor, key: Buffer): SignedAnchor {
  const { ts, entries, head } = anchor;
  return { ts, entries, head, mac: createHmac('sha256', key).update(canonicalJson({ anchor: 1, ts, entries, head })).digest('hex') };
}

export function anchorSignatureHolds(anchor: SignedAnchor, key: Buffer): boolean {
  const expected = Buffer.from(signAnchor(anchor, key).mac);
  const given = Buffer.from(String(anchor.mac));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function appendAnchorFile(file: string, anchor: SignedAnchor): void {
  const created = !existsSync(file);
  appendFileSync(file, `${JSON.stringify(anchor)}\n`, { mode: 0o600 });
  if (created) chmodSync(file, 0o600);
  // On disk before we move on: an anchor that a power cut can take back proves nothing.
  const fd = openSync(file, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Anchor files grow by one short line per anchor; beyond this the file is not read whole. */
export const MAX_ANCHOR_FILE_BYTES = 64 * 1024 * 1024;

export type AnchorLine = { line: number; anchor: SignedAnchor } | { line: number; error: string };

export function readAnchorFile(file: string): AnchorLine[] {
  if (!existsSync(file)) return [];
  if (statSync(file).size > MAX_ANCHOR_FILE_BYTES) throw new Error(`${file} is larger than ${MAX_ANCHOR_FILE_BYTES} bytes: archive it and start a new one`);
  const out: AnchorLine[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (!text.trim()) return;
    try {
      const a = JSON.parse(text) as Partial<SignedAnchor>;
      if (typeof a.ts !== 'number' || typeof a.entries !== 'number' || typeof a.head !== 'string' || typeof a.mac !== 'string') throw new Error('missing fields');
      out.push({ line: i + 1, anchor: a as SignedAnchor });
    } catch (err) {
      out.push({ line: i + 1, error: `not an anchor (${(err as Error).message})` });
    }
  });
  return out;
}

export interface AnchorProblem {
  line: number | null;
  kind: 'missing' | 'rewritten' | 'unsigned' | 'unreadable';
  message: string;
}

/**
 * Checks each anchor against the log: the entry it names must exist and have the hash it saw.
 * `hashOf(id)` is the stored hash of entry `id` (undefined if absent); `lastId` the log's last id.
 */
export function checkAnchors(lines: readonly AnchorLine[], key: Buffer, lastId: number, hashOf: (id: number) => string | undefined): AnchorProblem[] {
  const problems: AnchorProblem[] = [];
  let missingReported = false;
  for (const l of lines) {
    if ('error' in l) {
      problems.push({ line: l.line, kind: 'unreadable', message: `anchor line ${l.line}: ${l.error}` });
      continue;
    }
    const a = l.anchor;
    const when = new Date(a.ts).toISOString();
    if (!anchorSignatureHolds(a, key)) {
      problems.push({ line: l.line, kind: 'unsigned', message: `anchor line ${l.line} (${when}) is not signed with this audit key: it was changed or made up` });
      continue;
    }
    if (a.entries === 0) continue;
    if (a.entries > lastId) {
      if (!missingReported) problems.push({ line: l.line, kind: 'missing', message: `entries ${lastId + 1}–${a.entries} are missing: the anchor of ${when} saw ${a.entries} entries (head ${a.head.slice(0, 16)}…), the log now ends at ${lastId}` });
      missingReported = true;
      continue;
    }
    const stored = hashOf(a.entries);
    if (stored === undefined) {
      problems.push({ line: l.line, kind: 'missing', message: `entry ${a.entries} is missing: the anchor of ${when} saw it with hash ${a.head.slice(0, 16)}…` });
    } else if (stored !== a.head) {
      problems.push({ line: l.line, kind: 'rewritten', message: `entry ${a.entries} was rewritten: the anchor of ${when} saw hash ${a.head.slice(0, 16)}…, the log now has ${stored.slice(0, 16)}…` });
    }
  }
  return problems;
}
