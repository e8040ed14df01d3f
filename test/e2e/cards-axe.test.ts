/**
 * acrbot's cards as the Adaptive Cards renderer (`adaptivecards`, its default host config) draws
 * them in headless Chromium, checked with axe-core: colour contrast of coloured text and of text on
 * styled backgrounds, images without alt text, heading order, buttons and inputs without a name.
 * Each card is drawn four times: with the renderer's default host config and with Teams' light,
 * dark and high-contrast colours (support/teams-*-host-config.ts; light's Good and Warning text is
 * unreadable on white, dark's Attention text on its dark card), and text the colour of its
 * background fails too; no text is let through by name. The real builders make each card, with
 * long names and many rows; every golden card (test/golden/cards, each the
 * builder's output for its state, card-golden*.test.ts) is drawn too, so a template no builder
 * below reaches is still checked.
 *
 * Needs /usr/bin/chromium. No server: each card is drawn into a blank page. Set
 * ACRBOT_CARD_SCREENSHOTS=DIR to keep a PNG of each card there (for a look by eye).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import type {
  AccessCell,
  AcrbotRequestRef,
  ClusterAccessReport,
  InventoryRegistry,
  PullPath,
} from '../../src/domain/access-inventory';
import type { ApproverReportStyle } from '../../src/domain/approver-report';
import type { AuditEntry } from '../../src/domain/audit-chain';
import type { AccessRequest, Actor } from '../../src/domain/request';
import { droppedNotice } from '../../src/flows/discounted-approvals';
import { tellApproversRequesterUnreachable } from '../../src/flows/unreachable-requester';
import { clusterAccessCard, registryAccessCard } from '../../src/views/access-view';
import type { AdaptiveCardJson } from '../../src/views/card-templates';
import {
  approverReportCard,
  lifecycleNoticeCard,
  type RevocationLine,
  revokePairConfirmCard,
} from '../../src/views/lifecycle-view';
import { notRunYetNote } from '../../src/views/not-run-yet-note';
import { revokeRegistryConfirmCard } from '../../src/views/registry-revoke-view';
import { requestCard } from '../../src/views/request-view';
import { TEAMS_DARK_HOST_CONFIG } from './support/teams-dark-host-config';
import { TEAMS_HIGH_CONTRAST_HOST_CONFIG } from './support/teams-high-contrast-host-config';
import { TEAMS_LIGHT_HOST_CONFIG } from './support/teams-light-host-config';
import { CHROMIUM_FLAGS_LOOPBACK_ONLY, CHROMIUM_PATH, requireChromium } from '../helpers/chromium';
import { acrbotRole, ASSIGNMENTS, inventoryCluster, requestRef } from '../unit/support/inventory-fixtures';
import {
  APPROVER,
  CLUSTER_ID,
  grantPlan,
  pendingRequest,
  REGISTRY_ID,
  secretPlan,
  SUB,
} from '../unit/support/requests';

const ROOT = path.resolve(__dirname, '..', '..');
const AXE = readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
// Its `main` does not load in Node (TOOLCHAIN.md); in the page, the dist bundle sets `AdaptiveCards`.
const RENDERER = readFileSync(path.join(ROOT, 'node_modules', 'adaptivecards', 'dist', 'adaptivecards.min.js'), 'utf8');
const GOLDEN = path.join(ROOT, 'test', 'golden', 'cards');
const SHOTS = process.env.ACRBOT_CARD_SCREENSHOTS;
/** About the width Teams gives a card in a chat on a laptop. */
const CARD_WIDTH = 440;

// ---- realistic data: long names, many rows ------------------------------------------------------
const LONG_NAME = 'Maximiliana Alexandrova-Featherstonehaugh (Platform Reliability, EMEA)';
const person = (n: number): Actor => ({
  objectId: `0a000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: n % 3 === 0 ? LONG_NAME : `Requester Number ${n} of the payments-platform team`,
});
const requestId = (n: number) => `R-${String(n).padStart(8, '0').replace(/0/g, 'K')}`;
/** The fixtures' registry as the inventory reads it. */
const REGISTRY = grantPlan().registry as InventoryRegistry;
const cluster = (name: string) => ({ ...grantPlan().cluster, id: `${CLUSTER_ID}-${name}`, name });

/** Active request n on `clusterName` (a grant, every fourth a pull secret with a long name). */
function active(n: number, clusterName = 'aks-payments-prod-westeurope-01'): AccessRequest {
  const base = pendingRequest({
    id: requestId(n),
    state: 'succeeded',
    requester: person(n),
    access: { durationMs: 30 * 86_400_000, expiresAt: '2025-02-13T10:00:00.000Z' },
  });
  return n % 4 === 0
    ? {
        ...base,
        plan: secretPlan({
          cluster: { ...cluster(clusterName), aadEnabled: false },
          namespace: 'payments-settlement-batch',
          secretName: 'acr-pull-credentials-for-the-nightly-settlement-batch',
        }),
      }
    : { ...base, plan: { ...grantPlan(), cluster: cluster(clusterName) } };
}

const linesOf = (r: AccessRequest): RevocationLine[] =>
  r.plan.kind === 'grant'
    ? [
        {
          what: 'role assignment',
          target: `AcrPull for ${r.plan.cluster.name}'s kubelet identity on ${r.plan.registry.name}`,
          action: 'delete',
        },
      ]
    : [
        {
          what: 'Kubernetes secret',
          target: `${r.plan.namespace}/${r.plan.secretName} in ${r.plan.cluster.name}`,
          action: 'delete',
        },
        { what: 'ACR token', target: `acrbot-${r.id}`, action: 'keep', why: `still used by ${requestId(9001)}` },
      ];
const several = (rs: AccessRequest[]) => rs.map((request) => ({ request, lines: linesOf(request) }));

const pairRequests = Array.from({ length: 42 }, (_, i) => active(i + 1));
const CLUSTERS = Array.from({ length: 13 }, (_, i) => `aks-${['payments', 'ledger', 'search'][i % 3]}-prod-${i + 1}`);
const registryRequests = Array.from({ length: 60 }, (_, i) => active(100 + i, CLUSTERS[i % CLUSTERS.length]));
const waiting = notRunYetNote([pendingRequest({ id: 'R-WA1T1NG1', state: 'approved' })], false);

/** A cell of `clusterName` with `ends` ways of pulling that ended (revoked, expired, removed outside acrbot). */
function endedCell(clusterName: string, ends: number, day: number): AccessCell {
  const ref = (n: number, over: Partial<AcrbotRequestRef>): AcrbotRequestRef =>
    requestRef({ requestId: requestId(500 + day * 10 + n), requesterName: person(n).name, ...over });
  const paths: PullPath[] = Array.from({ length: ends }, (_, n): PullPath => {
    const at = `2025-01-${String(day - n).padStart(2, '0')}T09:00:00.000Z`;
    if (n % 3 === 1)
      return {
        kind: 'pullSecret',
        namespace: 'payments-settlement-batch',
        secretName: 'acr-pull-credentials-for-the-nightly-settlement-batch',
        credentialKind: 'token',
        request: ref(n, { state: 'expired', expiresAt: at }),
        state: 'expired',
      };
    const drifted = n % 3 === 2;
    return {
      kind: 'endedGrant',
      assignmentId: `${ASSIGNMENTS}/${day}${n}`,
      roleName: 'AcrPull',
      scope: REGISTRY_ID,
      request: drifted
        ? ref(n, { state: 'drifted', driftDetectedAt: at })
        : ref(n, { state: 'revoked', revokedBy: LONG_NAME, revokedAt: at }),
      state: drifted ? 'drifted' : 'revoked',
    };
  });
  return {
    cluster: inventoryCluster(clusterName),
    registry: REGISTRY,
    canPull: false,
    state: 'revoked',
    paths,
  } as AccessCell;
}
const liveCell: AccessCell = {
  cluster: inventoryCluster('aks-payments-prod-westeurope-01'),
  registry: REGISTRY,
  canPull: true,
  state: 'active',
  expiresAt: '2025-02-13T10:00:00.000Z',
  paths: [acrbotRole({ requests: [requestRef({ requesterName: LONG_NAME })] })],
};
const registryWithEnded = {
  registry: REGISTRY,
  cells: [liveCell, ...CLUSTERS.slice(0, 6).map((c, i) => endedCell(c, 2 + i, 28 - i))],
  unresolvedClusters: [],
  generatedAt: '2025-01-30T10:00:00.000Z',
};
const clusterWithEnded: ClusterAccessReport = {
  cluster: inventoryCluster('aks-payments-prod-westeurope-01'),
  identity: grantPlan().identity,
  cells: [
    liveCell,
    ...['contosoacr', 'fabrikamsharedimagesprod', 'payments'].map((name, i) => ({
      ...endedCell('aks-payments-prod-westeurope-01', 5 - i, 27 - i),
      registry: { ...REGISTRY, id: `${REGISTRY_ID}-${name}`, name },
    })),
  ],
  generatedAt: '2025-01-30T10:00:00.000Z',
};

/** A quorum request whose second approval dropped two earlier ones (one gone, one no longer an approver). */
function droppedApprovalCard(): AdaptiveCardJson {
  const at = '2025-01-15T09:30:00.000Z';
  const request = pendingRequest({
    requester: person(3),
    approvals: [{ by: APPROVER, at, reason: 'needed for the settlement release' }],
    discountedApprovals: [
      { by: person(6), at, why: 'disabledOrGone' },
      { by: person(7), at, why: 'notApprover' },
      { by: person(8), at, why: 'notRechecked' },
    ],
  });
  // As decision-handler.ts draws it for the approver whose click was recorded.
  const notice = `Your approval is recorded; the request needs more approvers. ${droppedNotice(request, APPROVER)}`;
  return requestCard(request, { showActions: true, viewerObjectId: APPROVER.objectId, notice, noticeColor: 'Warning' });
}

/** The report unreachable-requester.ts posts, caught from its messenger and drawn as approver-reports.ts does. */
async function unreachableReport(permanent: boolean, credential: boolean): Promise<AdaptiveCardJson> {
  let card: AdaptiveCardJson | undefined;
  const request: AccessRequest = {
    // A pull secret (every fourth) when its credential's expiry is what the reminder was about.
    ...active(credential ? 8 : 9, 'aks-payments-prod-westeurope-01'),
    requester: { objectId: person(9).objectId, name: LONG_NAME },
    access: permanent ? { permanent: true } : { durationMs: 30 * 86_400_000, expiresAt: '2025-02-13T10:00:00.000Z' },
  };
  const deps = {
    audit: { forRequest: async () => [], append: async () => ({}) as AuditEntry },
    messenger: {
      reportToApprovers: async (r: AccessRequest, text: string, style?: ApproverReportStyle) => {
        card = approverReportCard(r, text, false, style);
        return true;
      },
    },
    settings: {},
    log: { error: () => undefined },
  };
  await tellApproversRequesterUnreachable(
    deps as never,
    request,
    [],
    { at: '2025-02-13T10:00:00.000Z', credential },
    credential ? 'noConversation' : 'refused',
    'job-1',
  );
  return card!;
}

const revokingIds = pairRequests.map((r) => r.id);
/** Built cards: the ones added in the last rounds, with long data. */
const built: Array<[string, () => AdaptiveCardJson | Promise<AdaptiveCardJson>]> = [
  [
    'revoke-pair-preview',
    () =>
      revokePairConfirmCard(
        {
          cluster: 'aks-payments-prod-westeurope-01',
          registry: 'contosoacr',
          sandbox: false,
          reason: 'incident INC-20451: leaked kubeconfig, revoke everything on this pair now',
          leftOut: `3 more active acrbot requests there are another rule's (prod-break-glass): its approvers revoke them.`,
          beyond: '158 more of your requests there are beyond this card; revoke again once these are done.',
          cut: 'The read stopped at 1000 requests: there may be more.',
          waiting,
        },
        several(pairRequests),
      ),
  ],
  [
    'revoke-registry-preview',
    () =>
      revokeRegistryConfirmCard(
        { registry: 'contosoacr', otherTenants: 4, sandbox: false, reason: 'registry admin key leaked', waiting },
        several(registryRequests),
      ),
  ],
  [
    'revoke-registry-preview-changed',
    () =>
      revokeRegistryConfirmCard(
        { registry: 'contosoacr', otherTenants: 0, sandbox: true, changed: true },
        several(registryRequests.slice(0, 3)),
      ),
  ],
  [
    'revoke-click-started',
    () =>
      lifecycleNoticeCard({
        title: `Revoking ${revokingIds.join(', ')}`,
        text: 'acrbot is deleting what it created now; the request cards change to "Revoked" when it is done, and the requester is told.',
        ok: true,
        sandbox: false,
      }),
  ],
  [
    'revoke-click-partly-refused',
    () =>
      lifecycleNoticeCard({
        title: `Revoking ${revokingIds.slice(0, 12).join(', ')}`,
        text: `acrbot is deleting what it created now; the request cards change to "Revoked" when it is done, and the requester is told. ${requestId(13)} was not revoked: it is being revoked already, by ${LONG_NAME}. ${requestId(14)} was not revoked: it ended meanwhile.`,
        ok: false,
        sandbox: false,
      }),
  ],
  [
    'revoke-nothing-you-may-revoke',
    () =>
      lifecycleNoticeCard({
        title: 'Nothing you may revoke',
        text: `The active acrbot requests on aks-payments-prod-westeurope-01 and contosoacr are another rule's (prod-break-glass): its approvers revoke them; nothing was changed. ${waiting}`,
        ok: false,
        sandbox: false,
      }),
  ],
  ['access-registry-ended', () => registryAccessCard(registryWithEnded, false)],
  ['access-cluster-ended', () => clusterAccessCard(clusterWithEnded, false)],
  ['dropped-approval-notice', droppedApprovalCard],
  ['unreachable-requester', () => unreachableReport(false, false)],
  ['unreachable-requester-permanent-secret', () => unreachableReport(true, true)],
];

const goldens = readdirSync(GOLDEN)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [`golden/${f.replace(/\.json$/, '')}`, JSON.parse(readFileSync(path.join(GOLDEN, f), 'utf8'))] as const);

// ---- drawing and checking ---------------------------------------------------------------------
// Page functions use `globalThis as any`: the project's tsconfig has no DOM lib (web/tsconfig.json has).
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>card</title></head>
<body style="margin:0;background:#fff"><main><div id="card" style="width:${CARD_WIDTH}px;padding:8px"></div></main></body></html>`;

/** The host configs each card is drawn with: the renderer's own default, and Teams' three themes. */
const HOST_CONFIGS: Array<[string, object | undefined]> = [
  ['default', undefined],
  ['teams-light', TEAMS_LIGHT_HOST_CONFIG],
  ['teams-dark', TEAMS_DARK_HOST_CONFIG],
  ['teams-high-contrast', TEAMS_HIGH_CONTRAST_HOST_CONFIG],
];

/**
 * Draws `card` with `hostConfig` (the renderer's default when undefined) into a fresh page, or
 * in place of the card already drawn (the page, renderer and axe loaded once per card); the
 * renderer's own parse warnings come back (none expected but Teams' CodeBlock).
 */
async function draw(
  page: Page,
  card: AdaptiveCardJson,
  hostConfig: object | undefined,
  fresh: boolean,
): Promise<string[]> {
  if (fresh) {
    await page.setContent(PAGE);
    await page.evaluate(RENDERER);
  }
  return page.evaluate(
    ([json, config]) => {
      const AC = (globalThis as any).AdaptiveCards;
      const adaptive = new AC.AdaptiveCard();
      if (config) adaptive.hostConfig = new AC.HostConfig(config);
      const context = new AC.SerializationContext();
      adaptive.parse(json, context);
      const document = (globalThis as any).document;
      const host = document.getElementById('card');
      host.replaceChildren(adaptive.render());
      // The page around the card as the theme's chat draws it, for the screenshots.
      const around = (config as any)?.containerStyles?.default?.backgroundColor;
      document.body.style.background = around ? AC.stringToCssColor(around) : '#fff';
      const events: string[] = [];
      for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
      return events.filter((m) => !m.includes('"CodeBlock"'));
    },
    [card as object, hostConfig] as const,
  );
}

/**
 * `card` with every element a ToggleVisibility could show drawn shown (`isVisible: false` made
 * true): axe skips what is not displayed, and an approver who opens a revoke card's steps reads
 * them in the same colours.
 */
function shownWhole(card: AdaptiveCardJson): AdaptiveCardJson {
  return JSON.parse(JSON.stringify(card), (key, value: unknown) => (key === 'isVisible' ? true : value));
}

/**
 * Every axe violation in the card (any impact), as "rule: the text concerned (axe's summary)", and
 * any text drawn in its background's own colour: axe leaves a 1:1 ratio "incomplete" (it cannot
 * tell hidden text from unreadable), but on a card no text is meant to be hidden, and a host whose
 * style gives text its background's colour (a high-contrast black on black) hides it.
 */
async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => Boolean((globalThis as any).axe)))) await page.evaluate(AXE);
  const found: Array<{ rule: string; text: string; summary: string }> = await page.evaluate(async () => {
    const g = globalThis as any;
    const result = await g.axe.run(g.document.getElementById('card'), {
      resultTypes: ['violations', 'incomplete'],
    });
    const node = (rule: string, n: any, summary: string) => ({
      rule,
      text: String(g.document.querySelector(n.target[0])?.innerText ?? n.target.join(' ')).trim(),
      summary,
    });
    const hidden = result.incomplete
      .filter((v: any) => v.id === 'color-contrast')
      .flatMap((v: any) => v.nodes)
      .filter((n: any) => n.any.some((c: any) => c.data?.messageKey === 'equalRatio'))
      .map((n: any) => node('color-contrast (1:1)', n, "Text in its background's own colour."));
    return [
      ...result.violations.flatMap((v: any) =>
        v.nodes.map((n: any) => node(`${v.id} (${v.impact})`, n, String(n.failureSummary).split('\n').pop() ?? '')),
      ),
      ...hidden,
    ];
  });
  return found.map((v) => `${v.rule}: «${v.text.slice(0, 80)}» ${v.summary}`);
}

describe('cards drawn by the Adaptive Cards renderer pass axe-core', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    requireChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_FLAGS_LOOPBACK_ONLY,
      headless: true,
    });
    page = await (await browser.newContext({ viewport: { width: CARD_WIDTH + 40, height: 800 } })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function check(cardName: string, card: AdaptiveCardJson): Promise<void> {
    for (const [i, [config, hostConfig]] of HOST_CONFIGS.entries()) {
      await checkWith(`${cardName} (${config})`, card, hostConfig, i === 0);
    }
  }

  async function checkWith(
    name: string,
    card: AdaptiveCardJson,
    hostConfig: object | undefined,
    fresh: boolean,
  ): Promise<void> {
    expect({ name, parse: await draw(page, shownWhole(card), hostConfig, fresh) }).toEqual({ name, parse: [] });
    const text = await page.locator('#card').innerText();
    expect({ name, leftOver: text.match(/\$\{[^}]*\}/g) }).toEqual({ name, leftOver: null });
    if (SHOTS) {
      const file = path.join(SHOTS, name.replace('/', '-').replace(/ \((.*)\)$/, '-$1'));
      await page.locator('#card').screenshot({ path: `${file}.png` });
      // The top of a long card at full size, to read by eye.
      await page.screenshot({ path: `${file}-top.png`, clip: { x: 0, y: 0, width: CARD_WIDTH + 16, height: 900 } });
    }
    expect({ name, violations: await axeViolations(page) }).toEqual({ name, violations: [] });
  }

  test.each(built)('%s', async (name, build) => {
    await check(name, await build());
  });

  test('the built cards carry what they are drawn for', async () => {
    const texts = await Promise.all(built.map(async ([, build]) => JSON.stringify(await build())));
    const card = (name: string) => texts[built.findIndex(([n]) => n === name)]!;
    expect(card('access-registry-ended')).toMatch(/\d+ more that ended earlier/);
    expect(card('access-cluster-ended')).toMatch(/\d+ more that ended earlier/);
    expect(card('dropped-approval-notice')).toContain('No longer counted towards request');
    expect(card('unreachable-requester')).toContain('Requester not reachable');
    expect(card('revoke-pair-preview')).toContain('more step');
    // Its steps start hidden (behind "Show or hide"): drawn shown for axe (shownWhole).
    expect(card('revoke-pair-preview')).toContain('"isVisible":false');
  });

  test.each(goldens)('%s', async (name, card) => {
    await check(name, card);
  });
});
