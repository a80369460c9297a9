// Performance guards that do not depend on how busy the machine is: the production bundle
// stays within budget, a line at rest draws nothing (render on demand), and a 200-machine plant
// is drawn with few draw calls and labels only where they can be read.
// Frames per second go to `npm run bench` (test/browser/twin-bench.ts), not into a test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { syntheticPlant } from './synthetic-plant.js';
import { BUNDLE_BUDGET_GZIP_BYTES, measureBundle } from './twin-bench.js';

describe('twin performance budget', () => {
  it('ships at most 700 KB of gzipped JavaScript', () => {
    const bundle = measureBundle();
    expect(bundle.jsGzipBytes).toBeGreaterThan(50 * 1024); // three.js is in there: the build really ran
    expect(bundle.jsGzipBytes).toBeLessThanOrEqual(BUNDLE_BUDGET_GZIP_BYTES);
  });

  describe('the demo line at rest', () => {
    let server: FixtureServer;
    let browser: Browser;
    beforeAll(async () => {
      server = await startFixtureServer({ tickMs: 250 });
      browser = await launchChromium({ width: 1280, height: 720 });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('draws no frames while nothing changes, and draws again when something does', async () => {
      const { page } = browser;
      await page.goto(server.url);
      await waitForTwin(page, 60_000);
      const frames = () => page.evaluate(() => window.__twin!.frames);
      const ids = await page.evaluate(() => window.__twin!.machineIds());
      // Planned stop: robots park, belts empty, no andon blinks — while live deltas keep coming.
      for (const id of ids) server.line.force(id, 'planned-stop', Date.now() + 3_600_000);
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.machine-label')].every((l) => l.dataset.state === 'planned-stop'), undefined, { timeout: 30_000 });
      // Settled when two seconds pass without a frame (parts still on belts need up to ~10 s).
      const deadline = Date.now() + 40_000;
      let before = await frames();
      for (;;) {
        await page.waitForTimeout(2000);
        const now = await frames();
        if (now === before) break;
        if (Date.now() > deadline) throw new Error(`still drawing at rest: ${now - before} frames in 2 s`);
        before = now;
      }
      await page.waitForTimeout(2000);
      expect(await frames()).toBe(before);
      await page.evaluate((id) => window.__twin!.selectMachine(id), ids[1]!);
      await page.waitForFunction((n) => window.__twin!.frames > n, before, { timeout: 10_000 });
    });
  });

  describe('a synthetic 200-machine plant', () => {
    let server: FixtureServer;
    let browser: Browser;
    beforeAll(async () => {
      server = await startFixtureServer({ plant: syntheticPlant(200), tickMs: 500 });
      browser = await launchChromium({ width: 1280, height: 720 });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('draws all 200 machines in under 100 draw calls (far more without instancing), labelling only what can be read', async () => {
      const { page } = browser;
      await page.goto(server.url);
      await waitForTwin(page, 60_000);
      await page.waitForFunction(() => window.__twin!.frames > 2, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => window.__twin!.machineIds().length)).toBe(200);
      const instanced = await page.evaluate(() => window.__twin!.drawCalls);
      expect(instanced).toBeGreaterThan(5);
      expect(instanced).toBeLessThan(100);
      // The CPU renderer (low quality) draws a plant this large with coarse shapes: its time per
      // frame grows with triangles (full shapes: ~130k; coarse: ~67k).
      expect(await page.evaluate(() => window.__twin!.quality)).toBe('low');
      expect(await page.evaluate(() => window.__twin!.triangles)).toBeLessThan(100_000);

      // Labels are culled where machines are drawn too small to read them; a selected machine
      // keeps its label wherever it is.
      const shown = () => page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.machine-label')].filter((l) => l.style.display !== 'none').map((l) => l.dataset.machineId));
      const overview = await shown();
      expect(overview.length).toBeLessThan(100);
      const far = (await page.evaluate(() => window.__twin!.machineIds())).find((id) => !overview.includes(id))!;
      await page.evaluate((id) => window.__twin!.selectMachine(id), far);
      await page.waitForFunction((id) => document.querySelector<HTMLElement>(`.machine-label[data-machine-id="${id}"]`)?.style.display === '', far, { timeout: 30_000 });

      await page.goto(`${server.url}/?instancing=off`);
      await waitForTwin(page, 60_000);
      await page.waitForFunction(() => window.__twin!.frames > 2, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => window.__twin!.drawCalls)).toBeGreaterThan(20 * instanced);
    });
  });
});
