// The key that signs session tokens: TWINLINE_SECRET (at least 32 characters) or, failing
// that, <dataDir>/secret.key, created on first run with 0600 permissions. Never in the repo
// (data/ is git-ignored) and never logged.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretError extends Error {
  override name = 'SecretError';
}

export interface LoadedSecret {
  key: Buffer;
  source: 'env' | 'file-created' | 'file';
  file: string | null;
}

export function loadSecret(options: { env?: string | undefined; dataDir: string }): LoadedSecret {
  if (options.env !== undefined && options.env !== '') {
    if (options.env.length < 32) throw new SecretError('TWINLINE_SECRET is shorter than 32 characters: use a long random value, e.g. `openssl rand -base64 48`');
    return { key: Buffer.from(options.env, 'utf8'), source: 'env', file: null };
  }
  const file = join(options.dataDir, 'secret.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    // A key others can read signs tokens for anyone: tighten it rather than trust it silently.
    if (mode & 0o077) chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length < 32) throw new SecretError(`${file} holds fewer than 32 bytes of key: delete it to have a new one made (everyone logs in again)`);
    return { key, source: 'file', file };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(48);
  // 'wx': never overwrite a key another process created a moment ago.
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSecret(options);
    throw err;
  }
  return { key, source: 'file-created', file };
}
