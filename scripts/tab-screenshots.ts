/**
 * Writes the tab's screenshots for the docs (docs/img/tab-*.png). Run it by hand after changing
 * the front end; tests never write here.
 *
 *   node scripts/run-ts.js scripts/tab-screenshots.ts
 *
 * Starts acrbot in sandbox mode in this process (memory store), makes a small real world through
 * the bot — grants and a pull secret approved in chat, one grant whose role assignment is then
 * deleted behind acrbot's back (drift), one ending within days, the sandbox's grant made outside
 * acrbot — and photographs the Access matrix in the light and dark Teams themes, at 320 px, and
 * My access, in Debian's Chromium (`apt-get install -y chromium`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cardText } from '../test/helpers/capturing-connector';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../test/helpers/chromium';
import { startHarness, users } from '../test/helpers/harness';
import { buildWeb } from './build-web';

const ROOT = path.resolve(__dirname, '..');
const IMG = path.join(ROOT, 'docs', 'img');

async function main(): Promise<void> {
  process.noDeprecation = true;
  await buildWeb();
  const h = await startHarness({ LOG_LEVEL: 'warn' });
  try {
    const approve = async (id: string) => {
      await h.click(users.approver, 'approve', { requestId: id });
      return h.settle(id);
    };
    const prod = await h.requestGrant(users.requester, 'aks-prod contosoacr deploy payments-api to prod');
    await approve(prod.id);
    const legacy = await h.requestGrant(users.outsider, 'aks-legacy contosoacr nightly batch jobs need images');
    const legacyDone = await approve(legacy.id);
    const abac = await h.requestGrant(users.requester, 'aks-prod contosoabac pull base images for payments');
    const abacDone = await approve(abac.id);
    // A pull secret through the bot's secret flow.
    const before = h.connector.calls.length;
    await h.say(users.requester, 'secret aks-dev contosoacr --namespace payments dev cluster needs payments images');
    const card = await h.connector.waitFor(
      (c) => h.connector.calls.indexOf(c) >= before && c.op !== 'update' && /R-[2-9A-Z]{8}/.test(cardText(c.activity)),
      10_000,
      'secret plan card',
    );
    await approve(/R-[2-9A-HJKMNP-TV-Z]{8}/.exec(cardText(card.activity))![0]);
    // Pending: not in the matrix, but in Alex's approvals.
    await h.requestGrant(users.outsider, 'aks-dev contosoabac try the abac registry from dev');

    // Ending within days (a time-boxed grant as the lifecycle records it).
    const ending = new Date(Date.now() + 3 * 86_400_000).toISOString();
    await h.app.store.update({
      ...abacDone,
      version: abacDone.version + 1,
      access: { durationMs: 30 * 86_400_000, expiresAt: ending },
    });
    // Drift: someone deleted acrbot's role assignment in Azure.
    const assignment =
      legacyDone.created?.find((c) => c.kind === 'roleAssignment')?.id ??
      legacyDone.outcome?.createdIds?.find((id) => /roleAssignments\//i.test(id));
    if (!assignment || !h.app.sandbox!.arm.state.roleAssignments.delete(assignment.split('/').pop()!))
      throw new Error(`could not delete ${assignment} to show drift`);

    mkdirSync(IMG, { recursive: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
    try {
      const shoot = async (user: string, page: string, file: string, width: number, theme = 'default') => {
        const ctx = await browser.newContext({ viewport: { width, height: 760 }, deviceScaleFactor: 1 });
        const p = await ctx.newPage();
        await p.goto(`${h.app.url}/tabs/sandbox-signin?user=${user}&next=${encodeURIComponent(`/tabs/${page}`)}`);
        await p.waitForURL((u) => u.pathname === `/tabs/${page}`);
        await p.goto(`${h.app.url}/tabs/${page}?theme=${theme}`);
        await p.waitForSelector('body[data-ready="true"]');
        await p.screenshot({ path: path.join(IMG, file), fullPage: true });
        await ctx.close();
        console.log(`docs/img/${file}`);
      };
      await shoot('approver', 'matrix', 'tab-matrix-light.png', 1280);
      await shoot('approver', 'matrix', 'tab-matrix-dark.png', 1280, 'dark');
      await shoot('approver', 'matrix', 'tab-matrix-320.png', 320);
      await shoot('requester', 'personal', 'tab-my-access.png', 900);
    } finally {
      await browser.close();
    }
  } finally {
    await h.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
