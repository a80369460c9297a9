// The alarm summary in real Chromium on the real simulator + edge: an injected breakdown
// raises the mill's fault alarm, the twin lists it live, opening it shows the fault
// catalogue's advice and the flight recording with values from before the trigger, the
// operator acknowledges it (the state changes on screen and on the edge) and opens a service
// case from it (its recording attached).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmList, Recording } from '../../shared/alarm-wire.js';
import type { ServiceCase } from '../../shared/alarm-service-cases.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { startAwayFromBreaks, until, writeTestPlant } from './alarm-fixtures.js';

const ARTIFACTS = 'test-artifacts';

describe('alarms in the twin (real simulator + edge, real Chromium)', () => {
  let dir: string;
  let line: TwinLine;
  let browser: Browser;
  const pageErrors: string[] = [];
  const api = async <T>(path: string): Promise<T> => (await (await fetch(`${line.url}${path}`)).json()) as T;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'twinline-alarm-ui-'));
    line = await startTwinLine({ plantFile: writeTestPlant(dir), timeScale: 1, seed: 11, startTime: startAwayFromBreaks(Date.now()) });
    browser = await launchChromium({ width: 1600, height: 1000 });
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
    await browser.page.goto(line.url);
    await waitForTwin(browser.page, 30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await line?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an injected breakdown appears live; its detail shows the catalogue advice and a flight recording with pre-trigger data', async () => {
    const { page } = browser;
    // The recorder keeps the last PRE_SECONDS of every tag: give it some history of the running mill first.
    const running = await until('the mill running', async () => (await api<{ state: string }>('/api/machines/mill')).state === 'running' && Date.now(), 30_000);
    await until('10 s of mill history', async () => Date.now() - running > 10_000, 15_000);
    await page.waitForSelector('[data-testid="alarm-panel"]:not([hidden])', { timeout: 10_000 });

    line.sim.inject({ kind: 'breakdown', machine: 'mill', code: 302, minutes: 5 });
    await page.waitForFunction(() => /mill: fault 302/i.test(document.querySelector('[data-testid="alarm-newest"]')?.textContent ?? ''), undefined, { timeout: 30_000, polling: 200 });
    expect(Number(await page.locator('[data-testid="alarm-panel"]').getAttribute('data-unacked'))).toBeGreaterThan(0);

    await page.locator('[data-testid="alarm-toggle"]').click();
    const row = page.locator('[data-testid="alarm-list"] tr[data-key="fault@mill"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-state')).toBe('active-unacked');
    expect(await row.getAttribute('data-priority')).toBe('high');
    await row.click();
    // Selecting the alarm selects its machine in the 3D world (and opens its inspector).
    await page.waitForFunction(() => window.__twin?.selected === 'mill', undefined, { timeout: 10_000 });
    expect(await row.getAttribute('class')).toContain('selected');

    const advice = page.locator('[data-testid="fault-advice"]');
    await advice.locator('.ad-advice-title').waitFor({ timeout: 10_000 });
    expect(await advice.locator('.ad-advice-title').textContent()).toBe('302 · Coolant pressure low');
    expect((await advice.locator('.ad-checks li').count())).toBeGreaterThan(0);

    // The recording the edge holds for this alarm, and what the twin draws of it.
    const list = await api<AlarmList>('/api/alarms?machineId=mill');
    const recordingId = list.alarms.find((a) => a.key === 'fault@mill')!.recordingId!;
    expect(recordingId).toBeGreaterThan(0);
    const rec = await api<Recording>(`/api/recordings/${recordingId}`);
    expect(rec.samples.filter((s) => s.rx < rec.triggerTs).length).toBeGreaterThan(0);
    const cells = page.locator('[data-testid="flight-recording"] .ad-rec-cell');
    await cells.first().waitFor({ timeout: 15_000 });
    const tags = await cells.evaluateAll((els) => els.map((e) => ({ tag: (e as HTMLElement).dataset.tag!, pre: Number((e as HTMLElement).dataset.pre) })));
    expect(tags.map((t) => t.tag)).toEqual(expect.arrayContaining(['spindleTemperature', 'vibration', 'faultCode', 'state']));
    // More than the initial value before the trigger: the machine's last seconds were recorded.
    expect(tags.find((t) => t.tag === 'spindleTemperature')!.pre).toBeGreaterThan(2);
    const temp = page.locator('[data-testid="flight-recording"] .ad-rec-cell[data-tag="spindleTemperature"]');
    await temp.locator('.trend-readout').filter({ hasText: /pts/ }).waitFor({ timeout: 10_000 });
    const trigger = await temp.locator('.ad-rec-trigger').evaluate((e) => parseFloat((e as HTMLElement).style.left));
    expect(trigger).toBeCloseTo(((rec.triggerTs - rec.from) / (rec.to - rec.from)) * 100, 1);
    expect(trigger).toBeGreaterThan(50);
    expect(await page.locator('[data-testid="recording-csv"]').getAttribute('href')).toBe(`api/recordings/${recordingId}?format=csv`);
    const csv = await fetch(`${line.url}/api/recordings/${recordingId}?format=csv`);
    expect((await csv.text()).split('\n')[0]).toBe('phase,tag,source_time,source_ts,received_ts,offset_s,value,quality');
    // Signals against the machine's baseline (still learning this early).
    await page.locator('[data-testid="alarm-diagnosis"] tr[data-tag="spindleTemperature"]').waitFor({ timeout: 10_000 });
  });

  it('acknowledging changes the state on screen and on the edge; a service case is opened with the recording attached', async () => {
    const { page } = browser;
    await page.locator('[data-testid="alarm-ack"]').click();
    await page.waitForSelector('[data-testid="alarm-list"] tr[data-key="fault@mill"][data-state="active-acked"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="alarm-detail-state"][data-state="active-acked"]', { timeout: 5_000 });
    expect(await page.locator('[data-testid="alarm-ack"]').count()).toBe(0);
    const edgeView = (await api<AlarmList>('/api/alarms?machineId=mill')).alarms.find((a) => a.key === 'fault@mill')!;
    expect(edgeView).toMatchObject({ state: 'active-acked', ackBy: 'operator' });

    // A shelve without a reason is refused in the UI with what to do.
    await page.locator('[data-testid="alarm-shelve"]').click();
    expect(await page.locator('[data-testid="alarm-action-status"]').getAttribute('data-kind')).toBe('error');

    await page.locator('[data-testid="alarm-case-note"]').fill('coolant pressure dropped at the start of the shift');
    await page.locator('[data-testid="alarm-open-case"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="alarm-action-status"]')?.getAttribute('data-kind') === 'ok', undefined, { timeout: 15_000 });
    const statusText = (await page.locator('[data-testid="alarm-action-status"]').textContent()) ?? '';
    const caseId = Number(/#(\d+)/.exec(statusText)?.[1]);
    expect(caseId).toBeGreaterThan(0);
    const opened = await api<ServiceCase>(`/api/service-cases/${caseId}`);
    expect(opened).toMatchObject({ machineId: 'mill', faultCode: 302, alarmId: edgeView.occurrenceId, recordingId: edgeView.recordingId, openedBy: 'operator' });
    // The machine's service history lists it.
    await page.waitForSelector(`[data-testid="service-cases"] li[data-case-id="${caseId}"]`, { timeout: 10_000 });

    // A recording on demand: taken on the edge, then shown once its window has passed.
    await page.locator('[data-testid="record-now"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="alarm-action-status"]')?.getAttribute('data-kind') === 'ok' &&
      /#\d+/.test(document.querySelector('[data-testid="alarm-action-status"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const manualId = Number(/#(\d+)/.exec((await page.locator('[data-testid="alarm-action-status"]').textContent()) ?? '')?.[1]);
    expect(manualId).not.toBe(edgeView.recordingId);
    await page.waitForSelector(`[data-testid="flight-recording"][data-recording-id="${manualId}"][data-status="complete"]`, { timeout: 30_000 });
    expect(await page.locator('[data-testid="recording-picker"]').inputValue()).toBe(String(manualId));
    // Back to the alarm's own recording.
    await page.locator('[data-testid="recording-picker"]').selectOption(String(edgeView.recordingId));
    await page.waitForSelector(`[data-testid="flight-recording"][data-recording-id="${edgeView.recordingId}"]`, { timeout: 10_000 });
    // A taller dock for reading the recording.
    const lowHeight = (await page.locator('[data-testid="alarm-panel"]').boundingBox())!.height;
    await page.locator('[data-testid="alarm-expand"]').click();
    await page.waitForFunction((h) => document.querySelector('[data-testid="alarm-panel"]')!.getBoundingClientRect().height > h + 100, lowHeight, { timeout: 5_000 });
    await page.mouse.move(5, 5);
    await page.screenshot({ path: `${ARTIFACTS}/twin-alarms.png` });
    // The same alarm scrolled to its flight recording (every recorded tag, trigger marked).
    await page.locator('[data-testid="flight-recording"]').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${ARTIFACTS}/twin-alarms-recording.png` });
  });

  it('shows the advice in Chinese after switching the language', async () => {
    const { page } = browser;
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="fault-advice"] .ad-advice-title')?.textContent === '302 · 冷却液压力低', undefined, { timeout: 10_000 });
    await page.screenshot({ path: `${ARTIFACTS}/twin-alarms-zh.png` });
    expect(pageErrors).toEqual([]);
  });
});
