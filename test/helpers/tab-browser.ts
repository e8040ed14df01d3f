/**
 * What the tab's browser tests share: a headless Chromium that reaches only localhost, and signing
 * a sandbox user in to a tab page (a granted request to show: grant-approved.ts).
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS_LOOPBACK_ONLY, CHROMIUM_PATH } from './chromium';
import type { Harness } from './harness';

/** Headless Chromium for the tab tests (loopback only). */
export function launchTabBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS_LOOPBACK_ONLY, headless: true });
}

/** How a signed-in page is opened. */
export interface TabPageOptions {
  width?: number;
  height?: number;
  /** `?theme=` of the page once signed in (Teams' `default`, `dark`, `contrast`). */
  theme?: string;
  acceptDownloads?: boolean;
}

/**
 * A new browser context signed in as sandbox `user` (its key in the sandbox sign-in page) on tab
 * page `next`, once the page says it is ready.
 */
export async function signInToTab(
  browser: Browser,
  h: Harness,
  user: string,
  next: string,
  { width = 1280, height = 900, theme, acceptDownloads = false }: TabPageOptions = {},
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width, height }, acceptDownloads });
  const page = await ctx.newPage();
  await page.goto(`${h.app.url}/tabs/sandbox-signin?user=${user}&next=${encodeURIComponent(next)}`);
  await page.waitForURL((u) => u.pathname === next);
  if (theme) await page.goto(`${h.app.url}${next}?theme=${theme}`);
  await page.waitForSelector('body[data-ready="true"]');
  return { ctx, page };
}
