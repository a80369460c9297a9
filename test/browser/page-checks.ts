// Reusable checks on the twin page, shared by the fixture and the end-to-end tests.
import type { Page } from 'playwright-core';

export interface CanvasStats {
  width: number;
  height: number;
  /** Share of sampled pixels that differ from the most common colour (a blank canvas has ~0). */
  nonDominant: number;
  /** Distinct colours among sampled pixels (quantised to 5 bits per channel). */
  distinctColours: number;
}

/** Reads the WebGL canvas back (preserveDrawingBuffer) and summarises its pixels. */
export async function canvasStats(page: Page): Promise<CanvasStats> {
  return page.evaluate(() => {
    const gl = document.querySelector<HTMLCanvasElement>('canvas.twin-canvas');
    if (!gl) throw new Error('no twin canvas');
    const c = document.createElement('canvas');
    c.width = gl.width;
    c.height = gl.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(gl, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const counts = new Map<number, number>();
    let sampled = 0;
    for (let i = 0; i < data.length; i += 4 * 97) {
      const key = ((data[i]! >> 3) << 10) | ((data[i + 1]! >> 3) << 5) | (data[i + 2]! >> 3);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      sampled++;
    }
    const dominant = Math.max(...counts.values());
    return { width: c.width, height: c.height, nonDominant: 1 - dominant / sampled, distinctColours: counts.size };
  });
}

/** Clicks where the twin says a machine is on screen (a real mouse click through the picking code). */
export async function clickMachine(page: Page, machineId: string): Promise<void> {
  const pos = await page.evaluate((id) => window.__twin!.screenPositionOf(id), machineId);
  if (!pos) throw new Error(`machine ${machineId} is not on screen`);
  await page.mouse.move(pos.x, pos.y);
  await page.mouse.click(pos.x, pos.y);
}

export async function tagText(page: Page, tag: string): Promise<string> {
  return (await page.locator(`#inspector tr[data-tag="${tag}"] .tag-value`).textContent()) ?? '';
}

/** Polls until `read` returns something different from `initial`; returns the new value. */
export async function waitForChange<T>(read: () => Promise<T>, initial: T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== initial) return v;
    if (Date.now() > deadline) throw new Error(`value stayed ${String(initial)} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
