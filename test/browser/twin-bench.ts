// Twin performance figures for `npm run bench`: production bundle size (gzip of the JS the page
// loads) and frames per second for a synthetic plant in headless Chromium with the CPU
// renderer (SwiftShader). Run alone: npx tsx test/browser/twin-bench.ts [--machines 200] [--seconds 6]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { launchChromium, waitForTwin } from './chromium.js';
import { startFixtureServer } from './fixture-server.js';
import { syntheticPlant } from './synthetic-plant.js';

export const BUNDLE_BUDGET_GZIP_BYTES = 700 * 1024;

export interface TwinBenchResult {
  bundle: { jsBytes: number; jsGzipBytes: number; budgetGzipBytes: number; withinBudget: boolean };
  scenes: { machines: number; instancing: boolean; quality: string; fps: number; frames: number; seconds: number; drawCalls: number; triangles: number; msPerFrame: { update: number; render: number; labels: number } | null; renderer: string }[];
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

export async function runTwinBench(options: { machines?: number[]; seconds?: number; build?: boolean; compareInstancing?: boolean } = {}): Promise<TwinBenchResult> {
  if (options.build !== false) await build({ configFile: 'twin-ui/vite.config.ts', logLevel: 'warn' });
  const bundle = measureBundle();
  const scenes: TwinBenchResult['scenes'] = [];
  const seconds = options.seconds ?? 6;
  const runs = (options.machines ?? [5, 200]).flatMap((n) => (options.compareInstancing && n > 5 ? [[n, 1], [n, 0]] : [[n, 1]]));
  for (const [n, inst] of runs as [number, number][]) {
    const server = await startFixtureServer({ plant: n === 5 ? undefined : syntheticPlant(n), tickMs: 250 });
    const browser = await launchChromium({ width: 1280, height: 720 });
    try {
      const { page } = browser;
      // Default quality: what a user of this machine gets (low on a CPU renderer).
      await page.goto(`${server.url}/${inst ? '' : '?instancing=off'}`);
      await waitForTwin(page, 60_000);
      await page.waitForTimeout(1500); // shader compilation and first layout out of the way
      const f0 = await page.evaluate(() => window.__twin!.frames);
      const t0 = Date.now();
      await page.waitForTimeout(seconds * 1000);
      const f1 = await page.evaluate(() => window.__twin!.frames);
      const elapsed = (Date.now() - t0) / 1000;
      const renderer = await page.evaluate(() => {
        const gl = document.createElement('canvas').getContext('webgl2');
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        return gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'none';
      });
      const quality = await page.evaluate(() => window.__twin!.quality);
      const drawCalls = await page.evaluate(() => window.__twin!.drawCalls);
      const msPerFrame = await page.evaluate(() => window.__twin!.frameCost);
      const triangles = await page.evaluate(() => window.__twin!.triangles);
      scenes.push({ machines: n, instancing: inst === 1, quality, drawCalls, triangles, msPerFrame, fps: Math.round(((f1 - f0) / elapsed) * 10) / 10, frames: f1 - f0, seconds: Math.round(elapsed * 10) / 10, renderer });
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
  ];
  for (const s of r.scenes) {
    lines.push(`twin fps: ${s.machines} machines, ${s.instancing ? 'instanced' : 'NOT instanced'}, ${s.quality} quality, ${s.drawCalls} draw calls, ${Math.round(s.triangles / 1000)}k triangles: ${s.fps} fps (${s.frames} frames in ${s.seconds} s; ms/frame ${s.msPerFrame ? `update ${s.msPerFrame.update.toFixed(1)}, WebGL ${s.msPerFrame.render.toFixed(1)}, labels ${s.msPerFrame.labels.toFixed(1)}` : '?'}; ${s.renderer.replace(/\s+/g, ' ').slice(0, 60)})`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { machines: { type: 'string', default: '5,200' }, seconds: { type: 'string', default: '6' }, compare: { type: 'boolean', default: false } } });
  const result = await runTwinBench({ machines: values.machines.split(',').map(Number), seconds: Number(values.seconds), compareInstancing: values.compare });
  console.log(formatTwinBench(result));
  if (!result.bundle.withinBudget) process.exitCode = 1;
}
