// The header: which line, which shift, how the line is doing, and whether the data is live.
import type { ConnectionState } from '../live/live-connection.js';
import type { LineStore } from '../live/line-store.js';
import type { Session } from '../../../shared/auth-api.js';
import type { ColourMode } from '../world/world.js';
import { getLang, setLang, t, type TextKey } from '../i18n.js';
import { clockTime, percent } from '../format.js';
import { el, setText } from './dom.js';

export interface Header {
  update(store: LineStore, connection: ConnectionState, session: Session | null): void;
  relabel(): void;
}

export function createHeader(root: HTMLElement, onColourMode: (mode: ColourMode) => void, views: { onDashboard?: () => void; onReplay?: () => void } = {}): Header {
  root.replaceChildren();
  const brand = el('div', 'brand');
  const logo = el('span', 'logo', 'twinline');
  const title = el('span', 'app-title');
  brand.append(logo, title);
  const line = el('div', 'line-id');
  const lineName = el('div', 'line-name', '—');
  const site = el('div', 'site-name');
  line.append(lineName, site);

  const kpis = el('div', 'header-kpis');
  const shiftBox = el('div', 'kpi');
  const shiftLabel = el('div', 'kpi-label');
  const shiftValue = el('div', 'kpi-value', '—');
  shiftBox.append(shiftLabel, shiftValue);
  const oeeBox = el('div', 'kpi');
  const oeeLabel = el('div', 'kpi-label');
  const oeeValue = el('div', 'kpi-value', '—');
  oeeValue.dataset.testid = 'line-oee';
  oeeBox.append(oeeLabel, oeeValue);
  const states = el('div', 'kpi state-counts');
  const counts: Record<'running' | 'idle' | 'down' | 'other', HTMLElement> = {
    running: el('span', 'sc sc-running', '0'),
    idle: el('span', 'sc sc-idle', '0'),
    down: el('span', 'sc sc-down', '0'),
    other: el('span', 'sc sc-other', '0'),
  };
  states.append(counts.running, counts.idle, counts.down, counts.other);
  kpis.append(shiftBox, oeeBox, states);

  const tools = el('div', 'tools');
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
  mode.addEventListener('change', () => onColourMode(mode.value as ColourMode));
  modeLabel.append(modeText, mode);
  const lang = el('button', 'lang');
  lang.type = 'button';
  lang.dataset.testid = 'lang-toggle';
  lang.addEventListener('click', () => {
    const next = getLang() === 'en' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem('twinline.lang', next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    setLang(next);
  });
  const conn = el('div', 'conn');
  conn.dataset.testid = 'connection';
  const dot = el('span', 'dot');
  const connText = el('span');
  conn.append(dot, connText);
  const devices = el('div', 'devices');
  devices.dataset.testid = 'device-health';
  const user = el('div', 'user');
  user.dataset.testid = 'user';
  const userName = el('span', 'user-name');
  const logout = el('button', 'logout');
  logout.type = 'button';
  logout.hidden = true;
  logout.addEventListener('click', async () => {
    await fetch('api/logout', { method: 'POST' }).catch(() => undefined);
    location.assign(`login?next=${encodeURIComponent(location.pathname + location.search)}`);
  });
  user.append(userName, logout);
  // Managers' views: the KPI dashboard and the replay of a past window.
  const dashBtn = el('button', 'lang view-toggle');
  dashBtn.type = 'button';
  dashBtn.dataset.testid = 'dashboard-toggle';
  dashBtn.hidden = !views.onDashboard;
  dashBtn.addEventListener('click', () => views.onDashboard?.());
  const replayBtn = el('button', 'lang view-toggle');
  replayBtn.type = 'button';
  replayBtn.dataset.testid = 'replay-toggle';
  replayBtn.hidden = !views.onReplay;
  replayBtn.addEventListener('click', () => views.onReplay?.());
  tools.append(devices, dashBtn, replayBtn, modeLabel, lang, user, conn);
  const deviceChips = new Map<string, HTMLElement>();
  root.append(brand, line, kpis, tools);

  let lastConnection: ConnectionState = 'connecting';
  const relabel = () => {
    setText(title, t('appTitle'));
    setText(shiftLabel, t('shift'));
    setText(oeeLabel, t('lineOee'));
    setText(modeText, t('heatmap'));
    mode.title = t('heatmap');
    mode.setAttribute('aria-label', t('heatmap'));
    modeOptions.forEach(([, key], i) => setText(mode.options[i]!, t(key)));
    setText(lang, t('language'));
    setText(dashBtn, t('dashboard'));
    setText(replayBtn, t('replay'));
    setText(connText, t(lastConnection));
    setText(logout, t('logOut'));
  };
  relabel();

  return {
    relabel,
    update(store, connection, session) {
      lastConnection = connection;
      user.hidden = !session;
      if (session) {
        setText(userName, `${session.user === session.role ? session.user : `${session.user} · ${session.role}`}${session.demo ? ' (demo)' : ''}`);
        logout.hidden = session.via !== 'token';
      }
      // Device health: one chip per PLC connection, red when the edge has lost it.
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
      const first = store.machines.values().next().value;
      const shift = first?.shift;
      setText(shiftValue, shift ? `${shift.name} · ${clockTime(store.serverTs, plant.site.timezone)}` : `${t('noShift')} · ${clockTime(store.serverTs, plant.site.timezone)}`);
      const s = store.lineSummary();
      setText(oeeValue, percent(s.oee));
      setText(counts.running, String(s.running));
      setText(counts.idle, String(s.idle));
      setText(counts.down, String(s.down));
      setText(counts.other, String(s.other));
    },
  };
}
