// The twin's layout mode (admins): a top-down plan of the floor, as a controls engineer draws
// it — drag machines (snapped to the grid) and rotate them, draw conveyors from one machine to
// another, drag out named areas, lay a floor-plan image under it at a scale, and save. Saving
// writes the plant file's layout through the edge (comments kept, audited) and the edge applies
// it at once: the 3D twin moves with the next snapshot.
import { hasRole, type Role } from '../../../../shared/auth-api.js';
import type { Area, FloorLayout } from '../../../../shared/floor-layout-schema.js';
import type { LayoutAnswer } from '../../../../shared/layout-api.js';
import { onLangChange } from '../../i18n.js';
import { button, el } from '../dom.js';
import { layoutApi } from './layout-client.js';
import { lx } from './layout-text.js';
import { createMachineForm } from './machine-form.js';
import './layout.css';

export interface LayoutEditor {
  /** Shows the button to admins only (the edge refuses everyone else anyway). */
  refreshAccess(): void;
  readonly isOpen: boolean;
  /** A plant without machines (a new plant file): a hint on the empty floor — admins get the way into layout mode. */
  showEmptyFloor(empty: boolean): void;
  /** A new line snapshot arrived (e.g. from the edge composed again after a machine was added). */
  plantUpdated(): void;
}

type Tool = 'move' | 'area' | 'conveyor';
interface Placed { id: string; name: string; type: string; x: number; z: number; rotationDeg: number }

const SVG = 'http://www.w3.org/2000/svg';
/** Footprint drawn for a machine on the plan (metres); the 3D twin draws the real shape. */
const FOOT = { w: 3.2, d: 2.4 };
const svg = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

export function createLayoutEditor(stage: HTMLElement, ctx: { role: () => Role | null }): LayoutEditor {
  const toggle = button('layout-toggle', 'layout-toggle');
  const root = el('section', 'layout-editor');
  root.dataset.testid = 'layout-editor';
  root.hidden = true;
  const bar = el('div', 'layout-bar');
  const title = el('h2', 'layout-title');
  const tools: Record<Tool, HTMLButtonElement> = { move: button('layout-btn', 'layout-tool-move'), area: button('layout-btn', 'layout-tool-area'), conveyor: button('layout-btn', 'layout-tool-conveyor') };
  const rotate = button('layout-btn', 'layout-rotate');
  const gridLabel = el('label', 'layout-field');
  const gridInput = el('input');
  gridInput.type = 'number'; gridInput.min = '0.1'; gridInput.step = '0.1'; gridInput.dataset.testid = 'layout-grid';
  const areaLabel = el('label', 'layout-field');
  const areaName = el('input');
  areaName.dataset.testid = 'layout-area-name'; areaName.maxLength = 80;
  const planLabel = el('label', 'layout-field');
  const planFile = el('input');
  planFile.type = 'file'; planFile.accept = 'image/png,image/jpeg'; planFile.dataset.testid = 'layout-floor-plan';
  const scaleLabel = el('label', 'layout-field');
  const scaleInput = el('input');
  scaleInput.type = 'number'; scaleInput.min = '0.001'; scaleInput.step = '0.001'; scaleInput.dataset.testid = 'layout-scale';
  const save = button('layout-btn layout-primary', 'layout-save');
  const close = button('layout-btn', 'layout-close');
  const addMachine = button('layout-btn', 'layout-add-machine');
  bar.append(title, tools.move, tools.area, tools.conveyor, rotate, gridLabel, areaLabel, planLabel, scaleLabel, addMachine, save, close);
  const status = el('div', 'layout-status');
  status.dataset.testid = 'layout-status';
  const plan = svg('svg', { class: 'layout-plan' });
  plan.dataset.testid = 'layout-plan';
  // The edge is composed again after an add (its server restarts): the plan is read again once the
  // new edge's first snapshot arrives, not after a fixed time that a slow recomposition outlasts.
  let awaitingAdd = false;
  const machineForm = createMachineForm({ onAdded: (summary) => { say(lx().added(summary)); awaitingAdd = true; } });
  root.append(bar, machineForm.root, status, plan);
  const emptyHint = el('div', 'layout-empty-floor');
  emptyHint.dataset.testid = 'empty-floor-hint';
  emptyHint.hidden = true;
  const emptyText = el('p');
  const emptyOpen = button('layout-btn layout-primary', 'empty-floor-open');
  emptyOpen.addEventListener('click', () => setOpen(true));
  emptyHint.append(emptyText, emptyOpen);
  let floorEmpty = false;
  stage.append(toggle, root, emptyHint);

  let open = false;
  let tool: Tool = 'move';
  let baseHash = '';
  let devices: { id: string; protocol: string }[] = [];
  let machines: Placed[] = [];
  let floor: FloorLayout = { gridMetres: 0.5, areas: [], conveyors: [] };
  let planSize: { widthPx: number; heightPx: number } | null = null;
  let selected: string | null = null;
  let conveyorFrom: string | null = null;
  let dirty = false;
  let message = '';
  let errorField: string | null = null;
  let view = { x: -5, z: -10, w: 40, h: 24 };

  const snap = (v: number) => { const g = floor.gridMetres; return Math.round(v / g) * g; };
  const round = (v: number) => Number(v.toFixed(3));

  function labels(): void {
    const T = lx();
    const admin = !toggle.hidden;
    emptyText.textContent = admin ? T.emptyAdmin : T.emptyOthers;
    emptyOpen.textContent = T.openLayout;
    emptyOpen.hidden = !admin;
    emptyHint.hidden = !floorEmpty;
    toggle.textContent = T.layout;
    title.textContent = T.title;
    tools.move.textContent = T.move; tools.area.textContent = T.area; tools.conveyor.textContent = T.conveyor;
    rotate.textContent = T.rotate; save.textContent = T.save; close.textContent = T.close; addMachine.textContent = T.addMachine;
    gridLabel.replaceChildren(T.grid, gridInput);
    areaLabel.replaceChildren(T.areaName, areaName);
    planLabel.replaceChildren(T.floorPlan, planFile);
    scaleLabel.replaceChildren(T.scale, scaleInput);
  }

  function say(text: string, field: string | null = null): void {
    message = text;
    errorField = field;
    status.textContent = text;
    status.classList.toggle('error', field !== null || /^\d{3} /.test(text));
    for (const input of [gridInput, scaleInput, areaName]) input.classList.remove('invalid');
    if (field?.includes('gridMetres')) gridInput.classList.add('invalid');
    if (field?.includes('floorPlan')) scaleInput.classList.add('invalid');
    if (field?.includes('areas')) areaName.classList.add('invalid');
  }

  /** Fits the view box to everything on the floor, with a margin. */
  function fit(): void {
    const xs: number[] = [];
    const zs: number[] = [];
    for (const m of machines) { xs.push(m.x - FOOT.w, m.x + FOOT.w); zs.push(m.z - FOOT.w, m.z + FOOT.w); }
    for (const a of floor.areas) { xs.push(a.x, a.x + a.width); zs.push(a.z, a.z + a.depth); }
    if (floor.floorPlan && planSize) {
      const p = floor.floorPlan;
      xs.push(p.origin.x, p.origin.x + planSize.widthPx * p.metresPerPixel);
      zs.push(p.origin.z, p.origin.z + planSize.heightPx * p.metresPerPixel);
    }
    if (!xs.length) return;
    const minX = Math.min(...xs) - 4, maxX = Math.max(...xs) + 4, minZ = Math.min(...zs) - 4, maxZ = Math.max(...zs) + 4;
    view = { x: minX, z: minZ, w: maxX - minX, h: maxZ - minZ };
  }

  function toFloor(e: PointerEvent): { x: number; z: number } {
    const p = plan.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    const q = p.matrixTransform(plan.getScreenCTM()!.inverse());
    return { x: q.x, z: q.y };
  }

  function render(): void {
    plan.setAttribute('viewBox', `${view.x} ${view.z} ${view.w} ${view.h}`);
    plan.replaceChildren();
    if (floor.floorPlan) {
      const p = floor.floorPlan;
      const img = svg('image', { href: `api/layout/floor-plan/${encodeURIComponent(p.image)}?v=${baseHash.slice(0, 8)}`, x: p.origin.x, y: p.origin.z, preserveAspectRatio: 'none' });
      if (planSize) { img.setAttribute('width', String(planSize.widthPx * p.metresPerPixel)); img.setAttribute('height', String(planSize.heightPx * p.metresPerPixel)); }
      img.dataset.testid = 'layout-plan-image';
      plan.append(img);
    }
    const g = floor.gridMetres >= 0.25 ? floor.gridMetres : 1;
    const grid = svg('g', { class: 'layout-grid' });
    const step = g * Math.max(1, Math.ceil(view.w / g / 120));
    for (let x = Math.ceil(view.x / step) * step; x <= view.x + view.w; x += step) grid.append(svg('line', { x1: x, y1: view.z, x2: x, y2: view.z + view.h }));
    for (let z = Math.ceil(view.z / step) * step; z <= view.z + view.h; z += step) grid.append(svg('line', { x1: view.x, y1: z, x2: view.x + view.w, y2: z }));
    plan.append(grid);
    for (const a of floor.areas) {
      const r = svg('rect', { class: 'layout-area', x: a.x, y: a.z, width: a.width, height: a.depth, fill: a.colour ?? '#3a7bd5' });
      r.dataset.areaId = a.id;
      const t = svg('text', { class: 'layout-area-name', x: a.x + 0.4, y: a.z + 1.2 });
      t.textContent = a.name;
      plan.append(r, t);
    }
    for (const c of floor.conveyors) {
      const from = machines.find((m) => m.id === c.from);
      const to = machines.find((m) => m.id === c.to);
      if (!from || !to) continue;
      const line = svg('line', { class: 'layout-conveyor', x1: from.x, y1: from.z, x2: to.x, y2: to.z, 'marker-end': 'url(#layout-arrow)' });
      line.dataset.conveyor = `${c.from}>${c.to}`;
      plan.append(line);
    }
    const defs = svg('defs');
    const marker = svg('marker', { id: 'layout-arrow', viewBox: '0 0 10 10', refX: 16, refY: 5, markerWidth: 4, markerHeight: 4, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#f0b429' }));
    defs.append(marker);
    plan.append(defs);
    for (const m of machines) {
      const group = svg('g', { class: `layout-machine${m.id === selected ? ' selected' : ''}${m.id === conveyorFrom ? ' from' : ''}`, transform: `translate(${m.x} ${m.z}) rotate(${m.rotationDeg})` });
      group.dataset.machineId = m.id;
      group.append(svg('rect', { x: -FOOT.w / 2, y: -FOOT.d / 2, width: FOOT.w, height: FOOT.d, rx: 0.2 }));
      group.append(svg('line', { class: 'layout-front', x1: FOOT.w / 2 - 0.3, y1: -FOOT.d / 2 + 0.3, x2: FOOT.w / 2 - 0.3, y2: FOOT.d / 2 - 0.3 }));
      const t = svg('text', { x: 0, y: 0.35, 'text-anchor': 'middle' });
      t.textContent = m.name;
      group.append(t);
      plan.append(group);
    }
    const T = lx();
    if (!errorField && !message) {
      status.textContent = tool === 'area' ? T.dragArea : tool === 'conveyor' ? (conveyorFrom ? T.pickTo(conveyorFrom) : T.pickFrom) : selected ? T.selected(machines.find((m) => m.id === selected)?.name ?? selected) : T.hint;
    }
    for (const [name, b] of Object.entries(tools)) b.classList.toggle('active', name === tool);
    save.classList.toggle('dirty', dirty);
  }

  function change(): void {
    dirty = true;
    message = '';
    errorField = null;
    status.classList.remove('error');
    render();
  }

  // Pointer work on the plan: dragging a machine, dragging out an area, picking conveyor ends.
  let drag: { kind: 'machine'; id: string; dx: number; dz: number } | { kind: 'area'; x: number; z: number; rect: SVGRectElement } | null = null;
  plan.addEventListener('pointerdown', (e) => {
    const at = toFloor(e);
    const machineId = (e.target as Element).closest<SVGGElement>('.layout-machine')?.dataset.machineId ?? null;
    if (tool === 'conveyor') {
      if (!machineId) return;
      if (!conveyorFrom) conveyorFrom = machineId;
      else if (machineId !== conveyorFrom) {
        if (!floor.conveyors.some((c) => c.from === conveyorFrom && c.to === machineId)) floor.conveyors.push({ from: conveyorFrom, to: machineId });
        conveyorFrom = null;
        change();
        return;
      }
      render();
      return;
    }
    if (tool === 'area') {
      const rect = svg('rect', { class: 'layout-area drafting', x: snap(at.x), y: snap(at.z), width: 0, height: 0 });
      plan.append(rect);
      drag = { kind: 'area', x: snap(at.x), z: snap(at.z), rect };
      plan.setPointerCapture(e.pointerId);
      return;
    }
    selected = machineId;
    if (machineId) {
      const m = machines.find((x) => x.id === machineId)!;
      drag = { kind: 'machine', id: machineId, dx: m.x - at.x, dz: m.z - at.z };
      plan.setPointerCapture(e.pointerId);
    }
    render();
  });
  plan.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const at = toFloor(e);
    if (drag.kind === 'machine') {
      const m = machines.find((x) => x.id === (drag as { id: string }).id)!;
      const x = round(snap(at.x + drag.dx)), z = round(snap(at.z + drag.dz));
      if (x !== m.x || z !== m.z) { m.x = x; m.z = z; dirty = true; render(); }
    } else {
      const x2 = snap(at.x), z2 = snap(at.z);
      drag.rect.setAttribute('x', String(Math.min(drag.x, x2))); drag.rect.setAttribute('y', String(Math.min(drag.z, z2)));
      drag.rect.setAttribute('width', String(Math.abs(x2 - drag.x))); drag.rect.setAttribute('height', String(Math.abs(z2 - drag.z)));
    }
  });
  plan.addEventListener('pointerup', (e) => {
    if (drag?.kind === 'area') {
      const at = toFloor(e);
      const x2 = snap(at.x), z2 = snap(at.z);
      const width = round(Math.abs(x2 - drag.x)), depth = round(Math.abs(z2 - drag.z));
      if (width > 0 && depth > 0) {
        const name = areaName.value.trim() || `Area ${floor.areas.length + 1}`;
        const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
        let id = /^[a-z]/.test(base) ? base : `area-${base || floor.areas.length + 1}`;
        for (let n = 2; floor.areas.some((a) => a.id === id); n++) id = `${id.replace(/-\d+$/, '')}-${n}`;
        const area: Area = { id, name, x: round(Math.min(drag.x, x2)), z: round(Math.min(drag.z, z2)), width, depth };
        floor.areas.push(area);
        drag = null;
        change();
        return;
      }
      drag.rect.remove();
    } else if (drag?.kind === 'machine' && dirty) change();
    drag = null;
  });

  rotate.addEventListener('click', () => {
    const m = machines.find((x) => x.id === selected);
    if (!m) return;
    m.rotationDeg = (m.rotationDeg + 15) % 360;
    change();
  });
  for (const [name, b] of Object.entries(tools)) b.addEventListener('click', () => { tool = name as Tool; conveyorFrom = null; message = ''; render(); });
  gridInput.addEventListener('change', () => {
    const v = Number(gridInput.value);
    if (v > 0) { floor.gridMetres = v; change(); } else say(lx().grid, 'layout.gridMetres');
  });
  scaleInput.addEventListener('change', () => {
    const v = Number(scaleInput.value);
    if (floor.floorPlan && v > 0) { floor.floorPlan.metresPerPixel = v; fit(); change(); }
  });
  planFile.addEventListener('change', async () => {
    const file = planFile.files?.[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const name = file.name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'floor-plan.png';
    const answer = await layoutApi.uploadFloorPlan(name, btoa(binary));
    if (!answer.ok) { say(answer.error, 'layout.floorPlan.image'); return; }
    planSize = { widthPx: answer.value.widthPx, heightPx: answer.value.heightPx };
    const scale = Number(scaleInput.value) > 0 ? Number(scaleInput.value) : 0.05;
    scaleInput.value = String(scale);
    // A new plant's plan starts at the origin; otherwise just beyond the machines placed so far.
    const origin = machines.length ? { x: snap(Math.min(...machines.map((m) => m.x)) - FOOT.w), z: snap(Math.min(...machines.map((m) => m.z)) - FOOT.w) } : { x: 0, z: 0 };
    floor.floorPlan = { image: answer.value.image, metresPerPixel: scale, origin: floor.floorPlan?.origin ?? origin };
    fit();
    change();
    say(lx().uploaded(answer.value.image, answer.value.widthPx, answer.value.heightPx));
  });
  save.addEventListener('click', async () => {
    say(lx().saving);
    const answer = await layoutApi.save({ baseHash, machines: machines.map(({ id, x, z, rotationDeg }) => ({ id, x, z, rotationDeg })), layout: floor });
    if (!answer.ok) { say(answer.error, answer.field ?? 'save'); return; }
    baseHash = answer.value.hash;
    dirty = false;
    say(lx().saved(answer.value.changed.join('; ') || answer.value.reload.summary));
    render();
  });
  close.addEventListener('click', () => setOpen(false));
  addMachine.addEventListener('click', () => machineForm.open(devices, () => baseHash, { x: snap(view.x + view.w / 2), z: snap(view.z + view.h - 5) }));
  toggle.addEventListener('click', () => setOpen(!open));

  async function load(): Promise<void> {
    say(lx().loading);
    const answer = await layoutApi.read();
    if (!answer.ok) { say(answer.error, 'file'); return; }
    const a: LayoutAnswer = answer.value;
    baseHash = a.hash;
    devices = a.devices;
    machines = a.machines.map((m) => ({ ...m }));
    floor = structuredClone(a.layout);
    gridInput.value = String(floor.gridMetres);
    scaleInput.value = floor.floorPlan ? String(floor.floorPlan.metresPerPixel) : '';
    planSize = null;
    if (floor.floorPlan) {
      const img = new Image();
      img.onload = () => { planSize = { widthPx: img.naturalWidth, heightPx: img.naturalHeight }; fit(); render(); };
      img.src = `api/layout/floor-plan/${encodeURIComponent(floor.floorPlan.image)}`;
    }
    dirty = false;
    message = a.lastReload?.result === 'invalid' ? `${lx().reloadFailed}: ${a.lastReload.error ?? ''}` : '';
    status.textContent = message;
    fit();
    render();
  }

  function setOpen(next: boolean): void {
    open = next && !toggle.hidden;
    root.hidden = !open;
    document.body.classList.toggle('layout-open', open);
    if (open) void load();
  }

  onLangChange(() => { labels(); if (open) render(); });
  labels();
  const api: LayoutEditor = {
    refreshAccess() {
      const role = ctx.role();
      toggle.hidden = !(role && hasRole(role, 'admin'));
      if (toggle.hidden && open) setOpen(false);
      labels();
    },
    get isOpen() { return open; },
    showEmptyFloor(empty) {
      floorEmpty = empty;
      labels();
    },
    plantUpdated() {
      if (!awaitingAdd) return;
      awaitingAdd = false;
      if (open) void load();
    },
  };
  api.refreshAccess();
  return api;
}
