// A plant on real servers for the failover test and the plant benchmark: PostgreSQL (TWINLINE_PG_URL
// or embedded), Mosquitto (aedes in a process of its own when Mosquitto is not installed), plant
// hosts each in a process of its own, and simulated edges in one child process.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mosquittoAvailable, startMosquitto } from '../../uplink/support/mosquitto.js';
import { freePort } from '../../support/free-port.js';
import type { PlantEdgesCommand, PlantEdgesReply, PlantEdgesStart, PlantEdgeStatus } from '../../../bench/support/plant-edges.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface Broker { name: string; url: string; stop(): Promise<void> }

export async function startBroker(): Promise<Broker> {
  if (mosquittoAvailable()) {
    const m = await startMosquitto();
    return { name: 'mosquitto', url: m.url, stop: () => m.stop() };
  }
  const port = await freePort();
  const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/aedes-server.ts'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok, fail) => {
    p.stdout!.on('data', (d) => { if (String(d).includes('ready')) ok(); });
    p.once('exit', (code) => fail(new Error(`aedes exited with ${code}`)));
  });
  return { name: 'aedes', url: `mqtt://127.0.0.1:${port}`, stop: () => killChild(p, 'SIGTERM') };
}

export function killChild(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    p.once('exit', () => ok());
    p.kill(signal);
  });
}

export interface HostStats { stored: number; p50: number; p99: number; max: number; cpuMicros: number; at: number }

export interface HostProcess {
  proc: ChildProcess;
  port: number;
  primary: boolean;
  /** Resolves when the host reports it is (or is not) the primary. */
  role(primary: boolean, timeoutMs: number): Promise<number>;
  flush(): Promise<void>;
  /** With observe: samples committed and their publish→stored latency since the last call, and the host's CPU so far. */
  stats(): Promise<HostStats>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHostProcess(o: { brokerUrl: string; pgUrl: string; hostId: string; groupId: string; dataDir: string; leaseRetryMs?: number; observe?: boolean }): Promise<HostProcess> {
  const config = {
    host: { id: o.hostId, groups: [o.groupId], rebirthMinIntervalSeconds: 1, maxLines: 1000 },
    broker: { url: o.brokerUrl, reconnectMinMs: 100, reconnectMaxMs: 1000 },
    http: { port: 0, host: '127.0.0.1' },
    auth: { mode: 'demo' },
    postgres: { url: o.pgUrl, leaseRetryMs: o.leaseRetryMs ?? 200, handoverMs: 3000, flushIntervalMs: 100 },
  };
  const proc = fork(join(ROOT, 'test/host-pg/support/host-process.ts'), [JSON.stringify(config), o.dataDir], {
    execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, TWINLINE_LOG_LEVEL: 'error', ...(o.observe ? { TWINLINE_HOST_OBSERVE: '1' } : {}) },
  });
  const waiters: Array<{ want: boolean; ok: (t: number) => void }> = [];
  let flushed: (() => void) | null = null;
  let statsReply: ((s: HostStats) => void) | null = null;
  const host = {
    proc, port: 0, primary: false,
    role(want: boolean, timeoutMs: number) {
      if (host.primary === want) return Promise.resolve(Date.now());
      return new Promise<number>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`host ${proc.pid} did not become ${want ? 'primary' : 'standby'} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ want, ok: (t) => { clearTimeout(timer); ok(t); } });
      });
    },
    flush: () => new Promise<void>((ok) => { flushed = ok; proc.send({ cmd: 'flush' }); }),
    stats: () => new Promise<HostStats>((ok) => { statsReply = ok; proc.send({ cmd: 'stats' }); }),
    kill: () => killChild(proc, 'SIGKILL'),
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.send({ cmd: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await new Promise((ok) => proc.once('exit', ok));
      clearTimeout(timer);
    },
  };
  await new Promise<void>((ok, fail) => {
    proc.on('message', (m: { type: string; port?: number; primary?: boolean }) => {
      if (m.type === 'ready') {
        host.port = m.port!;
        ok();
      } else if (m.type === 'role') {
        host.primary = m.primary!;
        const t = Date.now();
        for (const w of waiters.splice(0)) if (w.want === host.primary) w.ok(t); else waiters.push(w);
      } else if (m.type === 'flushed') {
        flushed?.();
      } else if (m.type === 'stats') {
        statsReply?.(m as unknown as HostStats);
      }
    });
    proc.once('exit', (code) => fail(new Error(`host process exited with ${code} before it was ready`)));
  });
  return host;
}

export interface EdgesProcess {
  /** Before any edge's first tick: every sample from here on is counted in ticks. */
  measuredFrom: number;
  status(tickTimes?: boolean): Promise<{ edges: PlantEdgeStatus[]; cpuMicros: number }>;
  hold(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEdges(start: Omit<PlantEdgesStart, 'cmd'>): Promise<EdgesProcess> {
  const proc = fork(join(ROOT, 'bench/support/plant-edges.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: PlantEdgesReply['type'], cmd: PlantEdgesCommand) => new Promise<PlantEdgesReply>((ok, fail) => {
    const onExit = (code: number | null) => fail(new Error(`edges process exited with ${code}`));
    proc.once('exit', onExit);
    const on = (m: PlantEdgesReply) => {
      if (m.type !== type) return;
      proc.off('message', on);
      proc.off('exit', onExit);
      ok(m);
    };
    proc.on('message', on);
    proc.send(cmd);
  });
  const ready = await next('ready', { cmd: 'start', ...start });
  return {
    measuredFrom: ready.type === 'ready' ? ready.measuredFrom : 0,
    status: async (tickTimes = false) => {
      const r = await next('status', { cmd: 'status', tickTimes });
      return r.type === 'status' ? { edges: r.edges, cpuMicros: r.cpuMicros } : { edges: [], cpuMicros: 0 };
    },
    hold: async () => { await next('held', { cmd: 'hold' }); },
    stop: async () => {
      if (proc.exitCode !== null) return;
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await next('stopped', { cmd: 'stop' }).catch(() => undefined);
      clearTimeout(timer);
      await new Promise((ok) => (proc.exitCode !== null ? ok(null) : proc.once('exit', ok)));
    },
  };
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `check` returns true (condition-based, not a fixed sleep). */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
