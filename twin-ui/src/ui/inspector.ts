// The side panel for the selected machine: who it is, what it is doing, how well, and every
// live tag with unit and quality. Built once per selection, then only text is updated.
import type { DeviceHealth, MachineLive } from '../../../shared/live-protocol.js';
import type { LineStore, PlantMachine } from '../live/line-store.js';
import { t, tState, tType, type TextKey } from '../i18n.js';
import { age, clockTime, duration, number, percent, tagValue } from '../format.js';
import { fetchStates, fetchTrend, trendPoints } from '../live/history-client.js';
import { createTrendChart, type TrendChart } from './trend-chart.js';
import { createStateTimeline, type StateTimeline } from './state-timeline.js';
import { el, setText } from './dom.js';
import type { ReplaySource } from '../replay/replay-mode.js';
import { createMachineCommands, type MachineCommands, type MachineCommandsDeps } from './machine-commands.js';
import { countingModeOf } from '../../../shared/count-roles.js';
import { ox } from './orders/order-text.js';

const TREND_WINDOW_MS = 10 * 60_000;
const HISTORY_RETRY_MS = 10_000;
const NUMERIC = new Set(['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']);

/** The tag trended by default: the first process value, else power. */
function defaultTrendTag(config: PlantMachine): string | null {
  const numeric = config.tags.filter((t) => NUMERIC.has(t.type));
  return (numeric.find((t) => t.role === 'process') ?? numeric.find((t) => t.role === 'power') ?? numeric[0])?.name ?? null;
}

export interface InspectorContext {
  store: LineStore;
  /** True when nothing from the edge can be trusted right now (socket down). */
  offline: boolean;
}

export interface Inspector {
  show(machineId: string | null): void;
  selected(): string | null;
  update(ctx: InspectorContext): void;
  relabel(ctx: InspectorContext): void;
  /** In replay the inspector shows the replayed moment: state, counts and tag values from the historian, trends centred on it. */
  followReplay(source: ReplaySource): void;
}

interface Row {
  label: HTMLElement;
  key: TextKey;
  value: HTMLElement;
}

export function createInspector(root: HTMLElement, onClose: () => void, commandDeps?: MachineCommandsDeps): Inspector {
  let commands: MachineCommands | null = null;
  let machineId: string | null = null;
  let rows = new Map<string, Row>();
  let tagRows = new Map<string, { row: HTMLElement; value: HTMLElement; quality: HTMLElement }>();
  let stateBadge: HTMLElement | null = null;
  let bars = new Map<string, { bar: HTMLElement; value: HTMLElement }>();
  let built: string | null = null;
  let trendTag: string | null = null;
  let chart: TrendChart | null = null;
  let chartHost: HTMLElement | null = null;
  let trendTitle: HTMLElement | null = null;
  let trendNote: HTMLElement | null = null;
  let timeline: StateTimeline | null = null;
  let timelineNote: HTMLElement | null = null;
  let timelineShift: number | null = null;
  let loadToken = 0;
  let timelineToken = 0;
  let lastCtx: InspectorContext | null = null;
  let replay: ReplaySource | null = null;
  /** Centre of the trend drawn in replay (null: the live trend is on screen). */
  let replayTrendCentre: number | null = null;
  let replayTrendTag: string | null = null;
  let replayTrendBusy = false;
  let trendCursor: HTMLElement | null = null;

  function startTrend(config: PlantMachine, tag: string | null, ctx: InspectorContext) {
    trendTag = tag;
    replayTrendCentre = null;
    for (const [name, r] of tagRows) r.row.classList.toggle('trended', name === tag);
    if (!chartHost || !trendTitle || !trendNote) return;
    const unit = config.tags.find((t) => t.name === tag)?.unit ?? '';
    chart = createTrendChart(TREND_WINDOW_MS, unit);
    chartHost.replaceChildren(chart.element);
    setText(trendTitle, tag ? `${t('trend')} · ${tag}${unit ? ` (${unit})` : ''}` : t('trend'));
    setText(trendNote, tag ? '' : t('trendHint'));
    if (!tag) return;
    // In replay the trend is centred on the replayed moment instead (replayTrend).
    if (replay?.at() != null) return;
    const token = ++loadToken;
    // The window ends at the newest of edge time and the tag's source time (device clocks may run ahead).
    const tagTs = ctx.store.machines.get(config.id)?.tags[tag]?.ts ?? 0;
    const now = Math.max(ctx.store.serverTs || Date.now(), tagTs);
    const target = chart;
    void fetchTrend(config.id, tag, now - TREND_WINDOW_MS, now).then((r) => {
      if (token !== loadToken || target !== chart) return;
      if (!r.ok) {
        setText(trendNote!, `${t('historyUnavailable')}: ${r.error}`);
        // A busy or restarting edge: try again while the same trend is still on screen.
        setTimeout(() => {
          if (token === loadToken && target === chart && lastCtx) startTrend(config, tag, lastCtx);
        }, HISTORY_RETRY_MS);
        return;
      }
      // History replaces the few live points gathered while the request was in flight; live
      // values newer than the last stored sample keep appending.
      const points = trendPoints(r.value);
      target.set(points);
      target.element.dataset.historyPoints = String(points.length);
      if (lastCtx) fill(config, lastCtx);
    });
  }

  /** The trended tag over the TREND_WINDOW_MS around the replayed moment, fetched again when the cursor has moved on. */
  function replayTrend(config: PlantMachine, at: number) {
    const target = chart;
    if (!target || !trendTag) return;
    const half = TREND_WINDOW_MS / 2;
    const fresh = replayTrendCentre !== null && replayTrendTag === trendTag && Math.abs(at - replayTrendCentre) < TREND_WINDOW_MS / 20;
    if (!fresh && !replayTrendBusy) {
      const token = ++loadToken;
      const tag = trendTag;
      replayTrendBusy = true;
      void fetchTrend(config.id, tag, at - half, at + half).then((r) => {
        replayTrendBusy = false;
        if (token !== loadToken || target !== chart || replay?.at() == null) return;
        replayTrendCentre = at;
        replayTrendTag = tag;
        if (!r.ok) {
          setText(trendNote!, `${t('historyUnavailable')}: ${r.error}`);
          return;
        }
        setText(trendNote!, '');
        const points = trendPoints(r.value);
        target.set(points);
        target.element.dataset.historyPoints = String(points.length);
        target.element.dataset.replayCentre = String(at);
        if (lastCtx) fill(config, lastCtx);
      });
    }
    target.draw((replayTrendCentre ?? at) + half);
  }

  function startTimeline(config: PlantMachine, ctx: InspectorContext) {
    const live = ctx.store.machines.get(config.id);
    const shift = live?.shift;
    timelineShift = shift?.start ?? null;
    if (!timeline || !timelineNote) return;
    timeline.set([]);
    if (!shift) return;
    const token = ++timelineToken;
    const target = timeline;
    void fetchStates(config.id, shift.start, Math.max(shift.start + 1, ctx.store.serverTs)).then((r) => {
      if (token !== timelineToken || target !== timeline) return;
      if (!r.ok) {
        setText(timelineNote!, `${t('historyUnavailable')}: ${r.error}`);
        setTimeout(() => {
          if (token === timelineToken && target === timeline && lastCtx) startTimeline(config, lastCtx);
        }, HISTORY_RETRY_MS);
        return;
      }
      setText(timelineNote!, '');
      target.set(r.value.intervals.map((i) => ({ state: i.state, start: i.startTs, end: i.endTs })));
      target.element.dataset.historyBands = String(r.value.intervals.length);
      if (lastCtx) fill(config, lastCtx);
    });
  }

  const section = (key: TextKey) => {
    const s = el('section', 'insp-section');
    const h = el('h3', undefined, t(key));
    h.dataset.key = key;
    s.append(h);
    root.append(s);
    return s;
  };
  const kv = (parent: HTMLElement, id: string, key: TextKey) => {
    const row = el('div', 'kv');
    const label = el('span', 'k', t(key));
    const value = el('span', 'v');
    value.dataset.field = id;
    row.append(label, value);
    parent.append(row);
    rows.set(id, { label, key, value });
  };

  function build(config: PlantMachine, ctx: InspectorContext) {
    root.replaceChildren();
    rows = new Map();
    tagRows = new Map();
    bars = new Map();
    const head = el('div', 'insp-head');
    const titles = el('div');
    titles.append(el('h2', 'insp-title', config.name), el('div', 'insp-sub', `${config.id} · ${tType(config.type)}`));
    const close = el('button', 'insp-close', '×');
    close.type = 'button';
    close.title = t('close');
    close.dataset.testid = 'inspector-close';
    close.addEventListener('click', onClose);
    head.append(titles, close);
    root.append(head);
    stateBadge = el('div', 'state-badge');
    stateBadge.dataset.testid = 'inspector-state';
    root.append(stateBadge);
    commands = commandDeps ? createMachineCommands(config, commandDeps) : null;
    if (commands) root.append(commands.element);

    const oee = section('oee');
    for (const k of ['oee', 'availability', 'performance', 'quality'] as const) {
      const row = el('div', `bar-row bar-${k}`);
      const label = el('span', 'k', t(k));
      label.dataset.key = k;
      const track = el('div', 'bar-track');
      const bar = el('div', 'bar');
      track.append(bar);
      const value = el('span', 'v');
      value.dataset.field = `oee.${k}`;
      row.append(label, track, value);
      oee.append(row);
      bars.set(k, { bar, value });
    }

    const timelineSection = section('timeline');
    timeline = createStateTimeline();
    timeline.element.dataset.testid = 'state-timeline';
    timelineNote = el('div', 'insp-note');
    timelineSection.append(timeline.element, timelineNote);

    const prod = section('counts');
    kv(prod, 'counts.total', 'total');
    kv(prod, 'counts.good', 'good');
    kv(prod, 'counts.scrap', 'scrap');
    kv(prod, 'counts.from', 'replayCountsFrom');
    kv(prod, 'energy', 'energy');
    kv(prod, 'energyPerPart', 'energyPerPart');
    // Which way the machine is counted (shared/count-roles.ts): a part counter alone sees no scrap until it is booked.
    const counting = el('div', 'insp-note', ox().counting[countingModeOf(config)]);
    counting.dataset.testid = 'inspector-counting';
    prod.append(counting);

    const trendSection = section('trend');
    trendTitle = trendSection.querySelector('h3');
    chartHost = el('div', 'trend-host');
    chartHost.dataset.testid = 'trend';
    chartHost.style.position = 'relative';
    trendNote = el('div', 'insp-note');
    // The replayed moment, in the middle of a replayed trend.
    trendCursor = el('div', 'trend-cursor');
    trendCursor.dataset.testid = 'trend-cursor';
    trendCursor.style.cssText = 'position: absolute; top: 0; bottom: 0; left: 50%; width: 0; border-left: 1px dashed #f97316; pointer-events: none;';
    trendCursor.hidden = true;
    trendSection.append(chartHost, trendNote);

    const tags = section('tags');
    const table = el('table', 'tags');
    table.dataset.testid = 'tag-table';
    for (const tag of config.tags) {
      const tr = el('tr');
      tr.dataset.tag = tag.name;
      const name = el('td', 'tag-name', tag.name);
      const value = el('td', 'tag-value');
      const unit = el('td', 'tag-unit', tag.unit ?? '');
      const quality = el('td', 'tag-quality');
      tr.append(name, value, unit, quality);
      if (NUMERIC.has(tag.type)) {
        tr.classList.add('trendable');
        tr.addEventListener('click', () => startTrend(config, tag.name, lastCtx ?? ctx));
      }
      table.append(tr);
      tagRows.set(tag.name, { row: tr, value, quality });
    }
    tags.append(table);

    const ident = section('identification');
    kv(ident, 'type', 'type');
    kv(ident, 'manufacturer', 'manufacturer');
    kv(ident, 'model', 'model');
    kv(ident, 'serial', 'serial');
    kv(ident, 'idealCycle', 'idealCycle');
    const health = section('deviceHealth');
    kv(health, 'device', 'device');
    kv(health, 'health.connected', 'state');
    kv(health, 'health.latency', 'latency');
    kv(health, 'health.reads', 'readsPerSecond');
    kv(health, 'health.reconnects', 'reconnects');
    kv(health, 'health.error', 'lastError');
    built = config.id;
    lastCtx = ctx;
    startTrend(config, trendTag && config.tags.some((x) => x.name === trendTag) ? trendTag : defaultTrendTag(config), ctx);
    startTimeline(config, ctx);
    fill(config, ctx);
  }

  const set = (id: string, text: string) => {
    const r = rows.get(id);
    if (r) setText(r.value, text);
  };

  function fill(config: PlantMachine, ctx: InspectorContext) {
    lastCtx = ctx;
    // In replay: the machine as the historian has it at the replayed moment, ages measured from that moment.
    const replayAt = replay?.at() ?? null;
    replay?.watch(replayAt !== null ? config.id : null);
    const stored: MachineLive | undefined = ctx.store.machines.get(config.id);
    const live: MachineLive | undefined = stored && replayAt !== null && replay ? replay.view(stored) : stored;
    const device: DeviceHealth | undefined = ctx.store.devices.get(config.device);
    const deviceDown = device ? !device.connected : false;
    const staleAll = replayAt === null && (ctx.offline || deviceDown || !live);
    // Commands act on the live machine, never on a replayed moment.
    commands?.update({ live: stored, replaying: replayAt !== null, offline: ctx.offline || deviceDown || !stored });
    const clockNow = replayAt ?? ctx.store.serverTs;
    root.classList.toggle('stale', staleAll);
    root.classList.toggle('replaying', replayAt !== null);
    const valuesAt = replay?.valuesAt() ?? null;
    if (replayAt !== null && valuesAt !== null) root.dataset.replayValuesAt = String(valuesAt);
    else delete root.dataset.replayValuesAt;
    const countsFrom = replayAt !== null ? replay?.countsFrom(config.id) ?? null : null;
    const fromRow = rows.get('counts.from')?.value.parentElement;
    if (fromRow) fromRow.hidden = countsFrom === null;
    if (countsFrom !== null) set('counts.from', clockTime(countsFrom, ctx.store.plant?.site.timezone ?? 'UTC'));
    // In replay the tag table holds stored values, not live ones: its heading says of when.
    const tagsHeading = root.querySelector<HTMLElement>('h3[data-key="tags"]');
    if (tagsHeading) {
      const seconds = valuesAt !== null ? `:${String(new Date(valuesAt).getUTCSeconds()).padStart(2, '0')}` : '';
      setText(tagsHeading, replayAt !== null && valuesAt !== null ? `${t('replayValuesAt')} ${clockTime(valuesAt, ctx.store.plant?.site.timezone ?? 'UTC')}${seconds}` : t('tags'));
    }
    set('type', tType(config.type));
    set('manufacturer', config.manufacturer ?? '—');
    set('model', config.model ?? '—');
    set('serial', config.serialNumber ?? '—');
    set('idealCycle', `${number(config.idealCycleTimeSeconds)} s`);
    set('device', config.device);
    if (device) {
      set('health.connected', `${device.protocol} · ${device.connected ? t('connectedYes') : t('connectedNo')}`);
      set('health.latency', device.latencyMs === null ? '—' : `${number(device.latencyMs, 0)} ms`);
      set('health.reads', number(device.readsPerSecond, 1));
      set('health.reconnects', String(device.reconnects));
      set('health.error', device.lastError ?? '—');
    }
    rows.get('health.connected')?.value.classList.toggle('bad', deviceDown);
    if (!live) {
      if (stateBadge) {
        stateBadge.dataset.state = 'no-data';
        setText(stateBadge, tState('no-data'));
      }
      return;
    }
    if (stateBadge) {
      const state = staleAll ? 'no-data' : live.state;
      stateBadge.dataset.state = state;
      const since = `${t('since')} ${duration(clockNow - live.stateSince)}`;
      const fault = live.faultCode ? ` · ${t('faultCode')} ${live.faultCode}` : '';
      setText(stateBadge, `${tState(live.state)} · ${since}${fault}${staleAll ? ` · ${t('stale')}` : ''}`);
    }
    for (const [k, v] of bars) {
      // The live shift's OEE next to a replayed moment would mislead.
      const ratio = replayAt !== null ? Number.NaN : live.oee[k as 'oee'];
      v.bar.style.width = `${Math.max(0, Math.min(1, Number.isFinite(ratio) ? ratio : 0)) * 100}%`;
      setText(v.value, percent(ratio));
    }
    set('counts.total', String(live.counts.total));
    set('counts.good', String(live.counts.good));
    set('counts.scrap', String(live.counts.scrap));
    set('energy', replayAt !== null ? '—' : `${number(live.energyKWh, 2)} kWh`);
    set('energyPerPart', replayAt === null && live.counts.good > 0 ? `${number(live.energyKWh / live.counts.good, 3)} kWh` : '—');
    for (const [name, r] of tagRows) {
      const tag = live.tags[name];
      const stale = staleAll || !tag || tag.quality !== 'good';
      r.row.classList.toggle('stale', stale);
      r.row.dataset.quality = tag?.quality ?? 'none';
      setText(r.value, tagValue(tag));
      const q = tag ? t(tag.quality === 'good' ? 'qualityGood' : tag.quality === 'bad' ? 'qualityBad' : 'qualityUncertain') : '—';
      const tagAge = tag ? ` · ${age(clockNow - tag.ts)}` : '';
      setText(r.quality, staleAll && tag ? `${t('stale')}${tagAge}` : `${q}${tagAge}`);
    }
    const now = ctx.store.serverTs;
    if (trendCursor) {
      trendCursor.hidden = replayAt === null;
      if (chart && trendCursor.parentElement !== chartHost) chartHost?.append(trendCursor);
    }
    if (replayAt !== null) {
      replayTrend(config, replayAt);
      // The shift timeline stays as stored; the replayed state is not the live one.
      if (timeline && live.shift) timeline.draw(live.shift.start, live.shift.end, now, (x) => clockTime(x, ctx.store.plant?.site.timezone ?? 'UTC'));
      return;
    }
    if (replayTrendCentre !== null) {
      // Back from replay: the live trend again (last 10 minutes, then live).
      startTrend(config, trendTag, ctx);
      return;
    }
    if (chart && trendTag) {
      const tag = live.tags[trendTag];
      if (tag && tag.quality !== 'bad' && (typeof tag.value === 'number' || typeof tag.value === 'boolean')) chart.push(tag.ts, Number(tag.value));
      chart.draw(now);
    }
    if (timeline && live.shift) {
      // A new shift starts a new timeline.
      if (timelineShift !== live.shift.start) startTimeline(config, ctx);
      if (!staleAll) timeline.live(live.state, live.stateSince, now);
      const tz = ctx.store.plant?.site.timezone ?? 'UTC';
      timeline.draw(live.shift.start, live.shift.end, now, (x) => clockTime(x, tz));
    }
  }

  return {
    show(id) {
      machineId = id;
      root.hidden = id === null;
      if (id === null) {
        replay?.watch(null);
        built = null;
        loadToken++;
        timelineToken++;
        chart = null;
        timeline = null;
        root.replaceChildren();
      }
    },
    selected: () => machineId,
    update(ctx) {
      if (!machineId) return;
      const config = ctx.store.machineConfig(machineId);
      if (!config) return;
      if (built !== machineId) build(config, ctx);
      else fill(config, ctx);
    },
    relabel(ctx) {
      built = null;
      this.update(ctx);
    },
    followReplay(source) {
      replay = source;
    },
  };
}
