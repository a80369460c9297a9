// What must hold after every batch of hostile input, whatever the input was: the edge process
// lives, the public health check answers within a second, the heap after a GC has not grown
// past a generous bound, the audit chain verifies, and what is stored still meets its schema.
import type { EdgeProcess } from './edge-process.js';
import { send } from './raw-http.js';

export const HEALTH_DEADLINE_MS = 1000;
/** Heap growth after GC allowed over the whole run: caches and the historian's statement cache warm up, leaks do not stop. */
export const HEAP_GROWTH_BOUND_BYTES = 96 * 1024 * 1024;

export interface InvariantState {
  baselineHeap: number;
}

export async function baseline(edge: EdgeProcess): Promise<InvariantState> {
  return { baselineHeap: (await edge.memory()).heapUsed };
}

/** Problems found (empty when every invariant holds). */
export async function invariantProblems(edge: EdgeProcess, state: InvariantState, o: { stored?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  if (edge.death()) return [edge.death()!];
  let health = await send(edge.url, { method: 'GET', target: '/api/health', headers: {} }, HEALTH_DEADLINE_MS);
  // Nine agents share two cores here: one slow answer is asked again; two in a row is the edge's.
  if (health.kind !== 'answer' || health.status !== 200) health = await send(edge.url, { method: 'GET', target: '/api/health', headers: {} }, HEALTH_DEADLINE_MS);
  if (health.kind !== 'answer' || health.status !== 200) {
    problems.push(`/api/health: ${health.kind === 'answer' ? `status ${health.status}` : health.kind} (deadline ${HEALTH_DEADLINE_MS} ms)`);
  }
  if (edge.death()) return [edge.death()!];
  const mem = await edge.memory();
  const growth = mem.heapUsed - state.baselineHeap;
  if (growth > HEAP_GROWTH_BOUND_BYTES) problems.push(`heap after GC grew by ${(growth / 1048576).toFixed(1)} MB (bound ${HEAP_GROWTH_BOUND_BYTES / 1048576} MB)`);
  const audit = await edge.audit();
  if (!audit.ok) problems.push(`audit chain broken: ${JSON.stringify(audit.firstBroken)}`);
  if (o.stored !== false) problems.push(...(await edge.storedProblems()).map((p) => `stored: ${p}`));
  return problems;
}
