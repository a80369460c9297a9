// --tls-cert/--tls-key of the edge and host CLIs: both or neither, read once at startup, an
// unreadable file named with what to check.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/index.js';

export function readTlsFiles(cert: string | undefined, key: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new ConfigError(`--tls-cert and --tls-key go together: give both PEM files (${cert === undefined ? '--tls-cert' : '--tls-key'} is missing)`);
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`${what} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): check the path and that this user may read it`);
    }
  };
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key') };
}
