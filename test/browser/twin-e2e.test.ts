// End to end in real Chromium: simulator → edge → twin. What a newcomer sees after `npm start`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { canvasStats, clickMachine, tagText, waitForChange } from './page-checks.js';
import { loginThroughTwin } from './twin-login.js';
import { ARTIFACTS, pollUntil, twinOnLine } from './twin-on-line.js';

describe('twin served by the real edge, fed by the real simulator', () => {
  // 10× time: a part every second or so, so counts visibly move within the test.
  const twin = twinOnLine({ timeScale: 10, seed: 7 });

  it('loads the page from the edge and draws the line', async () => {
    const { page } = twin;
    expect(await page.title()).toContain('twinline');
    expect(await page.evaluate(() => window.__twin!.machineIds())).toEqual(['loader', 'mill', 'washer', 'inspection', 'packer', 'furnace']);
    await page.waitForFunction(() => window.__twin!.frames > 3, undefined, { timeout: 20_000 });
    const stats = await canvasStats(page);
    expect(stats.nonDominant).toBeGreaterThan(0.15);
    expect(stats.distinctColours).toBeGreaterThan(40);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('connected');
    expect(await page.locator('.line-name').textContent()).toBe('CNC machining line 1');
    // Demo mode is said on screen, with who we are, and both PLC connections are up.
    await page.waitForSelector('#banner[data-kind="info"]:not([hidden])', { timeout: 20_000 });
    expect(await page.locator('#banner').textContent()).toMatch(/demo/i);
    expect(await page.locator('[data-testid="user"]').textContent()).toContain('operator');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="device-health"] [data-ok="true"]').length === 2, undefined, { timeout: 30_000 });
  });

  it('shows a real state for every machine once both protocols flow', async () => {
    const { page } = twin;
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('.machine-label')].every((l) => l.dataset.state && l.dataset.state !== 'no-data'),
      undefined,
      { timeout: 30_000, polling: 250 },
    );
    await page.screenshot({ path: `${ARTIFACTS}/e2e-overview.png` });
  });

  it('clicking a machine opens its inspector with live values that change', async () => {
    const { page } = twin;
    // Live tags and trends are the maintenance engineer's view: switch from the demo operator.
    await loginThroughTwin(page, 'maintenance', 'maintenance-demo');
    await clickMachine(page, 'mill');
    await page.waitForSelector('#inspector:not([hidden]) .insp-title', { timeout: 30_000 });
    expect(await page.locator('#inspector .insp-title').textContent()).toBe('CNC mill');
    expect(await page.locator('#inspector [data-field="model"]').textContent()).toBe('DMU 50');
    // OPC UA values: spindle speed, temperature, vibration move continuously in the simulator.
    const watched = async () => `${await tagText(page, 'spindleTemperature')}|${await tagText(page, 'vibration')}|${await tagText(page, 'totalCount')}`;
    const before = await watched();
    await waitForChange(watched, before, 20_000);
    expect(await page.locator('#inspector tr[data-tag="spindleSpeed"] .tag-unit').textContent()).toBe('rpm');
    expect(await page.locator('#inspector tr[data-tag="spindleSpeed"]').getAttribute('data-quality')).toBe('good');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-inspector.png` });
  });

  it('trends a tag from the historian, then live, and shows the shift state timeline', async () => {
    const { page } = twin;
    // Default trend: the mill's first process value; the request goes to the historian over REST.
    await page.waitForSelector('[data-testid="trend"] .trend[data-history-points]', { state: 'attached', timeout: 30_000 });
    expect(await page.locator('#inspector tr.trended').getAttribute('data-tag')).toBe('spindleSpeed');
    // Wait (from the page, with its session) until the historian has stored spindle temperatures…
    await pollUntil('stored spindle temperatures', () => page.evaluate(async () => {
      const res = await fetch(`api/history/tags/mill.spindleTemperature?from=${Date.now() - 600_000}&to=${Date.now() + 600_000}`);
      return res.ok && ((await res.json()) as { points: unknown[] }).points.length > 0;
    }), 30_000);
    // …then clicking that tag trends it, starting from the stored history.
    await page.locator('#inspector tr[data-tag="spindleTemperature"]').click();
    await page.waitForFunction(() => document.querySelector('#inspector tr.trended')?.getAttribute('data-tag') === 'spindleTemperature');
    await page.waitForSelector('[data-testid="trend"] .trend[data-history-points]', { state: 'attached', timeout: 30_000 });
    expect(Number(await page.locator('[data-testid="trend"] .trend').getAttribute('data-history-points'))).toBeGreaterThan(0);
    await page.waitForFunction(() => /\d+ pts/.test(document.querySelector('.trend-readout')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // The timeline: this shift's intervals from the historian, with the live state at the end.
    await page.waitForSelector('[data-testid="state-timeline"][data-history-bands]', { state: 'attached', timeout: 30_000 });
    expect(await page.locator('[data-testid="state-timeline"] .tl-seg').count()).toBeGreaterThan(0);
    expect((await page.locator('#inspector .insp-note').allTextContents()).join(' ')).not.toContain('unavailable');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-trend.png` });
  });

  it('moves parts along the conveyors as real counts go up', async () => {
    const { page } = twin;
    await page.waitForFunction(() => window.__twin!.activeParts > 0, undefined, { timeout: 30_000, polling: 100 });
    const counts = await page.evaluate(() => (window.__twin!.machine('loader') as { counts: { total: number } }).counts.total);
    expect(counts).toBeGreaterThan(0);
    expect(twin.pageErrors).toEqual([]);
  });
});

describe('twin on an edge that requires a login', () => {
  let line: TwinLine;
  let browser: Browser;

  beforeAll(async () => {
    line = await startTwinLine({ auth: 'required' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await line?.stop();
  });

  it('says so and links to the login page instead of pretending to be live', async () => {
    const { page } = browser;
    await page.goto(line.url);
    await page.waitForSelector('#banner[data-kind="error"]:not([hidden]) a.banner-link', { timeout: 30_000 });
    expect(await page.locator('#banner').textContent()).toMatch(/log in/i);
    expect(await page.locator('#banner a.banner-link').getAttribute('href')).toBe('login?next=%2F');
    expect(await page.evaluate(() => window.__twin!.ready)).toBe(false);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).not.toBe('connected');
    await page.screenshot({ path: `${ARTIFACTS}/e2e-login-required.png` });
  });
});
