/**
 * Browser smoke test: Debian's Chromium (headless, fresh profile, no network beyond loopback)
 * drives the Microsoft 365 Agents Playground web UI, one window per person, as `npm run
 * playground` serves them (scripts/playground/view.ts). Riley types the grant command in the
 * team's General channel and sees the plan card; Alex, in a window of the same Playground
 * shown as him, presses Approve in the approvals channel;
 * Riley sees the outcome card with the manifest snippet. Screenshots go to docs/img/ and every
 * rendered card is checked for template leftovers, raw JSON and clipped text.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { type PlaygroundView, startView } from '../../scripts/playground/view';
import { REPO_ROOT } from '../../scripts/playground/stack';
import { CHROMIUM_FLAGS_LOOPBACK_ONLY, CHROMIUM_PATH, requireChromium } from '../helpers/chromium';
import { logsOf, type Stack, startE2eStack } from './support/e2e-stack';

/**
 * Screenshots go to a git-ignored folder, so a test run leaves the tree clean; `npm run
 * screenshots` sets ACRBOT_SCREENSHOTS=docs to refresh the ones docs/ and README.md show.
 */
const IMG =
  process.env.ACRBOT_SCREENSHOTS === 'docs'
    ? path.join(REPO_ROOT, 'docs', 'img')
    : path.join(REPO_ROOT, '.playground', 'e2e', 'img');
const REQUEST_ID = /R-[2-9A-Z]{8}/;

/**
 * Problems a reader would see on a rendered card: template leftovers, raw JSON, text cut off.
 * Runs in the page; DOM objects are typed `any` because the project's tsconfig has no DOM lib.
 */
async function cardProblems(card: Locator): Promise<string[]> {
  return card.evaluate((root: any) => {
    const doc: any = (globalThis as any).document;
    const styleOf = (el: any): any => (globalThis as any).getComputedStyle(el);
    const problems: string[] = [];
    const text: string = root.innerText;
    if (/\$\{|\{\{/.test(text)) problems.push(`template leftovers: ${text.match(/.{0,30}(\$\{|\{\{).{0,30}/)?.[0]}`);
    if (/"\w+"\s*:|\{"|\[\{/.test(text))
      problems.push(`raw JSON: ${text.match(/.{0,30}("\w+"\s*:|\{"|\[\{).{0,30}/)?.[0]}`);
    // Every visible piece of text must lie inside each ancestor that clips (overflow other than
    // visible), up to and including the card, and must not be cut by an ellipsis.
    const clipped = new Set<string>();
    const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const textOf = String(node.textContent ?? '').trim();
      const el = node.parentElement;
      if (!textOf || !el || el.offsetParent === null) continue;
      const range = doc.createRange();
      range.selectNodeContents(node);
      const rects = (Array.from(range.getClientRects()) as any[]).filter((r) => r.width > 0 && r.height > 0);
      for (let a = el; a; a = a === root ? null : a.parentElement) {
        const style = styleOf(a);
        const clips = a === root || style.overflowX !== 'visible' || style.overflowY !== 'visible';
        if (!clips) continue;
        const box = a.getBoundingClientRect();
        if (
          rects.some(
            (r) => r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1 || r.top < box.top - 1,
          )
        )
          clipped.add(textOf.slice(0, 70));
      }
      if (styleOf(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1)
        clipped.add(textOf.slice(0, 70));
    }
    for (const t of clipped) problems.push(`clipped: "${t}"`);
    return problems;
  });
}

describe('browser smoke: the grant flow in the Playground web UI (Chromium)', () => {
  let stack: Stack;
  let rileyView: PlaygroundView;
  let alexView: PlaygroundView;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    requireChromium();
    mkdirSync(IMG, { recursive: true });
    stack = await startE2eStack('browser');
    rileyView = await startView(stack.playgroundUrl);
    alexView = await startView(stack.playgroundUrl, { as: 'Alex Approver' });
    profile = mkdtempSync(path.join(os.tmpdir(), 'acrbot-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS_LOOPBACK_ONLY,
      viewport: { width: 1440, height: 1400 },
      deviceScaleFactor: 1,
      timeout: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    try {
      await context?.close().catch(() => undefined);
      await rileyView?.stop();
      await alexView?.stop();
      await stack?.stop();
    } finally {
      if (profile) rmSync(profile, { recursive: true, force: true });
    }
  });

  /** Script errors in the pages (e.g. the web UI's message saga failing); they must stay empty. */
  const pageErrors: string[] = [];

  async function openAs(url: string, name: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${name}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource|worklet module/.test(msg.text()))
        pageErrors.push(`${name}: ${msg.text().split('\n')[0]}`);
    });
    await page.goto(url);
    await page.getByRole('toolbar').getByText(name, { exact: true }).waitFor();
    return page;
  }

  async function openChannel(page: Page, channel: string): Promise<void> {
    await page.getByRole('treeitem', { name: `Platform - ${channel}` }).click();
    await page.getByText('Start a new post').waitFor();
  }

  /** Starts a new post in the open channel as in Teams: "@acr", pick acrbot from the mention list, then the command. */
  async function post(page: Page, command: string): Promise<void> {
    const composer = page.getByRole('group').filter({ hasText: 'Start a new post' }).getByRole('textbox');
    await composer.click();
    await page.keyboard.type('@acr');
    await page.getByRole('menuitem', { name: /acrbot/ }).click();
    await page.keyboard.type(` ${command}`);
    await page.getByRole('button', { name: 'Post' }).click();
  }

  /** The rendered Adaptive Card (the newest one) whose text matches. */
  function card(page: Page, text: string | RegExp): Locator {
    return page.locator('.ac-adaptiveCard').filter({ hasText: text }).last();
  }

  test('Riley requests in General, Alex approves in approvals, Riley gets the outcome card', async () => {
    // Readability problems of every card, collected so that one run shows (and screenshots) them all.
    const readability: string[] = [];
    const check = async (name: string, c: Locator) =>
      readability.push(...(await cardProblems(c)).map((p) => `${name}: ${p}`));
    try {
      // Both windows first: the web UI keeps messages in the page and only gets new ones from the
      // stream, so a window opened later would not show the approval card.
      const riley = await openAs(rileyView.url, 'Riley Requester');
      const alex = await openAs(alexView.url, 'Alex Approver');
      await openChannel(alex, 'approvals');
      await riley.bringToFront();
      await openChannel(riley, 'General');

      await post(riley, 'grant aks-prod contosoacr deploy payments-api');

      const plan = card(riley, 'Pending approval');
      await plan.waitFor({ timeout: 20_000 });
      const planText = await plan.innerText();
      const requestId = planText.match(REQUEST_ID)![0];
      for (const expected of ['aks-prod', 'contosoacr.azurecr.io', 'AcrPull', 'deploy payments-api', 'Riley Requester'])
        expect(planText).toContain(expected);
      await check('plan card', plan);
      await plan.scrollIntoViewIfNeeded();
      await plan.screenshot({ path: path.join(IMG, 'playground-1-plan-card.png') });

      // Alex, in the approver view: the approval card in the approvals channel.
      await alex.bringToFront();
      const approval = card(alex, requestId);
      await approval.waitFor({ timeout: 20_000 });
      await check('approval card', approval);
      await approval.scrollIntoViewIfNeeded();
      await approval.screenshot({ path: path.join(IMG, 'playground-2-approval-card.png') });
      await approval.getByRole('button', { name: 'Approve', exact: true }).click();
      const granted = card(alex, new RegExp(`${requestId}[\\s\\S]*Granted|Granted[\\s\\S]*${requestId}`));
      await granted.waitFor({ timeout: 20_000 });
      expect(await granted.innerText()).toContain('Alex Approver');
      await check('approved card', granted);
      await granted.screenshot({ path: path.join(IMG, 'playground-3-approved-card.png') });

      // Riley: the plan card turned Granted in place, and the outcome card with the snippet arrived in the thread.
      await riley.bringToFront();
      await card(riley, new RegExp(`${requestId}[\\s\\S]*Granted`)).waitFor({ timeout: 20_000 });
      const outcome = card(riley, 'Pull access granted');
      await outcome.waitFor({ timeout: 20_000 });
      const outcomeText = await outcome.innerText();
      expect(outcomeText).toContain(requestId);
      expect(outcomeText).toContain('image: contosoacr.azurecr.io/');
      // The manifest snippet must keep its lines and indentation (YAML), whatever element renders it.
      if (
        !/^\s*kind: Deployment\s*$/m.test(outcomeText) ||
        !/^\s{4,}image: contosoacr\.azurecr\.io\//m.test(outcomeText)
      )
        readability.push('outcome card: the manifest snippet lost its line breaks and indentation');
      await check('outcome card', outcome);
      await outcome.scrollIntoViewIfNeeded();
      await outcome.screenshot({ path: path.join(IMG, 'playground-4-outcome-card.png') });
      await riley.screenshot({ path: path.join(IMG, 'playground-5-general-channel.png') });

      // Alex types a command in the approvals channel (sent as Alex by the approver view).
      await alex.bringToFront();
      await post(alex, `audit ${requestId}`);
      const audit = card(alex, `Audit trail of ${requestId}`);
      await audit.waitFor({ timeout: 20_000 });
      expect(await audit.innerText()).toContain('request.approved');
      await check('audit card', audit);
      await audit.scrollIntoViewIfNeeded();
      await audit.screenshot({ path: path.join(IMG, 'playground-6-audit-card.png') });

      // Riley asks for help in the personal chat: every usage line must show its placeholders.
      await riley.bringToFront();
      await riley.getByRole('treeitem', { name: 'Personal Chat' }).click();
      const chatBox = riley.getByRole('textbox').last();
      await chatBox.click();
      await riley.keyboard.type('help');
      await riley.keyboard.press('Enter');
      const help = card(riley, 'acrbot commands');
      await help.waitFor({ timeout: 20_000 });
      const helpText = await help.innerText();
      const usage = (verb: string) => helpText.match(new RegExp(`^${verb}\\b[^\\n]*`, 'm'))?.[0];
      if (!/^grant\s+\S*cluster\S*\s+\S*registry/im.test(helpText))
        readability.push(`help card: the grant usage lost its placeholders (shows "${usage('grant')}")`);
      // `status | status REQUEST-ID`: the placeholder is on the status line, after the bare form.
      if (!/^status\b[^\n]*\bstatus\s+\S*request/im.test(helpText))
        readability.push(`help card: the status usage lost its placeholder (shows "${usage('status')}")`);
      await check('help card', help);
      await help.scrollIntoViewIfNeeded();
      await help.screenshot({ path: path.join(IMG, 'playground-7-help-card.png') });

      expect(stack.blockedConnections()).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(readability).toEqual([]);
    } catch (err) {
      for (const [i, page] of context.pages().entries())
        await page
          .screenshot({ path: path.join(REPO_ROOT, '.playground', 'e2e', 'browser', `failure-${i}.png`) })
          .catch(() => undefined);
      throw new Error(
        `${(err as Error).message}\n(screenshots: .playground/e2e/browser/failure-*.png)\n${logsOf(stack)}`,
      );
    }
  }, 120_000);
});
