// From an empty plant file to a laid-out, live twin (issue 21, "Done when"): the plant file holds
// a line's name and nothing else; the edge runs it under the hot-reload supervisor next to the
// real simulator. In Chromium an admin sees the empty-floor hint, opens layout mode, uploads a
// floor plan with its scale, types in the simulator's OPC UA server as a new device, browses it,
// picks one machine's state and counters, adds the machine, drags it onto the plan and saves.
// Checked: the plant file on disk (device, machine, position, floor plan; valid by the schema),
// the audit log, and the live twin (the machine there, its state the simulator's, at its place).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlantFile, parsePlantText } from '../../edge/config/index.js';
import type { PlantSupervisor } from '../../edge/plant-reload/index.js';
import type { RunningEdge } from '../../edge/edge-runtime.js';
import { startSimulator, type RunningSimulator } from '../../plc-sim/simulator.js';
import { DEFAULT_STATE_CODES } from '../../shared/plant-schema.js';
import { withoutBreaks } from '../support/line-harness.js';
import { waitFor } from '../support/wait-for.js';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { floorPlanPng } from './floor-plan-png.js';
import { loginThroughTwin } from './twin-login.js';
import { superviseEdge } from '../plant-reload/support.js';

const ARTIFACTS = 'test-artifacts';
const EMPTY_PLANT = '# Hall 2: a new plant. Devices and machines are added in the twin\'s layout mode.\nline: { id: hall-2, name: Hall 2 }\n';

let dir: string;
let file: string;
let sim: RunningSimulator;
let supervisor: PlantSupervisor<RunningEdge>;
let browser: Browser;
const logs: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'twinline-scratch-'));
  file = join(dir, 'plant.yaml');
  writeFileSync(file, EMPTY_PLANT);
  // The demo line's PLCs stand in for "their own machines": the plant file knows nothing of them.
  sim = await startSimulator({
    plant: withoutBreaks(loadPlantFile('config/demo-plant.yaml')), opcuaPort: 0, modbusPort: 0, seed: 5, timeScale: 10, pkiDir: join(dir, 'pki-sim'), log: (m) => logs.push(`[sim] ${m}`),
  });
  supervisor = await superviseEdge({ file, dir, logs, uiDir: resolve('dist/twin-ui') });
  browser = await launchChromium();
  browser.page.on('pageerror', (e) => pageErrors.push(e.message));
  await browser.page.goto(supervisor.edge().url);
  await waitForTwin(browser.page, 30_000);
});
afterAll(async () => {
  await browser?.close();
  await supervisor?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What went on, for a failure message: the edge's and simulator's last log lines and the editor's status. */
async function context(): Promise<string> {
  const status = await browser.page.locator('[data-testid="layout-status"]').textContent().catch(() => '?');
  const form = await browser.page.locator('[data-testid="machine-error"]').textContent().catch(() => '?');
  return `status: ${status}; form: ${form}\n${logs.slice(-15).join('\n')}`;
}

describe('a plant from scratch', () => {
  it('an admin goes from an empty plant file to a laid-out live twin: floor plan, new OPC UA server, browse, add, place, save', async () => {
    const page = browser.page;
    // A visitor (demo mode: the operator) is told an admin adds machines, without a way in.
    const hint = page.locator('[data-testid="empty-floor-hint"]');
    await hint.filter({ hasText: 'No machines yet — an admin adds them in layout mode' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="empty-floor-open"]').isVisible()).toBe(false);
    await loginThroughTwin(page, 'admin', 'admin-demo');
    // An admin lands on the manager's dashboard: the 3D floor is where the hint is.
    if ((await page.locator('[data-testid="dashboard-toggle"]').getAttribute('aria-pressed')) === 'true') await page.locator('[data-testid="dashboard-toggle"]').click();
    await hint.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await hint.textContent()).toContain('No machines yet — open layout mode to add one');
    expect(await page.evaluate(() => window.__twin!.machineIds())).toEqual([]);
    // No machines, but the default calendar's shift runs: the header names it, the line OEE is unknown.
    expect(await page.locator('[data-testid="shift"]').textContent()).toMatch(/^all-day · /);
    expect(await page.locator('[data-testid="line-oee"]').textContent()).toBe('—');
    await page.screenshot({ path: `${ARTIFACTS}/scratch-empty.png` });

    // Layout mode from the hint; the floor plan first (12 m × 8 m at 0.05 m/px), at the origin.
    await page.locator('[data-testid="empty-floor-open"]').click();
    const plan = page.locator('[data-testid="layout-plan"]');
    await plan.waitFor();
    await page.locator('[data-testid="layout-scale"]').fill('0.05');
    await page.locator('[data-testid="layout-floor-plan"]').setInputFiles({ name: 'hall-2.png', mimeType: 'image/png', buffer: floorPlanPng() });
    await plan.locator('[data-testid="layout-plan-image"]').waitFor({ state: 'attached', timeout: 10_000 });
    await page.locator('[data-testid="layout-save"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: /Saved and applied/ }).waitFor({ timeout: 15_000 }).catch(async () => { throw new Error(`floor plan not saved; ${await context()}`); });

    // Add machine: the plant has no device, so the form starts with a new OPC UA server.
    await page.locator('[data-testid="layout-add-machine"]').click();
    expect(await page.locator('[data-testid="machine-device"]').inputValue()).toBe('+opcua');
    // A wrong endpoint is refused by the plant schema before anything connects, marked at its input.
    await page.locator('[data-testid="device-id"]').fill('press-plc');
    await page.locator('[data-testid="device-endpoint"]').fill(`http://127.0.0.1:${sim.opcuaPort}`);
    await page.locator('[data-testid="machine-browse"]').click();
    await page.locator('[data-testid="machine-error"]').filter({ hasText: 'device.endpointUrl' }).waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid="device-endpoint"]').getAttribute('class')).toContain('invalid');
    await page.locator('[data-testid="device-endpoint"]').fill(sim.opcuaEndpoint);
    await page.locator('[data-testid="machine-browse"]').click();
    const variables = page.locator('[data-testid="machine-variables"]');
    const picks = { 'ns=1;s=mill.State': 'state', 'ns=1;s=mill.TotalCount': 'totalCount', 'ns=1;s=mill.GoodCount': 'goodCount' };
    for (const node of Object.keys(picks)) {
      await variables.locator(`input[type="checkbox"][data-node-id="${node}"]`).check({ timeout: 20_000 }).catch(async () => { throw new Error(`no ${node} in the browse; ${await context()}`); });
    }
    // Roles are suggested from the names; set anyway, as the engineer would check them.
    for (const [node, role] of Object.entries(picks)) await variables.locator(`select[data-node-id="${node}"]`).selectOption(role);
    await page.locator('[data-testid="machine-id"]').fill('press-1');
    await page.locator('[data-testid="machine-name"]').fill('Press 1');
    await page.locator('[data-testid="machine-type"]').fill('press');
    await page.screenshot({ path: `${ARTIFACTS}/scratch-browse.png` });

    const first = supervisor.edge();
    await page.locator('[data-testid="machine-add"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: 'machines added: press-1' }).waitFor({ timeout: 15_000 }).catch(async () => { throw new Error(`machine not added; ${await context()}`); });
    await waitFor('the edge composed again with press-1', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== first, 30_000);

    // The twin (reconnected to the composed edge) has it where the form put it, beside the drawing.
    await page.waitForFunction(() => window.__twin!.machineIds().includes('press-1'), undefined, { timeout: 30_000 });
    const added = await page.evaluate(() => window.__twin!.placementOf('press-1'));
    expect(added).not.toBeNull();

    // Drag it onto the drawing: about 6 m right and 4 m down of the plan's top-left corner.
    const machine = plan.locator('[data-machine-id="press-1"] rect');
    await machine.waitFor({ timeout: 15_000 });
    const image = (await plan.locator('[data-testid="layout-plan-image"]').boundingBox())!;
    const metre = image.width / 12;
    const box = (await machine.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(image.x + 3 * metre, image.y + 2 * metre, { steps: 4 });
    await page.mouse.move(image.x + 6 * metre, image.y + 4 * metre, { steps: 4 });
    await page.mouse.up();
    await page.locator('[data-testid="layout-save"]').click();
    await page.locator('[data-testid="layout-status"]').filter({ hasText: /Saved and applied: moved press-1/ }).waitFor({ timeout: 15_000 }).catch(async () => { throw new Error(`placement not saved; ${await context()}`); });

    // The plant file: the device and the machine written with the floor plan and the position, valid.
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("# Hall 2: a new plant. Devices and machines are added in the twin's layout mode.");
    const plant = parsePlantText(text, 'plant.yaml');
    expect(plant.devices).toEqual([expect.objectContaining({ id: 'press-plc', protocol: 'opcua', endpointUrl: sim.opcuaEndpoint, securityMode: 'None' })]);
    expect(plant.machines).toHaveLength(1);
    const press = plant.machines[0]!;
    expect(press).toMatchObject({ id: 'press-1', name: 'Press 1', type: 'press', device: 'press-plc' });
    expect(press.tags.map((t) => [t.role, t.opcua?.nodeId])).toEqual(Object.entries(picks).map(([node, role]) => [role, node]));
    expect(press.layout.x).toBeGreaterThanOrEqual(5);
    expect(press.layout.x).toBeLessThanOrEqual(7);
    expect(press.layout.z).toBeGreaterThanOrEqual(3);
    expect(press.layout.z).toBeLessThanOrEqual(5);
    expect(plant.layout?.floorPlan).toEqual({ image: 'hall-2.png', metresPerPixel: 0.05, origin: { x: 0, z: 0 } });
    expect(parse(text).site).toBeUndefined(); // the defaults stay defaults: nothing written that the engineer did not choose

    // The audit log: who added the device and the machine, and what moved.
    const audit = (action: string) => supervisor.edge().audit.page({ after: 0, limit: 200, action }).entries;
    expect(audit('layout.add-device')).toEqual([expect.objectContaining({ actor: 'admin', role: 'admin', target: 'press-plc', outcome: 'ok' })]);
    expect(audit('layout.add-machine')).toEqual([expect.objectContaining({ actor: 'admin', target: 'press-1', outcome: 'ok' })]);
    const saves = audit('layout.save');
    expect(saves).toHaveLength(2);
    expect((saves[0]!.details as { changes: string[] }).changes).toContain('floor plan hall-2.png at 0.05 m/px');
    expect((saves[1]!.details as { changes: string[] }).changes.some((c) => c.startsWith('moved press-1 from ('))).toBe(true);
    expect(audit('layout.floor-plan')).toHaveLength(1);

    // The live twin: press-1 acquiring from the simulator, its state the one the PLC publishes.
    await page.locator('[data-testid="layout-close"]').click();
    // Applied live: the twin draws it where it was dragged (the saved position), no longer where it was added.
    await page.waitForFunction((at) => {
      const now = window.__twin!.placementOf('press-1');
      return now !== null && now.x === at.x && now.z === at.z;
    }, press.layout, { timeout: 15_000 }).catch(async () => { throw new Error(`the twin has press-1 at ${JSON.stringify(await page.evaluate(() => window.__twin!.placementOf('press-1')))}, the file at ${JSON.stringify(press.layout)}`); });
    expect(added).not.toMatchObject({ x: press.layout.x, z: press.layout.z });
    expect(await page.evaluate(() => window.__twin!.screenPositionOf('press-1'))).not.toBeNull();
    const twinState = () => page.evaluate(() => (window.__twin!.machine('press-1') as { state?: string } | undefined)?.state);
    const deadline = Date.now() + 30_000;
    while ((await twinState()) !== DEFAULT_STATE_CODES[String(sim.tagValue('mill.state'))]) {
      if (Date.now() > deadline) throw new Error(`press-1 never showed the PLC's state: twin ${await twinState()}, PLC code ${sim.tagValue('mill.state')}; ${await context()}`);
      await page.waitForTimeout(100);
    }
    expect(await twinState()).not.toBe('no-data');
    expect(await hint.isVisible()).toBe(false);
    await page.waitForTimeout(500); // two frames for the texture upload on the CPU renderer
    await page.screenshot({ path: `${ARTIFACTS}/scratch-laid-out.png` });
    expect(pageErrors).toEqual([]);
  });

  it('a second machine on a new Modbus TCP device, typed in the same form: test read shows the PLC values, the machine acquires', async () => {
    const page = browser.page;
    await page.locator('[data-testid="layout-toggle"]').click();
    await page.locator('[data-testid="layout-plan"] [data-machine-id="press-1"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="layout-add-machine"]').click();
    await page.locator('[data-testid="machine-device"]').selectOption('+modbus-tcp');
    expect(await page.locator('[data-testid="device-id"]').inputValue()).toBe('plc-1'); // a fresh form, an id not taken
    await page.locator('[data-testid="device-id"]').fill('robot-plc');
    await page.locator('[data-testid="device-host"]').fill('127.0.0.1');
    await page.locator('[data-testid="device-port"]').fill('70000');
    // The demo loader's registers: state at holding 0 (the first row's default), the total count at 2..3.
    await page.locator('[data-testid="machine-add-row"]').click();
    await page.locator('[data-testid="reg-name-1"]').fill('totalCount');
    await page.locator('[data-testid="reg-role-1"]').selectOption('totalCount');
    await page.locator('[data-testid="reg-type-1"]').selectOption('uint32');
    await page.locator('[data-testid="reg-address-1"]').fill('2');
    await page.locator('[data-testid="machine-test-read"]').click();
    await page.locator('[data-testid="machine-error"]').filter({ hasText: 'device.port' }).waitFor({ timeout: 5000 });
    expect(await page.locator('[data-testid="device-port"]').getAttribute('class')).toContain('invalid');
    await page.locator('[data-testid="device-port"]').fill(String(sim.modbusPort));
    await page.locator('[data-testid="machine-test-read"]').click();
    await page.locator('[data-testid="reg-value-1"]').filter({ hasText: /^= \d+$/ }).waitFor({ timeout: 10_000 }).catch(async () => { throw new Error(`no test read; ${await context()}`); });
    const code = Number((await page.locator('[data-testid="reg-value-0"]').textContent())!.slice(2));
    expect(Object.keys(DEFAULT_STATE_CODES)).toContain(String(code));
    const count = Number((await page.locator('[data-testid="reg-value-1"]').textContent())!.slice(2));
    expect(count).toBeLessThanOrEqual(Number(sim.tagValue('loader.totalCount')));
    await page.locator('[data-testid="machine-id"]').fill('robot-1');
    await page.locator('[data-testid="machine-name"]').fill('Robot 1');
    await page.locator('[data-testid="machine-type"]').fill('robot');
    const first = supervisor.edge();
    await page.locator('[data-testid="machine-add"]').click();
    await waitFor('the edge composed again with robot-1', () => supervisor.lastReload()?.result === 'recomposed' && supervisor.edge() !== first, 30_000);
    const plant = parsePlantText(readFileSync(file, 'utf8'), 'plant.yaml');
    expect(plant.devices.map((d) => d.id)).toEqual(['press-plc', 'robot-plc']);
    expect(plant.devices[1]).toMatchObject({ protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.modbusPort, unitId: 1 });
    await page.waitForFunction(() => {
      const m = window.__twin!.machine('robot-1') as { state?: string } | undefined;
      return m?.state !== undefined && m.state !== 'no-data';
    }, undefined, { timeout: 30_000 });
    expect(pageErrors).toEqual([]);
  });
});
