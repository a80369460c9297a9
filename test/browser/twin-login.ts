// Logging in through the twin's own login dialog, as a person would: the user menu's
// "switch user" (or the dialog the twin opens by itself when the edge wants a login), then
// user name and password. The twin reloads with the new session; this waits for it.
import type { Page } from 'playwright-core';
import { waitForTwin } from './chromium.js';

export async function loginThroughTwin(page: Page, username: string, password: string, timeoutMs = 30_000): Promise<void> {
  const form = page.locator('[data-testid="login-form"]');
  if (!(await form.isVisible())) {
    await page.locator('[data-testid="user-menu"]').click();
    await page.locator('[data-testid="switch-user"]').click();
  }
  await form.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('[data-testid="login-username"]').fill(username);
  await page.locator('[data-testid="login-password"]').fill(password);
  await Promise.all([
    page.waitForEvent('load', { timeout: timeoutMs }),
    page.locator('[data-testid="login-submit"]').click(),
  ]);
  await waitForTwin(page, timeoutMs);
  // The session (and with it the view) arrives over the live connection just before the snapshot.
  await page.waitForFunction((u) => document.querySelector<HTMLElement>('[data-testid="user"] .user-name')?.textContent === u, username, { timeout: timeoutMs });
}

/** The view the twin shows (operator, maintenance or manager). */
export async function currentView(page: Page): Promise<string | undefined> {
  return (await page.locator('#app').getAttribute('data-view')) ?? undefined;
}
