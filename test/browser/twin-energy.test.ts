// The energy centre in real Chromium against the real simulator (with its utilities area) and
// edge: a manager opens it, sees every meter of the plant file in the metering tree, the load
// curve, cost by tariff period and tce/CO2e by medium and area; the
// monthly report prints (window.print is caught, then the page is printed to PDF in print media).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile } from '../../edge/config/load-plant.js';
import { ARTIFACTS, pollUntil, twinOnLine } from './twin-on-line.js';

const plant = loadPlantFile('config/demo-plant.yaml');

describe('energy centre on the real line', () => {
  const twin = twinOnLine({ timeScale: 10, seed: 7, login: { username: 'manager', password: 'manager-demo' } });

  beforeAll(async () => {
    // Readings of every utility meter over more than one poll, so the report has consumption.
    await pollUntil('the main meter to have two stored totals', async () => {
      const r = await twin.page.evaluate(async () => (await fetch(`api/energy/report?from=${Date.now() - 3_600_000}&to=${Date.now()}`)).json());
      return (r.meters ?? []).some((m: { id: string; consumption: number }) => m.id === 'main' && m.consumption > 0);
    }, 60_000);
  });

  it('shows the metering tree, load curve, cost and tce/CO2e by medium and area', async () => {
    const { page } = twin;
    // The manager's view opens the KPI dashboard first: back to the line to see the 3D view.
    await page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 30_000 });
    await page.locator('[data-testid="dashboard-toggle"]').click();
    // The 3D utilities area is fed from the meters route (any role); a picture for review.
    await page.waitForResponse((r) => new URL(r.url()).pathname === '/api/energy/meters' && r.status() === 200, { timeout: 30_000 });
    await page.waitForFunction((n) => window.__twin!.frames > n, await page.evaluate(() => window.__twin!.frames), { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'energy-3d.png') });
    await page.locator('[data-testid="energy-toggle"]').click();
    await page.waitForSelector('[data-testid="energy-tree"] li[data-meter="main"]', { timeout: 30_000 });
    const meters = await page.$$eval('[data-testid="energy-tree"] li[data-meter]', (lis) => lis.map((li) => (li as HTMLElement).dataset.meter));
    expect(meters.sort()).toEqual(plant.metering!.meters.map((m) => m.id).sort());
    // Feeders sit under the incomer, machines under the line feeder.
    expect(await page.locator('li[data-meter="main"] li[data-meter="feeder-line"] li[data-meter="mill-kwh"]').count()).toBe(1);
    await page.waitForSelector('[data-testid="energy-load-curve"] rect');
    expect(await page.locator('[data-testid="energy-load-curve"] line.contract').count()).toBe(1);
    const cost = await page.$$eval('[data-testid="energy-cost"] tbody tr td.label', (tds) => tds.map((td) => td.textContent));
    expect(cost.sort()).toEqual(['flat', 'peak', 'valley']);
    const media = await page.$$eval('[data-testid="energy-by-medium"] tbody tr td.label', (tds) => tds.map((td) => td.textContent));
    expect(media).toEqual(expect.arrayContaining(['Electricity', 'Natural gas', 'Water']));
    expect(await page.locator('[data-testid="energy-by-area"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="energy-totals"]').textContent()).toMatch(/tce/);
    // Today's EnPI per machine (the KPI engine's day) and for the site.
    await page.waitForSelector('[data-testid="energy-enpi"] tbody tr', { timeout: 30_000 });
    expect(await page.locator('[data-testid="energy-enpi"] tbody tr').count()).toBe(plant.machines.length);
    await page.screenshot({ path: join(ARTIFACTS, 'energy-centre.png') });
  });

  it('prints the monthly report', async () => {
    const { page } = twin;
    await page.evaluate(() => {
      const w = window as unknown as { printed: Array<{ title: string; printing: boolean; live: number }> };
      w.printed = [];
      window.print = () => {
        w.printed.push({
          title: document.querySelector('.energy-title')?.textContent ?? '',
          printing: document.body.classList.contains('energy-printing'),
          live: document.querySelectorAll('[data-testid="energy-load-curve"], [data-testid="energy-demand"]').length,
        });
      };
    });
    const monthly = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/energy/report', { timeout: 30_000 });
    await page.locator('[data-testid="energy-print"]').click();
    const answer = await (await monthly).json();
    await pollUntil('window.print', async () => page.evaluate(() => (window as unknown as { printed: unknown[] }).printed.length > 0), 30_000, 100);
    const printed = await page.evaluate(() => (window as unknown as { printed: Array<{ title: string; printing: boolean; live: number }> }).printed[0]!);
    expect(printed.printing).toBe(true);
    expect(printed.live).toBe(0);
    expect(printed.title).toMatch(/^Monthly energy report \d{4}-\d{2}$/);
    // The month's report: from the local first of the month.
    expect(answer.period.start).toMatch(/-01T00:00:00\+08:00$/);

    // The same page in print media: only the report is visible, and Chromium prints it to PDF.
    await page.evaluate(() => document.body.classList.add('energy-printing'));
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('viewport')!).visibility)).toBe('hidden');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('[data-testid="energy-tree"]')!).visibility)).toBe('visible');
    await page.screenshot({ path: join(ARTIFACTS, 'energy-monthly-report.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    writeFileSync(join(ARTIFACTS, 'energy-monthly-report.pdf'), pdf);
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(pdf.length).toBeGreaterThan(5_000);
    await page.emulateMedia({ media: 'screen' });
    expect(twin.pageErrors).toEqual([]);
  });
});
