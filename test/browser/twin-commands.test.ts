// Machine commands from the twin's inspector, in required-login mode, in real Chromium on the
// real simulator + edge: a maintenance engineer sets the washer's (Modbus) speed override with a
// reason and the edge's REST reads the new value back; an injected breakdown is reset from the
// inspector and the machine leaves 'down'; commands are off in replay; an operator gets no
// Commands section at all.
// (How a refusal is worded on screen: test/unit/twin-machine-commands.test.ts.)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineLive } from '../../shared/live-protocol.js';
import { launchChromium, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { startAwayFromBreaks, until, writeTestPlant } from './alarm-fixtures.js';
import { clickMachine } from './page-checks.js';
import { currentView, loginThroughTwin } from './twin-login.js';

const ARTIFACTS = 'test-artifacts';
const PASSWORD = 'a long enough passphrase';

describe('machine commands in the twin inspector (required login, real simulator + edge, real Chromium)', () => {
  let dir: string;
  let line: TwinLine;
  let browser: Browser;
  /** A manager's token: the checks read the edge as someone else than the page. */
  let token: string;
  const pageErrors: string[] = [];

  const washer = async (): Promise<MachineLive> => {
    const res = await fetch(`${line.url}/api/machines`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { machines: MachineLive[] }).machines.find((m) => m.machineId === 'washer')!;
  };
  const statusKind = async () => browser.page.locator('[data-testid="cmd-status"]').getAttribute('data-kind');
  const waitStatus = () => browser.page.waitForFunction(
    () => ['ok', 'error', 'unconfirmed'].includes(document.querySelector('[data-testid="cmd-status"]')?.getAttribute('data-kind') ?? ''),
    undefined, { timeout: 20_000, polling: 200 },
  );

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'twinline-commands-ui-'));
    line = await startTwinLine({ plantFile: writeTestPlant(dir), timeScale: 1, seed: 11, startTime: startAwayFromBreaks(Date.now()), auth: 'required' });
    for (const [username, role] of [['max', 'maintenance'], ['mia', 'manager'], ['olga', 'operator']] as const) {
      await line.edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
    }
    const res = await fetch(`${line.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'mia', password: PASSWORD }) });
    token = ((await res.json()) as { token: string }).token;
    browser = await launchChromium({ width: 1400, height: 900 });
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
    await browser.page.goto(line.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await line?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('maintenance sets the washer speed override with a reason; the edge reads the new value back', async () => {
    const { page } = browser;
    await loginThroughTwin(page, 'max', PASSWORD);
    expect(await currentView(page)).toBe('maintenance');
    await until('washer live from the edge', async () => (await washer()).tags.speedOverride?.quality === 'good', 30_000);
    await clickMachine(page, 'washer');
    const section = page.locator('#inspector [data-testid="machine-commands"]');
    await section.waitFor({ state: 'visible', timeout: 30_000 });
    // The plant's range for speedOverride (50..120 %) reaches the input.
    expect(await page.locator('[data-testid="cmd-speed"]').getAttribute('min')).toBe('50');
    expect(await page.locator('[data-testid="cmd-speed"]').getAttribute('max')).toBe('120');
    // No reason, no command; no fault, no reset.
    await page.locator('[data-testid="cmd-speed"]').fill('85');
    expect(await page.locator('[data-testid="cmd-speed-apply"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="cmd-reason"]').fill('slow down for the new detergent trial');
    expect(await page.locator('[data-testid="cmd-reset-fault"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="cmd-speed-apply"]').click();
    await waitStatus();
    const text = await page.locator('[data-testid="cmd-status"]').textContent();
    expect(await statusKind(), text ?? '').toBe('ok');
    expect(text).toMatch(/Parts washer: speedOverride set to 85 %/);
    expect(text).toMatch(/read back confirmed/);
    expect((await washer()).tags.speedOverride?.value).toBe(85);
    // The edge keeps the record with the reason.
    const audit = await (await fetch(`${line.url}/api/audit?action=command.speed-override`, { headers: { authorization: `Bearer ${token}` } })).json() as { entries: { actor: string; outcome: string; details: { reason?: string } }[] };
    expect(audit.entries.some((e) => e.actor === 'max' && e.outcome === 'ok' && e.details.reason === 'slow down for the new detergent trial')).toBe(true);
  }, 150_000);

  it('an injected breakdown is reset from the inspector and the washer leaves down', async () => {
    const { page } = browser;
    line.sim.inject({ kind: 'breakdown', machine: 'washer', code: 302, minutes: 30 });
    await until('washer down on the edge', async () => (await washer()).state === 'down', 30_000);
    const reset = page.locator('[data-testid="cmd-reset-fault"]');
    await page.locator('[data-testid="cmd-reason"]').fill('nozzle cleared, restarting');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="cmd-reset-fault"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 20_000, polling: 200 });
    await page.mouse.move(5, 400);
    await page.screenshot({ path: `${ARTIFACTS}/commands-fault.png` });
    await reset.click();
    await waitStatus();
    const text = await page.locator('[data-testid="cmd-status"]').textContent();
    expect(await statusKind(), text ?? '').toBe('ok');
    expect(text).toMatch(/Parts washer: fault reset/);
    const after = await washer();
    expect(after.state).not.toBe('down');
    expect(after.faultCode).toBeNull();
    await page.waitForFunction(() => document.querySelector('[data-testid="inspector-state"]')?.getAttribute('data-state') !== 'down', undefined, { timeout: 15_000 });
    await page.screenshot({ path: `${ARTIFACTS}/commands-done.png` });
  }, 120_000);

  it('commands are off while the inspector follows a replay, and back when live', async () => {
    const { page } = browser;
    await page.locator('[data-testid="cmd-reason"]').fill('a reason that replay must not use');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="cmd-speed-apply"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 10_000 });
    await page.locator('[data-testid="replay-toggle"]').click();
    await page.waitForSelector('[data-testid="replay-bar"][data-loaded="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => /replay/i.test(document.querySelector('[data-testid="cmd-note"]')?.textContent ?? ''), undefined, { timeout: 15_000, polling: 200 });
    expect(await page.locator('[data-testid="cmd-speed-apply"]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="cmd-reset-fault"]').isDisabled()).toBe(true);
    await page.locator('[data-testid="replay-toggle"]').click();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="cmd-speed-apply"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 15_000, polling: 200 });
  }, 90_000);

  it('an operator sees no Commands section', async () => {
    const { page } = browser;
    await loginThroughTwin(page, 'olga', PASSWORD);
    expect(await currentView(page)).toBe('operator');
    await clickMachine(page, 'washer');
    await page.waitForSelector('#inspector:not([hidden]) .insp-title', { timeout: 30_000 });
    expect(await page.locator('[data-testid="machine-commands"]').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
