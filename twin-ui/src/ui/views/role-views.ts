// Which view of the twin each role gets, and what each view shows. Pure: main.ts applies it.
// The views only arrange the screen for a job; the edge enforces who may do what (a view
// the UI hides is still refused by the server if its API needs a higher role).
import { hasRole, type Role } from '../../../../shared/auth-api.js';

/** Ordered from the floor up: a role may use its own view and every view before it. */
export const VIEWS = ['operator', 'maintenance', 'manager'] as const;
export type ViewName = (typeof VIEWS)[number];

/** The lowest role that may use each view. */
export const VIEW_MINIMUM_ROLE: Record<ViewName, Role> = {
  operator: 'operator',
  maintenance: 'maintenance',
  manager: 'manager',
};

export interface ViewFeatures {
  /** Inspector depth: 'compact' = state, reason, OEE, counts, timeline; 'full' adds live tags, trends, identification, device health. */
  inspector: 'compact' | 'full';
  /** The KPI dashboard (managers' figures) may be opened. */
  dashboard: boolean;
  /** The dashboard opens by itself when the view is entered ("KPI dashboard first"). */
  dashboardFirst: boolean;
  /** Replay of a past window from the historian. */
  replay: boolean;
  /** Heat-map colour modes (OEE, energy per part); without it machines are coloured by state. */
  heatmap: boolean;
  /** The alarm panel (when the twin has one) is shown. */
  alarms: boolean;
  /** Line energy per good part in the header. */
  energyPerPart: boolean;
  /** Machine commands (reset fault, speed override) in the inspector; the edge still checks the role. */
  commands: boolean;
}

export const VIEW_FEATURES: Record<ViewName, ViewFeatures> = {
  // A glance across the workshop: the line, its andon, what is wrong now. Nothing to configure.
  operator: { inspector: 'compact', dashboard: false, dashboardFirst: false, replay: false, heatmap: false, alarms: true, energyPerPart: false, commands: false },
  // Remote diagnosis: every tag, trends, device health, the timeline, and replay of what led to a fault.
  maintenance: { inspector: 'full', dashboard: false, dashboardFirst: false, replay: true, heatmap: true, alarms: true, energyPerPart: false, commands: true },
  // The morning meeting: KPIs first, the line coloured by OEE or energy, replay for questions.
  manager: { inspector: 'full', dashboard: true, dashboardFirst: true, replay: true, heatmap: true, alarms: false, energyPerPart: true, commands: true },
};

/** The views a role may switch to, lowest first. */
export function viewsFor(role: Role): ViewName[] {
  return VIEWS.filter((v) => hasRole(role, VIEW_MINIMUM_ROLE[v]));
}

/** The view a role lands in: the highest it may use (an admin gets the manager's view). */
export function defaultView(role: Role): ViewName {
  const allowed = viewsFor(role);
  return allowed[allowed.length - 1]!;
}

/**
 * The view to show: the one asked for if the role may use it, else the role's default.
 * Without a session (a server that does not send one, e.g. the test fixture) the diagnosis
 * view is shown: nothing there needs more than the read access such a server gives anyone.
 */
export function resolveView(role: Role | null, requested: string | null): ViewName {
  if (role === null) return 'maintenance';
  const allowed = viewsFor(role);
  return allowed.find((v) => v === requested) ?? defaultView(role);
}
