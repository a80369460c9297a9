// Twin performance figures for `npm run bench`: production bundle size (gzip of the JS the page
// loads) and frames per second for the demo line and a synthetic 200-machine plant, in both
// render qualities, in headless Chromium with the CPU renderer (SwiftShader).
// The twin draws on demand, so frames are counted while the camera orbits (a real mouse drag
// through OrbitControls): every frame must then be drawn, which is the case that has to feel
// fluid. Besides wall-clock fps (which depends on what else the shared machine runs) it reports
// the browser's CPU time per drawn frame (GPU process = SwiftShader, renderer = JS + DOM), read
// from Chromium's process info, which depends far less on the machine's load.
//   npx tsx test/browser/twin-bench.ts [--machines 5,200] [--quality low,high] [--seconds 6]
//     [--ui-dir dist/twin-ui] [--compare]   (--compare adds the 200 plant without instancing)
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startFixtureServer } from './fixture-server.js';
import { syntheticPlant } from './synthetic-plant.js';

export const BUNDLE_BUDGET_GZIP_BYTES = 700 * 1024;

export interface TwinScene {
  machines: number;
  quality: string;
  instancing: boolean;
  /** Frames drawn per second while the camera orbits. */
  fps: number;
  frames: number;
  seconds: number;
  drawCalls: number;
  triangles: number;
  /** Browser CPU ms per drawn frame, by process. */
  cpuMsPerFrame: { gpu: number; renderer: number; browser: number };
  /** The page's own mean ms per frame: updatables (animation, instancer sync), render call
   *  (JS + WebGL command submission), label layout. */
  pageMsPerFrame: { update: number; render: number; labels: number } | null;
  /** Drawing-buffer size (the low quality caps its pixels). */
  buffer: string;
  visibleLabels: number;
  renderer: string;
  /** 1-minute load average of the machine while measuring. */
  load: number;
}

export interface TwinBenchResult {
  bundle: { jsBytes: number; jsGzipBytes: number; budgetGzipBytes: number; withinBudget: boolean };
  scenes: TwinScene[];
}

export function measureBundle(uiDir = 'dist/twin-ui'): TwinBenchResult['bundle'] {
  const assets = join(uiDir, 'assets');
  let jsBytes = 0;
  let jsGzipBytes = 0;
  for (const f of readdirSync(assets)) {
    if (!f.endsWith('.js')) continue;
    const body = readFileSync(join(assets, f));
    jsBytes += body.length;
    jsGzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { jsBytes, jsGzipBytes, budgetGzipBytes: BUNDLE_BUDGET_GZIP_BYTES, withinBudget: jsGzipBytes <= BUNDLE_BUDGET_GZIP_BYTES };
}

type CpuByType = Record<string, number>;

const round1 = (x: number) => Math.round(x * 10) / 10;

async function browserCpu(browser: Browser): Promise<CpuByType> {
  const session = await browser.context.browser()!.newBrowserCDPSession();
  try {
    const info = (await session.send('SystemInfo.getProcessInfo' as never)) as { processInfo: { type: string; cpuTime: number }[] };
    const by: CpuByType = {};
    for (const p of info.processInfo) by[p.type] = (by[p.type] ?? 0) + p.cpuTime;
    return by;
  } finally {
    await session.detach();
  }
}

/** Drags across the view (left button: orbit) back and forth until `until` passes. */
async function orbit(page: Page, until: number): Promise<void> {
  const box = await page.locator('.twin-labels').boundingBox();
  if (!box) throw new Error('twin bench: no .twin-labels layer to drag');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  let t = 0;
  while (Date.now() < until) {
    t += 1;
    await page.mouse.move(cx + Math.sin(t / 12) * box.width * 0.2, cy + Math.sin(t / 29) * 20);
    await page.waitForTimeout(8);
  }
  // End well away from where the drag began: a release near the start would count as a click.
  await page.mouse.move(cx + box.width * 0.3, cy + 40);
  await page.mouse.up();
}

export async function runTwinBench(options: { machines?: number[]; qualities?: string[]; seconds?: number; build?: boolean; uiDir?: string; compareInstancing?: boolean } = {}): Promise<TwinBenchResult> {
  if (options.build !== false && !options.uiDir) await build({ configFile: 'twin-ui/vite.config.ts', logLevel: 'warn' });
  const uiDir = options.uiDir ?? 'dist/twin-ui';
  const bundle = measureBundle(uiDir);
  const scenes: TwinScene[] = [];
  const seconds = options.seconds ?? 6;
  const runs: { n: number; quality: string; instancing: boolean }[] = [];
  for (const n of options.machines ?? [5, 200]) {
    for (const quality of options.qualities ?? ['low', 'high']) runs.push({ n, quality, instancing: true });
    if (options.compareInstancing && n > 5) runs.push({ n, quality: 'low', instancing: false });
  }
  for (const { n, quality, instancing } of runs) {
    const server = await startFixtureServer({ plant: n === 5 ? undefined : syntheticPlant(n), tickMs: 250, uiDir });
    const browser = await launchChromium({ width: 1280, height: 720 });
    try {
      const { page } = browser;
      await page.goto(`${server.url}/?quality=${quality}${instancing ? '' : '&instancing=off'}`);
      await waitForTwin(page, 90_000);
      await page.waitForTimeout(1500); // shader compilation and first layout out of the way
      const f0 = await page.evaluate(() => window.__twin!.frames);
      const c0 = await browserCpu(browser);
      const t0 = Date.now();
      await orbit(page, t0 + seconds * 1000);
      const f1 = await page.evaluate(() => window.__twin!.frames);
      const c1 = await browserCpu(browser);
      const elapsed = (Date.now() - t0) / 1000;
      const frames = f1 - f0;
      const per = (type: string) => Math.round((((c1[type] ?? 0) - (c0[type] ?? 0)) * 1000) / Math.max(1, frames));
      const stats = await page.evaluate(() => {
        const gl = document.createElement('canvas').getContext('webgl2');
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        const canvas = document.querySelector<HTMLCanvasElement>('canvas.twin-canvas');
        return {
          renderer: gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'none',
          quality: window.__twin!.quality,
          drawCalls: window.__twin!.drawCalls,
          frameCost: window.__twin!.frameCost,
          triangles: window.__twin!.triangles,
          buffer: canvas ? `${canvas.width}x${canvas.height}` : '?',
          visibleLabels: [...document.querySelectorAll<HTMLElement>('.machine-label')].filter((l) => l.style.display !== 'none').length,
        };
      });
      scenes.push({
        machines: n, quality: stats.quality, instancing, fps: Math.round((frames / elapsed) * 10) / 10, frames, seconds: Math.round(elapsed * 10) / 10,
        drawCalls: stats.drawCalls, triangles: stats.triangles, cpuMsPerFrame: { gpu: per('GPU'), renderer: per('renderer'), browser: per('browser') },
        pageMsPerFrame: stats.frameCost ? { update: round1(stats.frameCost.update), render: round1(stats.frameCost.render), labels: round1(stats.frameCost.labels) } : null,
        buffer: stats.buffer, visibleLabels: stats.visibleLabels, renderer: stats.renderer, load: Math.round(loadavg()[0]! * 10) / 10,
      });
    } finally {
      await browser.close();
      await server.stop();
    }
  }
  return { bundle, scenes };
}

export function formatTwinBench(r: TwinBenchResult): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const lines = [
    `twin bundle: ${kb(r.bundle.jsBytes)} JS, ${kb(r.bundle.jsGzipBytes)} gzip (budget ${kb(r.bundle.budgetGzipBytes)}) ${r.bundle.withinBudget ? 'OK' : 'OVER BUDGET'}`,
    'twin fps while orbiting the camera (every frame drawn; at rest the twin draws only what changes).',
    'CPU renderer: Chromium draws WebGL with SwiftShader on the CPU cores shared with everything else —',
    'a worst case; any GPU draws these scenes at the display rate. "cpu ms/frame" is the browser\'s CPU',
    'time per drawn frame (GPU process / renderer), which depends far less on the machine\'s load than fps.',
  ];
  for (const s of r.scenes) {
    const plant = s.machines === 5 ? 'demo line (5)' : `${s.machines} machines`;
    lines.push(
      `twin fps: ${plant}, ${s.quality} quality${s.instancing ? '' : ', NOT instanced'}: ${s.fps} fps (${s.frames} frames in ${s.seconds} s, load ${s.load}); ` +
        `${s.drawCalls} draw calls, ${Math.round(s.triangles / 1000)}k triangles, ${s.buffer} px, ${s.visibleLabels} labels shown; ` +
        `cpu ms/frame GPU ${s.cpuMsPerFrame.gpu} + renderer ${s.cpuMsPerFrame.renderer} + browser ${s.cpuMsPerFrame.browser}` +
        (s.pageMsPerFrame ? `; page ms/frame update ${s.pageMsPerFrame.update} + render ${s.pageMsPerFrame.render} + labels ${s.pageMsPerFrame.labels}` : ''),
    );
  }
  const renderer = r.scenes[0]?.renderer;
  if (renderer) lines.push(`renderer: ${renderer.replace(/\s+/g, ' ').slice(0, 80)}`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      machines: { type: 'string', default: '5,200' },
      quality: { type: 'string', default: 'low,high' },
      seconds: { type: 'string', default: '6' },
      'ui-dir': { type: 'string' },
      compare: { type: 'boolean', default: false },
    },
  });
  const result = await runTwinBench({
    machines: values.machines.split(',').map(Number),
    qualities: values.quality.split(','),
    seconds: Number(values.seconds),
    uiDir: values['ui-dir'],
    compareInstancing: values.compare,
  });
  console.log(formatTwinBench(result));
  if (!result.bundle.withinBudget) process.exitCode = 1;
}
