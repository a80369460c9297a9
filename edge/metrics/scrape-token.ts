// Who may read /metrics: Prometheus with the scrape token (`authorization: credentials_file:` in its
// scrape config), or an admin's session for a look by hand. The token comes from
// TWINLINE_METRICS_TOKEN (at least 32 characters) or <data>/metrics.token, created 0600 on the
// first start like the session key (edge/auth/secret.ts). It opens /metrics and nothing else: it
// is no session, carries no role and cannot log in, so a leaked Prometheus config reads counters.
import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { loadKey } from '../auth/index.js';

export interface ScrapeToken {
  /** Where it came from; the token itself is never logged. */
  source: 'given' | 'env' | 'file' | 'file-created';
  file: string | null;
  /** Whether a presented bearer token is this one (constant time). */
  matches(presented: string): boolean;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function scrapeTokenOf(token: string, source: ScrapeToken['source'] = 'given', file: string | null = null): ScrapeToken {
  const expected = digest(token);
  return { source, file, matches: (presented) => timingSafeEqual(digest(presented), expected) };
}

/** The scrape token: `given` (tests, embedding), else TWINLINE_METRICS_TOKEN, else <dataDir>/metrics.token. */
export function loadScrapeToken(o: { given?: string; env?: string | undefined; dataDir: string }): ScrapeToken {
  if (o.given !== undefined) return scrapeTokenOf(o.given);
  const key = loadKey({ env: o.env, envName: 'TWINLINE_METRICS_TOKEN', file: join(o.dataDir, 'metrics.token') });
  // The file holds the token as base64 text (what Prometheus reads from credentials_file); the variable, as itself.
  return scrapeTokenOf(key.source === 'env' ? key.key.toString('utf8') : key.key.toString('base64'), key.source, key.file);
}
