// Screenshots of the twin in headless Chromium.
//   npx tsx test/browser/screenshot.ts                 fixture line → test-artifacts/
//   npx tsx test/browser/screenshot.ts --real          real simulator + edge on free ports
//   npx tsx test/browser/screenshot.ts --real --docs   … and write docs/screenshot.png (the README's picture)
//   npx tsx test/browser/screenshot.ts --url http://localhost:8080   a running edge
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { launchChromium, waitForTwin } from './chromium.js';
import { startFixtureServer } from './fixture-server.js';
import { startTwinLine } from './e2e-line.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'test-artifacts' },
    url: { type: 'string' },
    real: { type: 'boolean', default: false },
    docs: { type: 'boolean', default: false },
    select: { type: 'string', default: 'mill' },
    query: { type: 'string', default: 'quality=high' },
    'no-build': { type: 'boolean', default: false },
  },
});
mkdirSync(values.out, { recursive: true });
if (!values.url && !values['no-build']) await build({ configFile: 'twin-ui/vite.config.ts', logLevel: 'warn' });
const fixture = values.url || values.real ? null : await startFixtureServer();
const real = values.real && !values.url ? await startTwinLine({ timeScale: 1, seed: 7 }) : null;
const url = values.url ?? real?.url ?? fixture!.url;
const browser = await launchChromium();
try {
  const { page } = browser;
  page.on('pageerror', (e) => console.log(`[browser error] ${e.message}`));
  await page.goto(`${url}/?${values.query}`);
  await waitForTwin(page, 30_000);
  // Let every machine report a state and a few parts reach the conveyors.
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLElement>('.machine-label')].every((l) => l.dataset.state !== 'no-data'),
    undefined, { timeout: 30_000, polling: 250 },
  ).catch(() => console.log('note: some machines still show "no data"'));
  await page.waitForTimeout(real ? 8000 : 1500);
  await page.screenshot({ path: join(values.out, 'twin-overview.png') });
  const pos = await page.evaluate((id) => window.__twin!.screenPositionOf(id), values.select);
  if (pos) {
    await page.mouse.click(pos.x, pos.y);
    // Generous: a high-quality frame on a busy CPU renderer can take seconds.
    await page.waitForSelector('#inspector:not([hidden])', { timeout: 60_000 });
    await page.mouse.move(5, 300);
    await page.waitForTimeout(1500);
  }
  await page.screenshot({ path: join(values.out, 'twin-inspector.png') });
  if (values.docs) {
    mkdirSync('docs', { recursive: true });
    copyFileSync(join(values.out, 'twin-inspector.png'), 'docs/screenshot.png');
    console.log('wrote docs/screenshot.png');
  }
  console.log('stats', await page.evaluate(() => ({ frames: window.__twin!.frames, fps: window.__twin!.fps, parts: window.__twin!.activeParts })));
} finally {
  await browser.close();
  await fixture?.stop();
  await real?.stop();
}
