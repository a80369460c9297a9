// An operator runs a work order and books scrap in the twin (issue 23.3, 23.7, 23.8), in real
// Chromium on the real simulator + edge (demo mode: the visitor is the operator), at desktop
// (1440×900), tablet (820×1180, in Chinese) and phone (390×844) sizes: start an order from the
// queue, book scrap by touch (stepper, reason chip, quality station), complete the order (two
// taps). Each step is checked over REST and in the audit log; every screen: nothing wider than
// the viewport and every button in the sheet at least 44 px.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineLive } from '../../shared/live-protocol.js';
import type { OrderProgress } from '../../shared/order-api.js';
import { call, login } from '../api/api-client.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { startAwayFromBreaks, until } from './alarm-fixtures.js';
import { clickMachine } from './page-checks.js';
import { loginThroughTwin } from './twin-login.js';

const ARTIFACTS = 'test-artifacts';
const SCREENS = [
  { name: 'desktop', width: 1440, height: 900, lang: 'en' },
  { name: 'tablet', width: 820, height: 1180, lang: 'zh-CN' },
  { name: 'phone', width: 390, height: 844, lang: 'en' },
] as const;

describe('operators run work orders and book scrap in the twin (real simulator + edge, real Chromium)', () => {
  let line: TwinLine;
  let manager: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    line = await startTwinLine({ timeScale: 5, seed: 9, startTime: startAwayFromBreaks(Date.now()) });
    manager = await login(line.url, 'manager', 'manager-demo');
    const saved = await call(line.url, '/api/products/HSG-100', { method: 'PUT', token: manager, body: { name: 'Housing 100' } });
    expect(saved.status).toBe(200);
    for (const s of SCREENS) {
      const created = await call(line.url, '/api/orders', { token: manager, body: { id: `WO-${s.name}`, productId: 'HSG-100', quantity: 30 } });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
  }, 120_000);

  afterAll(async () => {
    await line?.stop();
  });

  const audit = async (action: string) =>
    (await call<{ entries: Array<{ actor: string; target: string; outcome: string; details: Record<string, unknown> }> }>(line.url, `/api/audit?action=${action}&after=0&limit=200`, { token: manager })).body.entries;

  async function layoutProblems(page: Page, scope: string): Promise<string[]> {
    return page.evaluate((sel) => {
      const problems: string[] = [];
      if (document.documentElement.scrollWidth > innerWidth) problems.push(`page ${document.documentElement.scrollWidth} px wide in ${innerWidth}`);
      for (const e of document.querySelectorAll<HTMLElement>(`${sel} button, ${sel} input, ${sel} select`)) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || getComputedStyle(e).visibility === 'hidden' || e.closest('[hidden]')) continue;
        if (e instanceof HTMLInputElement && e.type === 'checkbox') continue; // its label is the target
        if (r.height < 44 || r.width < 44) problems.push(`${e.dataset.testid ?? e.className} ${Math.round(r.width)}×${Math.round(r.height)}`);
        if (r.right > innerWidth + 1 || r.left < -1) problems.push(`${e.dataset.testid ?? e.className} off screen (${Math.round(r.left)}…${Math.round(r.right)})`);
      }
      return problems;
    }, scope);
  }

  for (const screen of SCREENS) {
    it(`${screen.name} ${screen.width}×${screen.height} (${screen.lang}): start an order, book scrap, complete it`, async () => {
      const id = `WO-${screen.name}`;
      const browser: Browser = await launchChromium({ width: screen.width, height: screen.height });
      const pageErrors: string[] = [];
      try {
        const { page } = browser;
        page.on('pageerror', (e) => pageErrors.push(e.message));
        await page.goto(`${line.url}/?lang=${screen.lang}&quality=low`);
        await waitForTwin(page, 30_000);
        await page.locator('[data-testid="orders-toggle"]').click();
        const sheet = page.locator('[data-testid="orders-panel"]');
        await sheet.waitFor({ state: 'visible', timeout: 10_000 });

        // Creating orders is for managers: the operator's sheet has no form.
        expect(await sheet.locator('[data-testid="order-create"]').isVisible()).toBe(false);
        // Start the order from the queue (no recipe download: the box stays unticked).
        const start = sheet.locator(`[data-testid="order-start-${id}"]`);
        await start.waitFor({ state: 'visible', timeout: 10_000 });
        expect(await sheet.locator('[data-testid="order-recipe"]').isChecked()).toBe(false);
        await start.click();
        await until(`${id} running at the edge`, async () => (await call(line.url, `/api/orders/${id}`, { token: manager })).body.order?.status === 'running', 10_000);
        await sheet.locator('[data-testid="order-current"]', { hasText: id }).waitFor({ timeout: 10_000 });
        await page.locator('[data-testid="orders-chip"]', { hasText: id }).waitFor({ timeout: 10_000 });
        expect(await layoutProblems(page, '.orders-sheet')).toEqual([]);
        await page.screenshot({ path: join(ARTIFACTS, `orders-${screen.name}-running.png`) });
        const started = (await audit('order.start')).filter((e) => e.target === id);
        expect(started.map((e) => [e.actor, e.outcome, e.details.recipe])).toEqual([['operator', 'ok', 'skip']]);

        // Book 2 parts of scrap at the machine on the order with the most good parts, found by the quality station.
        const onOrder = new Set((await call<OrderProgress>(line.url, '/api/orders/current', { token: manager })).body.machines.filter((m) => m.orderId === id).map((m) => m.machineId));
        expect(onOrder.size).toBeGreaterThan(0);
        const machine = await until('a machine with at least 2 good parts on the order', async () => {
          const made = (await call<{ machines: Array<{ machineId: string; counts: { good: number } }> }>(line.url, `/api/orders/${id}`, { token: manager })).body.machines;
          const best = made.filter((m) => onOrder.has(m.machineId)).sort((a, b) => b.counts.good - a.counts.good).find((m) => m.counts.good >= 2);
          return best && (await call<{ machines: MachineLive[] }>(line.url, '/api/machines', { token: manager })).body.machines.find((m) => m.machineId === best.machineId);
        }, 90_000);
        const before = machine.counts.scrap;
        await sheet.locator('[data-testid="scrap-machine"]').selectOption(machine.machineId);
        await sheet.locator('[data-testid="scrap-plus"]').click();
        await sheet.locator('[data-testid="scrap-reason-0"]').click();
        await sheet.locator('[data-testid="scrap-source-quality"]').click();
        await sheet.locator('[data-testid="scrap-book"]').click();
        await sheet.locator('[data-testid="orders-message"]').filter({ hasText: /2/ }).waitFor({ timeout: 10_000 });
        const bookings = (await call<{ bookings: Array<{ machineId: string; quantity: number; source: string; by: string; orderId: string | null; reason: string }> }>(line.url, `/api/scrap?machineId=${machine.machineId}`, { token: manager })).body.bookings;
        expect(bookings[0]).toMatchObject({ machineId: machine.machineId, quantity: 2, source: 'quality', by: 'operator', orderId: id });
        const after = (await call<{ machines: MachineLive[] }>(line.url, '/api/machines', { token: manager })).body.machines.find((m) => m.machineId === machine.machineId)!;
        expect(after.counts.scrap).toBeGreaterThanOrEqual(before + 2);
        const booked = (await audit('scrap.book')).filter((e) => e.details.orderId === id);
        expect(booked.map((e) => [e.actor, e.outcome, e.target, e.details.quantity, e.details.source])).toEqual([['operator', 'ok', machine.machineId, 2, 'quality']]);
        await page.screenshot({ path: join(ARTIFACTS, `orders-${screen.name}-scrap.png`) });

        // Complete: the first tap asks, the second completes.
        const complete = sheet.locator('[data-testid="order-complete"]');
        await complete.click();
        expect(await complete.textContent()).toMatch(screen.lang === 'zh-CN' ? /确认/ : /again/);
        await complete.click();
        await until(`${id} completed at the edge`, async () => (await call(line.url, `/api/orders/${id}`, { token: manager })).body.order?.status === 'completed', 10_000);
        await sheet.locator('[data-testid="order-current"]', { hasText: screen.lang === 'zh-CN' ? '无运行中的工单' : 'No order running' }).waitFor({ timeout: 10_000 });
        const completed = (await audit('order.complete')).filter((e) => e.target === id);
        expect(completed.map((e) => [e.actor, e.outcome])).toEqual([['operator', 'ok']]);
        const kpis = (await call(line.url, `/api/orders/${id}`, { token: manager })).body;
        expect(kpis.scrap).toBeGreaterThanOrEqual(2);
        if (screen.name === 'desktop') {
          // The inspector says which way a machine is counted (the demo's mill: total and good counters).
          await sheet.locator('[data-testid="orders-close"]').click();
          await clickMachine(page, 'mill');
          expect(await page.locator('[data-testid="inspector-counting"]').textContent({ timeout: 10_000 })).toMatch(/total and good/);
        }
        expect(pageErrors).toEqual([]);
      } finally {
        await browser.close();
        // A failed screen must not leave its order on the line for the next one.
        const left = (await call(line.url, `/api/orders/${id}`, { token: manager })).body.order;
        if (left?.status === 'running') await call(line.url, `/api/orders/${id}/complete`, { token: manager, body: {} });
      }
    }, 120_000);
  }

  it('tablet 820×1180: a manager creates an order in the twin and imports two from a CSV file; over REST and in the audit log', async () => {
    const browser: Browser = await launchChromium({ width: 820, height: 1180 });
    try {
      const { page } = browser;
      await page.goto(`${line.url}/?lang=en&quality=low`);
      await waitForTwin(page, 30_000);
      await loginThroughTwin(page, 'manager', 'manager-demo');
      // The manager lands on the KPI dashboard: OEE by order is in the selected machine's detail.
      const dashboard = page.locator('[data-testid="dashboard"]');
      await dashboard.waitFor({ state: 'visible', timeout: 10_000 });
      await page.locator('[data-testid="dash-table"] tr[data-machine-id="mill"] td.name').click({ timeout: 20_000 });
      const byOrder = page.locator('[data-testid="dash-detail"] [data-testid="dash-order-oee"]');
      await byOrder.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (err) => {
        await page.screenshot({ path: join(ARTIFACTS, 'orders-tablet-manager-dashboard-failed.png'), fullPage: true });
        throw err;
      });
      const ran = (await call<{ orders: Array<{ id: string }> }>(line.url, '/api/orders/kpis', { token: manager })).body.orders;
      if (ran.length) await byOrder.locator(`tr[data-order-id="${ran[0]!.id}"]`).waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'orders-tablet-manager-dashboard.png') });
      await page.getByRole('button', { name: 'Back to the line' }).click();
      await page.locator('[data-testid="orders-toggle"]').click();
      const sheet = page.locator('[data-testid="orders-panel"]');
      await sheet.locator('[data-testid="order-create"]').waitFor({ state: 'visible', timeout: 10_000 });
      await sheet.locator('[data-testid="order-new-id"]').fill('WO-twin');
      await sheet.locator('[data-testid="order-new-product"]').selectOption('HSG-100');
      await sheet.locator('[data-testid="order-new-qty"]').fill('12');
      await sheet.locator('[data-testid="order-create"]').click();
      await sheet.locator('[data-testid="order-row-WO-twin"]').waitFor({ timeout: 10_000 });
      expect((await call(line.url, '/api/orders/WO-twin', { token: manager })).body.order).toMatchObject({ productId: 'HSG-100', quantity: 12, createdBy: 'manager', status: 'planned' });
      await sheet.locator('[data-testid="order-import-file"]').setInputFiles({ name: 'erp.csv', mimeType: 'text/csv', buffer: Buffer.from('id,product,quantity,due\nWO-csv-1,HSG-100,5,2026-12-24T08:00:00+08:00\nWO-csv-2,HSG-100,7,\n') });
      await sheet.locator('[data-testid="orders-message"]', { hasText: '2 order(s) imported' }).waitFor({ timeout: 10_000 });
      for (const id of ['WO-csv-1', 'WO-csv-2']) expect((await call(line.url, `/api/orders/${id}`, { token: manager })).status).toBe(200);
      expect((await audit('order.create')).filter((e) => e.target === 'WO-twin').map((e) => e.actor)).toEqual(['manager']);
      expect((await audit('order.import')).map((e) => [e.target, e.actor])).toEqual([['WO-csv-1', 'manager'], ['WO-csv-2', 'manager']]);
      expect(await layoutProblems(page, '.orders-sheet')).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'orders-tablet-manager.png') });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
