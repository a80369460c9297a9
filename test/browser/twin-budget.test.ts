// Performance guards that do not depend on how busy the machine is: the production bundle
// stays within budget, and a 200-machine plant is drawn with few draw calls (instancing).
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
