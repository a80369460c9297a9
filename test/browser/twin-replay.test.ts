// Replay in real Chromium against the real simulator + edge: the scrubber moves while
// playing, and a machine painted at a replayed moment shows the state the historian has
// for that moment; leaving returns to live.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateInterval } from '../../shared/history-api.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { loginThroughTwin } from './twin-login.js';

const ARTIFACTS = 'test-artifacts';

describe('replay of the real line from the historian', () => {
  let line: TwinLine;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    line = await startTwinLine({ timeScale: 10, seed: 7 });
    browser = await launchChromium();
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
    await browser.page.goto(line.url);
    await waitForTwin(browser.page, 30_000);
    // Replay is in the maintenance and manager views, not the demo visitor's operator view.
    await loginThroughTwin(browser.page, 'maintenance', 'maintenance-demo');
  });

  afterAll(async () => {
    await browser?.close();
    await line?.stop();
  });

  /** page.waitForFunction does not await an async predicate (a Promise is truthy): poll from here. */
  async function pollUntil(ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const labelState = (id: string) => browser.page.locator(`.machine-label[data-machine-id="${id}"]`).getAttribute('data-state');
  const position = async () => Number(await browser.page.locator('[data-testid="replay-bar"]').getAttribute('data-position'));

  it('plays the window back: the scrubber and the replayed time move', async () => {
    const { page } = browser;
    // Some closed state intervals in the historian first (machines change state every few seconds at 10×).
    const closedCount = () => page.evaluate(async () => {
      const res = await fetch(`api/history/states/${'loader'}?from=${Date.now() - 900_000}&to=${Date.now() + 60_000}`);
      return res.ok ? ((await res.json()) as { intervals: { endTs: number | null }[] }).intervals.filter((i) => i.endTs !== null).length : 0;
    });
    await pollUntil(async () => (await closedCount()) >= 5, 90_000);
    await page.locator('[data-testid="replay-toggle"]').click();
    await page.waitForSelector('[data-testid="replay-bar"][data-loaded="true"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="replay-banner"]').textContent()).toMatch(/^REPLAY/);
    await page.locator('[data-testid="replay-speed"]').selectOption('60');
    const start = await position();
    const scrubStart = Number(await page.locator('[data-testid="replay-scrubber"]').inputValue());
    await page.locator('[data-testid="replay-play"]').click();
    await page.waitForFunction((s) => Number(document.querySelector<HTMLElement>('[data-testid="replay-bar"]')!.dataset.position) > s + 30_000, start, { timeout: 10_000, polling: 100 });
    await page.locator('[data-testid="replay-play"]').click();
    expect(Number(await page.locator('[data-testid="replay-scrubber"]').inputValue())).toBeGreaterThan(scrubStart);
    // Paused: the replayed time stays put.
    const paused = await position();
    await page.waitForTimeout(500);
    expect(await position()).toBe(paused);
  });

  it('paints a machine in the state the historian has for the replayed moment', async () => {
    const { page } = browser;
    const bar = page.locator('[data-testid="replay-bar"]');
    const from = Number(await bar.getAttribute('data-from'));
    const to = Number(await bar.getAttribute('data-to'));
    const { intervals } = await page.evaluate(async ([f, t]) => (await (await fetch(`api/history/states/loader?from=${f}&to=${t}`)).json()) as { intervals: StateInterval[] }, [from, to] as const);
    // The replay loaded its history when it opened; the historian writes in batches, so only
    // intervals that had closed well before then are certain to be in the replay's copy.
    const closed = intervals.filter((i) => i.endTs !== null && i.endTs > i.startTs && i.endTs < to - 1000);
    expect(closed.length).toBeGreaterThanOrEqual(2);
    // Two consecutive intervals in different states: scrub into each and read the paint.
    let checked = 0;
    for (const iv of closed) {
      const span = to - from;
      const step = Math.ceil(((iv.startTs + iv.endTs!) / 2 - from) / span * 1000);
      const at = from + (step / 1000) * span;
      if (at < iv.startTs || at >= iv.endTs!) continue; // shorter than one scrubber step
      await page.locator('[data-testid="replay-scrubber"]').fill(String(step));
      await page.waitForFunction(([s]) => Math.abs(Number(document.querySelector<HTMLElement>('[data-testid="replay-bar"]')!.dataset.position) - s!) <= 1, [at], { timeout: 5000 });
      expect(await labelState('loader'), `loader at ${new Date(at).toISOString()}`).toBe(iv.state);
      checked++;
    }
    // At 10× most loader intervals are shorter than one scrubber step; one long enough is the check.
    expect(checked).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-replay.png` });
    // Before the line started the historian has nothing: the replay says so (no data).
    await page.locator('[data-testid="replay-scrubber"]').fill('0');
    if (intervals.every((i) => i.startTs > from)) expect(await labelState('loader')).toBe('no-data');
  });

  it('leaving returns to live', async () => {
    const { page } = browser;
    await page.locator('[data-testid="replay-leave"]').click();
    expect(await page.locator('[data-testid="replay-banner"]').isHidden()).toBe(true);
    await page.waitForFunction(() => {
      const live = window.__twin!.machine('mill') as { state: string };
      return document.querySelector<HTMLElement>('.machine-label[data-machine-id="mill"]')!.dataset.state === live.state;
    }, undefined, { timeout: 10_000 });
    expect(pageErrors).toEqual([]);
  });
});
