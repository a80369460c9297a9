// The 200-machine budget with the plant's own models (issue 21): half of a synthetic 200-machine
// plant drawn from the demo's glTF model, with moving nodes on a live tag. Every clone shares the
// one loaded geometry set and the world merges the loaded models together, so the twin still
// draws the plant in under 100 draw calls. The fixture server serves the built twin; the model
// is put where the twin asks for it (api/models/) in a copy of the build made of symlinks.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { syntheticPlant } from './synthetic-plant.js';
import { ARTIFACTS } from './twin-on-line.js';

const N = 200;

describe('a synthetic 200-machine plant, half of it glTF machines', () => {
  let server: FixtureServer;
  let browser: Browser;
  let dir: string;
  const plant = syntheticPlant(N);
  const gltf = plant.machines.filter((_, i) => i % 2 === 0).map((m) => m.id);
  for (const m of plant.machines) {
    if (!gltf.includes(m.id)) continue;
    m.visual = {
      model: 'machining-centre.glb', footprint: { w: 2.8, d: 2.2 }, height: 2.9,
      moving: [
        { node: 'Spindle', tag: 'power', motion: 'spin', axis: 'y', input: [0, 20], output: [0, 360] },
        { node: 'Door', tag: 'power', motion: 'translate', axis: 'x', input: [0, 5], output: [0.95, 0] },
      ],
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-gltf-budget-'));
    const ui = resolve('dist/twin-ui');
    for (const entry of readdirSync(ui)) symlinkSync(join(ui, entry), join(dir, entry));
    mkdirSync(join(dir, 'api', 'models'), { recursive: true });
    copyFileSync('config/models/machining-centre.glb', join(dir, 'api', 'models', 'machining-centre.glb'));
    server = await startFixtureServer({ plant, uiDir: dir, tickMs: 500 });
    browser = await launchChromium({ width: 1280, height: 720 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every model, shares one geometry set, and draws the plant in under 100 draw calls', async () => {
    const { page } = browser;
    await page.goto(server.url);
    await waitForTwin(page, 60_000);
    await page.waitForFunction((ids) => ids.every((id) => (window.__twin!.modelNode(id, 'Door') as { load: string } | null)?.load === 'loaded'), gltf, { timeout: 60_000, polling: 500 });
    const geometries = await page.evaluate((ids) => ids.map((id) => (window.__twin!.modelNode(id, 'Door') as { geometries: string[] }).geometries.join()), gltf);
    expect(new Set(geometries).size).toBe(1);
    // Let the merge (100 ms after the loads) happen and a frame be drawn after it.
    const f0 = await page.evaluate(() => window.__twin!.frames);
    await page.waitForTimeout(1500);
    await page.waitForFunction((n) => window.__twin!.frames > n, f0, { timeout: 30_000 });
    const calls = await page.evaluate(() => window.__twin!.drawCalls);
    expect(calls).toBeGreaterThan(5);
    expect(calls).toBeLessThan(100);
    expect(await page.evaluate(() => window.__twin!.triangles)).toBeLessThan(100_000);
    await page.screenshot({ path: `${ARTIFACTS}/gltf-budget-200.png` });
  });
});
