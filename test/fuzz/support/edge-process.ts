// Starts edge-child.ts in its own Node process and talks to it: the running edge's URL, its
// route catalogue, memory after a GC, the audit verdict, stored-row checks, and whether it died.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainVerdict } from '../../../edge/audit/audit-chain.js';
import type { DeviceHealth, MachineLive } from '../../../shared/live-protocol.js';
import type { CatalogueRoute, ChildOptions, ChildRequest } from './edge-child.js';

export type { CatalogueRoute } from './edge-child.js';

export interface EdgeProcess {
  url: string;
  dbFile: string;
  dir: string;
  /** Null while alive; why it ended otherwise (exit code, signal, the crash it reported). */
  death(): string | null;
  routes(): Promise<CatalogueRoute[]>;
  memory(): Promise<NodeJS.MemoryUsage>;
  audit(): Promise<ChainVerdict>;
  storedProblems(): Promise<string[]>;
  devices(): Promise<DeviceHealth[]>;
  machines(): Promise<MachineLive[]>;
  socketEvents(): Promise<string[] | null>;
  stop(): Promise<void>;
}

const CHILD = join(import.meta.dirname, 'edge-child.ts');

export async function startEdgeProcess(options: Omit<ChildOptions, 'dir'>): Promise<EdgeProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-fuzz-'));
  const spawned = performance.now();
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    // Enough heap for an honest edge; a request that needs more is a finding, and this keeps it cheap.
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=512' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let died: string | null = null;
  let crash = '';
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let onReady: (() => void) | null = null;
  child.on('message', (raw) => {
    const m = raw as { id?: number; ok?: boolean; value?: unknown; error?: string; ready?: boolean; crash?: string };
    if (m.ready) onReady?.();
    if (m.crash) crash = m.crash;
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
    }
  });
  child.on('exit', (code, signal) => {
    died = `edge process ended (code ${code}, signal ${signal})${crash ? `: ${crash}` : ''}${stderr ? `\n--- stderr ---\n${stderr}` : ''}`;
    for (const p of pending.values()) p.reject(new Error(died));
    pending.clear();
  });
  const call = <T>(message: { start?: ChildOptions; req?: ChildRequest }, timeoutMs = 60_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (died) return reject(new Error(died));
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`edge process did not answer ${JSON.stringify(message.req ?? 'start')} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v as T); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      child.send({ id, ...message });
    });
  await new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', () => reject(new Error(died ?? 'edge process ended before it was ready')));
  });
  const t0 = performance.now();
  const { url, dbFile, phases } = await call<{ url: string; dbFile: string; phases: Record<string, number> }>({ start: { ...options, dir } }, 90_000);
  if (process.env.FUZZ_VERBOSE) console.log(`edge process: ready ${Math.round(t0 - spawned)} ms, ${Object.entries(phases).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
  const req = <T>(r: ChildRequest, timeoutMs?: number) => call<T>({ req: r }, timeoutMs);
  return {
    url, dbFile, dir,
    death: () => died,
    routes: () => req({ op: 'routes' }),
    memory: () => req({ op: 'memory' }),
    audit: () => req({ op: 'audit' }),
    storedProblems: () => req({ op: 'stored' }),
    devices: () => req({ op: 'devices' }),
    machines: () => req({ op: 'machines' }),
    socketEvents: () => req({ op: 'socketEvents' }),
    async stop() {
      // Killed, not stopped in order: what is on disk was checked after every batch, and a
      // graceful OPC UA and simulator shutdown costs seconds of a short test run.
      if (!died) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
