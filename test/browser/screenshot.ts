// Takes screenshots of the twin against the fixture line (or an edge: --url http://localhost:8080).
//   npx tsx test/browser/screenshot.ts [--out test-artifacts] [--url <edge>] [--select mill]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, waitForTwin } from './chromium.js';
import { startFixtureServer } from './fixture-server.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'test-artifacts' }, url: { type: 'string' }, select: { type: 'string', default: 'mill' }, query: { type: 'string', default: '' } } });
mkdirSync(values.out, { recursive: true });
const server = values.url ? null : await startFixtureServer();
const url = values.url ?? server!.url;
const browser = await launchChromium();
try {
  const { page } = browser;
  page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.log(`[browser error] ${e.message}`));
  await page.goto(`${url}/${values.query ? `?${values.query}` : ''}`);
  await waitForTwin(page);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: join(values.out, 'twin-overview.png') });
  const pos = await page.evaluate((id) => window.__twin!.screenPositionOf(id), values.select);
  if (pos) {
    await page.mouse.click(pos.x, pos.y);
    await page.waitForSelector('#inspector:not([hidden])', { timeout: 5000 });
    await page.waitForTimeout(1200);
  }
  await page.screenshot({ path: join(values.out, 'twin-inspector.png') });
  const stats = await page.evaluate(() => ({ frames: window.__twin!.frames, fps: window.__twin!.fps, parts: window.__twin!.activeParts }));
  console.log('stats', stats);
} finally {
  await browser.close();
  await server?.stop();
}
