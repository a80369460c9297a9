// Reads the KPI REST API (shared/kpi-api.ts) with the page's session. Errors come back as
// text for the dashboard ("KPIs unavailable: …"), never as exceptions that break the twin.
import type {
  ClosedShiftsAnswer, LineClosedShiftsAnswer, LineKpiAnswer, MachineKpiAnswer, MachinesKpiAnswer,
} from '../../../../shared/kpi-api.js';
import { getJson, type RestResult } from '../../live/rest-client.js';

export type KpiResult<T> = RestResult<T>;

export const fetchMachinesKpi = () => getJson<MachinesKpiAnswer>('api/kpi/machines');
export const fetchMachineKpi = (id: string) => getJson<MachineKpiAnswer>(`api/kpi/machines/${encodeURIComponent(id)}`);
export const fetchMachineShifts = (id: string) => getJson<ClosedShiftsAnswer>(`api/kpi/machines/${encodeURIComponent(id)}/shifts?limit=20`);
export const fetchLineKpi = () => getJson<LineKpiAnswer>('api/kpi/line');
export const fetchLineShifts = () => getJson<LineClosedShiftsAnswer>('api/kpi/line/shifts?limit=20');
