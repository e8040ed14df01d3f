/**
 * The Teams tab in Chromium (playwright-core, headless) against the real app in sandbox mode:
 * sign-in through the sandbox issuer as a requester and as an approver, what each sees, the
 * filters, search, CSV export (formula-safe), hostile text shown as text, keyboard use of the
 * matrix and its history drawer, 320 px without page overflow or clipped text, the filters closed
 * at a phone's width (the grid on the first screen), and axe-core with no serious or critical
 * violation in the light, dark and high-contrast themes.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`). Nothing is written to the repo.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { cardText } from '../helpers/capturing-connector';
import type { AccessRequest } from '../../src/domain/request';
import { type Harness, startHarness, users } from '../helpers/harness';
import {
  SANDBOX_APPROVAL_CHANNEL_ID,
  SANDBOX_CLUSTERS,
  SANDBOX_REGISTRIES,
  SANDBOX_TENANT_ID,
  sandboxResourceId,
} from '../../src/sandbox/fixtures';
import { grantApproved } from '../helpers/grant-approved';
import { launchTabBrowser, signInToTab } from '../helpers/tab-browser';
import { HOST_ANSWER_LIMIT_MS, HostSilentError } from '../../web/src/host-deadline';

const AXE = readFileSync(path.resolve(__dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
// Page functions use `globalThis as any`: the project's tsconfig has no DOM lib (web/tsconfig.json has).
const HOSTILE_REASON = '=HYPERLINK("http://evil.example/x") <img src=x onerror="window.__xss=1"> batch';

/** A grid cell's `data-cell`: its cluster's and registry's resource ids, in lower case (web/src/matrix.ts). */
const cellOf = (cluster: keyof typeof SANDBOX_CLUSTERS, registry: keyof typeof SANDBOX_REGISTRIES): string =>
  `${sandboxResourceId('cluster', SANDBOX_CLUSTERS[cluster])}|${sandboxResourceId('registry', SANDBOX_REGISTRIES[registry])}`.toLowerCase();
const PROD_CONTOSO = cellOf('prod', 'contoso');
const DEV_ABAC = cellOf('dev', 'abac');

/**
 * The drawer's Revoke for the reason field `reason`: its form's "Revoke…" shows what the revoke
 * deletes and keeps (the preview, chat's `revoke R-…` card), whose "Revoke" confirms it (`click`
 * or `dblclick`). The preview's lines, as shown.
 */
async function revokeInDrawer(page: Page, reason: Locator, click: 'click' | 'dblclick' = 'click'): Promise<string[]> {
  await page.locator('dialog.drawer form', { has: reason }).getByRole('button', { name: 'Revoke…' }).click();
  const preview = page.locator('dialog.drawer .revoke-preview');
  await preview.locator('.revoke-steps li').first().waitFor();
  const lines = await preview.locator('.revoke-steps li').allInnerTexts();
  await preview.getByRole('button', { name: 'Revoke', exact: true })[click]();
  return lines;
}

describe('Teams tab in Chromium (sandbox sign-in)', () => {
  let h: Harness;
  let browser: Browser;
  let rileyId: string;
  let oscarId: string;
  let hostileId: string;

  beforeAll(async () => {
    await buildWeb();
    h = await startHarness();
    const mine = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await h.click(users.approver, 'approve', { requestId: mine.id });
    const granted = await h.settle(mine.id);
    rileyId = mine.id;
    oscarId = (await h.requestGrant(users.outsider, 'aks-legacy contosoacr batch jobs need images')).id;
    // A granted record with hostile text, as if it had come in through another channel: the tab must show it as text.
    hostileId = 'R-H0ST1LE2';
    const hostile: AccessRequest = {
      ...granted,
      id: hostileId,
      requester: { objectId: users.outsider.objectId, name: users.outsider.name },
      reason: HOSTILE_REASON,
      createdAt: new Date().toISOString(),
    };
    await h.app.store.create(hostile);
    browser = await launchTabBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  const signIn = (user: string, next: string, width = 1280, theme?: string) =>
    signInToTab(browser, h, user, next, { width, theme, acceptDownloads: true });
  const grantedToRiley = (args: string) => grantApproved(h, args);

  async function axeViolations(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly refuses injected script tags.
    await page.evaluate(AXE);
    return page.evaluate(async () => {
      const result = await (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] });
      return result.violations
        .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
        .map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
    });
  }

  test('a requester sees their own request only, in My access and in the matrix', async () => {
    const { ctx, page } = await signIn('requester', '/tabs/matrix');
    try {
      const text = await page.locator('main').innerText();
      expect(text).toContain(rileyId);
      expect(text).toContain('You see your own requests');
      expect(text).not.toContain(oscarId);
      expect(text).not.toContain(hostileId);
      expect(text).not.toContain('outside acrbot');
      await expect(page.locator(`[data-cell="${PROD_CONTOSO}"]`).innerText()).resolves.toContain('Active');
      await page.goto(`${h.app.url}/tabs/personal`);
      await page.waitForSelector('body[data-ready="true"]');
      const personal = await page.locator('#grants').innerText();
      expect(personal).toContain(rileyId);
      expect(personal).toMatch(/Active/);
      expect(await page.locator('#approvals').count()).toBe(0);
      // An approver's approvals open the chat with "pending" typed in: its cards carry Approve
      // and Reject ("status" would show one without them).
      const { ctx: alexCtx, page: alex } = await signIn('approver', '/tabs/personal');
      try {
        const link = alex.locator(`#approvals li[data-request="${oscarId}"] .chat-link`);
        expect(await link.innerText()).toBe('Open in chat to approve');
        // Tapped on a phone too: as tall as a button (32 px; WCAG 2.5.8 asks 24), not a line of text.
        expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(32);
        expect(new URL((await link.getAttribute('href'))!).searchParams.get('message')).toBe(`pending ${oscarId}`);
      } finally {
        await alexCtx.close();
      }
    } finally {
      await ctx.close();
    }
  });

  test("times are reckoned by the server's clock, not a browser clock that is ten days fast", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Every Date.now() in the page is ten days ahead (as on a machine whose clock is wrong).
    await ctx.addInitScript(() => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + 10 * 86_400_000;
    });
    const page = await ctx.newPage();
    try {
      await page.goto(`${h.app.url}/tabs/sandbox-signin?user=requester&next=${encodeURIComponent('/tabs/personal')}`);
      await page.waitForURL((u) => u.pathname === '/tabs/personal');
      await page.waitForSelector('body[data-ready="true"]');
      const line = await page.locator(`#grants li[data-request="${rileyId}"]`).innerText();
      // Granted moments ago for 30 days: "in 30 days" by the server's clock (20 by the browser's).
      expect(line).toContain('(in 30 days)');
    } finally {
      await ctx.close();
    }
  });

  test('without a token the page says how to sign in, and shows no data', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    try {
      await page.goto(`${h.app.url}/tabs/matrix`);
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.getByRole('alert').innerText()).resolves.toContain('Sign in');
      expect(await page.locator('.cell').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  test("acrbot unreachable, or a 200 that is no JSON: the page says what to do, not the browser's words or a TypeError", async () => {
    const { ctx, page } = await signIn('requester', '/tabs/matrix');
    try {
      await page.route('**/api/tab/matrix*', (route) => route.abort('connectionrefused'));
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.getByRole('alert').innerText()).resolves.toBe(
        'acrbot could not be reached; check your connection and reload the page.',
      );
      await page.unroute('**/api/tab/matrix*');
      // A proxy's or a sign-in page answering instead of acrbot.
      await page.route('**/api/tab/me', (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body>Sign in</body></html>' }),
      );
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.getByRole('alert').innerText()).resolves.toBe(
        "acrbot's answer could not be read (HTTP 200, not JSON); reload the page.",
      );
      expect(await page.locator('.cell').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  test('an approver sees everyone (acrbot and outside grants), filters, searches and exports what is shown as formula-safe CSV', async () => {
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      const all = await page.locator('main').innerText();
      for (const id of [rileyId, hostileId]) expect(all).toContain(id);
      expect(all).toContain('outside acrbot');
      // The whole matrix: every seeded cluster is a row, even those that pull from nothing.
      expect(await page.locator('.matrix tbody th').allInnerTexts()).toEqual(['aks-dev', 'aks-legacy', 'aks-prod']);
      // A pending request gives no access: it is not in the matrix.
      expect(all).not.toContain(oscarId);
      // The State filter offers only states some entry has (nothing here is pending or failed).
      const states = await page.locator('#f-state option').allInnerTexts();
      expect(states).toContain('Active');
      expect(states).not.toContain('Pending');
      expect(states).not.toContain('Failed');
      // Two registries named sharedacr (two subscriptions): the filter tells them apart as the grid does.
      const registries = await page.locator('#f-registry option').allInnerTexts();
      expect(registries.filter((t) => t.startsWith('sharedacr')).sort()).toEqual([
        'sharedacr (sharedacr-b7c1.azurecr.io)',
        'sharedacr (sharedacr.azurecr.io)',
      ]);

      // Hostile text is text: no element was injected, no script ran.
      await page.click(`li[data-request="${hostileId}"] .row-open`);
      const drawer = page.locator('dialog.drawer[open]');
      await drawer.waitFor();
      await page.locator('dialog.drawer .facts dt', { hasText: 'Approvers' }).first().waitFor();
      expect(await drawer.innerText()).toContain('<img src=x onerror="window.__xss=1">');
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
      await page.keyboard.press('Escape');

      await page.selectOption('#f-requester', users.outsider.objectId);
      let shown = await page.locator('.rows').innerText();
      expect(shown).toContain(hostileId);
      expect(shown).not.toContain(rileyId);
      await page.selectOption('#f-requester', 'outside');
      shown = await page.locator('.rows').innerText();
      expect(shown).toContain('outside acrbot');
      expect(shown).not.toMatch(/R-[0-9A-Z]{8}/);
      await page.selectOption('#f-requester', '');
      await page.selectOption('#f-state', 'active');
      shown = await page.locator('.rows').innerText();
      expect(shown).toContain(rileyId);
      await page.selectOption('#f-state', '');
      await page.fill('#f-q', 'hyperlink');
      await expect(page.locator('.count').innerText()).resolves.toMatch(/^1 of \d+ entries shown$/);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
      const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
      const lines = csv.trim().split('\r\n');
      expect(lines[0]).toMatch(/^cluster,cluster_subscription,registry/);
      expect(lines).toHaveLength(2);
      expect(csv).toContain(hostileId);
      expect(csv).not.toContain(rileyId);
      // The formula-looking reason is neutralised with a leading quote.
      expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/x"")`);
    } finally {
      await ctx.close();
    }
  });

  test('keyboard: Tab to a cell, Enter opens its history (approvers, audit, Azure ids), Escape closes it', async () => {
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      let focused = '';
      for (let i = 0; i < 40 && focused !== PROD_CONTOSO; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(
          () => (globalThis as any).document.activeElement?.getAttribute('data-cell') ?? '',
        );
      }
      expect(focused).toBe(PROD_CONTOSO);
      await page.keyboard.press('Enter');
      const drawer = page.locator('dialog.drawer[open]');
      await drawer.waitFor();
      await page.locator('dialog.drawer .facts dt', { hasText: 'Approvers' }).first().waitFor();
      const text = await drawer.innerText();
      expect(text).toContain(rileyId);
      expect(text).toContain(users.approver.name);
      expect(text).toMatch(/Azure request ids/);
      expect(text).toContain('Open the request in chat');
      await page.keyboard.press('Escape');
      await expect(drawer.count()).resolves.toBe(0);
      expect(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-cell'))).toBe(
        PROD_CONTOSO,
      );
    } finally {
      await ctx.close();
    }
  });

  test('320 px wide: no page overflow and no clipped text', async () => {
    const { ctx, page } = await signIn('approver', '/tabs/matrix', 320);
    try {
      const problems = await page.evaluate(() => {
        const { document, window, getComputedStyle } = globalThis as any;
        const out: string[] = [];
        if (document.documentElement.scrollWidth > window.innerWidth + 1) {
          const widest = (Array.from(document.querySelectorAll('main *')) as any[])
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .map((el) => `${el.tagName}.${el.className}`)
            .slice(0, 5);
          out.push(`page is ${document.documentElement.scrollWidth}px wide: ${widest.join(', ')}`);
        }
        // .sr-only text is visually hidden on purpose (read by screen readers only).
        for (const el of Array.from(document.querySelectorAll('main *:not(.sr-only)')) as any[]) {
          const s = getComputedStyle(el);
          const hides = s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis';
          if (hides && el.scrollWidth > el.clientWidth + 1) out.push(`clipped: ${el.textContent?.slice(0, 60)}`);
        }
        // Outside the scrollable grid, every element fits the viewport.
        for (const el of Array.from(document.querySelectorAll('main > div > *:not(.grid-wrap) *')) as any[]) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > window.innerWidth + 1)
            out.push(`beyond the edge: ${el.tagName} ${el.textContent?.slice(0, 40)}`);
        }
        return out;
      });
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  test('360×740 (a phone): the filters start closed, so the grid starts on the first screen; the keyboard opens them, the summary counts those set', async () => {
    const { ctx, page } = await signInToTab(browser, h, 'approver', '/tabs/matrix', { width: 360, height: 740 });
    try {
      const summary = page.locator('details.filters-box > summary');
      await expect(summary.innerText()).resolves.toBe('Filters (none set)');
      await expect(page.locator('#f-cluster').isVisible()).resolves.toBe(false);
      // Unscrolled, the grid starts in the first screen's upper half (the six fields and Export
      // CSV open took about 400 px), and the first entry under it starts on that screen too.
      expect(await page.evaluate(() => (globalThis as any).scrollY)).toBe(0);
      const cell = await page.locator('.grid-wrap table.matrix td').first().boundingBox();
      const entry = await page.locator('ul.rows > li').first().boundingBox();
      expect({ cell: cell!.y < 740 / 2, entry: entry!.y < 740 }).toEqual({ cell: true, entry: true });
      await expect(page.locator('.count').isVisible()).resolves.toBe(true);
      expect(await axeViolations(page)).toEqual([]);

      // The summary is a button to the keyboard and to screen readers: Enter opens, Tab goes on into the fields.
      await summary.focus();
      await page.keyboard.press('Enter');
      await expect(page.locator('details.filters-box').evaluate((d) => (d as any).open)).resolves.toBe(true);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe('f-cluster');
      await page.selectOption('#f-state', 'active');
      await expect(summary.innerText()).resolves.toBe('Filters (1 set)');
      expect(await axeViolations(page)).toEqual([]);
      // Closed again, it still says a filter narrows what is shown.
      await summary.focus();
      await page.keyboard.press('Enter');
      await expect(page.locator('#f-state').isVisible()).resolves.toBe(false);
      await expect(summary.innerText()).resolves.toBe('Filters (1 set)');
    } finally {
      await ctx.close();
    }
  });

  test('a wider window shows the filters open', async () => {
    const { ctx, page } = await signIn('approver', '/tabs/matrix', 1024);
    try {
      await expect(page.locator('details.filters-box').evaluate((d) => (d as any).open)).resolves.toBe(true);
      await expect(page.locator('#f-cluster').isVisible()).resolves.toBe(true);
    } finally {
      await ctx.close();
    }
  });

  test("320 px wide: the requester's drawer with Extend and Revoke fits, nothing clipped", async () => {
    const { ctx, page } = await signIn('requester', '/tabs/personal', 320);
    try {
      await page.click(`#grants li[data-request="${rileyId}"] .row-open`);
      await page.locator(`#extend-${rileyId}`).waitFor();
      await page.locator(`#revoke-${rileyId}`).waitFor();
      const problems = await page.evaluate(() => {
        const { document, window, getComputedStyle } = globalThis as any;
        const out: string[] = [];
        for (const el of Array.from(document.querySelectorAll('dialog.drawer *:not(.sr-only)')) as any[]) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > window.innerWidth + 1)
            out.push(`beyond the edge: ${el.tagName}#${el.id} ${el.textContent?.slice(0, 40)}`);
          const s = getComputedStyle(el);
          const hides = s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis';
          if (hides && el.scrollWidth > el.clientWidth + 1) out.push(`clipped: ${el.textContent?.slice(0, 60)}`);
        }
        return out;
      });
      expect(problems).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  test('while new access is paused: a banner says who paused it (and why, to approvers, as text), the drawer offers no Extend; gone after resume', async () => {
    const acting = { actor: users.approver, tenantId: SANDBOX_TENANT_ID };
    const { pause } = await h.app.services.pauses.pause(acting, 'incident 42 <img src=x onerror="window.__xss=1">');
    try {
      const asApprover = await signIn('approver', '/tabs/personal', 1024);
      try {
        const banner = asApprover.page.locator('.paused-banner[role="status"]');
        expect(await banner.textContent()).toMatch(
          /^New access is paused since .* UTC by \u2068Alex Approver\u2069: "incident 42 <img src=x onerror="window.__xss=1">"\. Nothing can be requested/,
        );
        expect(await asApprover.page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
      } finally {
        await asApprover.ctx.close();
      }
      const { ctx, page } = await signIn('requester', '/tabs/personal', 1024);
      try {
        const banner = page.locator('.paused-banner[role="status"]');
        expect(await banner.textContent()).toMatch(
          /^New access is paused since .* UTC by \u2068Alex Approver\u2069\. Nothing can be/,
        );
        await page.click(`#grants li[data-request="${rileyId}"] .row-open`);
        await page
          .locator('dialog.drawer .note', { hasText: 'Extend is not available while new access is paused.' })
          .waitFor();
        expect(await page.locator(`#extend-${rileyId}`).count()).toBe(0);
        await page.locator(`#revoke-${rileyId}`).waitFor();
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await ctx.close();
      }
    } finally {
      await h.app.services.pauses.resume(acting, undefined, pause);
    }
    const { ctx, page } = await signIn('requester', '/tabs/personal', 1024);
    try {
      expect(await page.locator('.paused-banner').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  test.each(['default', 'dark', 'contrast'])(
    'axe-core: no serious or critical violation (%s theme, drawer open)',
    async (theme) => {
      const { ctx, page } = await signIn('approver', '/tabs/matrix', 1024, theme);
      try {
        expect(await page.evaluate(() => (globalThis as any).document.body.className)).toContain(`theme-${theme}`);
        expect(await axeViolations(page)).toEqual([]);
        await page.click(`[data-cell="${PROD_CONTOSO}"]`);
        await page.locator('dialog.drawer .facts dt', { hasText: 'Approvers' }).first().waitFor();
        expect(await axeViolations(page)).toEqual([]);
        await page.goto(`${h.app.url}/tabs/personal?theme=${theme}`);
        await page.waitForSelector('body[data-ready="true"]');
        expect(await axeViolations(page)).toEqual([]);
      } finally {
        await ctx.close();
      }
    },
  );

  test('Revoke from the tab runs the chat flow: what it deletes shown first, access removed in Azure, chat cards updated to Revoked', async () => {
    const request = await grantedToRiley('aks-dev contosoacr dev cluster pulls payments images');
    const assignment = request.created?.find((c) => c.kind === 'roleAssignment')?.id;
    expect(assignment).toBeDefined();
    const { ctx, page } = await signIn('requester', '/tabs/personal');
    try {
      await page.click(`#grants li[data-request="${request.id}"] .row-open`);
      const reason = page.locator(`#revoke-${request.id}`);
      await reason.fill('no longer needed on dev');
      const before = h.connector.calls.length;
      // "Revoke…" shows what the revoke deletes and keeps, as chat's `revoke R-…` card, first.
      await page.locator('dialog.drawer form', { has: reason }).getByRole('button', { name: 'Revoke…' }).click();
      const preview = page.getByRole('group', { name: `Revoke ${request.id}?` });
      await preview.locator('.revoke-steps li').first().waitFor();
      await expect(preview.locator('.revoke-steps li').allInnerTexts()).resolves.toContainEqual(
        expect.stringMatching(/^Delete role assignment AcrPull for .* on contosoacr$/),
      );
      // The focus is on what is to be confirmed, and nothing is revoked yet.
      await expect(page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).resolves.toBe(
        `Revoke ${request.id}?`,
      );
      expect((await h.app.store.get(request.id))!.state).toBe('succeeded');
      expect(await axeViolations(page)).toEqual([]);
      if (process.env.TAB_SCREENSHOT)
        await page.screenshot({ path: process.env.TAB_SCREENSHOT.replace(/\.png$/, '-revoke.png'), fullPage: true });
      await preview.getByRole('button', { name: 'Revoke', exact: true }).click();
      await expect(
        page
          .locator('dialog.drawer .action-message')
          .filter({ hasText: /^Revoked / })
          .innerText(),
      ).resolves.toContain(request.id);
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
      const names = h.app.sandbox!.arm.state.listRoleAssignments().map((a: { id: string }) => a.id.toLowerCase());
      expect(names).not.toContain(assignment!.toLowerCase());
      await h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          c.op === 'update' &&
          cardText(c.activity).includes(request.id) &&
          /revoked/i.test(cardText(c.activity)),
        10_000,
        'a chat card of the request updated to Revoked',
      );
      // The page reloaded its data: the grant is no longer active.
      await page.locator(`#grants li[data-request="${request.id}"]`).waitFor({ state: 'detached' });
    } finally {
      await ctx.close();
    }
  });

  test('the matrix after a revoke in its drawer: one POST for a double click, the filter kept, focus back on the cell; an empty cell reads "no access"', async () => {
    const request = await grantedToRiley('aks-dev contosoabac dev cluster pulls abac images');
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      // Empty cells: a text for screen readers, the dot hidden from them (axe: no aria-label on a span).
      const empty = page.locator('td.cell-empty').first();
      await expect(empty.locator('.sr-only').innerText()).resolves.toBe('no access');
      await expect(empty.locator('[aria-hidden="true"]').innerText()).resolves.toBe('·');
      await page.evaluate(AXE);
      const prohibited = await page.evaluate(async () => {
        const result = await (globalThis as any).axe.run((globalThis as any).document, {
          resultTypes: ['incomplete', 'violations'],
          runOnly: ['aria-prohibited-attr'],
        });
        return [...result.violations, ...result.incomplete].length;
      });
      expect(prohibited).toBe(0);

      await page.fill('#f-q', 'aks-dev');
      const cell = page.locator(`button[data-cell="${DEV_ABAC}"]`);
      await cell.focus();
      await page.keyboard.press('Enter');
      const reason = page.locator(`#revoke-${request.id}`);
      await reason.fill('no longer needed on dev');
      const posts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().includes('/revoke')) posts.push(r.url());
      });
      const drawn = await cell.elementHandle();
      await revokeInDrawer(page, reason, 'dblclick');
      await expect(
        page
          .locator('dialog.drawer .action-message')
          .filter({ hasText: /^Revoked / })
          .innerText(),
      ).resolves.toContain(request.id);
      expect(posts).toHaveLength(1);
      // The page reloads its data (the cell is drawn anew), keeping the filter.
      await page.waitForFunction((el) => !(el as any).isConnected, drawn);
      await expect(page.inputValue('#f-q')).resolves.toBe('aks-dev');
      await page.keyboard.press('Escape');
      // The dialog's close event comes after the key: wait for the focus to land.
      await page.waitForFunction(
        (key) => (globalThis as any).document.activeElement?.getAttribute('data-cell') === key,
        DEV_ABAC,
        { timeout: 5000 },
      );
    } finally {
      await ctx.close();
    }
  });

  test('a reload after an action that fails says so above the data; a newer failure replaces the older, a reload that works takes it away', async () => {
    const request = await grantedToRiley('aks-legacy contosoabac legacy batch pulls abac images');
    const { ctx, page } = await signIn('requester', '/tabs/personal');
    try {
      // From now on the list cannot be read (the bot restarting, say), each time with its own words.
      let failures = 0;
      await page.route('**/api/tab/my-access', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'unavailable', message: `The store did not answer (${++failures}).` }),
        }),
      );
      // The Revoke answers are made up so the same grant can be revoked again and again: what is
      // under test is the page's reload after an action, not the revoke (tested above).
      let revokes = 0;
      await page.route('**/api/tab/requests/*/revoke', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ message: `Revoked (${++revokes}).` }),
        }),
      );
      await page.click(`#grants li[data-request="${request.id}"] .row-open`);
      const revoke = async (n: number) => {
        const reason = page.locator(`#revoke-${request.id}`);
        await reason.fill('no longer needed on legacy');
        await revokeInDrawer(page, reason);
        await page
          .locator('dialog.drawer .action-message')
          .filter({ hasText: `Revoked (${n}).` })
          .waitFor();
      };
      const alerts = page.locator('main [role="alert"]');
      await revoke(1);
      await page.locator('.reload-problem [role="alert"]', { hasText: 'The store did not answer (1).' }).waitFor();
      await revoke(2);
      await page.locator('.reload-problem [role="alert"]', { hasText: 'The store did not answer (2).' }).waitFor();
      // One alert, the newer: failures do not stack up above the data.
      await expect(alerts.allInnerTexts()).resolves.toEqual(['The store did not answer (2).']);
      await page.unroute('**/api/tab/my-access');
      await revoke(3);
      // The data is current again: nothing says otherwise.
      await alerts.first().waitFor({ state: 'detached' });
      await expect(alerts.count()).resolves.toBe(0);
    } finally {
      await ctx.close();
    }
  });

  test("assets: a strong ETag (the content's hash) with no-cache, and 304 when the browser has this build", async () => {
    const url = `${h.app.url}/tabs/assets/app.js`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const body = Buffer.from(await first.arrayBuffer());
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update(body).digest('base64url')}"`);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    for (const ifNoneMatch of [etag, `"other", W/${etag}`, '*']) {
      const again = await fetch(url, { headers: { 'If-None-Match': ifNoneMatch } });
      expect([again.status, again.headers.get('etag'), again.headers.get('cache-control')]).toEqual([
        304,
        etag,
        'no-cache',
      ]);
      expect(await again.text()).toBe('');
    }
    // Another build (or another asset) is sent in full.
    expect((await fetch(url, { headers: { 'If-None-Match': '"another-build"' } })).status).toBe(200);
    const css = await fetch(`${h.app.url}/tabs/assets/app.css`, { headers: { 'If-None-Match': etag } });
    expect(css.status).toBe(200);
    expect(css.headers.get('etag')).not.toBe(etag);
  });

  test('framed by an app that never answers teams-js: past the limit the page says what to do, not "Loading…" for good; no CSP error', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    try {
      // The page's clock is moved by hand: the test waits for no limit to pass.
      await page.clock.install();
      // A page of the tab's own origin (frame-ancestors allows it) that frames the tab and answers
      // nothing, as an app that does not support the tab, or a Teams client that hangs, would.
      await page.route(`${h.app.url}/framer`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><title>framer</title><iframe title="acrbot" src="/tabs/matrix"></iframe>',
        }),
      );
      // Resolves at the framer's load, which waits for the tab's frame and its deferred script.
      await page.goto(`${h.app.url}/framer`);
      const tab = page.frames().find((f) => new URL(f.url()).pathname === '/tabs/matrix')!;
      await expect(tab.locator('main').innerText()).resolves.toBe('Loading…');
      await page.clock.runFor(HOST_ANSWER_LIMIT_MS);
      await tab.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
      await expect(tab.getByRole('alert').innerText()).resolves.toBe(new HostSilentError(HOST_ANSWER_LIMIT_MS).message);
      expect(await tab.locator('main').innerText()).toMatch(/^Access matrix\n/);
      expect(cspErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  test('Extend from the tab: the extension goes to the approvals channel (a second one is refused while it waits), an approver approves in chat, the tab and the chat cards show the new end', async () => {
    const request = await grantedToRiley('aks-legacy contosoacr --for 1d nightly batch pulls');
    const oldEnd = request.access!.expiresAt!;
    const { ctx, page } = await signIn('requester', '/tabs/personal');
    try {
      await page.click(`#grants li[data-request="${request.id}"] .row-open`);
      await page.locator('dialog.drawer .facts dt', { hasText: 'Approvers' }).first().waitFor();
      // The requester's drawer with its Extend and Revoke forms passes axe too.
      expect(await axeViolations(page)).toEqual([]);
      await page.selectOption(`#extend-${request.id}`, '30d');
      await page.fill(`#extend-reason-${request.id}`, 'batch migration runs another month');
      const before = h.connector.calls.length;
      await page.getByRole('button', { name: 'Ask to extend' }).click();
      const message = await page
        .locator('dialog.drawer .action-message')
        .filter({ hasText: /^Extension R-/ })
        .innerText();
      expect(message).toContain(`of ${request.id}`);
      expect(message).toContain('An approver decides in the approvals channel');
      const extensionId = /^Extension (R-[0-9A-Z]+)/.exec(message)![1];
      expect(await h.app.store.get(extensionId)).toMatchObject({ state: 'pending', extendsRequestId: request.id });
      // Posted like chat's: a read-only copy in the approvals channel whose approvers fetch their
      // Approve view (Universal Actions refresh naming them), and the requester's copy.
      const sent = h.connector.calls
        .slice(before)
        .filter((c) => c.op !== 'update' && cardText(c.activity).includes(extensionId));
      const approval = sent.find((c) => c.conversationId === SANDBOX_APPROVAL_CHANNEL_ID);
      expect(JSON.stringify(approval?.activity)).toContain(JSON.stringify(users.approver.teamsId));
      expect(sent.filter((c) => c.conversationId !== SANDBOX_APPROVAL_CHANNEL_ID).length).toBeGreaterThan(0);
      const approverView = await h.click(users.approver, 'refresh', { requestId: extensionId });
      expect(JSON.stringify(approverView.body.value)).toContain('"verb":"approve"');
      const posted = (await h.app.audit.forRequest(extensionId)).map((e) => `${e.action}:${e.outcome}`);
      expect(posted).toEqual(expect.arrayContaining(['request.created:pending', 'approval.card.posted:posted']));
      // An approver's "Waiting for your approval" row says in short what approving changes, in
      // its drawer's and chat card's words (src/domain/pending-extension.ts).
      const { ctx: alexCtx, page: alex } = await signIn('approver', '/tabs/personal');
      try {
        expect(await alex.locator(`#approvals li[data-request="${extensionId}"]`).innerText()).toContain(
          `Now ends ${oldEnd.slice(0, 16).replace('T', ' ')} UTC · would end at least 29 days later (30 days after approval) · Asked by`,
        );
      } finally {
        await alexCtx.close();
      }

      // While it waits the drawer names it and offers no second one (the API refuses one too:
      // one-extension-at-a-time.test.ts).
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await page.click(`#grants li[data-request="${request.id}"] .row-open`);
      const waiting = await page
        .locator('dialog.drawer .note')
        .filter({ hasText: /is waiting for an approver/ })
        .innerText();
      expect(waiting).toContain(`Its extension ${extensionId} is waiting for an approver`);
      expect(await page.locator(`#extend-${request.id}`).count()).toBe(0);
      expect(await page.locator(`#revoke-${request.id}`).count()).toBe(1);
      const open = await h.app.store.listByRequester(users.requester.objectId, ['pending']);
      expect(open.filter((r) => r.extendsRequestId === request.id).map((r) => r.id)).toEqual([extensionId]);

      // The requester cannot approve it; an approver does, in chat.
      await h.click(users.requester, 'approve', { requestId: extensionId });
      expect((await h.app.store.get(extensionId))!.state).toBe('pending');
      await h.click(users.approver, 'approve', { requestId: extensionId });
      const extension = await h.settle(extensionId);
      expect(extension.state).toBe('succeeded');
      const newEnd = extension.access!.expiresAt!;
      expect(Date.parse(newEnd)).toBeGreaterThan(Date.parse(oldEnd));
      expect((await h.app.store.get(request.id))!.access).toMatchObject({
        expiresAt: newEnd,
        extendedBy: [extensionId],
      });
      const shown = `${newEnd.slice(0, 16).replace('T', ' ')} UTC`;
      // Every chat copy of the original request's card now shows the new end.
      await h.connector.waitFor(
        (c) =>
          h.connector.calls.indexOf(c) >= before &&
          c.op === 'update' &&
          cardText(c.activity).includes(request.id) &&
          !cardText(c.activity).includes(extensionId) &&
          cardText(c.activity).includes(`until ${shown}`),
        10_000,
        "the original request's chat card updated to the new end",
      );
      // The tab shows the new end once reloaded.
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.locator(`#grants li[data-request="${request.id}"]`).innerText()).resolves.toContain(
        `Access ends ${shown}`,
      );
    } finally {
      await ctx.close();
    }
  });

  test('after a revoke, focus comes back to the cell it left, not to a cell of the same names (sharedacr in two subscriptions)', async () => {
    // aks-legacy pulls from the platform sharedacr (a role assignment made outside acrbot) and,
    // by this grant, from the data subscription's: two cells named aks-legacy → sharedacr.
    const request = await grantedToRiley(
      `aks-legacy ${sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData)} legacy batch pulls shared images`,
    );
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      const label = (login: string) => `aks-legacy pulls from sharedacr (${login}):`;
      const cells = await page
        .locator('.matrix button.cell')
        .evaluateAll((els) => els.map((el) => ((el as any).querySelector('.sr-only').textContent as string).trim()));
      // The namesake comes first in the row (its subscription id sorts first): a look-up by names finds it.
      const namesake = cells.indexOf(label('sharedacr.azurecr.io'));
      expect(namesake).toBeGreaterThanOrEqual(0);
      expect(cells.indexOf(label('sharedacr-b7c1.azurecr.io'))).toBeGreaterThan(namesake);

      const cell = page.getByRole('button', { name: label('sharedacr-b7c1.azurecr.io') });
      await cell.focus();
      await page.keyboard.press('Enter');
      const reason = page.locator(`#revoke-${request.id}`);
      await reason.fill('the batch moved to the platform registry');
      const drawn = await cell.elementHandle();
      await revokeInDrawer(page, reason);
      await page
        .locator('dialog.drawer .action-message')
        .filter({ hasText: /^Revoked / })
        .waitFor();
      // The page reloads its data (the cell is drawn anew), then Escape closes the drawer.
      await page.waitForFunction((el) => !(el as any).isConnected, drawn);
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => (globalThis as any).document.activeElement?.classList.contains('cell'));
      const focused = await page.evaluate(() =>
        ((globalThis as any).document.activeElement.querySelector('.sr-only').textContent as string).trim(),
      );
      expect(focused).toBe(label('sharedacr-b7c1.azurecr.io'));
      expect(await page.evaluate(() => (globalThis as any).document.activeElement.getAttribute('data-cell'))).toBe(
        cellOf('legacy', 'sharedData'),
      );
    } finally {
      await ctx.close();
    }
  });
  test('an action on its way is known to the drawer opened again: no second POST, then the drawer shows what it did', async () => {
    const request = await grantedToRiley('aks-prod contosoabac prod cluster pulls abac images');
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      // The revoke is held at the network until released, so the drawer can be closed and opened meanwhile.
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let posts = 0;
      await page.route(`**/api/tab/requests/${request.id}/revoke`, async (route) => {
        posts++;
        arrived();
        await released;
        await route.continue();
      });
      const cell = page.locator(`button[data-cell="${cellOf('prod', 'abac')}"]`);
      await cell.click();
      const reason = page.locator(`#revoke-${request.id}`);
      await reason.fill('moved to another registry');
      await revokeInDrawer(page, reason);
      await arrival;
      await page.keyboard.press('Escape');
      await expect(page.locator('dialog.drawer[open]').count()).resolves.toBe(0);

      // Opened again while the first is on its way: its buttons are off and say so.
      await cell.click();
      const again = page.locator(`#revoke-${request.id}`);
      await again.waitFor();
      const form = page.locator('dialog.drawer form', { has: again });
      await expect(form.getByRole('button', { name: 'Revoke' }).isDisabled()).resolves.toBe(true);
      const entry = page.locator('dialog.drawer section.entry', { hasText: request.id });
      await expect(entry.locator('.action-message').innerText()).resolves.toBe('Revoke…');
      // Even sent past the disabled button (Enter in a field, a script), the form sends nothing.
      await again.fill('moved to another registry');
      await form.evaluate((f) => (f as any).requestSubmit());

      release();
      // Once answered, the drawer is drawn anew from the request's history: the badge says
      // Revoked, Revoke is gone, and the answer stays on show.
      await entry.locator('h3 .badge', { hasText: 'Revoked' }).waitFor();
      await expect(entry.locator('.action-message').innerText()).resolves.toMatch(/^Revoked /);
      expect(await page.locator(`#revoke-${request.id}`).count()).toBe(0);
      expect(posts).toBe(1);
      expect((await h.app.store.get(request.id))!.state).toBe('revoked');
    } finally {
      await ctx.close();
    }
  });

  test('after a revoke, a cell the filters now leave out gives the focus to the grid, not to the page', async () => {
    const request = await grantedToRiley(
      `aks-dev ${sandboxResourceId('registry', SANDBOX_REGISTRIES.sharedData)} dev cluster pulls shared images`,
    );
    const { ctx, page } = await signIn('approver', '/tabs/matrix');
    try {
      // Active entries of this request only: once revoked, it is filtered out and its cell goes.
      await page.selectOption('#f-state', 'active');
      await page.fill('#f-q', request.id);
      const cell = page.locator(`button[data-cell="${cellOf('dev', 'sharedData')}"]`);
      await cell.focus();
      await page.keyboard.press('Enter');
      const reason = page.locator(`#revoke-${request.id}`);
      await reason.fill('no longer needed on dev');
      const drawn = await cell.elementHandle();
      await revokeInDrawer(page, reason);
      await page
        .locator('dialog.drawer .action-message')
        .filter({ hasText: /^Revoked / })
        .waitFor();
      await page.waitForFunction((el) => !(el as any).isConnected, drawn);
      await expect(page.locator('.grid-wrap').innerText()).resolves.toBe('Nothing matches these filters.');
      await page.keyboard.press('Escape');
      await page.waitForFunction(
        () => (globalThis as any).document.activeElement?.classList.contains('grid-wrap'),
        undefined,
        { timeout: 5000 },
      );
    } finally {
      await ctx.close();
    }
  });
});
