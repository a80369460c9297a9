// A stop step that cannot hang the caller: a recomposition (and the edge's shutdown) waits on
// sockets, sessions and peers it does not control — a keep-alive HTTP connection whose request
// was in flight when the server closed stays open until its idle timeout (72 s in fastify), an
// OPC UA session close waits on a server that may be slow or gone. Each step gets a deadline;
// past it the step is logged and left behind, and the next one runs.
import type { Log } from '../logger.js';

/** Resolves when `step` settles or `ms` have passed, whichever is first; never rejects. */
export async function boundedStep(what: string, step: () => Promise<unknown> | unknown, ms: number, log: Log, onTimeout?: () => void): Promise<void> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ms); });
  const run = Promise.resolve().then(step).then(
    () => 'done' as const,
    (err: unknown) => { log('warn', `${what} failed: ${(err as Error)?.message ?? String(err)}; going on`); return 'failed' as const; },
  );
  const result = await Promise.race([run, late]);
  clearTimeout(timer);
  if (result === 'late') {
    log('warn', `${what} did not finish in ${ms} ms; going on without it${onTimeout ? ' (forcing it)' : ''}`);
    onTimeout?.();
  } else if (Date.now() - startedAt > ms / 2) {
    log('info', `${what} took ${Date.now() - startedAt} ms`);
  }
}
