// Reads the KPI REST API (shared/kpi-api.ts) with the page's session. Errors come back as
// text for the dashboard ("KPIs unavailable: …"), never as exceptions that break the twin.
import type {
  ClosedShiftsAnswer, LineClosedShiftsAnswer, LineKpiAnswer, MachineKpiAnswer, MachinesKpiAnswer,
} from '../../../../shared/kpi-api.js';

export type KpiResult<T> = { ok: true; value: T } | { ok: false; error: string };

async function getJson<T>(path: string, timeoutMs = 15_000): Promise<KpiResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(path, { signal: controller.signal, headers: { accept: 'application/json' } });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: string } | null;
      return { ok: false, error: `${res.status} ${body?.error ?? res.statusText}` };
    }
    return { ok: true, value: (await res.json()) as T };
  } catch (err) {
    return { ok: false, error: controller.signal.aborted ? 'timed out' : String((err as Error).message ?? err) };
  } finally {
    clearTimeout(timer);
  }
}

export const fetchMachinesKpi = () => getJson<MachinesKpiAnswer>('api/kpi/machines');
export const fetchMachineKpi = (id: string) => getJson<MachineKpiAnswer>(`api/kpi/machines/${encodeURIComponent(id)}`);
export const fetchMachineShifts = (id: string) => getJson<ClosedShiftsAnswer>(`api/kpi/machines/${encodeURIComponent(id)}/shifts?limit=20`);
export const fetchLineKpi = () => getJson<LineKpiAnswer>('api/kpi/line');
export const fetchLineShifts = () => getJson<LineClosedShiftsAnswer>('api/kpi/line/shifts?limit=20');
