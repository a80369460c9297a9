// The energy centre in real Chromium against the real simulator (with its utilities area) and
// edge: a manager opens it, sees every meter of the plant file in the metering tree, the load
// curve, cost by tariff period and tce/CO2e by medium and area, the EnPI against the baseline
// (the REST answer's figures), follows the live `energy` push without polling; the
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
    // The 3D utilities area: read once from the meters route (any role), then moved by the live push; a picture for review.
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="energy-centre"]')?.dataset.liveTs !== undefined, undefined, { timeout: 40_000 });
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

  it('shows the EnPI against the baseline with the REST answer\'s numbers, and follows the live push without polling', async () => {
    const { page } = twin;
    const energyCalls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/energy/')) energyCalls.push(path);
    });
    // Today again: the report is asked with the output machine's good parts of the day.
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/energy/report' && new URL(r.url()).searchParams.has('good'), { timeout: 30_000 });
    await page.locator('[data-testid="energy-today"]').click();
    const response = await asked;
    const query = new URL(response.url()).searchParams;
    const answer = await response.json();
    await page.waitForSelector('[data-testid="energy-baseline"] tr[data-key="senpi"]', { timeout: 30_000 });
    const shown = Object.fromEntries(await page.$$eval('[data-testid="energy-baseline"] tr[data-key]', (trs) =>
      trs.map((tr) => [(tr as HTMLElement).dataset.key!, tr.querySelector('td.num')!.textContent!])));
    const num = (text: string) => Number(text.replace(/,/g, '').match(/-?\d+(?:\.\d+)?/)?.[0] ?? NaN);
    const near = (text: string, value: number, decimals: number) => expect(Math.abs(num(text) - value)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
    // The output the twin found is the packer's good parts of the plant-local day so far (historian counts), and the report holds it.
    expect(num(shown.output!)).toBe(Number(query.get('good')));
    expect(answer.baseline).not.toBeNull();
    near(shown.enpi!, answer.enpi.kgcePerGood, 5);
    near(shown.expected!, answer.baseline.expectedKgce, 2);
    near(shown.actual!, answer.totalKgce, 2);
    near(shown.savings!, answer.baseline.savingsKgce, 2);
    near(shown.senpi!, answer.baseline.senpi, 4);
    expect(shown.model).toContain(`R² ${answer.baseline.r2.toFixed(3)}`);
    // The plant file's daily baseline (periodHours 24) against the part of today the site's meters were read in: the fixed part pro rata (rule 11a).
    const roots = answer.meters.filter((m: { parent: string | null; covered: unknown }) => m.parent === null && m.covered) as Array<{ covered: { from: string; to: string } }>;
    const hours = (Math.max(...roots.map((m) => Date.parse(m.covered.to))) - Math.min(...roots.map((m) => Date.parse(m.covered.from)))) / 3_600_000;
    expect(answer.baseline.periodScale).toBeCloseTo(hours / 24, 9);
    expect(answer.baseline.expectedKgce).toBeCloseTo(answer.baseline.intercept * answer.baseline.periodScale + answer.baseline.slope * Number(query.get('good')), 6);
    await page.locator('[data-testid="energy-baseline"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'energy-baseline.png') });

    // Live: the next `energy` push (every 15 s) moves the panel; meters and the running block are not polled.
    energyCalls.length = 0;
    const before = await page.locator('[data-testid="energy-centre"]').getAttribute('data-live-ts');
    await page.waitForFunction((b) => {
      const ts = document.querySelector<HTMLElement>('[data-testid="energy-centre"]')?.dataset.liveTs;
      return ts !== undefined && ts !== b;
    }, before, { timeout: 40_000 });
    expect(energyCalls.filter((p) => p === '/api/energy/meters' || p === '/api/energy/demand')).toEqual([]);
    expect(await page.locator('[data-testid="energy-tree"] li[data-meter="main"]').count()).toBe(1);
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
