// What a role may do with a service case in the twin, mirroring the edge's routes
// (edge/api/alarm-routes.ts): notes from an operator up, assign and close from maintenance
// up, and a closed case takes notes only. Pure; the edge still decides.
import type { CaseStatus } from '../../../../shared/alarm-service-cases.js';
import { hasRole, type Role } from '../../../../shared/auth-api.js';

export interface CaseActions {
  assign: boolean;
  note: boolean;
  close: boolean;
}

export function caseActions(status: CaseStatus, role: Role | null): CaseActions {
  const op = role !== null && hasRole(role, 'operator');
  const mt = role !== null && hasRole(role, 'maintenance');
  const open = status !== 'closed';
  return { assign: mt && open, note: op, close: mt && open };
}
