// window.__twin: a small, stable surface for browser tests and benchmarks, so they click
// where a machine really is on screen instead of guessing pixels.
import type { LineStore } from './live/line-store.js';
import type { LiveConnection, ConnectionState } from './live/live-connection.js';
import type { World } from './world/world.js';

export interface TwinTestHooks {
  /** True once a snapshot has been drawn (or listed, without WebGL). */
  readonly ready: boolean;
  readonly frames: number;
  readonly fps: number;
  readonly webgl: boolean;
  /** Render quality in use: 'high' (shadows, antialiasing) or 'low' (CPU renderers). */
  readonly quality: string;
  readonly connection: ConnectionState;
  readonly selected: string | null;
  readonly activeParts: number;
  readonly drawCalls: number;
  readonly triangles: number;
  /** Mean ms per frame in update / WebGL render / label render over the last second. */
  readonly frameCost: { update: number; render: number; labels: number } | null;
  machineIds(): string[];
  selectMachine(id: string | null): void;
  screenPositionOf(id: string): { x: number; y: number } | null;
  machine(id: string): unknown;
  /** Where the twin places a machine on the floor (metres, from the live plant view it draws), null when unknown. */
  placementOf(id: string): { x: number; z: number; rotationDeg: number } | null;
  /** Current paint of a machine (state or heat-map colour), 0xRRGGBB. */
  accentColour(id: string): number | null;
  /** A glTF machine's load state and a named node's transform (world/components/gltf-machine.ts); null for other machines. */
  modelNode(id: string, node: string): unknown;
  dropConnection(): void;
}

declare global {
  interface Window {
    __twin?: TwinTestHooks;
  }
}

export function installTestHooks(deps: {
  store: LineStore;
  world: World | null;
  live: LiveConnection;
  quality: string;
  select(id: string | null): void;
  selected(): string | null;
  connection(): ConnectionState;
}): void {
  const { store, world } = deps;
  window.__twin = {
    get ready() {
      return store.plant !== null && (world === null || world.frames() > 0);
    },
    get frames() {
      return world?.frames() ?? 0;
    },
    get fps() {
      return world?.fps() ?? 0;
    },
    get webgl() {
      return world !== null;
    },
    quality: deps.quality,
    get connection() {
      return deps.connection();
    },
    get selected() {
      return deps.selected();
    },
    get frameCost() {
      return world?.frameCost() ?? null;
    },
    get triangles() {
      return world?.triangles() ?? 0;
    },
    get drawCalls() {
      return world?.drawCalls() ?? 0;
    },
    get activeParts() {
      return world?.activeParts() ?? 0;
    },
    machineIds: () => world?.machineIds() ?? (store.plant?.machines.map((m) => m.id) ?? []),
    selectMachine: (id) => deps.select(id),
    screenPositionOf: (id) => world?.screenPositionOf(id) ?? null,
    machine: (id) => store.machines.get(id),
    placementOf: (id) => store.plant?.machines.find((m) => m.id === id)?.layout ?? null,
    accentColour: (id) => world?.accentColour(id) ?? null,
    modelNode: (id, node) => world?.modelNode(id, node) ?? null,
    dropConnection: () => deps.live.dropForTest(),
  };
}
