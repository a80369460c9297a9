// Runs heavy reads on the read worker (read-worker.ts): one worker thread with its own
// read-only connection, one query at a time, a bounded queue (past MAX_QUEUED_READS waiting:
// ReadsBusy, a 503 with Retry-After) and a time budget per query (past it the worker is
// stopped and started afresh: ReadTimedOut, a 503). Before a read is queued the historian
// commits what it has queued (`catchUp`), so the answer includes every sample recorded
// before the request.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MAX_QUEUED_READS, READ_BUDGET_MS } from '../../shared/query-limits.js';
import type { Log } from '../logger.js';
import { ReadsBusy, ReadTimedOut, readError, type ReadFunctions, type ReadName, type Reads } from './reads.js';
import type { ReadReply, ReadRequest } from './read-worker.js';

export interface ReadWorkerOptions {
  /** The historian's SQLite file (not ':memory:': the worker opens its own connection). */
  file: string;
  /** Commits what the writer has queued; called before each read is queued. */
  catchUp: () => void;
  budgetMs?: number;
  maxQueued?: number;
  log?: Log;
}

interface Job {
  id: number;
  name: ReadName;
  args: unknown[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * The worker's entry. The edge runs TypeScript through tsx: a worker thread does not inherit
 * its loader, so the worker registers it before importing its module (a compiled .js runs as is).
 */
function workerSource(): { code: string } {
  const target = new URL(`./read-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
  if (!target.endsWith('.ts')) return { code: `import(${JSON.stringify(target)})` };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })` };
}

export function openReadWorker(options: ReadWorkerOptions): Reads & { readonly waiting: number; readonly restarts: number } {
  const budgetMs = options.budgetMs ?? READ_BUDGET_MS;
  const maxQueued = options.maxQueued ?? MAX_QUEUED_READS;
  const log: Log = options.log ?? (() => {});
  const queue: Job[] = [];
  let running: Job | null = null;
  let worker: Worker | null = null;
  let ready = false;
  let timer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let restarts = 0;
  let closed = false;

  function start(): Worker {
    ready = false;
    const w = new Worker(workerSource().code, { eval: true, workerData: { file: options.file } });
    w.on('message', (m: ReadReply) => {
      if (w !== worker) return;
      if ('ready' in m) {
        ready = true;
        pump();
        return;
      }
      if (!running || m.id !== running.id) return;
      const job = running;
      finish();
      if (m.ok) job.resolve(m.value);
      else job.reject(readError(m.error.name, m.error.message));
      pump();
    });
    w.on('error', (err) => {
      if (w !== worker) return;
      log('error', `read worker failed: ${err.message}`);
      replace(err);
    });
    w.on('exit', (code) => {
      if (w !== worker || closed) return;
      replace(new Error(`the read worker exited (code ${code})`));
    });
    return w;
  }

  function finish() {
    if (timer) clearTimeout(timer);
    timer = null;
    running = null;
  }

  /** Ends the current worker, fails its running read with `err`, and starts a new one for the queue. */
  function replace(err: Error) {
    const job = running;
    finish();
    const old = worker;
    worker = null;
    void old?.terminate();
    job?.reject(err);
    restarts++;
    if (!closed && queue.length) {
      worker = start();
    }
  }

  function pump() {
    if (closed || running || !queue.length) return;
    worker ??= start();
    if (!ready) return;
    const job = queue.shift()!;
    running = job;
    timer = setTimeout(() => {
      log('warn', `read worker: ${job.name} ran longer than ${budgetMs} ms; stopped and restarted`);
      replace(new ReadTimedOut(job.name, budgetMs));
    }, budgetMs);
    worker.postMessage({ id: job.id, name: job.name, args: job.args } satisfies ReadRequest);
  }

  return {
    get waiting() {
      return queue.length;
    },
    get restarts() {
      return restarts;
    },
    run<K extends ReadName>(name: K, ...args: Parameters<ReadFunctions[K]>): Promise<ReturnType<ReadFunctions[K]>> {
      if (closed) return Promise.reject(new Error('the read worker is closed'));
      if (queue.length >= maxQueued) return Promise.reject(new ReadsBusy(queue.length, maxQueued));
      options.catchUp();
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, name, args, resolve: resolve as (v: unknown) => void, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const job = running;
      finish();
      job?.reject(new Error('the edge is stopping'));
      for (const job of queue.splice(0)) job.reject(new Error('the edge is stopping'));
      const w = worker;
      worker = null;
      await w?.terminate();
    },
  };
}
