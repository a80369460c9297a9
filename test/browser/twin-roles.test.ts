// Views by role in real Chromium against the real simulator + edge in 'required' auth mode:
// an operator, a maintenance engineer and a manager log in through the twin's own login
// dialog and each gets the view for their job; a role can step down to a lower view, never
// up; the edge still refuses what the role may not do, whatever the page shows.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { clickMachine } from './page-checks.js';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { currentView, loginThroughTwin } from './twin-login.js';

const ARTIFACTS = 'test-artifacts';
const PASSWORD = 'a long enough passphrase';

describe('views by role after login', () => {
  let line: TwinLine;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    line = await startTwinLine({ timeScale: 10, seed: 7, auth: 'required' });
    for (const [username, role] of [['olga', 'operator'], ['max', 'maintenance'], ['mia', 'manager']] as const) {
      await line.edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
    }
    browser = await launchChromium({ width: 1280, height: 720 });
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await line?.stop();
  });

  const visible = (selector: string) => browser.page.locator(selector).isVisible();

  it('asks for a login in the twin itself, and says why a wrong password fails', async () => {
    const { page } = browser;
    await page.goto(line.url);
    await page.waitForSelector('[data-testid="login-form"]', { state: 'visible', timeout: 30_000 });
    // Nothing to cancel back to without a session.
    expect(await visible('[data-testid="login-cancel"]')).toBe(false);
    await page.locator('[data-testid="login-username"]').fill('olga');
    await page.locator('[data-testid="login-password"]').fill('not the password');
    await page.locator('[data-testid="login-submit"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="login-error"]')?.textContent ?? '') !== '', undefined, { timeout: 20_000 });
    expect(await page.locator('[data-testid="login-error"]').textContent()).toMatch(/password|user/i);
    await page.screenshot({ path: `${ARTIFACTS}/roles-login.png` });
  });

  it('operator: the line, andon counts and the selected machine plainly; no dashboard, replay or tools', async () => {
    const { page } = browser;
    await loginThroughTwin(page, 'olga', PASSWORD);
    expect(await currentView(page)).toBe('operator');
    expect(await page.locator('[data-testid="user"]').getAttribute('data-role')).toBe('operator');
    // One view only: no tabs, and none of the other views' tools.
    expect(await visible('[data-testid="view-bar"]')).toBe(false);
    expect(await visible('[data-testid="dashboard-toggle"]')).toBe(false);
    expect(await visible('[data-testid="replay-toggle"]')).toBe(false);
    expect(await visible('[data-testid="colour-mode"]')).toBe(false);
    expect(await visible('[data-testid="andon-counts"]')).toBe(true);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('.machine-label')].every((l) => l.dataset.state !== 'no-data'), undefined, { timeout: 30_000, polling: 250 });
    const andon = await page.$$eval('[data-testid="andon-counts"] .sc', (cs) => cs.reduce((n, c) => n + Number(c.textContent), 0));
    expect(andon).toBe(loadPlantFile('config/demo-plant.yaml').machines.length);
    await clickMachine(page, 'mill');
    await page.waitForSelector('#inspector:not([hidden]) .insp-title', { timeout: 30_000 });
    expect(await visible('[data-testid="inspector-state"]')).toBe(true);
    expect(await visible('#inspector [data-field="counts.total"]')).toBe(true);
    expect(await visible('#inspector [data-field="oee.oee"]')).toBe(true);
    // Engineering detail belongs to the maintenance view.
    expect(await visible('[data-testid="tag-table"]')).toBe(false);
    expect(await visible('[data-testid="trend"]')).toBe(false);
    await page.mouse.move(5, 400);
    await page.screenshot({ path: `${ARTIFACTS}/roles-operator.png` });
  });

  it('operator cannot open the dashboard (not by the URL either), and the edge refuses manager-only APIs', async () => {
    const { page } = browser;
    await page.goto(`${line.url}/?view=manager`);
    await page.waitForFunction(() => document.querySelector('#app')?.getAttribute('data-view') === 'operator', undefined, { timeout: 30_000 });
    expect(await visible('[data-testid="dashboard-toggle"]')).toBe(false);
    expect(await page.locator('[data-testid="dashboard"]').isHidden()).toBe(true);
    // The server does not rely on the page: the audit log needs a manager.
    expect(await page.evaluate(async () => (await fetch('api/audit')).status)).toBe(403);
  });

  it('maintenance: full inspector with live tags and trends, replay, and the operator view below it', async () => {
    const { page } = browser;
    await loginThroughTwin(page, 'max', PASSWORD);
    expect(await currentView(page)).toBe('maintenance');
    expect(await visible('[data-testid="view-operator"]')).toBe(true);
    expect(await visible('[data-testid="view-maintenance"]')).toBe(true);
    expect(await visible('[data-testid="view-manager"]')).toBe(false);
    expect(await visible('[data-testid="dashboard-toggle"]')).toBe(false);
    expect(await visible('[data-testid="replay-toggle"]')).toBe(true);
    await clickMachine(page, 'mill');
    await page.waitForSelector('#inspector:not([hidden]) [data-testid="tag-table"]', { state: 'visible', timeout: 30_000 });
    expect(await visible('[data-testid="trend"]')).toBe(true);
    expect(await visible('#inspector [data-field="health.connected"]')).toBe(true);
    await page.waitForSelector('[data-testid="trend"] .trend[data-history-points]', { state: 'attached', timeout: 30_000 });
    await page.mouse.move(5, 400);
    await page.screenshot({ path: `${ARTIFACTS}/roles-maintenance.png` });
    // Stepping down to the operator's view hides the engineering detail; stepping back shows it.
    await page.locator('[data-testid="view-operator"]').click();
    expect(await currentView(page)).toBe('operator');
    expect(await visible('[data-testid="tag-table"]')).toBe(false);
    expect(await visible('[data-testid="replay-toggle"]')).toBe(false);
    await page.locator('[data-testid="view-maintenance"]').click();
    expect(await visible('[data-testid="tag-table"]')).toBe(true);
  }, 150_000);

  // A busy 2-core box renders the 3D line on the CPU: the steps below get room beyond the default.
  it('manager: the KPI dashboard first, and every lower view', async () => {
    const { page } = browser;
    await loginThroughTwin(page, 'mia', PASSWORD);
    expect(await currentView(page)).toBe('manager');
    await page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="dashboard"][data-loaded="true"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="dashboard-toggle"]').getAttribute('aria-pressed')).toBe('true');
    for (const v of ['operator', 'maintenance', 'manager']) expect(await visible(`[data-testid="view-${v}"]`)).toBe(true);
    expect(await visible('[data-testid="line-energy-per-part"]')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/roles-manager.png` });
  }, 150_000);

  it('manager: the line coloured by energy per part; a lower view closes the dashboard and colours by state', async () => {
    const { page } = browser;
    await page.locator('[data-testid="dashboard-toggle"]').click();
    expect(await page.locator('[data-testid="dashboard"]').isHidden()).toBe(true);
    await page.selectOption('[data-testid="colour-mode"]', 'energy');
    await page.waitForFunction(() => /kWh\/pc/.test(document.querySelector('.machine-label')?.textContent ?? ''), undefined, { timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}/roles-manager-line.png` });
    await page.locator('[data-testid="dashboard-toggle"]').click();
    await page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 30_000 });
    await page.locator('[data-testid="view-operator"]').click();
    expect(await page.locator('[data-testid="dashboard"]').isHidden()).toBe(true);
    expect(await page.locator('[data-testid="colour-mode"]').isVisible()).toBe(false);
    expect(await page.evaluate(() => document.querySelector('.machine-label')?.textContent ?? '')).not.toMatch(/kWh\/pc/);
    await page.locator('[data-testid="view-manager"]').click();
    await page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 30_000 });
  }, 150_000);

  it('the header reads at 1920x1080 too', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid="dashboard"][data-loaded="true"]:not([hidden])', { timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}/roles-manager-1920.png` });
    await page.locator('[data-testid="view-maintenance"]').click();
    await page.mouse.move(5, 600);
    await page.screenshot({ path: `${ARTIFACTS}/roles-manager-as-maintenance-1920.png` });
    await page.locator('[data-testid="view-manager"]').click();
    await page.setViewportSize({ width: 1280, height: 720 });
  }, 150_000);

  it('logging out returns to the login dialog; the language switch reaches it', async () => {
    const { page } = browser;
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.locator('[data-testid="user-menu"]').click();
    expect(await page.locator('[data-testid="logout"]').textContent()).toBe('退出');
    await Promise.all([page.waitForEvent('load', { timeout: 30_000 }), page.locator('[data-testid="logout"]').click()]);
    await page.waitForSelector('[data-testid="login-form"]', { state: 'visible', timeout: 60_000 }).catch(async (err: unknown) => {
      await page.screenshot({ path: `${ARTIFACTS}/roles-logged-out-failed.png` });
      throw err;
    });
    expect(await page.locator('.login-submit').textContent()).toBe('登录');
    await page.screenshot({ path: `${ARTIFACTS}/roles-logged-out-zh.png` });
    // The header stays usable above the dialog: the language can be switched before logging in.
    await page.locator('[data-testid="lang-toggle"]').click();
    expect(await page.locator('.login-submit').textContent()).toBe('Log in');
    expect(pageErrors).toEqual([]);
  });
});
