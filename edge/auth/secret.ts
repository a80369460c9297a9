// Keys kept outside the database: the one that signs session tokens (TWINLINE_SECRET, or
// <dataDir>/secret.key) and the audit log's chain key (edge/audit/audit-key.ts). From the
// environment variable (at least 32 characters) or, failing that, a file created on first run
// with 0600 permissions. Never in the repo (data/ is git-ignored) and never logged.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class SecretError extends Error {
  override name = 'SecretError';
}

export interface LoadedSecret {
  key: Buffer;
  source: 'env' | 'file-created' | 'file';
  file: string | null;
}

export interface KeySource {
  /** The environment variable's value, and its name for messages. */
  env?: string | undefined;
  envName: string;
  file: string;
  /** When false, a missing file is an error rather than created (the read-only audit CLI). */
  create?: boolean;
}

export function loadKey(source: KeySource): LoadedSecret {
  if (source.env !== undefined && source.env !== '') {
    if (source.env.length < 32) throw new SecretError(`${source.envName} is shorter than 32 characters: use a long random value, e.g. \`openssl rand -base64 48\``);
    return { key: Buffer.from(source.env, 'utf8'), source: 'env', file: null };
  }
  const { file } = source;
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    // A key others can read is a key others have: tighten it rather than trust it silently.
    if (mode & 0o077) chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length < 32) throw new SecretError(`${file} holds fewer than 32 bytes of key: restore it from where you keep its copy (or set ${source.envName})`);
    return { key, source: 'file', file };
  }
  if (source.create === false) throw new SecretError(`no key at ${file} and ${source.envName} is not set: give the edge's key (--key-file or ${source.envName})`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(48);
  // 'wx': never overwrite a key another process created a moment ago.
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadKey(source);
    throw err;
  }
  return { key, source: 'file-created', file };
}

export function loadSecret(options: { env?: string | undefined; dataDir: string }): LoadedSecret {
  return loadKey({ env: options.env, envName: 'TWINLINE_SECRET', file: join(options.dataDir, 'secret.key') });
}
