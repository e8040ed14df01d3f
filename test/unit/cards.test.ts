/**
 * Every card acrbot renders, with realistic data, checked the way Teams would take it: the
 * Adaptive Cards parser finds no unknown elements or bad values (CodeBlock is a Teams element
 * with a fallback), version 1.5, no `${…}` left over, well under Teams' message size limit, and
 * approval buttons that carry only the request id and version (G3).
 */
// Its `main` does not load in Node (TOOLCHAIN.md); the dist bundle does.
const AC = require('adaptivecards/dist/adaptivecards.js');
import type { SecretPlan } from '../../src/domain/plan';
import { auditCard, grantFormCard, helpCard, messageCard } from '../../src/views/message-view';
import { outcomeCard, requestCard } from '../../src/views/request-view';
import { Template } from 'adaptivecards-templating';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AdaptiveCardJson, CARDS_DIR, type CardName } from '../../src/views/card-templates';
import { acrbotRole, ANONYMOUS_BEHIND_FIREWALL } from './support/inventory-fixtures';
import { APPROVER, auditEvent, pendingRequest, REGISTRY_ID, SUB } from './support/requests';
import { chainEntry } from '../../src/domain/audit-chain';
import type { AccessCell, ClusterAccessReport } from '../../src/domain/access-inventory';
import { diagnosePull } from '../../src/domain/pull-diagnosis';
import { checkCard, clusterAccessCard, registryAccessCard, userAccessCard } from '../../src/views/access-view';
import {
  approverReportCard,
  credentialReminderCard,
  expiryReminderCard,
  lifecycleNoticeCard,
  requesterNewsCard,
  revokeConfirmCard,
  revokePairConfirmCard,
} from '../../src/views/lifecycle-view';

// Every card rendered in this file is also expanded by adaptivecards-templating and compared at the
// end: src/views/card-compiler.ts must produce exactly what the templating engine would.
const rendered: Array<{ name: CardName; data: object }> = [];
jest.mock('../../src/views/card-templates', () => {
  const actual = jest.requireActual('../../src/views/card-templates');
  return {
    ...actual,
    renderCard: (name: CardName, data: object) => {
      rendered.push({ name, data: structuredClone(data) });
      return actual.renderCard(name, data);
    },
  };
});

const TEAMS_ONLY_ELEMENTS = ['Unknown element type "CodeBlock". Fallback will be used if present.'];

function parseErrors(card: AdaptiveCardJson): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const messages: string[] = [];
  for (let i = 0; i < context.eventCount; i++) messages.push(context.getEventAt(i).message);
  return messages.filter((m) => !TEAMS_ONLY_ELEMENTS.includes(m));
}

const secretPlan: SecretPlan = {
  kind: 'secret',
  cluster: {
    id: '/subscriptions/x/resourceGroups/rg-dev/providers/Microsoft.ContainerService/managedClusters/aks-dev',
    name: 'aks-dev',
    subscriptionId: SUB,
    resourceGroup: 'rg-dev',
    aadEnabled: false,
  },
  registry: {
    id: REGISTRY_ID,
    name: 'contosoacr',
    subscriptionId: SUB,
    resourceGroup: 'rg-acr',
    loginServer: 'contosoacr.azurecr.io',
    roleAssignmentMode: 'LegacyRegistryPermissions',
  },
  credentialKind: 'token',
  credentialName: 'acrbot-<request id>',
  repositories: [],
  namespace: 'payments',
  secretName: 'acr-auth',
  serviceAccount: 'default',
  expiresAt: '2027-02-23T10:00:00.000Z',
  operations: ['Create ACR token', 'Write secret'],
};

const decided = { by: APPROVER, at: '2025-01-15T10:00:00.000Z', approved: true };
const cards: Record<string, AdaptiveCardJson> = {
  'request pending (approver)': requestCard(pendingRequest(), { showActions: true }),
  'request pending (requester)': requestCard(pendingRequest(), { showActions: false }),
  // Under a quorum, the view of an approver whose approval counts already: Reject only.
  'request pending (approver who approved, quorum)': requestCard(
    pendingRequest({
      policy: {
        ruleId: 'prod-two',
        policyHash: 'hash-1',
        approvalsRequired: 2,
        rule: {
          id: 'prod-two',
          match: {},
          approvers: { users: [APPROVER.objectId], groups: [], name: 'Platform Approvers' },
          approvalsRequired: 2,
          approverJustification: 'optional',
        },
      },
      approvals: [{ by: APPROVER, at: '2025-01-15T09:30:00.000Z' }],
    }),
    { showActions: true, viewerObjectId: APPROVER.objectId },
  ),
  'request executing': requestCard(pendingRequest({ state: 'executing', decision: decided }), { showActions: true }),
  'request failed': requestCard(
    pendingRequest({
      state: 'failed',
      decision: decided,
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'acrbot may not …' },
    }),
    { showActions: true, notice: 'refused', noticeColor: 'Attention' },
  ),
  'secret request': requestCard(pendingRequest({ plan: secretPlan }), { showActions: true }),
  'grant outcome': outcomeCard(
    pendingRequest({
      state: 'succeeded',
      decision: decided,
      outcome: { summary: 'Granted AcrPull', azureRequestIds: ['a1b2'], createdIds: ['/x/roleAssignments/1'] },
    }),
  ),
  'secret outcome': outcomeCard(
    pendingRequest({
      state: 'succeeded',
      plan: secretPlan,
      decision: decided,
      outcome: { summary: 'Secret created', azureRequestIds: ['a1'], createdIds: ['tok'], cleanup: 'none' },
    }),
  ),
  'failed outcome': outcomeCard(
    pendingRequest({
      state: 'failed',
      decision: decided,
      outcome: { summary: 'Failed', azureRequestIds: [], error: 'no', cleanup: 'deleted' },
    }),
  ),
  message: messageCard({
    title: 'Not found',
    text: 'No cluster named x',
    tone: 'error',
    hints: ['aks-prod'],
    facts: [{ label: 'a', value: 'b' }],
    sandbox: true,
  }),
  help: helpCard(true),
  'grant form': grantFormCard({ sandbox: true, cluster: 'aks-prod', error: 'bad registry' }),
  audit: auditCard(
    'Latest',
    'last 2',
    [
      chainEntry(auditEvent(1), undefined, new Date()),
      chainEntry(auditEvent(2, { detail: undefined }), undefined, new Date()),
    ],
    true,
  ),
};

// ---- access and check ------------------------------------------------------------------------
const invCluster = { id: secretPlan.cluster.id, name: 'aks-dev', subscriptionId: SUB, resourceGroup: 'rg-dev' };
const invRegistry = { ...secretPlan.registry, roleAssignmentMode: 'LegacyRegistryPermissions' as const };
const ref = {
  requestId: 'R-7K2M9QXA',
  requesterName: 'Riley',
  requesterId: 'r',
  approvedBy: 'Alex [click](https://evil.example)',
  expiresAt: '2027-02-23T10:00:00.000Z',
  state: 'active' as const,
};
const accessCell = (n: number): AccessCell => ({
  cluster: invCluster,
  registry: { ...invRegistry, name: `registry${n}`, id: `${REGISTRY_ID}${n}` },
  canPull: true,
  state: 'active',
  paths: [
    acrbotRole({ requests: [ref] }),
    {
      kind: 'roleAssignment',
      assignmentId: '/subscriptions/x/resourceGroups/rg-acr/providers/Microsoft.Authorization/roleAssignments/2',
      roleGuid: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
      roleName: 'AcrPull',
      scope: '/subscriptions/x/resourceGroups/rg-acr',
      scopeLevel: 'resourceGroup',
      conditional: true,
      honoured: true,
      origin: 'outside',
      requests: [],
      state: 'active',
    },
    {
      kind: 'pullSecret',
      namespace: 'payments',
      secretName: 'acr-auth',
      credentialKind: 'token',
      request: ref,
      state: 'active',
    },
    {
      kind: 'endedGrant',
      assignmentId: 'x',
      roleName: 'AcrPull',
      scope: REGISTRY_ID,
      request: { ...ref, state: 'drifted', driftDetectedAt: '2027-01-01T00:00:00Z' },
      state: 'drifted',
    },
  ],
});
const clusterReport = (cells: number): ClusterAccessReport => ({
  cluster: invCluster,
  identity: { kind: 'kubelet', objectId: 'oid', description: 'kubelet managed identity' },
  cells: Array.from({ length: cells }, (_, i) => accessCell(i)),
  generatedAt: '2027-01-02T00:00:00.000Z',
});
const network = ANONYMOUS_BEHIND_FIREWALL;
Object.assign(cards, {
  'access cluster': clusterAccessCard(clusterReport(2), true),
  'access cluster, nothing': clusterAccessCard(clusterReport(0), false),
  'access cluster, 60 registries (capped)': clusterAccessCard(clusterReport(60), true),
  'access registry': registryAccessCard(
    {
      registry: invRegistry,
      cells: [accessCell(1)],
      unresolvedClusters: [{ cluster: invCluster, problem: 'no SP' }],
      generatedAt: '2027-01-02T00:00:00.000Z',
    },
    true,
  ),
  'access own': userAccessCard(
    {
      user: { objectId: 'r', name: 'Riley' },
      entries: [
        {
          kind: 'secret',
          cluster: invCluster,
          registry: invRegistry,
          namespace: 'payments',
          secretName: 'acr-auth',
          request: ref,
        },
      ],
      generatedAt: '2027-01-02T00:00:00.000Z',
    },
    true,
  ),
  'check can pull': checkCard(
    diagnosePull({
      cluster: invCluster,
      registry: invRegistry,
      network,
      identity: clusterReport(1).identity,
      cell: accessCell(1),
      now: new Date('2027-02-20T00:00:00Z'),
    }),
    true,
  ),
  'check cannot pull': checkCard(
    diagnosePull({ cluster: invCluster, registry: invRegistry, identityProblem: 'no identity', now: new Date() }),
    false,
  ),
});

// ---- lifecycle (G17) -----------------------------------------------------------------------------
const grantedTimeBoxed = pendingRequest({
  state: 'succeeded',
  decision: decided,
  reason: 'deploy [click](https://evil.example) now',
  access: { durationMs: 30 * 86_400_000, expiresAt: '2027-01-04T10:00:00.000Z' },
  outcome: { summary: 'Granted AcrPull', azureRequestIds: [] },
});
const revokedByApprover = {
  ...grantedTimeBoxed,
  state: 'revoked' as const,
  access: {
    ...grantedTimeBoxed.access,
    revokedAt: '2026-12-01T09:00:00.000Z',
    revokedBy: APPROVER,
    revokeReason: 'incident [42](https://evil.example)',
  },
};
Object.assign(cards, {
  'request granted, time-boxed': requestCard(grantedTimeBoxed, { showActions: true }),
  'request revoked': requestCard(revokedByApprover, { showActions: true }),
  'revoke confirmation': revokeConfirmCard(
    grantedTimeBoxed,
    [
      { what: 'role assignment', target: 'AcrPull for kubelet identity on contosoacr', action: 'delete' },
      { what: 'Kubernetes secret', target: 'payments/acr-auth', action: 'keep', why: 'still used by R-22222222' },
    ],
    'no longer [needed](https://evil.example)',
  ),
  'revoke pair confirmation': revokePairConfirmCard(
    { cluster: 'aks-prod', registry: 'contosoacr', sandbox: true, reason: 'incident' },
    [{ request: grantedTimeBoxed, lines: [{ what: 'role assignment', target: 'AcrPull', action: 'delete' }] }],
  ),
  'expiry reminder': expiryReminderCard(grantedTimeBoxed, 86_400_000, 30 * 86_400_000),
  'requester told: revoked': requesterNewsCard(revokedByApprover, {
    kind: 'ended',
    by: APPROVER,
    expired: false,
    reason: 'incident',
  }),
  'requester told: rejected': requesterNewsCard(
    { ...grantedTimeBoxed, state: 'rejected', decision: { ...decided, approved: false, reason: 'no' } },
    { kind: 'rejected' },
  ),
  'approvers told: revocation failing': approverReportCard(
    grantedTimeBoxed,
    // The last error's message as it came: a library's, Azure's, a cluster's.
    'Revoking the access has failed 3 times (last answer: connect ECONNREFUSED https://evil.example/x [click](https://evil.example/y) <at>Alex</at>)',
    true,
  ),
  // A revoke click's answer carries the refusals' sentences, which quote names and answers.
  'revoke click refused': lifecycleNoticeCard({
    title: 'Nothing was revoked',
    text: 'R-7K2M9QXA: could not be revoked (answer: https://evil.example/x [click](https://evil.example/y) <at>Alex</at>)',
    ok: false,
    sandbox: false,
  }),
});

test('lifecycle cards: the term on the request card, user text neutralised, buttons carry ids only', () => {
  expect(JSON.stringify(cards['request granted, time-boxed'])).toContain('until 2027-01-04 10:00 UTC, 30 days');
  expect(JSON.stringify(cards['request revoked'])).toContain('Revoked at 2026-12-01 09:00 UTC by');
  // What people see is neutralised (the confirm button's data carries the typed reason back to the bot).
  for (const name of [
    'request revoked',
    'revoke confirmation',
    'requester told: revoked',
    'approvers told: revocation failing',
    'revoke click refused',
  ])
    expect(JSON.stringify(cards[name].body)).not.toContain('https://evil');
  const confirm = cards['revoke confirmation'].actions as { verb: string; data: Record<string, unknown> }[];
  expect(confirm.map((a) => a.verb)).toEqual(['revokeConfirm']);
  // `endsAt` is an Extend's (the access end its reminder showed); empty on every other button.
  expect(Object.keys(confirm[0].data).sort()).toEqual(['endsAt', 'reason', 'requestId', 'version']);
  expect(confirm[0].data.endsAt).toBe('');
  const reminder = cards['expiry reminder'];
  const extend = reminder.actions as { verb: string; data: Record<string, unknown> }[];
  expect(extend.map((a) => a.verb)).toEqual(['extend']);
  expect(extend[0].data.endsAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(JSON.stringify(reminder)).toContain('"id":"duration"');
  expect(cards['request revoked'].actions ?? []).toEqual([]);
});

test('access cards neutralise names from Teams and cap long listings', () => {
  const json = JSON.stringify(cards['access own']);
  expect(json).not.toContain('https://evil');
  const capped = JSON.stringify(cards['access cluster, 60 registries (capped)']);
  expect(capped).toContain('40 more not shown');
});

describe.each(Object.entries(cards))('%s card', (_name, card) => {
  test('parses without errors, version 1.5, nothing left unexpanded, small', () => {
    expect(parseErrors(card)).toEqual([]);
    expect(card.version).toBe('1.5');
    const json = JSON.stringify(card);
    expect(json).not.toContain('${');
    expect(Buffer.byteLength(json)).toBeLessThan(28 * 1024);
  });
});

test('approve/reject carry only the request id and version; the other states have no buttons', () => {
  const actions = cards['request pending (approver)'].actions as { verb: string; data: object }[];
  expect(actions.map((a) => a.verb)).toEqual(['approve', 'reject']);
  for (const a of actions) expect(Object.keys(a.data).sort()).toEqual(['requestId', 'version']);
  const approvedAlready = cards['request pending (approver who approved, quorum)'].actions as { verb: string }[];
  expect(approvedAlready.map((a) => a.verb)).toEqual(['withdrawApproval', 'reject']);
  for (const name of ['request pending (requester)', 'request executing', 'request failed'])
    expect(cards[name].actions ?? []).toEqual([]);
});

test('a break-glass request shows its review buttons once the grant is in place, not while it is being granted', () => {
  const review = { dueAt: '2025-01-16T10:00:00.000Z' };
  const breakGlass = (state: 'approved' | 'executing' | 'succeeded') =>
    requestCard(
      pendingRequest({
        state,
        decision: decided,
        policy: { ruleId: 'r', policyHash: 'h', approvalsRequired: 0, breakGlass: true, review },
      }),
      { showActions: true },
    );
  for (const state of ['approved', 'executing'] as const) {
    expect(breakGlass(state).actions ?? []).toEqual([]);
    expect(JSON.stringify(breakGlass(state))).toContain(
      'BREAK-GLASS: being granted without approval. Once it is in place',
    );
  }
  const granted = breakGlass('succeeded');
  expect((granted.actions as { verb: string }[]).map((a) => a.verb)).toEqual(['approve', 'reject']);
  expect(JSON.stringify(granted)).toContain('Approve keeps it, Reject revokes it at once');
  // Nor while it is being revoked: the review waits until it is revoked.
  const revoking = requestCard(
    pendingRequest({
      state: 'succeeded',
      decision: decided,
      policy: { ruleId: 'r', policyHash: 'h', approvalsRequired: 0, breakGlass: true, review },
      access: { revokingSince: '2025-01-15T11:00:00.000Z' },
    }),
    { showActions: true },
  );
  expect(revoking.actions ?? []).toEqual([]);
  expect(JSON.stringify(revoking)).toContain('Being revoked since 2025-01-15 11:00 UTC');
});

test("the comment box says when approving needs one too (the rule's approverJustification)", () => {
  const pending = pendingRequest();
  expect(JSON.stringify(requestCard(pending, { showActions: true }))).toContain(
    '"placeholder":"Comment (required to reject)"',
  );
  const strict = pendingRequest({
    policy: {
      ruleId: 'prod',
      policyHash: 'h',
      approvalsRequired: 1,
      rule: {
        id: 'prod',
        match: {},
        approvers: { users: [], groups: [] },
        approvalsRequired: 1,
        approverJustification: 'required',
      },
    },
  });
  expect(JSON.stringify(requestCard(strict, { showActions: true }))).toContain(
    '"placeholder":"Comment (required to approve or reject)"',
  );
});

test('a granted request whose revocation began (a step failed and is retried) says it is being revoked', () => {
  const granted = pendingRequest({
    state: 'succeeded',
    decision: decided,
    access: { durationMs: 3_600_000, expiresAt: '2025-01-15T10:00:00.000Z' },
  });
  expect(JSON.stringify(requestCard(granted, { showActions: false }))).not.toContain('Being revoked');
  const ending = { ...granted, access: { ...granted.access, revokingSince: '2025-01-15T09:30:00.000Z' } };
  expect(JSON.stringify(requestCard(ending, { showActions: false }))).toContain(
    'Being revoked since 2025-01-15 09:30 UTC: what acrbot created is being deleted',
  );
});

test('user text is inserted as text: a ${…} in a reason is not evaluated', () => {
  const card = requestCard(pendingRequest({ reason: 'deploy ${requestId} now' }), { showActions: false });
  expect(JSON.stringify(card)).toContain('deploy ${requestId} now');
});

test('user text cannot carry a disguised link to the approver; the URL stays readable', () => {
  const card = requestCard(pendingRequest({ reason: 'urgent [approve here](https://evil.example/x) please' }), {
    showActions: true,
  });
  const json = JSON.stringify(card);
  expect(json).not.toMatch(/\]\(https?:/);
  expect(json).not.toContain('https://evil');
  expect(json).toContain('evil.example/x');
});

test('every card above is what adaptivecards-templating would expand (the compiled renderer is exact)', () => {
  expect(rendered.length).toBeGreaterThan(10);
  const engine = (name: CardName) => new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
  for (const { name, data } of rendered) {
    const again = jest.requireActual('../../src/views/card-templates').renderCard(name, data);
    expect([name, again]).toEqual([name, engine(name).expand({ $root: data })]);
  }
});

test('a failure quoting what a cluster answered (a field manager anyone writing the namespace names) shows no live link', () => {
  const quoted = 'Secret acr-pull is managed by [Click to re-approve](https://evil.example/approve); left in place.';
  const failed = pendingRequest({
    state: 'failed',
    outcome: { summary: 'Not created', azureRequestIds: [], error: quoted, errorCode: 'secret.notOurs' },
  });
  for (const card of [requestCard(failed, { showActions: false }), outcomeCard(failed)]) {
    const text = JSON.stringify(card.body);
    expect(text).toContain('Click to re-approve');
    expect(text).not.toContain('](https://');
    expect(text).not.toContain('https://evil');
  }
});

// ---- for screen readers --------------------------------------------------------------------------
type Block = { type?: string; text?: string; style?: string; size?: string; weight?: string };
/** Every TextBlock of a card body, in order, nested ones included. */
function textBlocks(card: AdaptiveCardJson): Block[] {
  const found: Block[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if ((node as Block).type === 'TextBlock') found.push(node as Block);
      Object.values(node).forEach(walk);
    }
  };
  walk(card.body);
  return found;
}

test('section labels are headings a screen reader can jump to; titles and their look stay as they were', () => {
  const headings = (card: AdaptiveCardJson) =>
    textBlocks(card)
      .filter((b) => b.style === 'heading')
      .map((b) => b.text);
  expect(headings(cards['grant outcome'])).toEqual(['Use it in your manifest', 'Next']);
  expect(headings(cards['request pending (approver)'])).toEqual(['Azure operations on approval']);
  expect(headings(cards['check cannot pull'])).toEqual(['Fix']);
  // A heading's own style would make it Large, as big as the card title: kept at the body's size.
  for (const name of ['grant outcome', 'request pending (approver)', 'check cannot pull'])
    for (const b of textBlocks(cards[name]).filter((b) => b.style === 'heading'))
      expect([b.text, b.size, b.weight]).toEqual([b.text, 'Default', 'Bolder']);
});

test("the check card's warnings and problems say so in words, not only with a glyph and a colour", () => {
  const diagnosis = diagnosePull({
    cluster: invCluster,
    registry: invRegistry,
    identityProblem: 'no identity',
    now: new Date(),
  });
  const card = checkCard(
    {
      ...diagnosis,
      findings: [
        { topic: 'identity', level: 'ok', text: 'It pulls with its kubelet identity.' },
        { topic: 'network', level: 'warn', text: 'The firewall may block it.' },
        { topic: 'role', level: 'fail', text: 'No role carries pull.' },
        { topic: 'expiry', level: 'info', text: 'Checked at noon.' },
      ],
    },
    false,
  );
  const texts = textBlocks(card).map((b) => b.text);
  expect(texts).toEqual(
    expect.arrayContaining([
      'It pulls with its kubelet identity.',
      'Warning: The firewall may block it.',
      'Problem: No role carries pull.',
      'Checked at noon.',
    ]),
  );
  // The glyphs stay, for those who scan by them.
  expect(texts).toEqual(expect.arrayContaining(['✓', '!', '✗', '•']));
});

test("a reminder's title never overstates what is left, in the tab's words (web-format.test.ts)", () => {
  const hour = 3_600_000;
  const left = [36 * hour, 60 * hour, 84 * hour, 36 * hour - 1_000, 24 * hour, 90 * 60_000, 30_000];
  const title = (card: AdaptiveCardJson) => textBlocks(card).find((b) => /ends in|expires in/.test(b.text ?? ''))?.text;
  // Which access, after the time left (request-in-title.ts): the notification shows the title.
  const about = ': R-7K2M9QXA (aks-prod → contosoacr)';
  expect(left.map((ms) => title(expiryReminderCard(grantedTimeBoxed, ms, 30 * 86_400_000)))).toEqual([
    `Access ends in 36 hours${about}`,
    `Access ends in 2 days${about}`,
    `Access ends in 3 days${about}`,
    `Access ends in 36 hours${about}`,
    `Access ends in 24 hours${about}`,
    `Access ends in 1 hour${about}`,
    `Access ends in 1 minute${about}`,
  ]);
  const secret = { ...grantedTimeBoxed, plan: secretPlan };
  expect(title(credentialReminderCard(secret, 36 * hour, '2027-01-04T10:00:00.000Z', 30 * 86_400_000))).toBe(
    'Pull secret credential expires in 36 hours: R-7K2M9QXA (aks-dev → contosoacr)',
  );
});
