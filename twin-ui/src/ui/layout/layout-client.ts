// The layout routes (/api/layout…) with the page's session. Refusals come back with the edge's
// message and the field it names, for the editor to show at that field. Writes carry CSRF_HEADER:
// the session cookie counts for them only with it (edge/api/auth-guard.ts).
import { CSRF_HEADER } from '../../../../shared/auth-api.js';
import type { LayoutAnswer, LayoutSaveBody } from '../../../../shared/layout-api.js';

export interface BrowsedVariable { nodeId: string; path: string; suggestedName: string; dataType: string | null; type: string | null; unit: string | null }

export type Answer<T> = { ok: true; value: T } | { ok: false; error: string; field?: string };

async function call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  try {
    const res = await fetch(path, {
      method, headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json', [CSRF_HEADER]: '1' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => null)) as (T & { error?: string; field?: string; message?: string }) | null;
    if (!res.ok) return { ok: false, error: `${res.status} ${json?.message ?? json?.error ?? res.statusText}`, ...(json?.field ? { field: json.field } : {}) };
    return { ok: true, value: json as T };
  } catch (err) {
    return { ok: false, error: String((err as Error).message ?? err) };
  }
}

export const layoutApi = {
  read: () => call<LayoutAnswer>('GET', 'api/layout'),
  save: (body: LayoutSaveBody) => call<{ hash: string; reload: { result: string; summary: string; error?: string }; changed: string[] }>('PUT', 'api/layout', body),
  browse: (device: string) => call<{ variables: BrowsedVariable[] }>('GET', `api/layout/devices/${encodeURIComponent(device)}/browse`),
  addMachine: (baseHash: string, machine: Record<string, unknown>, device?: Record<string, unknown>) => call<{ hash: string; reload: { result: string; summary: string } }>('POST', 'api/layout/machines', { baseHash, machine, ...(device ? { device } : {}) }),
  /** A device not in the plant file yet: browsed / test-read by its entry. */
  browseNew: (device: Record<string, unknown>) => call<{ variables: BrowsedVariable[] }>('POST', 'api/layout/new-device/browse', { device }),
  testReadNew: (device: Record<string, unknown>, tags: unknown[]) => call<{ values: { name: string; value?: number | boolean | string; error?: string }[] }>('POST', 'api/layout/new-device/test-read', { device, tags }),
  testRead: (device: string, tags: unknown[]) => call<{ values: { name: string; value?: number | boolean | string; error?: string }[] }>('POST', `api/layout/devices/${encodeURIComponent(device)}/test-read`, { tags }),
  uploadFloorPlan: (name: string, dataBase64: string) => call<{ image: string; widthPx: number; heightPx: number }>('PUT', 'api/layout/floor-plan', { name, dataBase64 }),
};
