// The plant's own glTF models and a machine type the twin has no shape for, in real Chromium on
// the real simulator + edge (issue 21). The plant is the demo's (whose mill is drawn from
// config/models/machining-centre.glb and whose washer from the Draco-compressed
// parts-washer-draco.glb, both served by the edge's /api/models/) with three changes: the
// loader uses the mill's model too (instances share geometry), the packer its meshopt-compressed
// copy (decoded in the browser), and the inspection station is a
// "press", drawn as a generic cabinet from its footprint. The mill's moving parts follow the
// PLC's spindle speed: a breakdown injected in the simulator stops the spindle and the guard
// door slides open; running again, the door closes and the spindle fan turns. Checked on the
// node transforms and on the pixels around the machine.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { motionTarget } from '../../shared/machine-visual.js';
import { STATE_COLOURS } from '../../twin-ui/src/world/components/materials.js';
import { ARTIFACTS, pollUntil, twinOnLine } from './twin-on-line.js';

interface Inspection { load: string; error: string | null; node: { position: number[]; rotation: number[] } | null; geometries: string[] }

const demo = loadPlantFile('config/demo-plant.yaml');
const mill = demo.machines.find((m) => m.id === 'mill')!;
const dir = mkdtempSync(join(tmpdir(), 'twinline-gltf-'));
mkdirSync(join(dir, 'models'));
for (const f of ['machining-centre.glb', 'machining-centre-meshopt.glb', 'parts-washer-draco.glb']) copyFileSync(`config/models/${f}`, join(dir, 'models', f));
writeFileSync(join(dir, 'plant.yaml'), JSON.stringify({
  ...demo,
  machines: demo.machines.map((m) =>
    m.id === 'loader' ? { ...m, visual: { model: 'machining-centre.glb', footprint: { w: 2.8, d: 2.2 }, height: 2.9 } }
    : m.id === 'inspection' ? { ...m, type: 'press', visual: { footprint: { w: 1.8, d: 1.4 }, height: 2.6 } }
    : m.id === 'packer' ? { ...m, visual: { model: 'machining-centre-meshopt.glb', footprint: { w: 2.8, d: 2.2 }, height: 2.9 } }
    : m),
}));
const door = mill.visual!.moving!.find((m) => m.node === 'Door')!;
/** The door's x in the model (DoorLeaf's parent) as the generator placed it. */
const DOOR_BASE_X = -0.45;

const inspect = (page: Page, node: string, id = 'mill') => page.evaluate(([n, i]) => window.__twin!.modelNode(i!, n!) as Inspection | null, [node, id]);

/**
 * RGB of the canvas pixels in a square of `half` CSS px around a machine's centre on screen, with
 * counts of the mill model's safety yellow and the washer model's signal orange (RAL 2004).
 */
async function machinePixels(page: Page, id: string, half = 90): Promise<{ rgb: number[]; yellow: number; orange: number }> {
  return page.evaluate(([h, i]) => {
    const gl = document.querySelector<HTMLCanvasElement>('canvas.twin-canvas')!;
    const pos = window.__twin!.screenPositionOf(i!)!;
    const r = gl.getBoundingClientRect();
    const sx = gl.width / r.width;
    const x0 = Math.round((pos.x - r.left - h) * sx);
    const y0 = Math.round((pos.y - r.top - h * 1.4) * sx);
    const size = Math.round(2 * h * sx);
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(gl, x0, y0, size, size, 0, 0, size, size);
    const { data } = ctx.getImageData(0, 0, size, size);
    const rgb: number[] = [];
    let yellow = 0;
    let orange = 0;
    for (let k = 0; k < data.length; k += 4) {
      const [r, g, b] = [data[k]!, data[k + 1]!, data[k + 2]!];
      rgb.push(r, g, b);
      // The mill model's safety-yellow spindle fan (0.95, 0.72, 0.10 base colour), lit.
      if (r > 150 && g > 100 && b < 90 && r - b > 90) yellow++;
      // The washer model's orange band and fan: hue 8–28° (the state red is 0°, amber and the idle colour 38–40°).
      const hue = r > g && g >= b && r - b > 0.6 * r ? (60 * (g - b)) / (r - b) : -1;
      if (r > 100 && hue >= 8 && hue <= 28) orange++;
    }
    return { rgb, yellow, orange };
  }, [half, id] as const);
}

/** Share of pixels whose colour changed by more than 24 in some channel. */
function changedShare(a: number[], b: number[]): number {
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.abs(a[i]! - b[i]!) > 24 || Math.abs(a[i + 1]! - b[i + 1]!) > 24 || Math.abs(a[i + 2]! - b[i + 2]!) > 24) changed++;
  }
  return changed / (a.length / 3);
}

describe('a glTF machine in the twin (real simulator + edge, real Chromium)', () => {
  const t = twinOnLine({ timeScale: 10, plantFile: join(dir, 'plant.yaml') });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the mill\'s model from the edge in place of its placeholder, and draws it', async () => {
    const { page } = t;
    await pollUntil('the mill model to load', async () => (await inspect(page, 'Door'))?.load !== 'loading', 30_000, 200);
    const door0 = await inspect(page, 'Door');
    expect(door0).toMatchObject({ load: 'loaded', error: null });
    expect(door0!.node).not.toBeNull();
    expect((await inspect(page, 'Spindle'))!.node).not.toBeNull();
    await page.evaluate(() => window.__twin!.selectMachine(null));
    await page.screenshot({ path: `${ARTIFACTS}/gltf-mill-overview.png` });
    // The safety-yellow fan of the model is on screen around the mill (the built-in CNC shape has no yellow).
    const { yellow } = await machinePixels(page, 'mill');
    expect(yellow).toBeGreaterThan(30);
    // The loader is a second instance of the same file: one load, the same geometries.
    await pollUntil('the loader model to load', async () => (await inspect(page, 'Door', 'loader'))?.load === 'loaded', 30_000, 200);
    const [a, b] = [await inspect(page, 'Door'), await inspect(page, 'Door', 'loader')];
    expect(a!.geometries.length).toBe(9);
    expect(b!.geometries).toEqual(a!.geometries);
    // The packer's copy is meshopt-compressed: decoded by the bundled decoder (WebAssembly under the edge's CSP).
    await pollUntil('the meshopt model to load', async () => (await inspect(page, 'Door', 'packer'))?.load !== 'loading', 30_000, 200);
    const c = await inspect(page, 'Door', 'packer');
    expect(c).toMatchObject({ load: 'loaded', error: null });
    expect(c!.geometries.length).toBe(9);
    expect(c!.geometries).not.toEqual(a!.geometries);
  });

  it('draws the demo washer from its Draco-compressed model, decoded by the decoder the edge serves (no CDN)', async () => {
    const { page } = t;
    await pollUntil('the Draco model to load', async () => (await inspect(page, 'ExhaustFan', 'washer'))?.load !== 'loading', 30_000, 200);
    const fan = await inspect(page, 'ExhaustFan', 'washer');
    expect(fan).toMatchObject({ load: 'loaded', error: null });
    expect(fan!.geometries.length).toBe(13); // the generator's 13 meshes, each one Draco primitive
    // DRACOLoader fetched its WebAssembly decoder, and everything else, from the edge that served the page.
    const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    const origin = new URL(page.url()).origin;
    expect(fetched.filter((u) => /draco_decoder[^/]*\.wasm$/.test(new URL(u).pathname)).map((u) => new URL(u).origin)).toEqual([origin]);
    expect(fetched.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    // Drawn where the washer stands: its signal-orange band and fan are on screen there (the
    // built-in washer shape and the generic cabinet have no orange), and not round the mill.
    await page.evaluate(() => window.__twin!.selectMachine(null));
    const washer = await machinePixels(page, 'washer');
    expect(washer.orange, `orange pixels round the washer (${washer.orange})`).toBeGreaterThan(150);
    expect((await machinePixels(page, 'mill')).orange).toBeLessThan(washer.orange / 10);
    await page.screenshot({ path: `${ARTIFACTS}/gltf-washer-draco.png` });
    const at = (await page.evaluate(() => window.__twin!.screenPositionOf('washer')))!;
    await page.screenshot({ path: `${ARTIFACTS}/gltf-washer-draco-close.png`, clip: { x: Math.max(0, at.x - 160), y: Math.max(0, at.y - 170), width: 320, height: 260 } });
    // Its exhaust fan turns with the power the PLC reports (idle or running, it draws several kW).
    const spin0 = fan!.node!.rotation[1]!;
    await pollUntil('the washer fan to turn', async () => Math.abs((await inspect(page, 'ExhaustFan', 'washer'))!.node!.rotation[1]! - spin0) > 0.05, 10_000, 100);
    expect(t.pageErrors).toEqual([]);
  });

  it('draws a type it has no shape for as a generic machine in its state colour, and names the type as written', async () => {
    const { page } = t;
    expect(await inspect(page, 'Door', 'inspection')).toBeNull(); // no model: the generic shape
    // Painted in the colour of the state the edge reports for it (read together, states change).
    await pollUntil('the press painted in its state colour', async () => {
      const [paint, state] = await page.evaluate(() => [window.__twin!.accentColour('inspection'), (window.__twin!.machine('inspection') as { state?: string } | undefined)?.state] as const);
      return state !== undefined && paint === STATE_COLOURS[state as keyof typeof STATE_COLOURS];
    }, 15_000, 100);
    await page.evaluate(() => window.__twin!.selectMachine('inspection'));
    await page.waitForSelector('#inspector:not([hidden]) .insp-sub', { timeout: 15_000 });
    expect(await page.locator('#inspector .insp-sub').textContent()).toContain('press');
    await page.screenshot({ path: `${ARTIFACTS}/gltf-press-generic.png` });
    await page.evaluate(() => window.__twin!.selectMachine(null));
  });

  it('follows the PLC: a breakdown stops the spindle and opens the door; running again closes it and turns the fan', async () => {
    const { page, line } = t;
    line.sim.inject({ kind: 'breakdown', machine: 'mill', code: 301, minutes: 1.5 });
    // The door's x is the plant file's mapping of the spindle speed the edge got from the PLC.
    await pollUntil('the door to open', async () => ((await inspect(page, 'Door'))!.node!.position[0]! > DOOR_BASE_X + 0.9), 20_000, 200);
    const speedStopped = line.sim.tagValue('mill.spindleSpeed') as number;
    expect(speedStopped).toBeLessThan(50);
    // Below 50 rpm (sensor noise at a standstill) the plant file's mapping puts the door between these.
    const doorX = (await inspect(page, 'Door'))!.node!.position[0]!;
    expect(doorX).toBeGreaterThanOrEqual(DOOR_BASE_X + motionTarget(door, 50)! - 1e-3);
    expect(doorX).toBeLessThanOrEqual(DOOR_BASE_X + motionTarget(door, 0)! + 1e-3);
    // A spindle at a standstill (a few rpm of sensor noise) turns at most a degree or two in 0.6 s.
    const spinA = (await inspect(page, 'Spindle'))!.node!.rotation[1]!;
    await new Promise((r) => setTimeout(r, 600));
    expect(Math.abs((await inspect(page, 'Spindle'))!.node!.rotation[1]! - spinA)).toBeLessThan(0.03);
    const open = await machinePixels(page, 'mill');
    await page.screenshot({ path: `${ARTIFACTS}/gltf-mill-door-open.png` });

    // The breakdown ends after 1.5 simulated minutes (9 s here); the mill runs and spins up.
    await pollUntil('the door to close', async () => ((await inspect(page, 'Door'))!.node!.position[0]! < DOOR_BASE_X + 0.02), 60_000, 250);
    expect(line.sim.tagValue('mill.spindleSpeed') as number).toBeGreaterThan(door.input[1]);
    const spinB = (await inspect(page, 'Spindle'))!.node!.rotation[1]!;
    await pollUntil('the fan to turn', async () => Math.abs((await inspect(page, 'Spindle'))!.node!.rotation[1]! - spinB) > 0.05, 5_000, 100);
    const closed = await machinePixels(page, 'mill');
    await page.screenshot({ path: `${ARTIFACTS}/gltf-mill-door-closed.png` });
    // The door leaf (blue-grey, 1.3 m wide) moved by 0.95 m in front of the machine: a clear change on screen.
    expect(changedShare(open.rgb, closed.rgb)).toBeGreaterThan(0.03);
    expect(t.pageErrors).toEqual([]);
  });
});
