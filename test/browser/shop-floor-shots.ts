// Screenshots of the twin at the shop floor's screen sizes (desktop 1440×900, tablet 820×1180,
// phone 390×844), in English and Chinese, with the stop list and the handover panel open.
//   npx tsx test/browser/shop-floor-shots.ts [--no-build] [--out test-artifacts/shop-floor]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { launchChromium, waitForTwin } from './chromium.js';
import { startTwinLine } from './e2e-line.js';

export const SCREENS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'tablet', width: 820, height: 1180 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const { values } = parseArgs({ options: { out: { type: 'string', default: 'test-artifacts/shop-floor' }, 'no-build': { type: 'boolean', default: false }, panels: { type: 'boolean', default: true } } });
mkdirSync(values.out, { recursive: true });
if (!values['no-build']) await build({ configFile: 'twin-ui/vite.config.ts', logLevel: 'warn' });
const line = await startTwinLine({ timeScale: 10, seed: 7 });
try {
  for (const screen of SCREENS) {
    const browser = await launchChromium({ width: screen.width, height: screen.height });
    try {
      const { page } = browser;
      page.on('pageerror', (e) => console.log(`[browser error] ${e.message}`));
      for (const lang of ['en', 'zh-CN']) {
        await page.goto(`${line.url}/?lang=${lang}&quality=low`);
        await waitForTwin(page, 30_000);
        await page.waitForTimeout(2500);
        await page.screenshot({ path: join(values.out, `${screen.name}-${lang}.png`) });
        if (!values.panels) continue;
        for (const panel of ['stops', 'handover']) {
          const toggle = page.locator(`[data-testid="${panel}-toggle"]`);
          if (!(await toggle.isVisible().catch(() => false))) continue;
          await toggle.click();
          await page.waitForTimeout(1200);
          await page.screenshot({ path: join(values.out, `${screen.name}-${lang}-${panel}.png`) });
          await toggle.click();
        }
      }
      const overflow = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, header: document.getElementById('header')!.scrollWidth, width: innerWidth }));
      console.log(screen.name, JSON.stringify(overflow));
    } finally {
      await browser.close();
    }
  }
} finally {
  await line.stop();
}
