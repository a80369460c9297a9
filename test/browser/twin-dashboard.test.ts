// The managers' KPI dashboard in real Chromium against the real simulator + edge: every
// machine's figure on screen is the one the KPI REST API gives, and clicking OEE shows the
// formula and inputs the engine computed it from.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MachineKpiAnswer, MachinesKpiAnswer } from '../../shared/kpi-api.js';
import { ARTIFACTS, twinOnLine } from './twin-on-line.js';

const FACTORS = ['availability', 'performance', 'quality', 'oee'] as const;

describe('KPI dashboard on the real line', () => {
  // The dashboard is the manager's view (the demo visitor is an operator): log in as the demo manager.
  const twin = twinOnLine({ timeScale: 10, seed: 7, login: { username: 'manager', password: 'manager-demo' } });

  beforeAll(async () => {
    // The manager's view opens the dashboard first; close it so each test opens it itself.
    await twin.page.waitForSelector('[data-testid="dashboard"]:not([hidden])', { timeout: 30_000 });
    await twin.page.locator('[data-testid="dashboard-toggle"]').click();
  });

  const restMachines = () => twin.page.evaluate(async () => (await (await fetch('api/kpi/machines')).json()) as MachinesKpiAnswer);

  it('shows a figure per machine that matches /api/kpi/machines', async () => {
    const { page } = twin;
    // Wait (with the page's demo session) until every machine has made parts this shift.
    // Polled from here: page.waitForFunction would take an async predicate's Promise as truthy.
    const deadline = Date.now() + 60_000;
    while (!(await restMachines()).machines.every((m) => m.shift !== null && m.counts.total > 0)) {
      if (Date.now() > deadline) throw new Error('machines made no parts within 60 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
    // The edge's own answer to the dashboard's request (the line moves on, so a second
    // request a moment later would give slightly different figures early in a shift).
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/kpi/machines' && r.request().method() === 'GET', { timeout: 30_000 });
    await page.locator('[data-testid="dashboard-toggle"]').click();
    const rest = (await (await answer).json()) as MachinesKpiAnswer;
    await page.waitForSelector('[data-testid="dashboard"][data-loaded="true"]', { timeout: 30_000 });
    const shown = await page.$$eval('[data-testid="dash-table"] tbody tr', (trs) => trs.map((tr) => ({
      id: (tr as HTMLElement).dataset.machineId!,
      figures: Object.fromEntries([...tr.querySelectorAll<HTMLElement>('td.fig')].map((td) => [td.dataset.kpi!, { value: Number(td.dataset.value), text: td.textContent }])),
      cells: [...tr.children].map((td) => td.textContent),
    })));
    expect(shown.map((r) => r.id)).toEqual(rest.machines.map((m) => m.machineId));
    expect(Number(await page.locator('[data-testid="dashboard"]').getAttribute('data-at'))).toBe(rest.at);
    for (const m of rest.machines) {
      const row = shown.find((r) => r.id === m.machineId)!;
      for (const f of FACTORS) {
        expect(row.figures[f]!.value, `${m.machineId} ${f}`).toBe(m[f]);
        expect(row.figures[f]!.text).toBe(`${(m[f] * 100).toFixed(1)} %`);
      }
      expect(row.cells.slice(5, 8)).toEqual([String(m.counts.total), String(m.counts.good), String(m.counts.scrap)]);
      expect(row.cells[8]).toBe(m.energyKWh.toFixed(2));
    }
    // …and that answer is the live one: a fresh request agrees to within the seconds since.
    const fresh = await restMachines();
    expect(fresh.at).toBeGreaterThanOrEqual(rest.at);
    for (const m of fresh.machines) expect(m.counts.total).toBeGreaterThanOrEqual(rest.machines.find((x) => x.machineId === m.machineId)!.counts.total);
    // Line OEE (bottleneck) and the selected machine's losses and demand are drawn.
    expect(await page.locator('[data-testid="dash-line"] [data-kpi="oee"] .kpi-value').textContent()).toMatch(/\d+\.\d %/);
    await page.waitForSelector('[data-testid="dash-detail"] svg.waterfall', { timeout: 20_000 });
    expect(await page.locator('[data-testid="dash-detail"] .dash-six tr').count()).toBe(6);
    await page.waitForSelector('[data-testid="dash-detail"] svg.demand rect', { timeout: 20_000 });
    await page.screenshot({ path: `${ARTIFACTS}/e2e-dashboard.png` });
  });

  it('clicking OEE shows its formula and inputs from the REST answer', async () => {
    const { page } = twin;
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/kpi/machines/mill', { timeout: 30_000 });
    await page.locator('[data-testid="dash-table"] tr[data-machine-id="mill"] td.fig[data-kpi="oee"]').click();
    const detail = (await (await answer).json()) as MachineKpiAnswer;
    await page.waitForSelector('[data-testid="dash-explain"]:not([hidden]) [data-testid="explain-inputs"] tr', { timeout: 20_000 });
    const oee = detail.report!.kpis.explain.oee;
    expect(await page.locator('[data-testid="explain-formula"] code').textContent()).toBe(oee.formula);
    const inputs = await page.$$eval('[data-testid="explain-inputs"] tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.input, tr.children[1]!.textContent]));
    expect(inputs.map(([k]) => k)).toEqual(Object.keys(oee.inputs));
    expect(inputs.map(([k]) => k)).toEqual(expect.arrayContaining(['availability', 'performance', 'quality']));
    // Each input is shown with the engine's value (formatted as the inspector formats numbers).
    for (const [k, text] of inputs) {
      const v = oee.inputs[k!]!;
      expect(Number(text), k).toBeCloseTo(v, Math.abs(v) >= 100 ? 0 : 2);
    }
    expect(await page.locator('.dash-explain-value').textContent()).toBe(`${(oee.value! * 100).toFixed(1)} %`);
    // The clicked row now shows the figure at the moment it was explained.
    expect(Number(await page.locator('[data-testid="dash-table"] tr[data-machine-id="mill"] td.fig[data-kpi="oee"]').getAttribute('data-value'))).toBe(oee.value);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-dashboard-explain.png` });
  });

  it('exports the table as CSV and switches to Chinese', async () => {
    const { page } = twin;
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="dash-csv"]').click()]);
    const file = await download.path();
    const csv = readFileSync(file!, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(csv[0]).toMatch(/^Machine,shift,Availability,Performance,Quality,OEE/);
    expect(csv.slice(1, 6).map((l) => l.split(',')[0])).toEqual(['loader', 'mill', 'washer', 'inspection', 'packer']);
    await page.locator('[data-testid="lang-toggle"]').click();
    expect(await page.locator('.dash-title').textContent()).toBe('KPI 看板');
    expect(await page.locator('[data-testid="dash-table"] th').first().textContent()).toBe('设备');
    await page.locator('[data-testid="lang-toggle"]').click();
    await page.locator('[data-testid="dashboard-toggle"]').click();
    expect(await page.locator('[data-testid="dashboard"]').isHidden()).toBe(true);
    expect(twin.pageErrors).toEqual([]);
  });
});
