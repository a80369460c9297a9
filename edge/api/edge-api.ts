// The edge's REST API: one plugin per area, each declaring its routes with their schemas, access
// and description (api-route.ts). The composition root calls this once; a new area is a new
// plugin in this list.
import type { FastifyInstance } from 'fastify';
import type { PlantConfig } from '../../shared/plant-schema.js';
import type { MachineLive } from '../../shared/live-protocol.js';
import type { PeriodTotals } from '../../shared/kpi/index.js';
import type { AlarmService } from '../alarms/index.js';
import type { AuditLog } from '../audit/index.js';
import type { AuthService } from '../auth/index.js';
import type { ServiceCases } from '../service/index.js';
import type { CommandService } from '../commands/index.js';
import type { LiveKpiEngine } from '../kpi/index.js';
import type { HistoryQueries } from '../store/index.js';
import { inlineReads, type Reads } from '../store/index.js';
import { alarmRoutes } from './alarm-routes.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { commandRoutes } from './command-routes.js';
import { docsRoutes } from './docs-routes.js';
import { historyRoutes } from './history-routes.js';
import { kpiRoutes, type StoredShift } from './kpi-routes.js';
import { machineRoutes } from './machine-routes.js';
import { modelRoutes } from './model-routes.js';
import { statusRoutes, type StatusRoutesOptions } from './status-routes.js';

export interface EdgeApiOptions {
  plant: PlantConfig;
  auth: AuthService;
  audit: AuditLog;
  commands: CommandService;
  alarms: AlarmService;
  cases: ServiceCases;
  kpi: Pick<LiveKpiEngine, 'details' | 'line' | 'shift' | 'closedShifts' | 'period'>;
  history: HistoryQueries;
  /** Where heavy history, KPI-history and alarm-statistics reads run (the read worker); default: this thread. */
  reads?: Reads;
  machines: () => MachineLive[];
  status: StatusRoutesOptions['status'];
  now: () => number;
  /** The plant's models folder for /api/models/ (null: none). */
  modelsDir?: string | null;
}

/** Closed shifts as the historian stores them, for the KPI routes. */
export const storedShiftsOf = (history: HistoryQueries) => (machineId: string, from: number, to: number): StoredShift[] =>
  history.kpiPeriods(machineId, from, to).map((p) => ({ shift: { name: p.name, date: p.date, start: p.startTs, end: p.endTs }, totals: p.totals as PeriodTotals }));

/** The same, read where `reads` runs its queries. */
export const storedShiftsRead = (reads: Reads) => async (machineId: string, from: number, to: number): Promise<StoredShift[]> =>
  (await reads.run('kpiPeriods', machineId, from, to, -1)).map((p) => ({ shift: { name: p.name, date: p.date, start: p.startTs, end: p.endTs }, totals: p.totals as PeriodTotals }));

export async function registerEdgeApi(app: FastifyInstance, o: EdgeApiOptions): Promise<void> {
  const { plant, auth, audit, commands, now } = o;
  const machineIds = plant.machines.map((m) => m.id);
  const reads = o.reads ?? inlineReads({ queries: o.history, alarms: () => o.alarms.store });
  await app.register(statusRoutes, { status: o.status, auth });
  await app.register(authRoutes, { auth, now });
  await app.register(machineRoutes, { machines: o.machines });
  await app.register(historyRoutes, { queries: o.history, reads, machineIds, now });
  await app.register(kpiRoutes, { plant, kpi: o.kpi, now, storedShifts: storedShiftsRead(reads) });
  await app.register(alarmRoutes, { alarms: o.alarms, cases: o.cases, audit, commands, machineIds, now, reads });
  await app.register(commandRoutes, { auth, commands });
  await app.register(auditRoutes, { audit });
  await app.register(modelRoutes, { modelsDir: o.modelsDir ?? null });
  await app.register(docsRoutes, {
    info: {
      title: 'twinline edge', version: '0.1.0',
      description: `REST API of the twinline edge for ${plant.line.name}. Every route but /api/health, /api/login and /api/logout needs a session (POST /api/login).`,
    },
  });
}
