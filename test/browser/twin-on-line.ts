// The set-up the browser tests on the real line share: simulator + edge (e2e-line.ts), Chromium
// on the twin with its page errors collected, optionally logged in as a demo role; all stopped
// after the file. Also a poll from Node for conditions that need an async look at the page.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, waitForTwin, type Browser } from './chromium.js';
import { startTwinLine, type TwinLine } from './e2e-line.js';
import { loginThroughTwin } from './twin-login.js';

export const ARTIFACTS = 'test-artifacts';

export interface TwinOnLine {
  readonly line: TwinLine;
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught errors of the page so far (a test ends by expecting none). */
  readonly pageErrors: string[];
}

/**
 * Registers beforeAll/afterAll for a describe block: 10× time by default (a part every second
 * or so, states change every few seconds), seed 7, the demo edge; `login` switches from the demo
 * operator to another demo role through the twin's own login dialog.
 */
export function twinOnLine(options: Parameters<typeof startTwinLine>[0] & { login?: { username: string; password: string } } = {}): TwinOnLine {
  let line: TwinLine | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    line = await startTwinLine({ timeScale: 10, seed: 7, ...options });
    browser = await launchChromium();
    browser.page.on('pageerror', (e) => pageErrors.push(e.message));
    await browser.page.goto(line.url);
    await waitForTwin(browser.page, 30_000);
    if (options.login) await loginThroughTwin(browser.page, options.login.username, options.login.password);
  });
  afterAll(async () => {
    await browser?.close();
    await line?.stop();
  });
  const ready = <T>(what: string, v: T | undefined): T => {
    if (v === undefined) throw new Error(`twinOnLine: ${what} is not started (use it inside a test, after beforeAll)`);
    return v;
  };
  return {
    get line() {
      return ready('the line', line);
    },
    get browser() {
      return ready('Chromium', browser);
    },
    get page() {
      return ready('Chromium', browser).page;
    },
    pageErrors,
  };
}

/**
 * Polls `ok` until it resolves true. page.waitForFunction cannot do this for an async predicate:
 * it takes the returned Promise as a truthy answer and stops waiting at once.
 */
export async function pollUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
