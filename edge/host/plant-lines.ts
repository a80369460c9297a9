// What the plant host says about each line on its main port (GET /api/lines, the overview page):
// where its twin is, whether its edge is online, its machines with their states, the line's OEE
// as the host recomputed it (and as the edge published it) and its standing alarms.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineState } from '../../shared/plant-schema.js';
import { MACHINE_STATES } from '../../shared/plant-schema.js';
import type { AlarmPriority } from '../../shared/alarm-rules.js';
import type { EdgeMirror, LineKpiView } from './edge-mirror.js';
import type { HostLineKpi } from './line-kpi.js';
import { summariseAlarms } from '../uplink/index.js';

export interface HostedLineKpis {
  shift: { name: string; date: string; start: number; end: number };
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  bottleneck: string;
  energyKWh: number;
}

export interface HostedLine {
  key: string;
  groupId: string;
  edgeNodeId: string;
  lineId: string;
  name: string;
  online: boolean;
  /** The line's twin and API on the host's main port. */
  path: string;
  /** Its own port as well, when the host file pins one (`lines:`). */
  port: number | null;
  /** Served (its first NBIRTH with a plant view has arrived). */
  served: boolean;
  machines: Array<{ id: string; name: string; state: MachineState; oee: number; alarms: number }>;
  /** How many machines are in each state. */
  states: Record<MachineState, number>;
  /** Recomputed by the host from the mirrored states, counts and energy (null between shifts or without KPI settings). */
  kpis: HostedLineKpis | null;
  /** As the edge published them (Line/OEE …), for comparison. */
  edgeKpis: LineKpiView;
  alarms: { active: number; unacknowledged: number; highestPriority: AlarmPriority | null };
}

export const linePath = (groupId: string, edgeNodeId: string) => `/lines/${encodeURIComponent(groupId)}/${encodeURIComponent(edgeNodeId)}/`;

export function describeLine(mirror: EdgeMirror, kpi: HostLineKpi | null, served: boolean, port: number | null): HostedLine {
  const view = mirror.plantView;
  const states = Object.fromEntries(MACHINE_STATES.map((s) => [s, 0])) as Record<MachineState, number>;
  const machines = (view?.machines ?? []).map((m) => {
    const live = mirror.machines.get(m.id);
    const state = live?.state ?? 'no-data';
    states[state]++;
    return { id: m.id, name: m.name, state, oee: live?.oee.oee ?? 0, alarms: summariseAlarms(mirror.alarms.get(m.id) ?? []).active };
  });
  const all = summariseAlarms([...mirror.alarms.values()].flat());
  const line = kpi?.engine.line() ?? null;
  return {
    key: mirror.key, groupId: mirror.groupId, edgeNodeId: mirror.edgeNodeId,
    lineId: view?.line.id ?? '', name: view?.line.name ?? mirror.key,
    online: mirror.online, path: linePath(mirror.groupId, mirror.edgeNodeId), port, served,
    machines, states,
    kpis: line && {
      shift: line.shift, availability: line.availability, performance: line.performance, quality: line.quality, oee: line.oee,
      bottleneck: line.bottleneck, energyKWh: line.energyKWh,
    },
    edgeKpis: { ...mirror.line },
    alarms: { active: all.active, unacknowledged: all.unacknowledged, highestPriority: all.highestPriority },
  };
}

/**
 * The file of a line's historian on the host. Sparkplug ids may hold almost any character, and
 * a readable name alone (unsafe characters replaced) lets two lines land in one file — "a:b"
 * and "a_b", or group "a--b" with node "c" and group "a" with node "b--c" — or differ only in
 * case on a case-insensitive disk. The hash of the exact pair makes every name its own.
 */
export function lineFileName(groupId: string, edgeNodeId: string): string {
  const readable = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  const digest = createHash('sha256').update(`${groupId}\u0000${edgeNodeId}`).digest('hex').slice(0, 12);
  return `line-${readable(groupId)}--${readable(edgeNodeId)}-${digest}.db`;
}

/** How older hosts named the file (it could collide); renamed to lineFileName() on first open. */
export function legacyLineFileName(groupId: string, edgeNodeId: string): string {
  const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `line-${fileSafe(groupId)}--${fileSafe(edgeNodeId)}.db`;
}

export interface LineAdmission {
  /** null when the line may appear; otherwise why not (for the host's log). */
  admit(groupId: string, edgeNodeId: string, linesKnown: number): string | null;
}

/**
 * Which edge nodes may become lines on the host: those the host file lists (host.allowedLines,
 * "group/node" or "group/*", and every line under lines:), or, without a list, any — up to
 * host.maxLines either way. Each line costs a database file, a KPI engine and its pages: a
 * publisher inventing node ids must not be able to make the host create them without end.
 */
export function createLineAdmission(options: { allowed: readonly string[]; pinned?: readonly string[]; maxLines: number }): LineAdmission {
  const exact = new Set([...options.allowed.filter((a) => !a.endsWith('/*')), ...(options.pinned ?? [])]);
  const groups = new Set(options.allowed.filter((a) => a.endsWith('/*')).map((a) => a.slice(0, -2)));
  const open = options.allowed.length === 0;
  return {
    admit(groupId, edgeNodeId, linesKnown) {
      const key = `${groupId}/${edgeNodeId}`;
      if (!open && !exact.has(key) && !groups.has(groupId)) return `${key} is not in host.allowedLines of the host file: its messages are ignored (add it there to show it)`;
      if (linesKnown >= options.maxLines) return `the host already shows ${linesKnown} lines (host.maxLines): ${key} is ignored (raise host.maxLines if it belongs)`;
      return null;
    },
  };
}

/** The line's historian file in `dataDir`, taking over a file an older host named the old way. */
export function lineDbFile(dataDir: string, groupId: string, edgeNodeId: string): string {
  const file = join(dataDir, lineFileName(groupId, edgeNodeId));
  const legacy = join(dataDir, legacyLineFileName(groupId, edgeNodeId));
  if (!existsSync(file) && existsSync(legacy)) {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(legacy + suffix)) renameSync(legacy + suffix, file + suffix);
  }
  return file;
}

/** Where the host keeps an edge's audit anchors: `npm run audit -- verify --anchors <file>` on the edge checks its log against them. */
export function edgeAnchorFile(dataDir: string, groupId: string, edgeNodeId: string): string {
  return join(dataDir, lineFileName(groupId, edgeNodeId).replace(/^line-/, 'audit-anchors-').replace(/\.db$/, '.jsonl'));
}

export function keepEdgeAnchor(dataDir: string, groupId: string, edgeNodeId: string, json: string, log: (level: 'warn', message: string) => void): void {
  const file = edgeAnchorFile(dataDir, groupId, edgeNodeId);
  try {
    mkdirSync(dataDir, { recursive: true });
    appendFileSync(file, `${json}\n`, { mode: 0o600 });
  } catch (err) {
    log('warn', `host: cannot keep the audit anchor of ${groupId}/${edgeNodeId} in ${file}: ${(err as Error).message}`);
  }
}
