// The twin's calls to /api/orders, /api/products and /api/scrap with the page's session (writes
// carry the CSRF header). Errors come back as the edge's own words, which say what to do next.
import { CSRF_HEADER } from '../../../../shared/auth-api.js';
import type { Order, OrderProgress, StoredScrap } from '../../../../shared/order-api.js';
import type { Product } from '../../../../shared/product-api.js';
import type { RestResult } from '../../live/rest-client.js';

async function request<T>(path: string, body?: unknown): Promise<RestResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  try {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST', signal: controller.signal,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json', [CSRF_HEADER]: '1' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const e = answer as { error?: string; field?: string } | null;
      return { ok: false, error: `${e?.error ?? `${res.status} ${res.statusText}`}` };
    }
    return { ok: true, value: answer as T };
  } catch (err) {
    return { ok: false, error: controller.signal.aborted ? 'timed out' : String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}

const enc = encodeURIComponent;
export interface OrderDetail { order: Order; output: { good: number; quantity: number; progress: number }; scrap: number; line: { oee: number } | null }

export const orderApi = {
  current: () => request<OrderProgress>('api/orders/current'),
  orders: () => request<{ orders: Order[] }>('api/orders?limit=50'),
  order: (id: string) => request<OrderDetail>(`api/orders/${enc(id)}`),
  products: () => request<{ products: Product[] }>('api/products'),
  create: (body: { id: string; productId: string; quantity: number }) => request<Order>('api/orders', body),
  importCsv: (csv: string) => request<{ created: Order[] }>('api/orders/import', { csv }),
  start: (id: string, recipe: 'download' | 'skip') => request<{ order: Order; recipe: { written: unknown[] } }>(`api/orders/${enc(id)}/start`, { recipe }),
  pause: (id: string) => request<Order>(`api/orders/${enc(id)}/pause`, {}),
  complete: (id: string) => request<Order>(`api/orders/${enc(id)}/complete`, {}),
  bookScrap: (body: { machineId: string; quantity: number; reason: string; source: 'operator' | 'quality' }) => request<StoredScrap>('api/scrap', body),
  scrap: () => request<{ bookings: StoredScrap[] }>('api/scrap?limit=10'),
};
