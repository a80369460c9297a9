// Layout mode end to end (issue 21.3): an admin opens the layout editor on the real line (edge
// run from a plant file on disk by the hot-reload supervisor), drags the mill, draws an area
// "utilities" and a conveyor, uploads a floor-plan PNG with its scale, and saves. Checked: the
// plant file on disk (new positions, layout section, the demo file's comments still there), the
// audit log (who changed what), and the live 3D twin (the mill moved without a restart).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { floorPlanPng } from './floor-plan-png.js';
import { loginThroughTwin } from './twin-login.js';
import { waitFor } from '../support/wait-for.js';
import { plantFileWithSimulator, type PlantOnDisk, superviseEdge } from '../plant-reload/support.js';

const ARTIFACTS = 'test-artifacts';

let disk: PlantOnDisk;
let supervisor: PlantSupervisor<RunningEdge>;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  disk = await plantFileWithSimulator();
  supervisor = await superviseEdge({ file: disk.file, dir: disk.dir, logs: disk.logs, uiDir: resolve('dist/twin-ui') });
  browser = await launchChromium();
  browser.page.on('pageerror', (e) => pageErrors.push(e.message));
  await browser.page.goto(supervisor.edge().url);
  await waitForTwin(browser.page, 30_000);
  await loginThroughTwin(browser.page, 'admin', 'admin-demo');
});
afterAll(async () => {
  await browser?.close();
  await supervisor?.stop();
  // The edge's and the simulator's log beside the screenshots: what a CI failure needs.
  if (disk) writeFileSync(`${ARTIFACTS}/twin-layout-edge.log`, disk.logs.join('\n'));
  await disk?.sim.stop();
  if (disk) rmSync(disk.dir, { recursive: true, force: true });
});

/** Waits for the supervisor to compose the edge again; a failure says what the supervisor and the edge last did. */
async function recomposed(first: RunningEdge): Promise<void> {
  await waitFor('the edge composed again', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== first, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; last reload: ${JSON.stringify(supervisor.lastReload())}; same edge: ${supervisor.edge() === first}; last log lines:\n${disk.logs.slice(-30).join('\n')}`);
  });
}

describe('layout mode', () => {
  it('an admin drags a machine, adds an area and a conveyor, uploads a floor plan and saves: file, audit and live twin', async () => {
    const page = browser.page;
    const millBefore = await page.evaluate(() => window.__twin!.screenPositionOf('mill'));
    expect(millBefore).not.toBeNull();
    await page.locator('[data-testid="layout-toggle"]').click();
    const plan = page.locator('[data-testid="layout-plan"]');
    await plan.locator('[data-machine-id="mill"]').waitFor();

    // Drag the mill about 4 m towards +z (down on the plan).
    const box = (await plan.locator('[data-machine-id="mill"] rect').boundingBox())!;
    const metre = box.width / 3.2;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 2 * metre, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 4 * metre, { steps: 4 });
    await page.mouse.up();
    await page.locator('[data-testid="layout-rotate"]').click();

    // An area named "utilities", dragged out beside the line.
    await page.locator('[data-testid="layout-tool-area"]').click();
    await page.locator('[data-testid="layout-area-name"]').fill('utilities');
    const loader = (await plan.locator('[data-machine-id="loader"] rect').boundingBox())!;
    await page.mouse.move(loader.x, loader.y - 6 * metre);
    await page.mouse.down();
    await page.mouse.move(loader.x + 3 * metre, loader.y - 4 * metre, { steps: 3 });
    await page.mouse.move(loader.x + 6 * metre, loader.y - 3 * metre, { steps: 3 });
    await page.mouse.up();
    await plan.locator('[data-area-id="utilities"]').waitFor();

    // A conveyor from the washer to the inspection station.
    await page.locator('[data-testid="layout-tool-conveyor"]').click();
    await plan.locator('[data-machine-id="washer"]').click();
    await plan.locator('[data-machine-id="inspection"]').click();
    await plan.locator('[data-conveyor="washer>inspection"]').waitFor({ state: 'attached' });

    // The floor plan, at 0.05 m per pixel (a 12 m × 8 m drawing).
    await page.locator('[data-testid="layout-scale"]').fill('0.05');
    await page.locator('[data-testid="layout-floor-plan"]').setInputFiles({ name: 'hall-2.png', mimeType: 'image/png', buffer: floorPlanPng() });
    await plan.locator('[data-testid="layout-plan-image"]').waitFor({ state: 'attached' }).catch(async (err) => {
      await page.screenshot({ path: `${ARTIFACTS}/layout-editor-failed.png` });
      throw new Error(`no floor plan on the plan; status: ${await page.locator('[data-testid="layout-status"]').textContent()} (${(err as Error).message.split('\n')[0]})`);
    });
    await page.screenshot({ path: `${ARTIFACTS}/layout-editor.png` });

    // The 3D twin lays the floor plan on its ground once the save is applied: it fetches the image.
    const groundTexture = page.waitForResponse((r) => r.url().includes('/api/layout/floor-plan/hall-2.png') && r.status() === 200, { timeout: 20_000 });
    await page.locator('[data-testid="layout-save"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: /Saved and applied/ }).waitFor({ timeout: 15_000 });

    // The plant file on disk: positions and the layout section written, the demo's comments kept.
    const text = readFileSync(disk.file, 'utf8');
    expect(text).toContain('# optional; these are the defaults (docs/historian.md)');
    expect(text).toContain('# beside the line, not in the part flow');
    const file = parse(text);
    const mill = file.machines.find((m: { id: string }) => m.id === 'mill');
    expect(mill.layout.x).toBe(6);
    expect(mill.layout.z).toBeGreaterThanOrEqual(3);
    expect(mill.layout.z).toBeLessThanOrEqual(5);
    expect(mill.layout.rotationDeg).toBe(15);
    expect(file.layout.areas).toEqual([expect.objectContaining({ id: 'utilities', name: 'utilities' })]);
    expect(file.layout.conveyors).toEqual([{ from: 'washer', to: 'inspection' }]);
    expect(file.layout.floorPlan).toEqual({ image: 'hall-2.png', metresPerPixel: 0.05, origin: expect.any(Object) });
    expect(readFileSync(join(disk.dir, 'floor-plans', 'hall-2.png')).subarray(1, 4).toString()).toBe('PNG');

    // The audit log: the admin, and what moved.
    const entries = supervisor.edge().audit.page({ after: 0, limit: 200, action: 'layout.save' }).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'admin', role: 'admin', outcome: 'ok' });
    const changes = (entries[0]!.details as { changes: string[] }).changes;
    expect(changes.some((c) => c.startsWith('moved mill from (6, 0, 0°)'))).toBe(true);
    expect(changes).toContain('added area utilities "utilities"');
    expect(changes).toContain('added conveyor washer→inspection');
    expect(supervisor.edge().audit.page({ after: 0, limit: 200, action: 'layout.floor-plan' }).entries).toHaveLength(1);

    // Applied live: the same edge, and the 3D twin has the mill where it was placed.
    expect(supervisor.lastReload()).toMatchObject({ result: 'layout' });
    await page.locator('[data-testid="layout-close"]').click();
    await page.waitForFunction((before) => {
      const now = window.__twin!.screenPositionOf('mill');
      return now !== null && Math.hypot(now.x - before.x, now.y - before.y) > 10;
    }, millBefore!, { timeout: 15_000 });
    // An admin lands on the manager's dashboard: back to the 3D line for the picture.
    if ((await page.locator('[data-testid="dashboard-toggle"]').getAttribute('aria-pressed')) === 'true') await page.locator('[data-testid="dashboard-toggle"]').click();
    await groundTexture;
    await page.waitForTimeout(500); // two frames for the texture upload on the CPU renderer
    await page.screenshot({ path: `${ARTIFACTS}/layout-twin-after-save.png` });
    expect(pageErrors).toEqual([]);
  });

  it('a save against a file changed on disk meanwhile is refused (409), nothing written', async () => {
    const page = browser.page;
    await page.locator('[data-testid="layout-toggle"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="mill"]').waitFor();
    writeFileSync(disk.file, readFileSync(disk.file, 'utf8').replace('# optional; these are the defaults', '# hand edit; these are the defaults'));
    await page.locator('[data-testid="layout-tool-move"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="packer"]').click();
    await page.locator('[data-testid="layout-rotate"]').click();
    await page.locator('[data-testid="layout-save"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: /409/ }).waitFor({ timeout: 10_000 });
    expect(readFileSync(disk.file, 'utf8')).toContain('# hand edit; these are the defaults');
    expect(parse(readFileSync(disk.file, 'utf8')).machines.find((m: { id: string }) => m.id === 'packer').layout.rotationDeg).toBe(0);
  });

  it('an admin adds a machine from the OPC UA address space: a bad id is marked at its field, a good one appears in the twin', async () => {
    const page = browser.page;
    // Opened afresh: the file changed on disk in the test before (the editor reads its hash on opening).
    if (await page.locator('[data-testid="layout-editor"]').isVisible()) await page.locator('[data-testid="layout-close"]').click();
    await page.locator('[data-testid="layout-toggle"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="mill"]').waitFor();
    await page.locator('[data-testid="layout-add-machine"]').click();
    await page.locator('[data-testid="machine-browse"]').click();
    const variables = page.locator('[data-testid="machine-variables"]');
    for (const node of ['ns=1;s=mill.State', 'ns=1;s=mill.TotalCount', 'ns=1;s=mill.GoodCount']) {
      await variables.locator(`input[type="checkbox"][data-node-id="${node}"]`).check({ timeout: 20_000 });
    }
    // The roles were suggested from the variable names.
    expect(await variables.locator('select[data-node-id="ns=1;s=mill.TotalCount"]').inputValue()).toBe('totalCount');
    await page.locator('[data-testid="machine-id"]').fill('mill');
    await page.locator('[data-testid="machine-name"]').fill('Mill 4');
    await page.locator('[data-testid="machine-add"]').click();
    await page.locator('[data-testid="machine-error"]').filter({ hasText: 'duplicate machine id "mill"' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="machine-id"]').getAttribute('class')).toContain('invalid');
    await page.screenshot({ path: `${ARTIFACTS}/layout-add-machine-error.png` });

    const first = supervisor.edge();
    await page.locator('[data-testid="machine-id"]').fill('mill-4');
    await page.locator('[data-testid="machine-add"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: 'machines added: mill-4' }).waitFor({ timeout: 10_000 });
    await recomposed(first);
    expect(parse(readFileSync(disk.file, 'utf8')).machines.find((m: { id: string }) => m.id === 'mill-4').tags.map((t: { role: string }) => t.role)).toEqual(['state', 'totalCount', 'goodCount']);
    // The twin reconnects to the composed edge and shows the new machine.
    await page.waitForFunction(() => window.__twin!.machineIds().includes('mill-4'), undefined, { timeout: 30_000 });
    // The editor reads the plan on opening; its own re-read a few seconds after an add can come
    // before a loaded machine has composed the edge again, so open it afresh.
    await page.locator('[data-testid="layout-close"]').click();
    await page.locator('[data-testid="layout-toggle"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="mill-4"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${ARTIFACTS}/layout-machine-added.png` });
  });

  it('an admin adds a Modbus machine from a register table: test read shows values, a bad address is marked, the machine appears', async () => {
    const page = browser.page;
    await page.locator('[data-testid="layout-close"]').click();
    await page.locator('[data-testid="layout-toggle"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="mill-4"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="layout-add-machine"]').click();
    await page.locator('[data-testid="machine-device"]').selectOption('plc-modbus');
    await page.locator('[data-testid="machine-add-row"]').click();
    await page.locator('[data-testid="reg-name-1"]').fill('totalCount');
    await page.locator('[data-testid="reg-role-1"]').selectOption('totalCount');
    await page.locator('[data-testid="reg-type-1"]').selectOption('uint32');
    await page.locator('[data-testid="reg-address-1"]').fill('70000');
    await page.locator('[data-testid="machine-id"]').fill('loader-2');
    await page.locator('[data-testid="machine-name"]').fill('Second loader');
    await page.locator('[data-testid="machine-add"]').click();
    await page.locator('[data-testid="machine-error"]').filter({ hasText: 'machines[7].tags[1].modbus.address' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="reg-address-1"]').getAttribute('class')).toContain('invalid');
    await page.locator('[data-testid="reg-address-1"]').fill('2');
    await page.locator('[data-testid="machine-test-read"]').click();
    await page.locator('[data-testid="reg-value-1"]').filter({ hasText: /^= \d+$/ }).waitFor({ timeout: 10_000 });
    const state = Number((await page.locator('[data-testid="reg-value-0"]').textContent())!.slice(2));
    expect([1, 2, 3, 4, 5]).toContain(state); // a PLC state code of the demo line
    await page.screenshot({ path: `${ARTIFACTS}/layout-modbus-test-read.png` });
    const first = supervisor.edge();
    await page.locator('[data-testid="machine-add"]').click();
    await recomposed(first);
    await waitFor('loader-2 acquiring', () => supervisor.edge().machines().find((m) => m.machineId === 'loader-2' && m.state !== 'no-data'), 20_000);
    await page.waitForFunction(() => window.__twin!.machineIds().includes('loader-2'), undefined, { timeout: 30_000 });
  });

  it('a hand edit that breaks the plant file: every twin shows a banner naming file and field, cleared by the fix', async () => {
    const page = browser.page;
    const banner = page.locator('[data-testid="plant-file-banner"]');
    expect(await banner.isVisible()).toBe(false);
    const text = readFileSync(disk.file, 'utf8');
    writeFileSync(disk.file, text.replace('idealCycleTimeSeconds: ', 'idealCycleTimeSeconds: -'));
    await banner.filter({ hasText: 'machines[0].idealCycleTimeSeconds' }).waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('plant.yaml');
    expect(await banner.textContent()).toContain('the running plant is kept');
    await page.screenshot({ path: `${ARTIFACTS}/layout-invalid-plant-file.png` });
    writeFileSync(disk.file, text);
    await banner.waitFor({ state: 'hidden', timeout: 15_000 });
  });
});
