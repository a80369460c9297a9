// The 3D line. Exposes only init/start/stop plus the few verbs the app needs (select, colour
// mode, apply live data, project a machine to the screen). Built from the plant view alone.
import { Box3, Color, Fog, Group, Scene, Vector3, type Material, type Mesh, type Object3D } from 'three';
import type { MachineLive, PlantView } from '../../../shared/live-protocol.js';
import type { MachineState } from '../../../shared/plant-schema.js';
import { createCamera, frameBounds } from './components/camera.js';
import { createLights, litColour, litFromAbove } from './components/lights.js';
import { createFloor } from './components/floor.js';
import { createMaterials, heatColour, type Materials } from './components/materials.js';
import { createMachineShape, TRANSFER_HEIGHT, type MachineModel, type ModelInspection } from './components/machine-models.js';
import { createModelLibrary, type ModelLibrary } from './systems/model-library.js';
import { createUtilitiesArea, type UtilitiesArea, type UtilityMeterState } from './components/utilities-area.js';
import { createAndonTower, type AndonTower } from './components/andon.js';
import { createConveyor, type Conveyor } from './components/conveyor.js';
import { createFloorFrame, type FloorFrame } from './components/marker.js';
import { createMachineLabel, type MachineLabel } from './components/label.js';
import { createPartsFlow, type PartsFlow } from './components/parts-flow.js';
import { createInstancer, type Instancer } from './components/instancing.js';
import { createRenderer, createLabelRenderer, type RenderQuality } from './systems/renderer.js';
import { createLoop, type Loop } from './systems/loop.js';
import { createResizer } from './systems/resizer.js';
import { createControls } from './systems/controls.js';
import { createPicking, type Picking } from './systems/picking.js';

export type ColourMode = 'state' | 'oee' | 'energy';
type PlantMachine = PlantView['machines'][number];

export interface LabelText {
  name: string;
  figure: string;
  state: string;
}

interface MachineEntity {
  id: string;
  index: number;
  config: PlantMachine;
  group: Group;
  model: MachineModel;
  andon: AndonTower;
  frame: FloorFrame;
  label: MachineLabel;
  box: Box3;
  centre: Vector3;
  state: MachineState;
  stale: boolean;
  heat: number | null;
}

export interface WorldOptions {
  /** Shadows and antialiasing cost a lot on software renderers. */
  quality: RenderQuality;
  /** Collapse shared geometry into InstancedMeshes (default on; off only to measure the gain). */
  instancing?: boolean;
  onSelect(id: string | null): void;
  onHover?(id: string | null): void;
}

const HEAT_BINS = 11;
/** Fog (metres from the camera) for a line that fits in it; larger plants push it back. */
const FOG_NEAR = 60;
const FOG_FAR = 160;
/** Below this scale a label (~110 px wide) is wider than the ~6 m between machines: cull it. */
const MIN_LABEL_PX_PER_METRE = 14;

export class World {
  private utilities: UtilitiesArea | null = null;
  private groundLayer: Object3D | null = null;
  private readonly scene = new Scene();
  private readonly camera = createCamera();
  private readonly renderer;
  private readonly labels = createLabelRenderer();
  private readonly loop: Loop;
  private readonly mat: Materials;
  private readonly heatMaterials: Material[] = [];
  private readonly content = new Group();
  private readonly entities = new Map<string, MachineEntity>();
  private readonly ordered: MachineEntity[] = [];
  private controls;
  private picking: Picking | null = null;
  private hoverFrame: FloorFrame;
  private selectFrame: FloorFrame;
  private parts: PartsFlow | null = null;
  private instancer: Instancer | null = null;
  private disposeResize: (() => void) | null = null;
  private plantKey = '';
  private selected: string | null = null;
  private colourMode: ColourMode = 'state';
  private blinkOn = true;
  private readonly projected = new Vector3();
  /** The plant's own glTF models, loaded once each, shared by every machine that uses them. */
  private models: ModelLibrary | null = null;
  /** Loaded glTF models waiting to be merged (together: one draw call per material for all their machines). */
  private readonly lateModels: Object3D[] = [];
  private lateTimer: ReturnType<typeof setTimeout> | null = null;
  private collectOptions: Parameters<Instancer['collect']>[2] = {};

  constructor(private readonly container: HTMLElement, private readonly options: WorldOptions) {
    this.renderer = createRenderer(options.quality);
    this.mat = createMaterials(options.quality.physicalMaterials);
    for (let i = 0; i < HEAT_BINS; i++) {
      const c = heatColour(i / (HEAT_BINS - 1), new Color());
      const m = this.mat.stateAccent.running.clone();
      m.color.copy(c);
      m.emissive.copy(c);
      this.heatMaterials.push(m);
    }
    this.scene.background = new Color(0x1a222c);
    this.scene.fog = new Fog(0x1a222c, FOG_NEAR, FOG_FAR);
    this.scene.add(this.content);
    container.append(this.renderer.domElement, this.labels.domElement);
    this.controls = createControls(this.camera, this.labels.domElement);
    this.loop = createLoop(this.camera, this.scene, this.renderer, this.labels);
    // Re-frame on resizes until the user really moves the camera (a click is not a move).
    const dom = this.labels.domElement;
    let downX = 0;
    let downY = 0;
    dom.addEventListener('pointerdown', (e) => {
      downX = e.clientX;
      downY = e.clientY;
    });
    dom.addEventListener('pointerup', (e) => {
      if (Math.hypot(e.clientX - downX, e.clientY - downY) > 5) this.userMovedCamera = true;
    });
    dom.addEventListener('wheel', () => (this.userMovedCamera = true), { passive: true });
    this.hoverFrame = createFloorFrame(this.mat.hover, 0.08, 0.02);
    this.selectFrame = createFloorFrame(this.mat.selected, 0.14, 0.022);
    this.hoverFrame.root.visible = false;
    this.selectFrame.root.visible = false;
    this.scene.add(this.hoverFrame.root, this.selectFrame.root);
    const blink = { acc: 0 };
    // Each updatable says whether it changed the picture; the loop draws only then.
    this.loop.updatables.push(
      { tick: (dt) => this.utilities?.animate(dt) ?? false },
      { tick: () => this.controls.update() },
      { tick: () => this.picking?.tick() },
      {
        tick: (dt, time) => {
          let changed = false;
          blink.acc += dt;
          if (blink.acc >= 0.5) {
            blink.acc = 0;
            this.blinkOn = !this.blinkOn;
            for (const e of this.ordered) {
              if (e.state === 'down' && !e.stale) {
                e.andon.setState(e.state, this.blinkOn);
                if (this.refreshPaint(e.andon.lamps)) changed = true;
              }
            }
          }
          let moved = false;
          for (const e of this.ordered) if (e.model.animate(time, dt, e.state === 'running' && !e.stale)) moved = true;
          if (moved) {
            // The renderer updates world matrices only when it draws; animated proxies need theirs now.
            this.content.updateMatrixWorld();
            this.instancer?.sync();
          }
          return changed || moved;
        },
      },
      { tick: (dt) => this.parts?.tick(dt) ?? false },
    );
    this.loop.beforeLabels = () => this.cullLabels();
  }

  /** Builds (or rebuilds, if the plant changed) the scene for a plant. */
  init(plant: PlantView): void {
    const key = JSON.stringify(plant.machines.map((m) => [m.id, m.type, m.layout, m.visual]));
    if (key === this.plantKey) return;
    this.plantKey = key;
    this.clear();
    const bounds = new Box3();
    plant.machines.forEach((config, index) => {
      this.models ??= createModelLibrary();
      const model = createMachineShape(config, this.mat, this.models, (loaded) => this.modelLoaded(loaded));
      const group = new Group();
      group.position.set(config.layout.x, 0, config.layout.z);
      group.rotation.y = (-(config.layout.rotationDeg ?? 0) * Math.PI) / 180;
      group.userData.machineId = config.id;
      group.add(model.root);
      const towerHeight = Math.min(model.size.h, 2.4) + 0.2;
      const andon = createAndonTower(this.mat, towerHeight);
      const at = model.anchors;
      if (at?.andon) andon.root.position.set(at.andon.x, at.andon.y, at.andon.z);
      else andon.root.position.set(model.size.w / 2 - 0.15, 0, -model.size.d / 2 + 0.15);
      group.add(andon.root);
      const frame = createFloorFrame(this.mat.stateFloor['no-data'], 0.14);
      frame.fit(model.size.w + 0.5, model.size.d + 0.5);
      group.add(frame.root);
      const label = createMachineLabel(config.id);
      if (at?.label) label.object.position.set(at.label.x, at.label.y, at.label.z);
      else label.object.position.set(0, Math.max(model.size.h, towerHeight + 0.6) + 0.35, 0);
      group.add(label.object);
      this.content.add(group);
      group.updateMatrixWorld(true);
      const box = new Box3().setFromObject(model.root);
      box.expandByScalar(0.05);
      const centre = box.getCenter(new Vector3());
      bounds.union(box);
      const entity: MachineEntity = { id: config.id, index, config, group, model, andon, frame, label, box, centre, state: 'no-data', stale: true, heat: null };
      andon.setState('no-data', true);
      this.entities.set(config.id, entity);
      this.ordered.push(entity);
    });
    // Conveyors join consecutive machines in plant order (the flow of the line).
    const conveyors: (Conveyor | null)[] = [];
    for (let i = 0; i < this.ordered.length; i++) {
      const a = this.ordered[i]!;
      const b = this.ordered[i + 1];
      if (!b) {
        conveyors.push(null);
        continue;
      }
      const from = a.group.localToWorld(new Vector3(a.model.port, TRANSFER_HEIGHT, 0));
      const to = b.group.localToWorld(new Vector3(-b.model.port, TRANSFER_HEIGHT, 0));
      if (from.distanceTo(to) < 0.3) {
        conveyors.push(null);
        continue;
      }
      const conveyor = createConveyor(this.mat, from, to);
      conveyors.push(conveyor);
      this.content.add(conveyor.root);
    }
    this.parts = createPartsFlow(this.mat, conveyors);
    this.content.add(this.parts.mesh);
    // The utilities area (compressor, meters, heater) in front of the line's start; shown once meter data arrives.
    if (this.utilities) this.scene.remove(this.utilities.root);
    this.utilities = createUtilitiesArea();
    if (!bounds.isEmpty()) this.utilities.root.position.set(bounds.min.x + 0.5, 0, bounds.max.z + 1.8);
    this.scene.add(this.utilities.root);
    if (bounds.isEmpty()) bounds.set(new Vector3(-5, 0, -5), new Vector3(5, 2, 5));
    const lights = createLights(bounds, this.options.quality.shadows);
    this.instancer = null;
    if (this.options.instancing !== false) {
      const painted = new Set(this.ordered.flatMap((e) => [...e.model.accents, ...e.andon.lamps, ...e.frame.strips]));
      this.instancer = createInstancer(this.content);
      // Baked light only where nothing casts shadows (a baked colour cannot darken).
      this.collectOptions = {
        coarse: this.ordered.length >= this.options.quality.coarseShapesFrom,
        bake: this.options.quality.bakedFloor && !this.options.quality.shadows ? (albedo, normal, out) => litColour(lights, albedo, normal, out) : undefined,
      };
      this.instancer.collect(this.content, painted, this.collectOptions);
    }
    const bake = this.options.quality.bakedFloor ? (c: Color) => litFromAbove(lights, c) : undefined;
    this.content.add(createFloor(this.mat, bounds, bake), ...lights);
    this.disposeResize?.();
    this.disposeResize = createResizer(this.container, this.camera, this.renderer, this.labels, this.options.quality, () => {
      if (!this.userMovedCamera) this.frame(bounds);
      this.loop.invalidateView();
    });
    this.loop.invalidateView();
    this.frame(bounds);
    this.picking?.dispose();
    this.picking = createPicking(
      this.labels.domElement,
      this.camera,
      () => this.ordered,
      (id) => this.hover(id),
      (id) => this.options.onSelect(id),
    );
  }

  /**
   * A glTF model has loaded (or failed: `loaded` undefined). Models that load within 100 ms of
   * each other — every machine of one file resolves at once — are merged together, so 100
   * presses cost the draw calls of one.
   */
  private modelLoaded(loaded: Object3D | undefined): void {
    this.loop.invalidate();
    if (!loaded || !this.instancer) return;
    this.lateModels.push(loaded);
    this.lateTimer ??= setTimeout(() => {
      this.lateTimer = null;
      // Models of a plant since replaced are detached from the scene: nothing to merge.
      const roots = this.lateModels.splice(0).filter((r) => this.content.getObjectById(r.id));
      if (roots.length && this.instancer) this.instancer.collect(roots, new Set(), this.collectOptions);
      this.loop.invalidate();
    }, 100);
  }

  private userMovedCamera = false;
  private hovered: string | null = null;
  private frame(bounds: Box3): void {
    frameBounds(this.camera, bounds, this.controls.target);
    this.controls.update();
    // Haze starts behind the framed line whatever its size: a fixed 60–160 m fog hid every
    // machine of a 200-machine plant, framed from ~250 m.
    const fog = this.scene.fog as Fog;
    const d = this.camera.position.distanceTo(this.controls.target);
    const depth = bounds.max.z - bounds.min.z;
    fog.near = Math.max(FOG_NEAR, d + depth / 2);
    fog.far = Math.max(FOG_FAR, fog.near + 100);
    // Re-frame on resizes until the user moves the camera.
    this.userMovedCamera = false;
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  frames(): number {
    return this.loop.frames();
  }

  fps(): number {
    return this.loop.fps();
  }

  frameCost(): { update: number; render: number; labels: number } {
    return this.loop.cost();
  }

  machineIds(): string[] {
    return this.ordered.map((e) => e.id);
  }

  select(id: string | null): void {
    this.selected = id && this.entities.has(id) ? id : null;
    const e = this.selected ? this.entities.get(this.selected) : undefined;
    this.selectFrame.root.visible = !!e;
    if (e) this.placeFrame(this.selectFrame, e, 0.9);
    for (const x of this.ordered) x.label.element.classList.toggle('selected', x.id === this.selected);
    this.loop.invalidateView(); // the selected machine's label shows even when culled
  }

  setColourMode(mode: ColourMode): void {
    this.colourMode = mode;
    for (const e of this.ordered) this.paint(e);
    this.loop.invalidate();
  }

  /** Applies a machine's live data; `heat` is its heat-map value in [0,1] (1 = good) or null. */
  applyMachine(live: MachineLive, stale: boolean, heat: number | null, text: LabelText): void {
    const e = this.entities.get(live.machineId);
    if (!e) return;
    const stateChanged = e.state !== live.state || e.stale !== stale;
    e.state = live.state;
    e.stale = stale;
    e.heat = heat;
    e.model.follow?.(live.tags);
    let changed = false;
    if (stateChanged) {
      e.andon.setState(stale ? 'no-data' : e.state, this.blinkOn);
      changed = this.refreshPaint(e.andon.lamps);
    }
    if (this.paint(e)) changed = true;
    if (changed) this.loop.invalidate();
    // A machine going down gets its label back even when labels are culled.
    if (stateChanged) this.loop.invalidateView();
    e.label.set(text.name, text.figure, text.state, stale ? 'no-data' : e.state, stale);
  }

  /** Parts leave machine `id` on its outgoing conveyor. */
  releaseParts(id: string, parts: number): void {
    const e = this.entities.get(id);
    if (e && this.parts) this.parts.release(e.index, parts);
  }

  activeParts(): number {
    return this.parts?.active() ?? 0;
  }

  /** Viewport (CSS pixel) position of a machine's centre, or null if it is behind the camera. */
  screenPositionOf(id: string): { x: number; y: number } | null {
    const e = this.entities.get(id);
    if (!e) return null;
    this.camera.updateMatrixWorld();
    this.projected.copy(e.centre).project(this.camera);
    if (this.projected.z > 1) return null;
    const r = this.renderer.domElement.getBoundingClientRect();
    return { x: r.left + ((this.projected.x + 1) / 2) * r.width, y: r.top + ((1 - this.projected.y) / 2) * r.height };
  }

  /** The colour a machine is painted in now (state or heat-map), as 0xRRGGBB. */
  accentColour(id: string): number | null {
    const e = this.entities.get(id);
    const m = e?.model.accents[0]?.material as { color?: Color } | undefined;
    return m?.color ? m.color.getHex() : null;
  }

  /** A glTF machine's load state and the transform of one of its nodes (null: not a glTF machine). */
  modelNode(id: string, node: string): ModelInspection | null {
    return this.entities.get(id)?.model.inspect?.(node) ?? null;
  }

  canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  /** Paints a machine in its state or heat colour; returns whether any colour changed. */
  private paint(e: MachineEntity): boolean {
    let m: Material;
    if (this.colourMode === 'state' || e.heat === null || e.stale) {
      m = e.stale ? this.mat.stateAccent['no-data'] : this.mat.stateAccent[e.state];
      e.frame.setMaterial(e.stale ? this.mat.stateFloor['no-data'] : this.mat.stateFloor[e.state]);
    } else {
      m = this.heatMaterials[Math.round(Math.min(1, Math.max(0, e.heat)) * (HEAT_BINS - 1))]!;
      e.frame.setMaterial(m);
    }
    // An accent left unmerged (a glTF machine's) draws its own material: a new one is a change to draw.
    let swapped = false;
    for (const a of e.model.accents) {
      if (a.material !== m) swapped = true;
      a.material = m;
    }
    const accents = this.refreshPaint(e.model.accents) || swapped;
    return this.refreshPaint(e.frame.strips) || accents;
  }

  /** Without the instancer the meshes draw their materials directly: any call may change them. */
  private refreshPaint(meshes: readonly Mesh[]): boolean {
    if (!this.instancer) return true;
    let changed = false;
    for (let i = 0; i < meshes.length; i++) if (this.instancer.refresh(meshes[i]!)) changed = true;
    return changed;
  }

  /** Draw calls in the last frame (performance check). */
  drawCalls(): number {
    return this.renderer.info.render.calls;
  }

  /** Triangles in the last frame (performance check). */
  triangles(): number {
    return this.renderer.info.render.triangles;
  }

  private hover(id: string | null): void {
    const e = id ? this.entities.get(id) : undefined;
    this.hoverFrame.root.visible = !!e && id !== this.selected;
    if (e) this.placeFrame(this.hoverFrame, e, 0.7);
    for (const x of this.ordered) x.label.element.classList.toggle('hovered', x.id === id);
    this.hovered = id;
    this.loop.invalidateView();
    this.options.onHover?.(id);
  }

  /**
   * Labels are DOM cards; a browser lays out and paints every one of them whenever the view
   * moves, and 200 overlapping cards are unreadable anyway. A label shows only where its machine
   * is drawn large enough to read it (MIN_LABEL_PX_PER_METRE), plus always for the selected,
   * hovered and down machines — the ones someone is looking for.
   */
  private cullLabels(): void {
    const h = this.container.clientHeight || 1;
    const focal = h / (2 * Math.tan((this.camera.fov * Math.PI) / 360));
    const cam = this.camera.position;
    for (let i = 0; i < this.ordered.length; i++) {
      const e = this.ordered[i]!;
      const pxPerMetre = focal / Math.max(0.001, cam.distanceTo(e.centre));
      e.label.object.visible = pxPerMetre >= MIN_LABEL_PX_PER_METRE || e.id === this.selected || e.id === this.hovered || (e.state === 'down' && !e.stale);
    }
  }

  private placeFrame(frame: FloorFrame, e: MachineEntity, margin: number): void {
    frame.root.position.copy(e.group.position);
    frame.root.rotation.copy(e.group.rotation);
    frame.fit(e.model.size.w + margin, e.model.size.d + margin);
  }

  /** The plant file's floor (floor plan, areas, drawn conveyors: ui/layout/floor-layer.ts), replaced as a whole. */
  setGroundLayer(layer: Object3D | null): void {
    if (this.groundLayer) this.scene.remove(this.groundLayer);
    this.groundLayer = layer;
    if (layer) this.scene.add(layer);
    this.loop.invalidate();
  }

  /** Draw again: something the world shows changed outside it (a ground texture finished loading). */
  invalidate(): void {
    this.loop.invalidate();
  }

  /** Live state of the site meters for the utilities area (ui/energy/utilities-feed.ts). */
  applyUtilities(meters: readonly UtilityMeterState[]): void {
    this.utilities?.update(meters);
    this.loop.invalidateView();
  }

  private clear(): void {
    for (const e of this.ordered) e.label.element.remove();
    this.content.clear();
    this.entities.clear();
    this.ordered.length = 0;
    this.parts = null;
  }
}
