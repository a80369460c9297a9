// The environment view in real Chromium on the real line (simulator → Modbus → edge) with a
// reference HJ 212 platform: maintenance opens it, sees each outlet's live measured and converted
// values, limits and today's/this year's mass exactly as the REST answer the view fetched, the
// platform link connected (and the platform really receiving minute packets); the daily report of
// a past day shows the stored hours (an exceedance marked, an invalid hour by its flag) and the
// masses the REST report gives, and prints alone. Screenshots in test-artifacts/.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferencePlatform, type ReferencePlatform } from '../../edge/hj212/reference-platform.js';
import { runningEmissions } from '../../edge/emissions/emission-hook.js';
import { openEmissionStore, type EmissionRecord } from '../../edge/emissions/emission-store.js';
import { headerValue } from '../../shared/hj212/index.js';
import { ARTIFACTS, pollUntil, twinOnLine } from './twin-on-line.js';

let platform: ReferencePlatform;
let plantFile = '';
const previousPassword = process.env.TWINLINE_HJ212_PASSWORD;

beforeAll(async () => {
  platform = await startReferencePlatform({ port: 0 });
  const doc = parse(readFileSync('config/demo-plant.yaml', 'utf8'));
  Object.assign(doc.emissions.platforms[0], { port: platform.port });
  plantFile = join(mkdtempSync(join(tmpdir(), 'twinline-env-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(doc));
  process.env.TWINLINE_HJ212_PASSWORD = 'browser-test-pw';
});

afterAll(async () => {
  await platform?.close();
  if (previousPassword === undefined) delete process.env.TWINLINE_HJ212_PASSWORD;
  else process.env.TWINLINE_HJ212_PASSWORD = previousPassword;
});

interface ApiAnswer {
  outlets: Array<{ id: string; kind: string; mn: string; factors: Array<{ code: string; role: string; limits: { hour?: number; day?: number } | null; permit: { dailyKg?: number; annualKg?: number } | null }>; latest: { factors: Array<{ code: string; value: number | null; zs: number | null; flag: string }> } | null }>;
  platforms: Array<{ platform: string; connected: boolean }>;
  totals: Array<{ outlet: string; code: string; todayKg: number; yearKg: number }>;
}

describe('environment view on the real line', () => {
  // The plant file is written in the beforeAll above, which runs first: read it when the line starts.
  // The edge on the simulator's clock: a stack minute closes after 6 s instead of 60 s.
  const twin = twinOnLine({ timeScale: 10, seed: 7, edgeOnSimClock: true, login: { username: 'maintenance', password: 'maintenance-demo' }, get plantFile() { return plantFile; } });

  it('shows live values, limits and masses as the REST answer says, and the platform link', async () => {
    const { page } = twin;
    // A first valid minute (the partial first minute is invalid): today's mass is then more than zero.
    await pollUntil('a valid minute of the stack', async () => {
      const r = await page.evaluate(async () => (await fetch('api/emissions')).json()) as ApiAnswer;
      return (r.totals ?? []).some((t) => t.outlet === 'stack' && t.code === 'a21002' && t.todayKg > 0);
    }, 150_000, 2000);

    const fetched = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/emissions', { timeout: 30_000 });
    await page.locator('.env-toggle').click();
    const answer = (await (await fetched).json()) as ApiAnswer;
    await page.waitForSelector('.env-outlet[data-outlet="stack"] tr[data-code="a21002"]', { timeout: 30_000 });
    const cells = (outlet: string, code: string) => page.$$eval(`.env-outlet[data-outlet="${outlet}"] tr[data-code="${code}"] td`, (tds) => tds.map((td) => td.textContent!.trim()));
    const fmt = (v: number | null | undefined, d = 1) => (v === null || v === undefined ? '—' : v.toFixed(d));
    let checked = 0;
    for (const outlet of answer.outlets) {
      for (const f of outlet.factors) {
        const live = outlet.latest?.factors.find((x) => x.code === f.code);
        const shown = await cells(outlet.id, f.code);
        // Factor, measured (+ unit + flag), converted, limit, last hour, today's average, today's kg, permit/day, year, permit/year.
        expect(shown[1]!.startsWith(`${fmt(live?.value)} `), `${outlet.id} ${f.code} measured ${shown[1]} vs ${live?.value}`).toBe(true);
        expect(shown[1]!.endsWith(live?.flag ?? 'B')).toBe(true);
        expect(shown[2]).toBe(fmt(live?.zs));
        if (f.role === 'pollutant') {
          expect(shown[3]).toBe(fmt(f.limits?.hour ?? f.limits?.day ?? null, 0));
          const total = answer.totals.find((t) => t.outlet === outlet.id && t.code === f.code);
          expect(shown[6]).toBe(total ? fmt(total.todayKg, 3) : '—');
          // Small masses with three decimals, like today's.
          expect(shown[8]).toBe(fmt(total?.yearKg ?? null, total && total.yearKg < 100 ? 3 : 1));
          expect(shown[9]).toBe(fmt(f.permit?.annualKg ?? null, 0));
        }
        checked++;
      }
    }
    expect(checked).toBe(13);
    // Flue-gas pollutants are converted to the reference O2 (9 %), at 11–13 % O2 upward.
    const nox = answer.outlets[0]!.latest!.factors.find((x) => x.code === 'a21002')!;
    expect(nox.zs!).toBeGreaterThan(nox.value!);
    expect(await page.locator('.env-panel li', { hasText: 'provincial' }).textContent()).toContain('connected');
    // The reference platform has the minute data of both outlets.
    const mns = new Set(platform.received.filter((p) => headerValue(p, 'CN') === '2051').map((p) => headerValue(p, 'MN')));
    expect(mns).toEqual(new Set(answer.outlets.map((o) => o.mn)));
    await page.locator('.env-panel').screenshot({ path: join(ARTIFACTS, 'environment-view.png') });
    expect(twin.pageErrors).toEqual([]);
  }, 240_000);

  it("prints a past day's report with the stored hours, an exceedance marked and an invalid hour by its flag", async () => {
    const { page } = twin;
    // Yesterday's records of the stack's NOx, written into the edge's own tables as the module would have.
    const dbFile = [...runningEmissions.keys()].find((f) => runningEmissions.get(f) !== undefined)!;
    const day = Date.parse(`${new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10)}T00:00:00+08:00`);
    const date = new Date(day + 8 * 3_600_000).toISOString().slice(0, 10);
    const rec = (r: Partial<EmissionRecord>): EmissionRecord => ({
      period: 'hour', outlet: 'stack', code: 'a21002', start: day, avg: 200, min: 180, max: 230, zsAvg: 250, zsMin: 220, zsMax: 290, cou: 1.5, flag: 'N', validParts: 60, expectedParts: 60, ...r,
    });
    const store = openEmissionStore(dbFile);
    store.putRecords([
      rec({ start: day + 9 * 3_600_000, avg: 260, zsAvg: 320.5, cou: 2.25 }),
      rec({ start: day + 10 * 3_600_000, avg: null, min: null, max: null, zsAvg: null, zsMin: null, zsMax: null, cou: 0.5, flag: 'C', validParts: 40 }),
      rec({ period: 'day', start: day, avg: 210, zsAvg: 262, cou: 18.75, validParts: 22, expectedParts: 24 }),
    ]);
    store.close();

    await page.locator('.env-report-open').click();
    await page.waitForSelector('.env-report .env-r-outlet[data-outlet="stack"]', { timeout: 30_000 });
    const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/emissions/report' && new URL(r.url()).searchParams.get('date') === date, { timeout: 30_000 });
    await page.locator('.env-report-date').fill(date);
    await page.locator('.env-report-date').dispatchEvent('change');
    const report = await (await asked).json();
    await page.waitForSelector('.env-report tr[data-hour="9"]', { timeout: 30_000 });
    const stack = report.outlets.find((o: { id: string }) => o.id === 'stack');
    expect(stack.hours.map((h: { start: number }) => h.start)).toEqual([day + 9 * 3_600_000, day + 10 * 3_600_000]);
    // The NOx cells of an hour row: factors in plant-file order, 4 cells for a pollutant, 2 for the others.
    const factorCodes: string[] = stack.factors.map((f: { code: string }) => f.code);
    const noxCells = async (hour: number) => {
      const tds = await page.$$eval(`.env-report .env-r-outlet[data-outlet="stack"] tr[data-hour="${hour}"] td`, (els) => els.map((td) => [td.className, td.textContent!.trim()]));
      let at = 0;
      for (const code of factorCodes) {
        const width = stack.factors.find((f: { code: string }) => f.code === code).role === 'pollutant' ? 4 : 2;
        if (code === 'a21002') return tds.slice(at, at + width);
        at += width;
      }
      return [];
    };
    expect((await noxCells(9)).map(([, t]) => t)).toEqual(['260.00', '320.50', '2.250', 'N']);
    expect((await noxCells(9))[1]![0]).toContain('env-r-over');
    expect((await noxCells(10)).map(([, t]) => t)).toEqual(['—', '—', '0.500', 'C']);
    const mass = await page.$$eval('.env-report .env-r-outlet[data-outlet="stack"] .env-r-mass tr[data-code="a21002"] td', (tds) => tds.map((td) => td.textContent!.trim()));
    const m = stack.mass.find((x: { code: string }) => x.code === 'a21002');
    expect(m.dayKg).toBe(18.75);
    expect(mass).toEqual([m.dayKg.toFixed(3), '20.0', m.yearKg.toFixed(m.yearKg < 100 ? 3 : 1), '6000']);
    await page.locator('.env-report').screenshot({ path: join(ARTIFACTS, 'environment-day-report.png') });

    // Print: window.print is caught; then in print media only the report is visible.
    await page.evaluate(() => {
      (window as unknown as { printedWith: boolean[] }).printedWith = [];
      window.print = () => (window as unknown as { printedWith: boolean[] }).printedWith.push(document.body.classList.contains('env-printing'));
    });
    await page.locator('.env-report-print').click();
    expect(await page.evaluate(() => (window as unknown as { printedWith: boolean[] }).printedWith)).toEqual([true]);
    await page.evaluate(() => document.body.classList.add('env-printing'));
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate(() => getComputedStyle(document.getElementById('viewport')!).visibility)).toBe('hidden');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.env-report tr[data-hour="9"]')!).visibility)).toBe('visible');
    await page.screenshot({ path: join(ARTIFACTS, 'environment-day-report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => document.body.classList.remove('env-printing'));
    // The CSV link is the same report.
    const href = await page.locator('.env-report-csv').getAttribute('href');
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv.split('\n')[0]).toBe('date,outlet,mn,period,start,code,name,unit,avg,min,max,zsAvg,cou,flag,validParts,expectedParts,limit,over');
    expect(csv).toContain(`${date},stack,TWLDEMO320500000000DA001,hour,${date}T09:00:00+08:00,a21002,NOx,mg/m3,260,180,230,320.5,2.25,N,60,60,300,true`);
    expect(twin.pageErrors).toEqual([]);
  }, 120_000);
});
