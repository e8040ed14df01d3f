/**
 * What the tab's browser tests share: a headless Chromium that reaches only localhost, signing a
 * sandbox user in to a tab page, and a request of Riley's approved and run to its end.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { AccessRequest } from '../../src/domain/request';
import { CHROMIUM_FLAGS_LOOPBACK_ONLY, CHROMIUM_PATH } from './chromium';
import { type Harness, users } from './harness';

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

/** Riley's request for `args`, approved by Alex and run to its end. */
export async function grantedToRiley(h: Harness, args: string): Promise<AccessRequest> {
  const request = await h.requestGrant(users.requester, args);
  await h.click(users.approver, 'approve', { requestId: request.id });
  return h.settle(request.id);
}
