// Composition root of the twin: store ← live connection; store → world, header, inspector.
import type { MachineLive } from '../../shared/live-protocol.js';
import type { Session } from '../../shared/auth-api.js';
import { LineStore } from './live/line-store.js';
import { connectLive, type ConnectionState, type LiveConnection } from './live/live-connection.js';
import { World, type ColourMode } from './world/world.js';
import { probeWebgl, HIGH_QUALITY, LOW_QUALITY } from './world/systems/renderer.js';
import { createHeader } from './ui/header.js';
import { createInspector } from './ui/inspector.js';
import { updateBanner } from './ui/banner.js';
import { createPlantFileBanner } from './ui/plant-file-banner.js';
import { renderLegend } from './ui/legend.js';
import { el } from './ui/dom.js';
import { initialLang, onLangChange, setLang, t, tState } from './i18n.js';
import { percent, number } from './format.js';
import { installTestHooks } from './test-hooks.js';
import { createDashboard } from './ui/dashboard/dashboard.js';
import { createReplayMode } from './replay/replay-mode.js';
import { createAlarmPanel } from './ui/alarms/alarm-panel.js';
import { createEnergyCentre } from './ui/energy/energy-centre.js';
import { startUtilitiesFeed } from './ui/energy/utilities-feed.js';
import { createEnvironmentPanel } from './ui/environment/environment-panel.js';
import { createLoginForm } from './ui/login-form.js';
import { resolveView, viewsFor, VIEW_FEATURES, type ViewName } from './ui/views/role-views.js';
import { createStopPanel } from './ui/stops/stop-panel.js';
import { createHandoverPanel } from './ui/handover/handover-panel.js';
import { createOrderPanel } from './ui/orders/order-panel.js';
import { createLayoutEditor } from './ui/layout/layout-editor.js';
import { createFloorLayer } from './ui/layout/floor-layer.js';
import { countingModeOf } from '../../shared/count-roles.js';

function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`twin-ui: #${id} missing from index.html`);
  return e;
}

const params = new URLSearchParams(location.search);
let storedLang: string | null = null;
try {
  storedLang = params.get('lang') ?? localStorage.getItem('twinline.lang');
} catch {
  storedLang = params.get('lang');
}
setLang(initialLang(storedLang, navigator.language));
document.documentElement.lang = initialLang(storedLang, navigator.language);

const store = new LineStore();
let connection: ConnectionState = 'connecting';
let problem: string | null = null;
let colourMode: ColourMode = 'state';
let loginNeeded: string | null = null;
let session: Session | null = null;
// The view for the session's role (operator, maintenance, manager); see ui/views/role-views.ts.
// The plainest view until the edge says who we are (it sends the session before the snapshot).
let view: ViewName = 'operator';

const viewport = byId('viewport');
const bannerEl = byId('banner');
const plantFileBanner = createPlantFileBanner(bannerEl);
const legendEl = byId('legend');
const webgl = probeWebgl();
const hasWebgl = webgl.available && params.get('webgl') !== 'off';
// ?quality=high|low overrides the guess (screenshots want shadows even on a CPU renderer).
const quality = (params.get('quality') ?? (webgl.software ? 'low' : 'high')) === 'low' ? LOW_QUALITY : HIGH_QUALITY;

const select = (id: string | null) => {
  inspector.show(id);
  byId('stage').classList.toggle('inspecting', id !== null);
  world?.select(id);
  inspector.update({ store, offline: connection !== 'connected' });
};

const world: World | null = hasWebgl
  ? new World(viewport, { quality, instancing: params.get('instancing') !== 'off', onSelect: select })
  : null;
const inspector = createInspector(byId('inspector'), () => select(null), { enabled: () => VIEW_FEATURES[view].commands, command: (request) => live.command(request) });
const header = createHeader(byId('header'), {
  onColourMode: (mode) => setColourMode(mode),
  onDashboard: () => toggleDashboard(),
  onReplay: () => toggleReplay(),
  onView: (v) => chooseView(v),
  onSwitchUser: () => loginForm.open({ cancellable: true }),
  onLogout: () => void logOut(),
});
function setColourMode(mode: ColourMode): void {
  colourMode = mode;
  world?.setColourMode(mode);
  renderLegend(legendEl, mode);
  refreshAllMachines();
  syncToolState();
}
// A login sets the edge's HttpOnly session cookie; the Socket.IO handshake and REST reads
// present it, so reloading reconnects as the new user (and clears the old user's screen).
const loginForm = createLoginForm(byId('stage'), () => location.reload());
async function logOut(): Promise<void> {
  await fetch('api/logout', { method: 'POST' }).catch(() => undefined);
  // In demo mode the reload lands on the operator auto-login; otherwise on the login form.
  location.reload();
}
if (!hasWebgl) {
  problem = t('noWebgl');
  viewport.classList.add('no-webgl');
}

const dashboard = createDashboard(byId('stage'), {
  machineIds: () => store.plant?.machines.map((m) => m.id) ?? [],
  machineName: (id) => store.machineConfig(id)?.name ?? id,
  timezone: () => store.plant?.site.timezone ?? 'UTC',
  onClose: () => toggleDashboard(),
});
const replay = createReplayMode(byId('stage'), {
  machineIds: () => store.plant?.machines.map((m) => m.id) ?? [],
  now: () => store.serverTs || Date.now(),
  timezone: () => store.plant?.site.timezone ?? 'UTC',
  shiftStart: (id) => store.machines.get(id)?.shift?.start ?? null,
  releaseParts: (id, parts) => world?.releaseParts(id, parts),
  onChange: () => {
    refreshAllMachines();
    inspector.update({ store, offline: connection !== 'connected' });
  },
});
inspector.followReplay(replay);
// Alarm summary (ui/alarms/): live from the socket's alarm events, first filled over REST.
const alarmPanel = createAlarmPanel(byId('stage'), {
  machineName: (id) => store.machineConfig(id)?.name ?? id,
  machineType: (id) => store.machineConfig(id)?.type ?? null,
  tagUnit: (id, tag) => store.machineConfig(id)?.tags.find((x) => x.name === tag)?.unit ?? '',
  timezone: () => store.plant?.site.timezone ?? 'UTC',
  role: () => session?.role ?? null,
  command: (request) => live.command(request),
  onSelectMachine: (id) => select(id),
  screenPositionOf: world ? (id) => world.screenPositionOf(id) : undefined,
});
void alarmPanel.reload();
// The energy centre (ui/energy/): its button shows for managers and up.
const energyCentre = createEnergyCentre(byId('stage'), { timezone: () => store.plant?.site.timezone ?? 'UTC', role: () => session?.role ?? null, machines: () => store.plant?.machines.map((m) => ({ id: m.id, name: m.name, type: m.type })) ?? [] });
const utilitiesFeed = world ? startUtilitiesFeed((meters) => world.applyUtilities(meters)) : null;
// Environment view (ui/environment/): emissions and HJ 212 reporting, for maintenance and managers.
const environmentPanel = createEnvironmentPanel(byId('stage'), { role: () => session?.role ?? null, timezone: () => store.plant?.site.timezone ?? 'UTC', now: () => store.serverTs || Date.now() });
// The operator's stops with the reason prompt, and the shift handover (ui/stops/, ui/handover/): one sheet at a time.
const stopPanel = createStopPanel(byId('stage'), {
  machines: () => store.plant?.machines.map((m) => ({ id: m.id, name: m.name })) ?? [],
  timezone: () => store.plant?.site.timezone ?? 'UTC',
  loggedIn: () => loginNeeded === null,
  now: () => store.serverTs || Date.now(),
  onOpen: () => { handoverPanel.toggle(false); orderPanel.toggle(false); },
});
const handoverPanel = createHandoverPanel(byId('stage'), {
  timezone: () => store.plant?.site.timezone ?? 'UTC',
  machineName: (id) => store.machineConfig(id)?.name ?? id,
  onOpen: () => { stopPanel.toggle(false); orderPanel.toggle(false); },
});
// Work orders and scrap booking (ui/orders/): the same dock, one sheet at a time.
const orderPanel = createOrderPanel(byId('stage'), {
  machines: () => store.plant?.machines.map((m) => ({ id: m.id, name: m.name, counting: countingModeOf(m) })) ?? [],
  role: () => session?.role ?? null,
  onOpen: () => { stopPanel.toggle(false); handoverPanel.toggle(false); },
});
// Layout mode (ui/layout/): admins place machines, areas, conveyors and the floor plan; saved into the plant file.
const layoutEditor = createLayoutEditor(byId('stage'), { role: () => session?.role ?? null });
/** The plant file's floor (layout: section) on the 3D ground, rebuilt only when it changed. */
let floorKey = '';
function applyFloorLayout(): void {
  const plant = store.plant;
  const key = JSON.stringify([plant?.layout ?? null, plant?.machines.map((m) => m.layout) ?? []]);
  if (!world || !plant || key === floorKey) return;
  floorKey = key;
  world.setGroundLayer(plant.layout ? createFloorLayer(plant.layout, plant.machines, () => world.invalidate()) : null);
}
function toggleDashboard(): void {
  if (dashboard.isOpen) dashboard.close();
  // The button is hidden below the manager's view; this guard keeps every other path closed too.
  else if (VIEW_FEATURES[view].dashboard) dashboard.open();
  byId('stage').classList.toggle('dashboard-open', dashboard.isOpen);
  syncToolState();
}
function toggleReplay(): void {
  if (replay.active) replay.leave();
  else if (VIEW_FEATURES[view].replay) replay.enter();
  syncToolState();
}
function syncToolState(): void {
  header.setToolState({ dashboardOpen: dashboard.isOpen, replayActive: replay.active, colourMode });
}

function viewKey(): string {
  return `twinline.view.${session?.user ?? ''}`;
}
/** The user picked a view: remembered per user on this browser (a wall screen keeps its view). */
function chooseView(requested: ViewName): void {
  try {
    localStorage.setItem(viewKey(), requested);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyView(resolveView(session?.role ?? null, requested));
}
function storedView(): string | null {
  try {
    return params.get('view') ?? localStorage.getItem(viewKey());
  } catch {
    return params.get('view');
  }
}
/** Arranges the screen for a view: what it may not show is closed, what it shows first is opened. */
function applyView(next: ViewName): void {
  const entering = next !== view || !document.getElementById('app')!.dataset.view;
  view = next;
  const features = VIEW_FEATURES[view];
  // Logged out, the alarm list could only say "401": the dialog is the one thing to show.
  alarmPanel.setVisible(features.alarms && loginNeeded === null);
  energyCentre.refreshAccess();
  byId('app').dataset.view = view;
  header.setView(view, session ? viewsFor(session.role) : [view], features);
  if (!features.dashboard && dashboard.isOpen) toggleDashboard();
  if (!features.replay && replay.active) replay.leave();
  if (!features.heatmap && colourMode !== 'state') setColourMode('state');
  if (entering && features.dashboardFirst && !dashboard.isOpen) toggleDashboard();
  syncToolState();
}

/** Heat value in [0,1], 1 = good; energy per part is ranked against the line's spread. */
function heatOf(live: MachineLive, energyRange: { min: number; max: number }): number | null {
  if (colourMode === 'oee') return Number.isFinite(live.oee.oee) ? live.oee.oee : null;
  if (colourMode === 'energy') {
    if (live.counts.good <= 0) return null;
    const e = live.energyKWh / live.counts.good;
    const span = energyRange.max - energyRange.min;
    return span > 0 ? 1 - (e - energyRange.min) / span : 1;
  }
  return null;
}

function energyRange(): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const m of store.machines.values()) {
    if (m.counts.good <= 0) continue;
    const e = m.energyKWh / m.counts.good;
    if (e < min) min = e;
    if (e > max) max = e;
  }
  return { min, max };
}

function isStale(live: MachineLive): boolean {
  if (connection !== 'connected') return true;
  const config = store.machineConfig(live.machineId);
  const device = config ? store.devices.get(config.device) : undefined;
  return live.state === 'no-data' || (device ? !device.connected : false);
}

function refreshMachine(current: MachineLive, range: { min: number; max: number }): void {
  const config = store.machineConfig(current.machineId);
  if (!config || !world) return;
  // In replay the world shows the historian's state at the replayed moment, not the live one.
  const live = replay.view(current);
  // Live OEE next to a replayed state would mislead: in replay the label says since when.
  const figure = replay.active
    ? replay.figure(live)
    : colourMode === 'energy'
      ? live.counts.good > 0 ? `${number(live.energyKWh / live.counts.good, 3)} kWh/pc` : '— kWh/pc'
      : `OEE ${percent(live.oee.oee)}`;
  world.applyMachine(live, !replay.active && isStale(live), heatOf(live, range), { name: config.name, figure, state: tState(live.state) });
}

function refreshAllMachines(): void {
  const range = energyRange();
  for (const live of store.machines.values()) refreshMachine(live, range);
}

function refreshPanels(): void {
  header.update(store, connection, session);
  syncToolState(); // replay and dashboard can also be left from their own bars
  inspector.update({ store, offline: connection !== 'connected' });
  updateBanner(bannerEl, { connection, hasData: store.plant !== null, problem, login: loginNeeded, notice: session?.demo?.notice ?? null });
}

store.subscribe((change) => {
  if (change.kind === 'snapshot' && store.plant) {
    // Data but no session: a server without logins (the test fixture); see resolveView.
    if (!session && loginNeeded === null) applyView(resolveView(null, null));
    world?.init(store.plant);
    applyFloorLayout();
    layoutEditor.showEmptyFloor(store.plant.machines.length === 0);
    layoutEditor.plantUpdated();
    if (!world) renderMachineList();
    refreshAllMachines();
  } else {
    const range = colourMode === 'energy' ? energyRange() : { min: 0, max: 0 };
    for (const id of change.machineIds) {
      const live = store.machines.get(id);
      if (live) refreshMachine(live, range);
    }
    if (change.devicesChanged) refreshAllMachines();
    if (!replay.active) for (const step of change.countSteps) world?.releaseParts(step.machineId, step.parts);
  }
  refreshPanels();
});

/** Without WebGL the line is still inspectable from a plain list. */
function renderMachineList(): void {
  const list = el('div', 'machine-list');
  for (const m of store.plant?.machines ?? []) {
    const b = el('button', 'machine-button', m.name);
    b.type = 'button';
    b.dataset.machineId = m.id;
    b.addEventListener('click', () => select(m.id));
    list.append(b);
  }
  viewport.replaceChildren(list);
}

onLangChange(() => {
  document.documentElement.lang = initialLang(localStorageLang(), navigator.language);
  header.relabel();
  loginForm.relabel();
  dashboard.relabel();
  replay.relabel();
  alarmPanel.relabel();
  stopPanel.relabel();
  handoverPanel.relabel();
  orderPanel.relabel();
  plantFileBanner.relabel();
  renderLegend(legendEl, colourMode);
  inspector.relabel({ store, offline: connection !== 'connected' });
  refreshAllMachines();
  refreshPanels();
});
function localStorageLang(): string | null {
  try {
    return localStorage.getItem('twinline.lang');
  } catch {
    return null;
  }
}

renderLegend(legendEl, colourMode);
applyView(view);
refreshPanels();

const live: LiveConnection = connectLive(params.get('edge') ?? undefined, {
  snapshot: (s) => store.applySnapshot(s),
  delta: (d) => store.applyDelta(d),
  alarm: (e) => alarmPanel.applyEvent(e),
  alarms: (l) => alarmPanel.applyList(l),
  order: (p) => orderPanel.progress(p),
  plantFile: (s) => plantFileBanner.update(s),
  energy: (m) => {
    energyCentre.applyLive(m);
    utilitiesFeed?.applyLive(m);
  },
  connection: (state) => {
    connection = state;
    refreshAllMachines();
    refreshPanels();
  },
  protocolError: (message) => {
    problem = `${t('protocolError')}: ${message}`;
    refreshPanels();
  },
  session: (s) => {
    const before = session;
    session = s;
    alarmPanel.refresh();
    environmentPanel.update();
    layoutEditor.refreshAccess();
    loginForm.setDemoAccounts(s.demo?.accounts ?? []);
    if (before?.user !== s.user || before?.role !== s.role) applyView(resolveView(s.role, storedView()));
    refreshPanels();
  },
  authRequired: (message) => {
    loginNeeded = message;
    // The banner says why; the dialog repeats it only when a session has just ended (expired, disabled).
    loginForm.open({ cancellable: false, reason: session ? message : null });
    session = null;
    applyView('operator');
    connection = 'reconnecting';
    refreshAllMachines();
    refreshPanels();
  },
});

// Ages ("since 3 min") and the clock move even when no message arrives.
setInterval(() => refreshPanels(), 1000);

world?.start();
installTestHooks({ store, world, live, quality: quality === LOW_QUALITY ? 'low' : 'high', select, selected: () => inspector.selected(), connection: () => connection });
