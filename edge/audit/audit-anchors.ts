// Anchors: now and then the audit log's entry count and head hash are written outside the
// database (an append-only JSON-lines file beside it, and to the plant host over the uplink
// when there is one). Rows deleted from the end of the log, or the log rewritten from some entry
// on, then disagree with an anchor written before: the chain alone cannot show that, because a
// shorter or rewritten chain can still be internally consistent. Each anchor carries an HMAC
// under the audit key, so anchors cannot be made up either. Pure checks, file I/O at the edges.
import { appendFileSync, chmodSync, closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs';
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

export type AnchorLine = { line: number; anchor: SignedAnchor } | { line: number; error: string };

/** An anchor line is ~200 bytes; a longer one is not an anchor and is not held in memory whole. */
const MAX_LINE_BYTES = 4096;

function parseLine(text: string, line: number): AnchorLine {
  try {
    const a = JSON.parse(text) as Partial<SignedAnchor>;
    if (typeof a.ts !== 'number' || typeof a.entries !== 'number' || typeof a.head !== 'string' || typeof a.mac !== 'string') throw new Error('missing fields');
    return { line, anchor: a as SignedAnchor };
  } catch (err) {
    return { line, error: `not an anchor (${(err as Error).message})` };
  }
}

/** Every line of the file, read in chunks: a year of anchors is a few tens of MB. */
export function* readAnchorLines(file: string): Generator<AnchorLine> {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = '';
    let overlong = false;
    let line = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      const text = carry + (n > 0 ? chunk.toString('utf8', 0, n) : '');
      const parts = text.split('\n');
      carry = n > 0 ? parts.pop()! : '';
      if (n === 0 && parts.length === 1 && parts[0] === '') parts.pop();
      for (const part of parts) {
        line++;
        if (overlong) { overlong = false; yield { line, error: 'not an anchor (longer than 4096 bytes)' }; continue; }
        if (part.trim()) yield parseLine(part, line);
      }
      if (carry.length > MAX_LINE_BYTES) { carry = ''; overlong = true; }
      if (n === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** The file's last anchor, read from its end (cheap at start-up, however long the file). */
export function lastAnchor(file: string): SignedAnchor | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_LINE_BYTES * 2);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    const lines = tail.toString('utf8').split('\n').filter((l) => l.trim());
    for (let i = lines.length - 1; i >= 0; i--) {
      const parsed = parseLine(lines[i]!, 0);
      if ('anchor' in parsed) return parsed.anchor;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

export function readAnchorFile(file: string): AnchorLine[] {
  return [...readAnchorLines(file)];
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
export function checkAnchors(lines: Iterable<AnchorLine>, key: Buffer, lastId: number, hashOf: (id: number) => string | undefined): AnchorProblem[] {
  const problems: AnchorProblem[] = [];
  let missingReported = false;
  for (const l of lines) {
    if (problems.length >= 1000) continue; // enough to say what happened; the lines are still read and counted
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
