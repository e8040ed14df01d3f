/**
 * The tab in Chromium says of a drift and of a gone cluster what chat's cards say
 * (src/domain/live-drift.ts, src/domain/cluster-gone.ts): on My access a grant whose cluster is
 * gone is badged "Cluster gone", never "Active" (the matrix has no row for a deleted cluster: ARM
 * no longer lists it); in the matrix a drift whose role assignment is intact is "No longer gives
 * pull", not "Drifted", and its own State filter value picks it; a drift-marked grant being
 * revoked reads "Being revoked". A screenshot of the page goes to $TAB_SCREENSHOT when set.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`). Nothing is written to the repo.
 */
import type { Browser } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import type { AccessRequest } from '../../src/domain/request';
import { SANDBOX_CLUSTERS, sandboxResourceId } from '../../src/sandbox/fixtures';
import { grantApproved } from '../helpers/grant-approved';
import { type Harness, startHarness } from '../helpers/harness';
import { launchTabBrowser, signInToTab } from '../helpers/tab-browser';

describe('the matrix badges and filters a drift and a gone cluster as the cards do', () => {
  let h: Harness;
  let browser: Browser;
  let gone: AccessRequest;
  let intact: AccessRequest;
  let revoking: AccessRequest;

  beforeAll(async () => {
    await buildWeb();
    h = await startHarness();
    const seen = new Date().toISOString();
    const mark = async (r: AccessRequest, access: Partial<NonNullable<AccessRequest['access']>>) => {
      const stored = (await h.app.store.get(r.id))!;
      const next = { ...stored, version: stored.version + 1, access: { ...stored.access!, ...access } };
      await h.app.store.update(next);
      return next;
    };
    gone = await grantApproved(h, 'aks-prod contosoacr deploy payments-api');
    const dev = await grantApproved(h, 'aks-dev contosoacr build cache');
    const legacy = await grantApproved(h, 'aks-legacy contosoacr batch jobs need images');
    // The cluster deleted: the drift check notes it gone (a 404), as it would in Azure.
    h.app.sandbox!.arm.state.removeCluster(sandboxResourceId('cluster', SANDBOX_CLUSTERS.prod));
    await h.app.services.drift.sweep();
    await h.app.services.drift.sweep();
    gone = (await h.app.store.get(gone.id))!;
    // Marks as the drift check records them (after its sweeps, which would take a mark it cannot see off).
    intact = await mark(dev, {
      driftDetectedAt: seen,
      driftReason: 'identityChanged',
    });
    revoking = await mark(legacy, {
      driftDetectedAt: seen,
      driftReason: 'deleted',
      revokingSince: seen,
    });
    browser = await launchTabBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  test('each row is badged as its card says, and the State filter offers each badge', async () => {
    const { ctx, page } = await signIn();
    try {
      const badgeOf = (id: string) => page.locator(`li[data-request="${id}"] .badge`).first().innerText();
      await expect(badgeOf(intact.id)).resolves.toBe('No longer gives pull');
      await expect(badgeOf(revoking.id)).resolves.toBe('Being revoked');
      const main = await page.locator('main').innerText();
      expect(main).not.toContain('Drifted');
      const options = await page.locator('#f-state option').allInnerTexts();
      expect(options).toEqual(expect.arrayContaining(['No longer gives pull', 'Being revoked']));
      expect(options).not.toContain('Drifted');
      if (process.env.TAB_SCREENSHOT) await page.screenshot({ path: process.env.TAB_SCREENSHOT, fullPage: true });

      await page.selectOption('#f-state', 'noLongerPulls');
      const shown = await page.locator('.rows').innerText();
      expect(shown).toContain(intact.id);
      expect(shown).not.toContain(revoking.id);
    } finally {
      await ctx.close();
    }
  });

  test('My access badges the grant whose cluster is gone "Cluster gone", as its card does', async () => {
    expect(gone.access?.clusterGoneAt).toBeDefined();
    const { ctx, page } = await signInToTab(browser, h, 'requester', '/tabs/personal');
    try {
      await expect(page.locator(`#grants li[data-request="${gone.id}"] .badge`).first().innerText()).resolves.toBe(
        'Cluster gone',
      );
      await expect(page.locator(`#grants li[data-request="${revoking.id}"] .badge`).first().innerText()).resolves.toBe(
        'Being revoked',
      );
      if (process.env.TAB_SCREENSHOT)
        await page.screenshot({ path: process.env.TAB_SCREENSHOT.replace(/\.png$/, '-personal.png'), fullPage: true });
    } finally {
      await ctx.close();
    }
  });

  const signIn = () => signInToTab(browser, h, 'approver', '/tabs/matrix');
});
