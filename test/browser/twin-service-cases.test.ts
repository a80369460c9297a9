// Service cases worked in the twin, in required-login mode, in real Chromium on the real
// simulator + edge: a maintenance engineer logs in through the twin, opens a case from an
// injected breakdown, assigns it, adds a note and closes it with a resolution; after each
// step the edge's REST (read with another user's token) holds what the screen shows. A
// refusal of the edge (close without a resolution) is shown word for word.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceCase } from '../../shared/alarm-service-cases.js';
import { launchChromium, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { startAwayFromBreaks, until, writeTestPlant } from './alarm-fixtures.js';
import { currentView, loginThroughTwin } from './twin-login.js';

const ARTIFACTS = 'test-artifacts';
const PASSWORD = 'a long enough passphrase';

type CaseRow = Omit<ServiceCase, 'notes' | 'context'>;

describe('service cases in the twin (required login, real simulator + edge, real Chromium)', () => {
  let dir: string;
  let line: TwinLine;
  let browser: Browser;
  /** A manager's token: the checks read the edge as someone else than the page. */
  let token: string;
  let maxToken: string;
  let caseId: number;
  const pageErrors: string[] = [];

  const login = async (username: string) => {
    const res = await fetch(`${line.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${line.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const edgeCase = () => api<ServiceCase>(`/api/service-cases/${caseId}`);
  const listed = async () => (await api<{ cases: CaseRow[] }>('/api/service-cases?machineId=mill')).cases.find((c) => c.id === caseId);
  const caseStatusOk = () => browser.page.waitForFunction(
    () => document.querySelector('[data-testid="case-action-status"]')?.getAttribute('data-kind') === 'ok', undefined, { timeout: 15_000 },
  );

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'twinline-cases-ui-'));
    line = await startTwinLine({ plantFile: writeTestPlant(dir), timeScale: 1, seed: 11, startTime: startAwayFromBreaks(Date.now()), auth: 'required' });
    for (const [username, role] of [['max', 'maintenance'], ['mia', 'manager'], ['olga', 'operator']] as const) {
      await line.edge.auth.users.add({ username, role, password: PASSWORD, now: Date.now() });
    }
    token = await login('mia');
    maxToken = await login('max');
    browser = await launchChromium({ width: 1600, height: 1000 });
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await line?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a maintenance engineer logged in through the twin opens a case from an injected breakdown; the case shows its alarm and recording', async () => {
    const { page } = browser;
    await page.goto(line.url);
    await loginThroughTwin(page, 'max', PASSWORD);
    expect(await currentView(page)).toBe('maintenance');
    await until('the mill running', async () => (await api<{ state: string }>('/api/machines/mill')).state === 'running', 30_000);
    await page.waitForSelector('[data-testid="alarm-panel"]:not([hidden])', { timeout: 10_000 });

    line.sim.inject({ kind: 'breakdown', machine: 'mill', code: 302, minutes: 5 });
    await page.waitForFunction(() => /mill: fault 302/i.test(document.querySelector('[data-testid="alarm-newest"]')?.textContent ?? ''), undefined, { timeout: 30_000, polling: 200 });
    await page.locator('[data-testid="alarm-toggle"]').click();
    const row = page.locator('[data-testid="alarm-list"] tr[data-key="fault@mill"]');
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.locator('[data-testid="alarm-case-note"]').fill('coolant pressure low again');
    await page.locator('[data-testid="alarm-open-case"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="alarm-action-status"]')?.getAttribute('data-kind') === 'ok', undefined, { timeout: 15_000 });
    caseId = Number(/#(\d+)/.exec((await page.locator('[data-testid="alarm-action-status"]').textContent()) ?? '')?.[1]);
    expect(caseId).toBeGreaterThan(0);

    const opened = await edgeCase();
    expect(opened).toMatchObject({ machineId: 'mill', faultCode: 302, status: 'open', openedBy: 'max', assignee: null });
    expect(opened.recordingId).toBeGreaterThan(0);
    expect(opened.notes.map((n) => n.text)).toEqual(['coolant pressure low again']);
    expect(await listed()).toMatchObject({ status: 'open' });

    // The case opens by itself below the machine's history, as the edge holds it.
    const view = page.locator(`[data-testid="service-case"][data-case-id="${caseId}"]`);
    await view.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await view.getAttribute('data-status')).toBe('open');
    expect(await view.locator('[data-field="alarm"]').textContent()).toContain(`#${opened.alarmId}`);
    expect(await view.locator('[data-testid="case-recording"]').textContent()).toContain(`#${opened.recordingId}`);
    expect(await view.locator('[data-testid="case-notes"] li').allTextContents()).toEqual([expect.stringContaining('max: coolant pressure low again')]);
    // The history lists it; clicking it there shows the same case.
    await page.waitForSelector(`[data-testid="service-cases"] li[data-case-id="${caseId}"]`, { timeout: 10_000 });
    await page.locator(`[data-testid="service-cases"] li[data-case-id="${caseId}"] [data-testid="service-case-open"]`).click();
    await view.waitFor({ state: 'visible', timeout: 5_000 });
  }, 120_000);

  it('assigns the case to a user; the edge has the assignee and the status', async () => {
    const { page } = browser;
    await page.locator('[data-testid="case-assignee"]').fill('olga');
    await page.locator('[data-testid="case-assign"]').click();
    await caseStatusOk();
    await page.waitForSelector(`[data-testid="service-case"][data-case-id="${caseId}"][data-status="assigned"]`, { timeout: 5_000 });
    expect(await page.locator('[data-testid="service-case"] [data-field="assignee"]').textContent()).toMatch(/^olga · /);
    const c = await edgeCase();
    expect(c).toMatchObject({ status: 'assigned', assignee: 'olga' });
    expect(c.notes.at(-1)).toMatchObject({ author: 'max', text: 'assigned to olga' });
    expect(await listed()).toMatchObject({ status: 'assigned', assignee: 'olga' });
    // The history line follows.
    await page.waitForFunction((id) => /→ olga/.test(document.querySelector(`[data-testid="service-cases"] li[data-case-id="${id}"]`)?.textContent ?? ''), caseId, { timeout: 10_000 });
  });

  it('adds a note; the edge has it under the engineer\'s name', async () => {
    const { page } = browser;
    const text = 'pump filter clogged, replaced';
    await page.locator('[data-testid="case-note"]').fill(text);
    await page.locator('[data-testid="case-add-note"]').click();
    await caseStatusOk();
    await page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="case-notes"] li')].some((li) => li.textContent?.endsWith(`max: ${t}`)), text, { timeout: 5_000 });
    expect(await page.locator('[data-testid="case-note"]').inputValue()).toBe('');
    const c = await edgeCase();
    expect(c.notes.at(-1)).toMatchObject({ author: 'max', text });
    expect(c.notes).toHaveLength(3);
  });

  it('a close without a resolution is refused with the edge\'s words; with one, the case is closed on the edge', async () => {
    const { page } = browser;
    // What the edge answers to the same request, sent as the same user.
    const direct = await fetch(`${line.url}/api/service-cases/${caseId}/close`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${maxToken}` }, body: JSON.stringify({ resolution: '' }),
    });
    expect(direct.status).toBe(400);
    const refusal = (await direct.json()) as { error: string; field?: string };
    await page.locator('[data-testid="case-close"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="case-action-status"]')?.getAttribute('data-kind') === 'error', undefined, { timeout: 15_000 });
    expect(await page.locator('[data-testid="case-action-status"]').textContent())
      .toBe(`Refused: 400 ${refusal.error}${refusal.field ? ` (${refusal.field})` : ''}`);
    expect((await edgeCase()).status).toBe('assigned');

    const resolution = 'filter replaced, coolant pressure back to 4.2 bar';
    await page.locator('[data-testid="case-resolution"]').fill(resolution);
    await page.locator('[data-testid="case-close"]').click();
    await caseStatusOk();
    await page.waitForSelector(`[data-testid="service-case"][data-case-id="${caseId}"][data-status="closed"]`, { timeout: 5_000 });
    expect(await page.locator('[data-testid="service-case"] [data-field="resolution"]').textContent()).toBe(resolution);
    // A closed case takes notes only.
    expect(await page.locator('[data-testid="case-assign"]').count()).toBe(0);
    expect(await page.locator('[data-testid="case-close"]').count()).toBe(0);
    expect(await page.locator('[data-testid="case-add-note"]').count()).toBe(1);
    const c = await edgeCase();
    expect(c).toMatchObject({ status: 'closed', closedBy: 'max', resolution, assignee: 'olga' });
    expect(await listed()).toMatchObject({ status: 'closed' });
    await page.waitForSelector(`[data-testid="service-cases"] li[data-case-id="${caseId}"][data-status="closed"]`, { timeout: 10_000 });

    // The case's recording opens in the flight-recording section.
    await page.locator('[data-testid="alarm-expand"]').click();
    await page.locator('[data-testid="case-recording"]').click();
    await page.waitForSelector(`[data-testid="flight-recording"][data-recording-id="${c.recordingId}"]`, { timeout: 15_000 });
    await page.locator('[data-testid="service-case"]').evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${ARTIFACTS}/twin-service-case.png` });
  }, 60_000);

  it('reads in Chinese after switching the language', async () => {
    const { page } = browser;
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="case-status"]')?.textContent === '已关闭', undefined, { timeout: 10_000 });
    expect(await page.locator('[data-testid="case-add-note"]').textContent()).toBe('添加备注');
    await page.locator('[data-testid="service-case"]').evaluate((e) => e.scrollIntoView({ block: 'end' }));
    await page.screenshot({ path: `${ARTIFACTS}/twin-service-case-zh.png` });
    expect(pageErrors).toEqual([]);
  });
});
