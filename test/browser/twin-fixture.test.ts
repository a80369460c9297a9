// The twin in real Chromium against the fixture line (no PLCs): drawing, picking, inspector,
// connection honesty, stale greying, language and colour modes.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';
import { STATE_COLOURS } from '../../twin-ui/src/world/components/materials.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { canvasStats, clickMachine, tagText, waitForChange } from './page-checks.js';

/** The fixture serves the demo plant: one label per machine of it. */
const MACHINES = loadPlantFile('config/demo-plant.yaml').machines.length;

const ARTIFACTS = 'test-artifacts';

describe('twin against the fixture line', () => {
  let server: FixtureServer;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startFixtureServer({ tickMs: 200 });
    browser = await launchChromium();
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
    await browser.page.goto(server.url);
    await waitForTwin(browser.page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the line: WebGL canvas is not blank and every machine has a label', async () => {
    const { page } = browser;
    expect(await page.evaluate(() => window.__twin!.webgl)).toBe(true);
    await page.waitForFunction(() => window.__twin!.frames > 3, undefined, { timeout: 20_000 });
    const stats = await canvasStats(page);
    expect(stats.width).toBeGreaterThan(800);
    expect(stats.nonDominant).toBeGreaterThan(0.15);
    expect(stats.distinctColours).toBeGreaterThan(40);
    const labels = await page.locator('.machine-label').allTextContents();
    expect(labels).toHaveLength(MACHINES);
    expect(labels.join(' ')).toContain('CNC mill');
    expect(labels.join(' ')).toMatch(/OEE \d+\.\d %/);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('connected');
    await page.screenshot({ path: `${ARTIFACTS}/fixture-overview.png` });
    expect(pageErrors).toEqual([]);
  });

  it('clicking a machine opens its inspector with live values that change', async () => {
    const { page } = browser;
    await clickMachine(page, 'mill');
    await page.waitForSelector('#inspector:not([hidden]) .insp-title', { timeout: 30_000 });
    expect(await page.locator('#inspector .insp-title').textContent()).toBe('CNC mill');
    expect(await page.evaluate(() => window.__twin!.selected)).toBe('mill');
    expect(await page.locator('#inspector tr[data-tag]').count()).toBe(11);
    expect(await page.locator('#inspector tr[data-tag="spindleTemperature"] .tag-unit').textContent()).toBe('°C');
    const before = await tagText(page, 'power');
    expect(before).toMatch(/^\d/);
    await waitForChange(() => tagText(page, 'power'), before, 10_000);
    await page.screenshot({ path: `${ARTIFACTS}/fixture-inspector.png` });
  });

  it('parts ride the conveyors when counts go up', async () => {
    await browser.page.waitForFunction(() => window.__twin!.activeParts > 0, undefined, { timeout: 30_000 });
  });

  it('greys values from a disconnected device and shows its health', async () => {
    const { page } = browser;
    await page.evaluate(() => window.__twin!.selectMachine('loader'));
    server.line.setDeviceConnected('plc-modbus', false);
    await page.waitForSelector('#inspector tr[data-tag="power"].stale', { timeout: 30_000 });
    await page.waitForSelector('.machine-label[data-machine-id="loader"].stale', { timeout: 20_000 });
    expect(await page.locator('#inspector [data-field="health.connected"]').textContent()).toContain('disconnected');
    // The header's device health chips say which PLC connection is down.
    expect(await page.locator('[data-testid="device-health"] [data-device-id="plc-modbus"]').getAttribute('data-ok')).toBe('false');
    expect(await page.locator('[data-testid="device-health"] [data-device-id="plc-opcua"]').getAttribute('data-ok')).toBe('true');
    // The OPC UA machines keep their live look.
    expect(await page.locator('.machine-label[data-machine-id="mill"].stale').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/fixture-stale.png` });
    server.line.setDeviceConnected('plc-modbus', true);
    await page.waitForSelector('#inspector tr[data-tag="power"]:not(.stale)', { timeout: 30_000 });
  });

  it('shows a reconnecting banner when the edge goes away, and recovers', async () => {
    const { page } = browser;
    server.pause();
    await page.waitForSelector('[data-testid="banner"]:not([hidden])', { timeout: 30_000 });
    expect(await page.locator('#banner').textContent()).toMatch(/reconnecting/i);
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('reconnecting');
    expect(await page.locator('.machine-label.stale').count()).toBe(MACHINES);
    await page.screenshot({ path: `${ARTIFACTS}/fixture-reconnecting.png` });
    server.resume();
    await page.waitForFunction(() => window.__twin!.connection === 'connected', undefined, { timeout: 20_000 });
    await page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 20_000 });
    expect(await page.locator('.machine-label.stale').count()).toBe(0);
  });

  it('switches language to Simplified Chinese and back', async () => {
    const { page } = browser;
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.waitForFunction(() => document.querySelector('.kpi-label')?.textContent === '班次');
    expect(await page.locator('#legend').textContent()).toContain('故障停机');
    expect(await page.locator('#inspector h3[data-key="tags"]').textContent()).toBe('实时变量');
    expect(await page.locator('#inspector h3[data-key="oee"]').textContent()).toBe('OEE');
    await page.screenshot({ path: `${ARTIFACTS}/fixture-zh.png` });
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.waitForFunction(() => document.querySelector('.kpi-label')?.textContent === 'Shift');
  });

  it('colours machines by OEE and by energy per part in heat-map mode', async () => {
    const { page } = browser;
    const accent = () => page.evaluate(() => window.__twin!.accentColour('mill'));
    await page.evaluate(() => window.__twin!.selectMachine(null));
    server.line.force('mill', 'running', Date.now());
    const stateColour = STATE_COLOURS.running;
    await page.waitForFunction((c) => window.__twin!.accentColour('mill') === c, stateColour, { timeout: 20_000 });
    await page.selectOption('[data-testid="colour-mode"]', 'energy');
    await page.waitForFunction(() => /kWh\/pc/.test(document.querySelector('.machine-label')?.textContent ?? ''));
    await page.selectOption('[data-testid="colour-mode"]', 'oee');
    await page.waitForSelector('#legend .ramp');
    await page.waitForFunction(() => /OEE/.test(document.querySelector('.machine-label')?.textContent ?? ''));
    // Mill's OEE is not 100 %, so its heat colour is not the state colour.
    expect(await accent()).not.toBe(stateColour);
    await page.screenshot({ path: `${ARTIFACTS}/fixture-heatmap-oee.png` });
    await page.selectOption('[data-testid="colour-mode"]', 'state');
    expect(await accent()).toBe(stateColour);
    expect(pageErrors).toEqual([]);
  });
});
