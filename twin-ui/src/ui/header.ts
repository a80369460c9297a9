// The header: which line, how it is doing now, whether the data is live, and who is looking.
// Two rows so it reads at 1280 px: the status row (line · shift, OEE, andon counts · connection,
// language, user) and, when the role has more than one view or the view has tools, a view bar
// (view tabs · dashboard, replay, heat-map).
import type { ConnectionState } from '../live/live-connection.js';
import type { LineStore } from '../live/line-store.js';
import type { Role, Session } from '../../../shared/auth-api.js';
import type { ColourMode } from '../world/world.js';
import { getLang, setLang, t, tState, type TextKey } from '../i18n.js';
import { clockTime, number, percent } from '../format.js';
import { button, el, setText } from './dom.js';
import type { ViewFeatures, ViewName } from './views/role-views.js';
import { lineEnergyPerPart } from './views/line-figures.js';

export interface Header {
  update(store: LineStore, connection: ConnectionState, session: Session | null): void;
  /** Shows the view tabs a role may use and the tools of the current view. */
  setView(view: ViewName, allowed: readonly ViewName[], features: ViewFeatures): void;
  /** Reflects open panels on their buttons (pressed state). */
  setToolState(state: { dashboardOpen: boolean; replayActive: boolean; colourMode: ColourMode }): void;
  relabel(): void;
}

export interface HeaderActions {
  onColourMode(mode: ColourMode): void;
  onDashboard?(): void;
  onReplay?(): void;
  onView?(view: ViewName): void;
  onSwitchUser?(): void;
  onLogout?(): void;
}

const VIEW_LABEL: Record<ViewName, TextKey> = { operator: 'viewOperator', maintenance: 'viewMaintenance', manager: 'viewManager' };
const ROLE_LABEL: Record<Role, TextKey> = { operator: 'roleOperator', maintenance: 'roleMaintenance', manager: 'roleManager', admin: 'roleAdmin' };

export function createHeader(root: HTMLElement, actions: HeaderActions): Header {
  root.replaceChildren();
  const main = el('div', 'header-main');
  const bar = el('div', 'header-views');
  bar.dataset.testid = 'view-bar';

  // Left: the line.
  const brand = el('div', 'brand');
  const logo = el('span', 'logo', 'twinline');
  const title = el('span', 'app-title');
  brand.append(logo, title);
  const line = el('div', 'line-id');
  const lineName = el('div', 'line-name', '—');
  const site = el('div', 'site-name');
  line.append(lineName, site);

  // Middle: how the line is doing now (shift first: tests and people look for it there).
  const kpis = el('div', 'header-kpis');
  const figure = (testid?: string) => {
    const box = el('div', 'kpi');
    const label = el('div', 'kpi-label');
    const value = el('div', 'kpi-value', '—');
    if (testid) value.dataset.testid = testid;
    box.append(label, value);
    return { box, label, value };
  };
  const shift = figure('shift');
  const oee = figure('line-oee');
  const energy = figure('line-energy-per-part');
  energy.box.hidden = true;
  const andon = el('div', 'kpi andon');
  const andonLabel = el('div', 'kpi-label');
  const states = el('div', 'state-counts');
  states.dataset.testid = 'andon-counts';
  const countKeys = ['running', 'idle', 'down', 'other'] as const;
  const counts = Object.fromEntries(countKeys.map((k) => {
    const c = el('span', `sc sc-${k}`, '0');
    c.dataset.state = k;
    return [k, c];
  })) as Record<(typeof countKeys)[number], HTMLElement>;
  states.append(...countKeys.map((k) => counts[k]));
  andon.append(andonLabel, states);
  kpis.append(shift.box, oee.box, energy.box, andon);

  // Right: is it live, which language, who is looking.
  const status = el('div', 'header-status');
  const conn = el('div', 'conn');
  conn.dataset.testid = 'connection';
  const dot = el('span', 'dot');
  const connText = el('span', 'conn-text');
  // Device health: one chip per PLC connection, red when the edge has lost it.
  const devices = el('span', 'devices');
  devices.dataset.testid = 'device-health';
  conn.append(dot, connText, devices);
  const lang = button('lang', 'lang-toggle');
  lang.addEventListener('click', () => {
    const next = getLang() === 'en' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem('twinline.lang', next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    setLang(next);
  });
  const user = el('div', 'user');
  user.dataset.testid = 'user';
  user.hidden = true;
  const userButton = button('user-button', 'user-menu');
  userButton.setAttribute('aria-haspopup', 'menu');
  const userName = el('span', 'user-name');
  const userRole = el('span', 'user-role');
  userButton.append(userName, userRole);
  const menu = el('div', 'user-menu');
  menu.setAttribute('role', 'menu');
  menu.hidden = true;
  const switchUser = button('menu-item', 'switch-user');
  const logout = button('menu-item logout', 'logout');
  menu.append(switchUser, logout);
  user.append(userButton, menu);
  const closeMenu = () => {
    menu.hidden = true;
    userButton.setAttribute('aria-expanded', 'false');
  };
  userButton.addEventListener('click', (e) => {
    e.stopPropagation();
    menu.hidden = !menu.hidden;
    userButton.setAttribute('aria-expanded', String(!menu.hidden));
  });
  document.addEventListener('click', (e) => {
    if (!user.contains(e.target as Node)) closeMenu();
  });
  switchUser.addEventListener('click', () => {
    closeMenu();
    actions.onSwitchUser?.();
  });
  logout.addEventListener('click', () => {
    closeMenu();
    actions.onLogout?.();
  });
  status.append(conn, lang, user);
  main.append(brand, line, kpis, status);

  // View bar: tabs for the views this role may use, then the current view's tools.
  const tabs = el('div', 'view-tabs');
  tabs.setAttribute('role', 'tablist');
  tabs.dataset.testid = 'view-tabs';
  const tabButtons = new Map<ViewName, HTMLButtonElement>();
  for (const v of ['operator', 'maintenance', 'manager'] as const) {
    const b = el('button', 'view-tab');
    b.type = 'button';
    b.setAttribute('role', 'tab');
    b.dataset.view = v;
    b.dataset.testid = `view-${v}`;
    b.hidden = true;
    b.addEventListener('click', () => actions.onView?.(v));
    tabButtons.set(v, b);
    tabs.append(b);
  }
  const tools = el('div', 'tools');
  const dashBtn = button('tool view-toggle', 'dashboard-toggle');
  dashBtn.addEventListener('click', () => actions.onDashboard?.());
  const replayBtn = button('tool view-toggle', 'replay-toggle');
  replayBtn.addEventListener('click', () => actions.onReplay?.());
  const modeLabel = el('label', 'mode');
  const modeText = el('span');
  const mode = el('select');
  mode.dataset.testid = 'colour-mode';
  const modeOptions: [ColourMode, TextKey][] = [['state', 'heatState'], ['oee', 'heatOee'], ['energy', 'heatEnergy']];
  for (const [value] of modeOptions) {
    const o = el('option');
    o.value = value;
    mode.append(o);
  }
  mode.addEventListener('change', () => actions.onColourMode(mode.value as ColourMode));
  modeLabel.append(modeText, mode);
  tools.append(dashBtn, replayBtn, modeLabel);
  bar.append(tabs, tools);
  root.append(main, bar);

  const deviceChips = new Map<string, HTMLElement>();
  let lastConnection: ConnectionState = 'connecting';
  let lastSession: Session | null = null;
  let currentView: ViewName | null = null;

  const relabelUser = () => {
    const s = lastSession;
    if (!s) return;
    // The demo accounts are named after their role: say the role once.
    setText(userName, s.user);
    const parts = [...(s.user === s.role ? [] : [t(ROLE_LABEL[s.role])]), ...(s.demo ? [t('demoSuffix')] : [])];
    setText(userRole, parts.join(' · '));
    userRole.hidden = parts.length === 0;
    // Role in English too (machine-readable for tests and screen readers in either language).
    user.dataset.role = s.role;
    user.title = `${s.user} · ${s.role}${s.demo ? ' (demo)' : ''}`;
    // A token session can end; the demo auto-login has nothing to log out of, only someone to switch to.
    logout.hidden = s.via !== 'token';
  };

  const relabel = () => {
    setText(title, t('appTitle'));
    setText(shift.label, t('shift'));
    setText(oee.label, t('lineOee'));
    setText(energy.label, t('lineEnergyPerPart'));
    setText(andonLabel, t('andon'));
    counts.running.title = tState('running');
    counts.idle.title = tState('idle');
    counts.down.title = tState('down');
    counts.other.title = `${tState('setup')} / ${tState('planned-stop')} / ${tState('no-data')}`;
    setText(modeText, t('heatmap'));
    mode.title = t('heatmap');
    mode.setAttribute('aria-label', t('heatmap'));
    modeOptions.forEach(([, key], i) => setText(mode.options[i]!, t(key)));
    setText(lang, t('language'));
    setText(dashBtn, t('dashboard'));
    setText(replayBtn, t('replay'));
    setText(connText, t(lastConnection));
    setText(switchUser, lastSession?.via === 'token' ? t('switchUser') : t('logIn'));
    setText(logout, t('logOut'));
    tabs.setAttribute('aria-label', t('views'));
    for (const [v, b] of tabButtons) setText(b, t(VIEW_LABEL[v]));
    relabelUser();
  };
  relabel();

  return {
    relabel,
    setView(view, allowed, features) {
      currentView = view;
      root.dataset.view = view;
      for (const [v, b] of tabButtons) {
        b.hidden = !allowed.includes(v);
        b.setAttribute('aria-selected', String(v === view));
        b.classList.toggle('active', v === view);
      }
      // A single view needs no tabs; tabs.hidden keeps their slot from taking room.
      tabs.hidden = allowed.length < 2;
      dashBtn.hidden = !features.dashboard || !actions.onDashboard;
      replayBtn.hidden = !features.replay || !actions.onReplay;
      modeLabel.hidden = !features.heatmap;
      energy.box.hidden = !features.energyPerPart;
      bar.hidden = tabs.hidden && dashBtn.hidden && replayBtn.hidden && modeLabel.hidden;
    },
    setToolState(state) {
      dashBtn.setAttribute('aria-pressed', String(state.dashboardOpen));
      replayBtn.setAttribute('aria-pressed', String(state.replayActive));
      if (mode.value !== state.colourMode) mode.value = state.colourMode;
    },
    update(store, connection, session) {
      lastConnection = connection;
      if (session !== lastSession) {
        lastSession = session;
        user.hidden = !session;
        setText(switchUser, session?.via === 'token' ? t('switchUser') : t('logIn'));
        relabelUser();
      }
      for (const d of store.devices.values()) {
        let chip = deviceChips.get(d.deviceId);
        if (!chip) {
          chip = el('span', 'device-chip');
          chip.dataset.deviceId = d.deviceId;
          chip.append(el('i', 'dot'), el('span', 'device-name', d.deviceId));
          deviceChips.set(d.deviceId, chip);
          devices.append(chip);
        }
        const ok = d.connected && connection === 'connected';
        chip.dataset.ok = String(ok);
        chip.title = `${d.deviceId} (${d.protocol}): ${d.connected ? t('connectedYes') : t('connectedNo')}` +
          `${d.latencyMs !== null ? ` · ${Math.round(d.latencyMs)} ms` : ''} · ${d.readsPerSecond.toFixed(1)} ${t('readsPerSecond')} · ${t('reconnects')} ${d.reconnects}` +
          `${d.lastError ? ` · ${d.lastError}` : ''}`;
      }
      conn.dataset.state = connection;
      setText(connText, t(connection));
      const plant = store.plant;
      if (!plant) return;
      setText(lineName, plant.line.name);
      setText(site, plant.site.name);
      const current = store.shift();
      const clock = clockTime(store.serverTs, plant.site.timezone);
      setText(shift.value, current ? `${current.name} · ${clock}` : `${t('noShift')} · ${clock}`);
      const s = store.lineSummary();
      setText(oee.value, percent(s.oee));
      if (currentView && !energy.box.hidden) {
        const perPart = lineEnergyPerPart(plant.machines.flatMap((m) => store.machines.get(m.id) ?? []));
        setText(energy.value, perPart === null ? '—' : number(perPart, 3));
      }
      setText(counts.running, String(s.running));
      setText(counts.idle, String(s.idle));
      setText(counts.down, String(s.down));
      setText(counts.other, String(s.other));
      states.dataset.down = String(s.down);
    },
  };
}
